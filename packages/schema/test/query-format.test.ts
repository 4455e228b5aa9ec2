import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { CompiledQuery, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CelersDatabase, createDatabase } from '../src/index.js';

// The pool's queryFormat sends a statement without values as it is, and formats others as mysql2 does.

let tdb: TestDatabase;
let db: Kysely<CelersDatabase>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase({ url: tdb.url, pool: { maxConnections: 1 } });
});
afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

describe('the pool query format', () => {
  it('sends literal text without values untouched, question marks included', async () => {
    const r = await db.executeQuery<{ q: string; r: string }>(
      CompiledQuery.raw("SELECT '?' AS q, 'a ?? b \\\\ \\'' AS r"),
    );
    expect(r.rows[0]).toEqual({ q: '?', r: "a ?? b \\ '" });
  });

  it('still escapes values into their placeholders, dates in UTC', async () => {
    const when = new Date(Date.UTC(2026, 11, 8, 1, 2, 3, 456));
    const r = await db.executeQuery<{ s: string; d: string; n: number }>(
      CompiledQuery.raw('SELECT ? AS s, CAST(? AS CHAR) AS d, ? AS n', ["x' OR '1'='1 ?", when, 7]),
    );
    expect(r.rows[0]).toEqual({ s: "x' OR '1'='1 ?", d: '2026-12-08 01:02:03.456', n: 7 });
  });
});
