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

// Migration 0013 on a populated database: the pre-split celers_tasks holds pending (plain, deduplicated,
// a chain link waiting for its parent), processing (a live lease), finished and dead-lettered tasks. After the
// migration every row is where it belongs, the live lease can still be acked with its receipt, the dedup key
// still holds, the chain link is released by its parent's ack; going down puts everything back.

const Q = 'split';
const PENDING = id(1);
const DEDUP = id(2);
const PROCESSING = id(3);
const CHILD = id(4);
const COMPLETED = id(5);
const FAILED = id(6);
const RECEIPT = id(900);
const BULK = 2_500; // more than one move chunk (1,000)

let tdb: TestDatabase;
let db: Kysely<CelersDatabase>;

async function insertOld(values: {
  id: string;
  state: string;
  metadata?: Record<string, unknown>;
  scheduledAt?: Date;
  receipt?: string;
  leaseMs?: number;
}) {
  const lease = values.leaseMs === undefined ? null : new Date(Date.now() + values.leaseMs);
  await sql`INSERT INTO celers_tasks (id, queue_name, task_name, payload, content_type, content_encoding, state,
      created_at, scheduled_at, started_at, completed_at, lease_expires_at, receipt_handle, worker_id, metadata)
    VALUES (${values.id}, ${Q}, 'old', ${Buffer.from('1')}, 'application/json', 'identity', ${values.state},
      UTC_TIMESTAMP(6), ${values.scheduledAt ?? sql`UTC_TIMESTAMP(6)`},
      ${values.state === 'pending' ? null : sql`UTC_TIMESTAMP(6)`},
      ${['completed', 'failed'].includes(values.state) ? sql`UTC_TIMESTAMP(6)` : null},
      ${lease}, ${values.receipt ?? null}, ${values.receipt ? 'w-old' : null},
      ${JSON.stringify(values.metadata ?? {})})`.execute(db);
}

async function count(table: string, where = sql`1 = 1`): Promise<number> {
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE ${where}`.execute(
    db,
  );
  return Number(r.rows[0]?.n);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateUpTo(db, '0012_extend_task_name_index');
  await insertOld({ id: PENDING, state: 'pending' });
  await insertOld({ id: DEDUP, state: 'pending', metadata: { dedup_key: 'k1' } });
  await insertOld({ id: PROCESSING, state: 'processing', receipt: RECEIPT, leaseMs: 3_600_000 });
  await insertOld({
    id: CHILD,
    state: 'pending',
    metadata: { parent_task_id: PROCESSING, chain_id: PROCESSING, chain_index: 1 },
    scheduledAt: CHAIN_WAITING_AT,
  });
  await insertOld({ id: COMPLETED, state: 'completed' });
  await insertOld({ id: FAILED, state: 'failed' });
  await sql`INSERT INTO celers_dead_letter_queue (id, task_id, queue_name, task_name, payload, content_type,
      content_encoding, priority, retry_count, max_retries, metadata, created_at, failed_at)
    VALUES (${id(901)}, ${FAILED}, ${Q}, 'old', ${Buffer.from('1')}, 'application/json', 'identity', 0, 3, 3, '{}',
      UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))`.execute(db);
  await sql`INSERT INTO celers_tasks (id, queue_name, task_name, payload, content_type, content_encoding, state,
      created_at, scheduled_at, metadata)
    SELECT UUID(), ${Q}, 'bulk', X'31', 'application/json', 'identity', 'pending', UTC_TIMESTAMP(6),
      UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, '{}'
    ${bulkRowSource()}`.execute(db);
});
afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

describe('0013_split_live_tasks on a populated database', () => {
  it('moves live rows to celers_live_tasks, keeps finished ones, and the view shows all of them', async () => {
    const before = await count('celers_tasks');
    expect(before).toBe(6 + BULK);
    expect(await migrate(db)).toEqual(namesFrom('0013_split_live_tasks'));
    expect(await count('celers_live_tasks')).toBe(4 + BULK);
    expect(await count('celers_finished_tasks')).toBe(2);
    expect(await count('celers_finished_tasks', sql`state IN ('pending', 'processing')`)).toBe(0);
    expect(await count('celers_tasks')).toBe(before);
    const lease = await sql<{ receipt_handle: string; worker_id: string }>`SELECT receipt_handle, worker_id
      FROM celers_live_tasks WHERE id = ${PROCESSING}`.execute(db);
    expect(lease.rows[0]).toEqual({ receipt_handle: RECEIPT, worker_id: 'w-old' });
  });

  it('lets a broker ack the migrated lease, release the waiting chain link, and keep the dedup key', async () => {
    const broker = await MysqlBroker.connect({ url: tdb.url, queue: Q });
    try {
      await broker.ack(PROCESSING, RECEIPT);
      expect((await broker.tasks.get(PROCESSING))?.state).toBe('completed');
      expect(await broker.idempotency.enqueueDeduplicated(createTask('old', 2), 'k1')).toBe(DEDUP);
      const claimed = await broker.dequeueBatch(10);
      expect(claimed.map((m) => m.task.metadata.id).sort()).toEqual([PENDING, DEDUP, CHILD].sort());
      expect((await broker.tasks.get(COMPLETED))?.state).toBe('completed');
      expect((await broker.dlq.list()).map((e) => e.taskId)).toEqual([FAILED]);
      for (const m of claimed) await broker.ack(m.task.metadata.id, m.receiptHandle);
      expect(await broker.tasks.countByState('completed')).toBe(5);
    } finally {
      await broker.close();
    }
  });

  it('goes down: one celers_tasks table again, with every row', async () => {
    expect(await migrateDown(db, { to: '0012_extend_task_name_index' })).toEqual(
      namesDownTo('0012_extend_task_name_index'),
    );
    const kind = await sql<{ t: string }>`SELECT table_type AS t FROM information_schema.tables
      WHERE table_schema = DATABASE() AND table_name = 'celers_tasks'`.execute(db);
    expect(kind.rows[0]?.t).toBe('BASE TABLE');
    expect(await count('celers_tasks')).toBe(6 + BULK);
    expect(await count('celers_tasks', sql`state = 'completed'`)).toBe(5);
    expect(await migrate(db)).toEqual(namesFrom('0013_split_live_tasks'));
    expect(await count('celers_live_tasks')).toBe(BULK);
  });
});
