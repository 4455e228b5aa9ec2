// The hot statements' literals must be the text mysql2's client-side format writes for a `?` on a celers
// connection (UTC dates): the escaping rules stay mysql2's, only the per-value dispatch and repeats are saved.
import { format } from 'mysql2';
import { describe, expect, it } from 'vitest';
import { literalList, type SqlLiteralValue, sqlLiteral, stringLiteral } from '../src/internal/sql-literal.js';

const HOSTILE_STRINGS = [
  '',
  "' OR 1=1 -- x",
  "\\' OR '1'='1",
  '\\',
  '"',
  'a?b ?? ?',
  'nul\0byte',
  'ctrl-z\x1a and \b\t\n\r',
  'emoji 🎉 and ünïcode',
  '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', // a UUID: written without the escaper
  '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B', // upper case: escaped like any string
  "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5'", // 36 characters, not a UUID
  `${"x'".repeat(40)}`, // longer than the remembered strings
  '{}',
];

const OTHER_VALUES: SqlLiteralValue[] = [
  0,
  -42,
  2 ** 53 - 1,
  1.5,
  10n ** 20n,
  true,
  false,
  null,
  undefined,
  Buffer.from([0, 39, 92, 34, 255, 63]),
  Buffer.alloc(0),
  new Date(Date.UTC(2026, 11, 8, 1, 2, 3, 45)),
  new Date(0),
];

describe('SQL literals', () => {
  it.each(HOSTILE_STRINGS)('writes %j as mysql2 format does, also when written again', (value) => {
    const expected = format('?', [value], false, 'Z');
    expect(sqlLiteral(value)).toBe(expected);
    expect(stringLiteral(value)).toBe(expected);
    expect(sqlLiteral(value)).toBe(expected); // the remembered literal
  });

  it('writes numbers, booleans, NULL, buffers and dates as mysql2 format does (dates in UTC)', () => {
    for (const value of OTHER_VALUES) expect(sqlLiteral(value)).toBe(format('?', [value], false, 'Z'));
    expect(sqlLiteral(new Date(Date.UTC(2026, 11, 8, 1, 2, 3, 45)))).toBe("'2026-12-08 01:02:03.045'");
  });

  it('writes a list as the parenthesised literals of format', () => {
    const values: SqlLiteralValue[] = [...HOSTILE_STRINGS, ...OTHER_VALUES];
    expect(literalList(values)).toBe(`(${format(values.map(() => '?').join(', '), values, false, 'Z')})`);
    expect(literalList([])).toBe('()');
  });

  it('keeps escaping correctly after the remembered literals start over', () => {
    for (let i = 0; i < 3000; i++) stringLiteral(`name-${i}'`);
    expect(stringLiteral("name-7'")).toBe(format('?', ["name-7'"], false, 'Z'));
  });
});
