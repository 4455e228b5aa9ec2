// optimize/analyze report what the server said per table, and fail on an error row instead of counting it.
import { CelersError } from '@celers/core';
import { CELERS_TABLES } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'outcomes', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('table maintenance outcomes', () => {
  it('OPTIMIZE gives one outcome per table with the server message (InnoDB recreates, then OK)', async () => {
    const outcomes = await broker.maintenance.optimizeTables();
    expect(outcomes).toHaveLength(CELERS_TABLES.length);
    const tasks = outcomes.find((o) => o.table === 'celers_live_tasks');
    expect(tasks).toMatchObject({ operation: 'optimize', msgType: 'status', msgText: 'OK' });
    expect(tasks?.notes.join(' ')).toMatch(/recreate/i);
  });

  it('fails with DATABASE_ERROR naming the table when the server reports an error row (missing table)', async () => {
    const last = CELERS_TABLES[CELERS_TABLES.length - 1] as string;
    await sql.raw(`RENAME TABLE ${last} TO ${last}_away`).execute(broker.database);
    try {
      for (const run of [
        () => broker.maintenance.optimizeTables(),
        () => broker.maintenance.analyzeTables(),
      ]) {
        const error = await run().catch((e: unknown) => e);
        expect(CelersError.isInstance(error) && error.code).toBe('DATABASE_ERROR');
        expect((error as Error).message).toContain(last);
        expect((error as Error).message).toMatch(/doesn't exist/);
      }
    } finally {
      await sql.raw(`RENAME TABLE ${last}_away TO ${last}`).execute(broker.database);
    }
    expect(await broker.maintenance.analyzeTables()).toHaveLength(CELERS_TABLES.length);
  });
});
