import { escape as escapeValue, format, type SqlValue } from 'mysql2';

/** A value a hot statement writes as a literal. `undefined` is written as NULL, as mysql2 does. */
export type SqlLiteralValue = string | number | bigint | boolean | null | undefined | Buffer | Date;

/** A canonical lower-case UUID: nothing in it needs escaping. */
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Strings up to this length keep their literal: queue and task names, content types, `{}`, worker ids. */
const REMEMBERED_MAX_LENGTH = 64;
/** Literals kept at most; the cache starts over when full (a long-lived producer with ever new short values). */
const REMEMBERED_MAX_ENTRIES = 1024;
const remembered = new Map<string, string>();

/**
 * The SQL literal of a string, exactly as mysql2 escapes it for a `?` (backslash escapes, which the pinned
 * session `sql_mode` and utf8mb4 charset make safe; docs/design.md, "Connection safety"). Task ids skip the
 * escaper (a UUID holds no character it would touch) and short strings are escaped once per process.
 * @internal
 */
export function stringLiteral(value: string): string {
  if (value.length === 36 && UUID_TEXT.test(value)) return `'${value}'`;
  if (value.length > REMEMBERED_MAX_LENGTH) return escapeValue(value);
  let literal = remembered.get(value);
  if (literal === undefined) {
    literal = escapeValue(value);
    if (remembered.size >= REMEMBERED_MAX_ENTRIES) remembered.clear();
    remembered.set(value, literal);
  }
  return literal;
}

/**
 * The SQL literal of a value, the text mysql2's client-side `format` writes for it on a celers connection (dates
 * in UTC, the session time zone; buffers as hex). The hot statements (new task rows, claim marks, id lists,
 * result rows) are sent as literal text instead of `?` plus parameters: `format` dispatches on every value's
 * type and escapes repeated names again for every row, ~0.5 ms of a 500-row INSERT's ~0.8 ms of text building
 * (issue 17, W2). `sql-literal.test.ts` checks that the text equals `format`'s for hostile values.
 * @internal
 */
export function sqlLiteral(value: SqlLiteralValue): string {
  switch (typeof value) {
    case 'string':
      return stringLiteral(value);
    case 'number':
    case 'bigint':
      return `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'NULL';
  }
  if (value === null) return 'NULL';
  if (Buffer.isBuffer(value)) return `X'${value.toString('hex')}'`;
  return escapeValue(value, false, 'Z');
}

/**
 * The text of a compiled fragment (kysely's `{ sql, parameters }`) with its parameters written in as literals, as
 * mysql2's `format` writes them on a celers connection: for a fragment inside a statement of literal text.
 * @internal
 */
export function inlineParameters(fragment: { sql: string; parameters: readonly unknown[] }): string {
  return format(fragment.sql, fragment.parameters as SqlValue[], false, 'Z');
}

/** `(a, b, …)` of `values`' literals, an id list or one row of a multi-row INSERT. @internal */
export function literalList(values: readonly SqlLiteralValue[]): string {
  let text = '(';
  for (let i = 0; i < values.length; i++)
    text += i === 0 ? sqlLiteral(values[i]) : `, ${sqlLiteral(values[i])}`;
  return `${text})`;
}
