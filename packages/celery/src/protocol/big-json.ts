import { CelersError } from '@celers/core';
import type { PickleValue } from '../pickle/pickle-value.js';

/**
 * Parses JSON like `JSON.parse`, except that integers beyond `Number.MAX_SAFE_INTEGER` become `bigint`
 * (Python's `json` writes `2**70` as a bare integer; `JSON.parse` would round it).
 */
export function parseBigJson(text: string): PickleValue {
  const unsafe = /-?\d{16,}(?![.eE\d])/.test(text);
  if (!unsafe) return JSON.parse(text) as PickleValue;
  // Quote every long integer literal outside strings with a marker, then turn marked strings into bigints.
  // The marker starts with an escaped NUL, which no JSON-like producer puts in front of digits.
  const marker = '\u0000bigint:';
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      const literal = match?.[0] ?? ch;
      const integer = match !== null && match[1] === undefined && match[2] === undefined;
      out += integer && !Number.isSafeInteger(Number(literal)) ? `"\\u0000bigint:${literal}"` : literal;
      i += literal.length;
    } else {
      out += ch;
      i += 1;
    }
  }
  return JSON.parse(out, (_key, value) =>
    typeof value === 'string' && value.startsWith(marker) ? BigInt(value.slice(marker.length)) : value,
  ) as PickleValue;
}

/** `JSON.stringify` that writes `bigint` as a bare integer, as Python's `json` reads it. */
export function stringifyBigJson(value: unknown, argument: string): string {
  const marker = '\u0000bigint:';
  let sawBig = false;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v) => {
      if (typeof v === 'bigint') {
        sawBig = true;
        return `${marker}${v}`;
      }
      if (typeof v === 'number' && !Number.isFinite(v))
        throw CelersError.invalidArgument(argument, `${v} is not JSON`);
      return v;
    });
  } catch (error) {
    if (CelersError.isInstance(error)) throw error;
    throw CelersError.invalidArgument(argument, `is not JSON-serializable: ${(error as Error).message}`);
  }
  if (text === undefined) throw CelersError.invalidArgument(argument, 'is not JSON-serializable');
  return sawBig ? text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1') : text;
}
