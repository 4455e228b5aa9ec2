// Migrators take turns per database: a migration of one database never waits for another database's.
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, MIGRATION_NAMES, migrate } from '../src/index.js';

/** The fixed name kysely's own MySQL adapter locks for every database on the server. */
const KYSELY_SERVER_WIDE_LOCK = 'ea586330-2c93-47c8-908d-981d9d270f9d';

let first: TestDatabase;
let second: TestDatabase;
let holder: mysql.Connection;

beforeAll(async () => {
  first = await createTestDatabase();
  second = await createTestDatabase();
  holder = await mysql.createConnection(first.url);
});
afterAll(async () => {
  await holder?.end();
  await first?.drop();
  await second?.drop();
});

/** Resolves to 'pending' when `p` has not settled within `ms`. */
async function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

describe('the migration lock', () => {
  it('is not the server-wide name kysely takes, so other kysely apps on the server do not block celers', async () => {
    await holder.query('SELECT GET_LOCK(?, 0)', [KYSELY_SERVER_WIDE_LOCK]);
    const db = createDatabase(second.url);
    try {
      expect(await settledWithin(migrate(db), 20_000)).toEqual(MIGRATION_NAMES);
    } finally {
      await holder.query('SELECT RELEASE_LOCK(?)', [KYSELY_SERVER_WIDE_LOCK]);
      await db.destroy();
    }
  });

  it("makes a second migrator of the same database wait for the first, and only that database's", async () => {
    // `holder` is connected to `first`: this is the name celers' migrator locks for that database
    const [rows] = await holder.query<mysql.RowDataPacket[]>(
      "SELECT GET_LOCK(CONCAT('celers_migrate_', SHA1(DATABASE())), 0) AS got",
    );
    expect(rows[0]?.got).toBe(1);
    const db = createDatabase(first.url);
    try {
      const waiting = migrate(db);
      expect(await settledWithin(waiting, 1_500)).toBe('pending');
      const [tables] = await holder.query<mysql.RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'celers_live_tasks'",
      );
      expect(Number(tables[0]?.n)).toBe(0);
      await holder.query("SELECT RELEASE_LOCK(CONCAT('celers_migrate_', SHA1(DATABASE())))");
      expect(await waiting).toEqual(MIGRATION_NAMES);
    } finally {
      await db.destroy();
    }
  });
});
