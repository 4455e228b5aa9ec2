import { createTask } from '@celers/core';
import { type CelersDatabase, createDatabase, migrate, migrateDown, migrateUpTo } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAIN_WAITING_AT } from '../src/groups/chain-links.sql.js';
import { MysqlBroker } from '../src/index.js';
import { bulkRowSource } from './fixtures/bulk-rows.js';
import { fixedTaskId as id } from './fixtures/fixed-task-id.js';
import { namesDownTo, namesFrom } from './fixtures/migration-names.js';

// Migration 0014 on a populated database (as 0013 left it): pending rows due now, due in 1 s (inside the
// promotion margin), due in 1 h with a dedup key, a chain link waiting for its parent, a processing lease and
// more far-future rows than one conversion chunk. After it, the far-future rows are 'scheduled' and keep their
// dedup key, the others are untouched, and a broker runs them; going down makes them all 'pending' again.

const Q = 'sched-mig';
const DUE = id(1);
const SOON = id(2);
const LATER = id(3);
const LINK = id(4);
const PROCESSING = id(5);
const BULK = 2_500; // more than one conversion chunk (1,000)

let tdb: TestDatabase;
let db: Kysely<CelersDatabase>;

async function insertLive(values: {
  id: string;
  state: string;
  scheduledAt: ReturnType<typeof sql>;
  metadata?: Record<string, unknown>;
}) {
  await sql`INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, content_type, content_encoding,
      state, created_at, scheduled_at, started_at, metadata)
    VALUES (${values.id}, ${Q}, 'old', ${Buffer.from('1')}, 'application/json', 'identity', ${values.state},
      UTC_TIMESTAMP(6), ${values.scheduledAt}, ${values.state === 'processing' ? sql`UTC_TIMESTAMP(6)` : null},
      ${JSON.stringify(values.metadata ?? {})})`.execute(db);
}

async function statesById(): Promise<Record<string, string>> {
  const r = await sql<{ id: string; state: string }>`SELECT id, state FROM celers_live_tasks
    WHERE id IN (${sql.join([DUE, SOON, LATER, LINK, PROCESSING])})`.execute(db);
  return Object.fromEntries(r.rows.map((row) => [row.id, row.state]));
}

async function count(where: ReturnType<typeof sql>): Promise<number> {
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM celers_live_tasks WHERE ${where}`.execute(db);
  return Number(r.rows[0]?.n);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateUpTo(db, '0013_split_live_tasks');
  // The head of a chain (every link carries chain_id, which tells the ack to release successors).
  await insertLive({
    id: DUE,
    state: 'pending',
    scheduledAt: sql`UTC_TIMESTAMP(6)`,
    metadata: { chain_id: DUE, chain_index: 0 },
  });
  await insertLive({ id: SOON, state: 'pending', scheduledAt: sql`UTC_TIMESTAMP(6) + INTERVAL 1 SECOND` });
  await insertLive({
    id: LATER,
    state: 'pending',
    scheduledAt: sql`UTC_TIMESTAMP(6) + INTERVAL 1 HOUR`,
    metadata: { dedup_key: 'k1' },
  });
  await insertLive({
    id: LINK,
    state: 'pending',
    scheduledAt: sql`${CHAIN_WAITING_AT}`,
    metadata: { parent_task_id: DUE, chain_id: DUE, chain_index: 1 },
  });
  await insertLive({ id: PROCESSING, state: 'processing', scheduledAt: sql`UTC_TIMESTAMP(6)` });
  await sql`INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, content_type, content_encoding, state,
      created_at, scheduled_at, metadata)
    SELECT UUID(), ${Q}, 'bulk', X'31', 'application/json', 'identity', 'pending', UTC_TIMESTAMP(6),
      UTC_TIMESTAMP(6) + INTERVAL 1 DAY, '{}'
    ${bulkRowSource()}`.execute(db);
});
afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

describe('0014_scheduled_state on a populated database', () => {
  it('stores far-future pending rows as scheduled, in chunks, and leaves the rest', async () => {
    expect(await migrateUpTo(db, '0014_scheduled_state')).toEqual(['0014_scheduled_state']);
    expect(await statesById()).toEqual({
      [DUE]: 'pending',
      [SOON]: 'pending', // inside the promotion margin
      [LATER]: 'scheduled',
      [LINK]: 'scheduled',
      [PROCESSING]: 'processing',
    });
    expect(await count(sql`task_name = 'bulk' AND state = 'scheduled'`)).toBe(BULK);
    // The rebuilt generated column keeps the scheduled task's dedup key.
    const key = await sql<{ k: string | null }>`SELECT live_dedup_key AS k FROM celers_live_tasks
      WHERE id = ${LATER}`.execute(db);
    expect(key.rows[0]?.k).toBe('k1');
  });

  it('lets a broker see them as pending, keep the dedup key, and release the chain link', async () => {
    // The broker's code needs the links table and the claim-stable indexes.
    expect(await migrate(db)).toEqual(namesFrom('0015_task_links'));
    const broker = await MysqlBroker.connect({ url: tdb.url, queue: Q });
    try {
      expect(await broker.queueSize()).toBe(4 + BULK);
      expect((await broker.tasks.get(LATER))?.state).toBe('pending');
      expect(await broker.idempotency.enqueueDeduplicated(createTask('old', 2), 'k1')).toBe(LATER);
      const claimed = await broker.dequeueBatch(10);
      const ids = claimed.map((m) => m.task.metadata.id);
      // SOON was due 1 s after it was written: on a slow machine it may be due by now too; nothing else is.
      expect(ids).toContain(DUE);
      expect(ids.filter((id) => id !== DUE && id !== SOON)).toEqual([]);
      for (const m of claimed) await broker.ack(m.task.metadata.id, m.receiptHandle);
      // The waiting link (converted by the migration) is released by its parent's ack.
      expect((await statesById())[LINK]).toBe('pending');
    } finally {
      await broker.close();
    }
  });

  it('goes down: every scheduled row pending again, the index and the old dedup expression back', async () => {
    expect(await migrateDown(db, { to: '0013_split_live_tasks' })).toEqual(
      namesDownTo('0013_split_live_tasks'),
    );
    expect(await count(sql`state = 'scheduled'`)).toBe(0);
    expect(await count(sql`task_name = 'bulk' AND state = 'pending'`)).toBe(BULK);
    expect((await statesById())[LATER]).toBe('pending');
    const index = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.statistics
      WHERE table_schema = DATABASE() AND table_name = 'celers_live_tasks' AND index_name = 'idx_tasks_promote'`.execute(
      db,
    );
    expect(Number(index.rows[0]?.n)).toBe(0);
    const key = await sql<{ k: string | null }>`SELECT live_dedup_key AS k FROM celers_live_tasks
      WHERE id = ${LATER}`.execute(db);
    expect(key.rows[0]?.k).toBe('k1');
    const expression = await sql<{
      e: string;
    }>`SELECT generation_expression AS e FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = 'celers_live_tasks' AND column_name = 'live_dedup_key'`.execute(
      db,
    );
    expect(expression.rows[0]?.e).not.toContain('scheduled');
    expect(await migrate(db)).toEqual(namesFrom('0014_scheduled_state'));
    expect(await count(sql`task_name = 'bulk' AND state = 'scheduled'`)).toBe(BULK);
  });
});
