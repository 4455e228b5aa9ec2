import { validate as isUuid } from 'uuid';
import { CelersError } from '../errors/celers-error.js';
import {
  MAX_CLAIM_TASK_NAMES,
  MAX_DURATION_MS,
  MAX_JSON_DEPTH,
  MAX_NAME_LENGTH,
  MAX_PAGE_SIZE,
  MAX_PRIORITY,
  MAX_RETRIES_LIMIT,
  MIN_PRIORITY,
} from './limits.js';

// Every public method validates its arguments with these before any I/O, so bad input is an
// INVALID_ARGUMENT naming the argument and the database is never touched.

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const JSON_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
// A UTF-16 surrogate without its partner: utf8mb4 cannot store it, so the server writes U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Leading or trailing whitespace: the utf8mb4_bin/ascii_bin collations are PAD SPACE on MariaDB 10.11 and
// MySQL 8.4, so "a" and "a " are the same key; rejecting such names is the one rule both servers agree on.
const EDGE_WHITESPACE = /^\s|\s$/;

/** Characters (Unicode code points) in `value`: what a utf8mb4 VARCHAR(n) counts. */
export function characterLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** True when `value` holds a lone UTF-16 surrogate (not representable in UTF-8). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}

/**
 * Whether `value` is what {@link assertTaskId} accepts: a canonical UUID string (any version, any letter case).
 * For hot loops that name the argument only when it is bad.
 */
export function isTaskId(value: unknown): value is string {
  return typeof value === 'string' && isUuid(value);
}

/** Asserts a canonical UUID string (any version) and returns it lower-cased. */
export function assertTaskId(value: unknown, argument = 'taskId'): string {
  if (!isTaskId(value)) {
    throw CelersError.invalidArgument(argument, `expected a UUID string, got ${describe(value)}`);
  }
  return value.toLowerCase();
}

/** Asserts a non-empty array of task ids (at most `max`), returning them lower-cased and de-duplicated. */
export function assertTaskIds(value: unknown, argument = 'taskIds', max = MAX_PAGE_SIZE): string[] {
  if (!Array.isArray(value)) throw CelersError.invalidArgument(argument, 'expected an array of task ids');
  if (value.length > max)
    throw CelersError.invalidArgument(argument, `at most ${max} ids per call, got ${value.length}`);
  return [...new Set(value.map((id, i) => assertTaskId(id, `${argument}[${i}]`)))];
}

/**
 * Asserts a task, worker, group, schedule or key name: 1–`maxLength` characters (code points, as the
 * utf8mb4 column counts them), no control characters, no lone surrogates, and no leading or trailing
 * whitespace (PAD SPACE collations would make `"a"` and `"a "` the same key).
 */
export function assertName(value: unknown, argument: string, maxLength = MAX_NAME_LENGTH): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw CelersError.invalidArgument(argument, `expected a non-empty string, got ${describe(value)}`);
  }
  // value.length counts UTF-16 units, at least the code points: only count exactly near the limit.
  if (value.length > maxLength) {
    const chars = characterLength(value);
    if (chars > maxLength)
      throw CelersError.invalidArgument(argument, `at most ${maxLength} characters, got ${chars}`);
  }
  if (CONTROL_CHARS.test(value))
    throw CelersError.invalidArgument(argument, 'must not contain control characters');
  if (hasLoneSurrogate(value))
    throw CelersError.invalidArgument(argument, 'must not contain lone UTF-16 surrogates');
  if (EDGE_WHITESPACE.test(value))
    throw CelersError.invalidArgument(argument, 'must not start or end with whitespace');
  return value;
}

/** Asserts a non-empty array of task names (at most {@link MAX_CLAIM_TASK_NAMES}), returning them de-duplicated. */
export function assertTaskNames(value: unknown, argument: string): string[] {
  if (!Array.isArray(value)) throw CelersError.invalidArgument(argument, 'expected an array of task names');
  if (value.length === 0) throw CelersError.invalidArgument(argument, 'name at least one task');
  if (value.length > MAX_CLAIM_TASK_NAMES)
    throw CelersError.invalidArgument(argument, `at most ${MAX_CLAIM_TASK_NAMES} names, got ${value.length}`);
  return [...new Set(value.map((name, i) => assertName(name, `${argument}[${i}]`)))];
}

/** Asserts a queue name: 1–255 of `A-Z a-z 0-9 _ . : -`, starting with a letter or digit. */
export function assertQueueName(value: unknown, argument = 'queue'): string {
  assertName(value, argument);
  if (!QUEUE_NAME.test(value as string)) {
    throw CelersError.invalidArgument(
      argument,
      'use letters, digits and _ . : - (starting with a letter or digit)',
    );
  }
  return value as string;
}

/** Asserts an integer in `[min, max]`. */
export function assertInteger(value: unknown, argument: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw CelersError.invalidArgument(argument, `expected an integer, got ${describe(value)}`);
  }
  if (value < min || value > max)
    throw CelersError.invalidArgument(argument, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Asserts a finite number in `[min, max]` (fractions allowed). */
export function assertNumber(value: unknown, argument: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw CelersError.invalidArgument(argument, `expected a finite number, got ${describe(value)}`);
  }
  if (value < min || value > max)
    throw CelersError.invalidArgument(argument, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Asserts a page size: an integer from 1 to {@link MAX_PAGE_SIZE}. */
export function assertLimit(value: unknown, argument = 'limit', max = MAX_PAGE_SIZE): number {
  return assertInteger(value, argument, 1, max);
}

/** Asserts a page offset: an integer ≥ 0. */
export function assertOffset(value: unknown, argument = 'offset'): number {
  return assertInteger(value, argument, 0, Number.MAX_SAFE_INTEGER);
}

/** Asserts a duration in milliseconds: an integer from `min` (default 0) to 100 years. */
export function assertDurationMs(value: unknown, argument: string, min = 0): number {
  return assertInteger(value, argument, min, MAX_DURATION_MS);
}

/** Asserts a task priority (signed 32-bit integer; higher runs first). */
export function assertPriority(value: unknown, argument = 'priority'): number {
  return assertInteger(value, argument, MIN_PRIORITY, MAX_PRIORITY);
}

/** Asserts a retry limit (integer ≥ 0). */
export function assertMaxRetries(value: unknown, argument = 'maxRetries'): number {
  return assertInteger(value, argument, 0, MAX_RETRIES_LIMIT);
}

/** Asserts a percentage in `[0, 100]`. */
export function assertPercent(value: unknown, argument = 'percent'): number {
  return assertNumber(value, argument, 0, 100);
}

/** Asserts a point in time given as a valid `Date` or epoch milliseconds; returns a `Date`. */
export function assertTime(value: unknown, argument: string): Date {
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw CelersError.invalidArgument(
      argument,
      `expected a valid Date or epoch milliseconds, got ${describe(value)}`,
    );
  }
  const year = date.getUTCFullYear();
  if (year < 1970 || year > 9999)
    throw CelersError.invalidArgument(argument, `year must be 1970–9999, got ${year}`);
  return date;
}

/** Asserts a plain JSON path such as `$.customer.id` (no wildcards, arrays or quoting). */
export function assertJsonPath(value: unknown, argument = 'path'): string {
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH || !JSON_PATH.test(value)) {
    throw CelersError.invalidArgument(
      argument,
      `expected a plain JSON path like "$.a.b", got ${describe(value)}`,
    );
  }
  return value;
}

/** Asserts one of the allowed string values. */
export function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], argument: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw CelersError.invalidArgument(
      argument,
      `expected one of ${allowed.join(', ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}

/** Asserts a plain object (not null, not an array) or undefined. */
export function assertOptionalObject(value: unknown, argument: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw CelersError.invalidArgument(argument, `expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Limits for {@link assertJsonSerializable}. */
export interface JsonValueRules {
  /** Deepest nesting of arrays/objects, the outermost counting 1. @defaultValue {@link MAX_JSON_DEPTH} */
  maxDepth?: number;
  /** Require a JSON object at the top (metadata, capabilities columns). @defaultValue false */
  object?: boolean;
}

/**
 * Asserts that `value` serializes to JSON a MySQL/MariaDB JSON column stores unchanged, and returns the text:
 * no cycles, BigInt, throwing `toJSON` or unserializable top level; nesting at most `maxDepth`; no lone
 * surrogates in strings or keys. Every failure is an `INVALID_ARGUMENT` naming `argument`.
 */
export function assertJsonSerializable(value: unknown, argument: string, rules: JsonValueRules = {}): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw CelersError.invalidArgument(argument, `not JSON-serializable (${message})`);
  }
  if (text === undefined) throw CelersError.invalidArgument(argument, 'not JSON-serializable');
  if (rules.object === true && !text.startsWith('{'))
    throw CelersError.invalidArgument(argument, `expected a plain object, got ${describe(value)}`);
  // Check the serialized form (what is stored), not the input: toJSON may change shape.
  checkJsonText(text, argument, rules.maxDepth ?? MAX_JSON_DEPTH);
  return text;
}

function checkJsonText(text: string, argument: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        // JSON.stringify writes lone surrogates as \udXXX escapes (well-formed stringify).
        if (text.charCodeAt(i + 1) === 0x75 && isLoneSurrogateEscape(text, i)) {
          throw CelersError.invalidArgument(argument, 'must not contain lone UTF-16 surrogates');
        }
        i++;
      } else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth)
        throw CelersError.invalidArgument(argument, `nested deeper than ${maxDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

function isLoneSurrogateEscape(text: string, i: number): boolean {
  const unit = Number.parseInt(text.slice(i + 2, i + 6), 16);
  if (unit < 0xd800 || unit > 0xdfff) return false;
  // JSON.stringify keeps well-formed pairs as raw characters, so any surrogate escape is a lone one.
  return true;
}
