// Issue 14 item 2: what mysql2 returns for a JSON column, and why createDatabase reads JSON as text.
import { CelersError } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CelersDatabase,
  createDatabase,
  jsonColumnText,
  migrate,
  parseJsonColumn,
} from '../src/index.js';

let tdb: TestDatabase;
let db: Kysely<CelersDatabase>;
const LOOKS_LIKE_JSON = ['done', '5', '"x"', 'null', '[1]', '{}'];

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrate(db);
  for (const [i, value] of LOOKS_LIKE_JSON.entries()) {
    await db
      .insertInto('celers_task_results')
      .values({
        task_id: `00000000-0000-7000-8000-00000000000${i}`,
        queue_name: 'q',
        task_name: 't',
        status: 'SUCCESS',
        result: JSON.stringify(value),
        created_at: new Date(),
      })
      .execute();
  }
});
afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

describe('JSON columns', () => {
  it('a plain mysql2 connection parses the column but not an expression over it (so guessing cannot work)', async () => {
    const conn = await mysql.createConnection(tdb.url);
    try {
      const [rows] = await conn.query(
        "SELECT result, CONCAT(result, '') AS expr FROM celers_task_results ORDER BY task_id",
      );
      const list = rows as Array<{ result: unknown; expr: unknown }>;
      // The table column arrives parsed (MySQL's JSON type, or MariaDB's format=json metadata)…
      expect(list.map((r) => r.result)).toEqual(LOOKS_LIKE_JSON);
      // …an expression over it arrives as JSON text: the string '5' and the text of the number 5 look alike.
      expect(list.map((r) => r.expr)).toEqual(LOOKS_LIKE_JSON.map((v) => JSON.stringify(v)));
    } finally {
      await conn.end();
    }
  });

  it('createDatabase reads every JSON value as text, and parseJsonColumn decodes it exactly once', async () => {
    const rows = await db
      .selectFrom('celers_task_results')
      .select(['result', sql<string>`CONCAT(result, '')`.as('expr')])
      .orderBy('task_id')
      .execute();
    expect(rows.map((r) => r.result)).toEqual(LOOKS_LIKE_JSON.map((v) => JSON.stringify(v)));
    expect(rows.map((r) => parseJsonColumn(r.result))).toEqual(LOOKS_LIKE_JSON);
    expect(rows.map((r) => parseJsonColumn(r.expr))).toEqual(LOOKS_LIKE_JSON);
  });

  it('decoding never throws a foreign error', () => {
    expect(parseJsonColumn(null)).toBeNull();
    expect(parseJsonColumn(Buffer.from('[1]'))).toEqual([1]);
    for (const bad of [() => parseJsonColumn('not json'), () => jsonColumnText({ parsed: true })]) {
      let caught: unknown;
      try {
        bad();
      } catch (error) {
        caught = error;
      }
      expect(CelersError.isInstance(caught)).toBe(true);
    }
  });
});
