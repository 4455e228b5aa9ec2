// Human durations for flags: `7d`, `90m`, `1h30m`, `1.5h`, `250ms`. The old `--…-ms` flags stay as aliases that
// take plain milliseconds.
import { CelersError } from '@celers/core';
import { parseIntegerOption } from './cli-options.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/**
 * Parses a duration such as `7d`, `90m`, `1h30m` or `250ms` into whole milliseconds. Each number needs a unit;
 * anything else throws `INVALID_ARGUMENT` naming `flag`.
 */
export function parseDuration(text: string, flag: string): number {
  const value = text.trim().toLowerCase();
  const fail = (why: string) =>
    CelersError.invalidArgument(flag, `${why}, got "${text}" (use e.g. 7d, 90m, 1h30m, 45s, 250ms)`);
  if (value === '') throw fail('expected a duration');
  if (/^\d+(\.\d+)?$/.test(value)) throw fail('a number needs a unit (ms, s, m, h, d, w)');
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(value); match !== null; match = PART.exec(value)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    consumed = PART.lastIndex;
  }
  if (consumed !== value.length) throw fail('not a duration');
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) throw fail('too long');
  return ms;
}

/**
 * Reads a duration given as `--<name> <duration>` or its alias `--<name>-ms <ms>`: at most one of them,
 * at least `min` ms. Returns `undefined` when neither is given.
 */
export function durationOption(
  human: string | undefined,
  millis: string | undefined,
  flag: string,
  min = 0,
): number | undefined {
  if (human !== undefined && millis !== undefined)
    throw CelersError.invalidArgument(flag, `give ${flag} or ${flag}-ms, not both`);
  const ms =
    human !== undefined
      ? parseDuration(human, flag)
      : parseIntegerOption(millis, `${flag}-ms`, min, Number.MAX_SAFE_INTEGER);
  if (ms !== undefined && ms < min) throw CelersError.invalidArgument(flag, `at least ${min} ms`);
  return ms;
}

/** Formats milliseconds the way {@link parseDuration} reads them: `1h30m`, `7d`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  let left = Math.round(ms / 1_000) * 1_000;
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    const count = Math.floor(left / size);
    if (count > 0) parts.push(`${count}${unit}`);
    left -= count * size;
  }
  return parts.join('');
}
