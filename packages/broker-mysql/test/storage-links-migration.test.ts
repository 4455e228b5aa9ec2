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

// Migration 0015 on a populated database (as 0014 left it): live rows with a dedup key (pending and scheduled),
// a group (more members than one copy chunk), a chain link waiting for its parent, a completed row still in the
// live table that carried a dedup key, and finished group members. After it, celers_task_links holds exactly the
// live rows' links, the live table has lost its three lookup indexes and live_dedup_key, the view still shows
// live_dedup_key, and a broker keeps the dedup keys, counts the group and releases the chain; going down puts the
// column and indexes back.

const Q = 'links-mig';
const KEYED = id(1);
const KEYED_LATER = id(2);
const HEAD = id(3);
const LINK = id(4);
const DONE_KEYED = id(5);
const FAILED_MEMBER = id(6);
const GROUP_SIZE = 2_500; // more than one copy chunk (1,000)

let tdb: TestDatabase;
let db: Kysely<CelersDatabase>;

async function insertTask(
  table: 'celers_live_tasks' | 'celers_finished_tasks',
  values: {
    id: string;
    state: string;
    scheduledAt?: ReturnType<typeof sql>;
    metadata?: Record<string, unknown>;
  },
) {
  await sql`INSERT INTO ${sql.table(table)} (id, queue_name, task_name, payload, content_type, content_encoding,
      state, created_at, scheduled_at, completed_at, metadata)
    VALUES (${values.id}, ${Q}, 'old', ${Buffer.from('1')}, 'application/json', 'identity', ${values.state},
      UTC_TIMESTAMP(6), ${values.scheduledAt ?? sql`UTC_TIMESTAMP(6)`},
      ${['completed', 'failed'].includes(values.state) ? sql`UTC_TIMESTAMP(6)` : null},
      ${JSON.stringify(values.metadata ?? {})})`.execute(db);
}

async function liveIndexes(): Promise<string[]> {
  const r = await sql<{ i: string }>`SELECT DISTINCT index_name AS i FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = 'celers_live_tasks' ORDER BY index_name`.execute(db);
  return r.rows.map((row) => row.i).sort();
}

async function hasLiveDedupColumn(): Promise<boolean> {
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema =
    DATABASE() AND table_name = 'celers_live_tasks' AND column_name = 'live_dedup_key'`.execute(db);
  return Number(r.rows[0]?.n) === 1;
}

async function viewKey(taskId: string): Promise<string | null> {
  const r = await sql<{
    k: string | null;
  }>`SELECT live_dedup_key AS k FROM celers_tasks WHERE id = ${taskId}`.execute(db);
  return r.rows[0]?.k ?? null;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateUpTo(db, '0014_scheduled_state');
  await insertTask('celers_live_tasks', { id: KEYED, state: 'pending', metadata: { dedup_key: 'k1' } });
  await insertTask('celers_live_tasks', {
    id: KEYED_LATER,
    state: 'scheduled',
    scheduledAt: sql`UTC_TIMESTAMP(6) + INTERVAL 1 HOUR`,
    metadata: { dedup_key: 'k2' },
  });
  await insertTask('celers_live_tasks', {
    id: HEAD,
    state: 'pending',
    metadata: { chain_id: HEAD, chain_index: 0 },
  });
  await insertTask('celers_live_tasks', {
    id: LINK,
    state: 'scheduled',
    scheduledAt: sql`${CHAIN_WAITING_AT}`,
    metadata: { parent_task_id: HEAD, chain_id: HEAD, chain_index: 1 },
  });
  // Completed, not archived yet: its key is no longer held (the old column was NULL for it).
  await insertTask('celers_live_tasks', {
    id: DONE_KEYED,
    state: 'completed',
    metadata: { dedup_key: 'k3' },
  });
  await insertTask('celers_finished_tasks', {
    id: FAILED_MEMBER,
    state: 'failed',
    metadata: { group_id: 'g1' },
  });
  await sql`INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, content_type, content_encoding, state,
      created_at, scheduled_at, metadata)
    SELECT UUID(), ${Q}, 'member', X'31', 'application/json', 'identity', 'scheduled', UTC_TIMESTAMP(6),
      UTC_TIMESTAMP(6) + INTERVAL 1 DAY, '{"group_id": "g1"}'
    ${bulkRowSource()}`.execute(db);
});

afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

describe('0015_task_links on a populated database', () => {
  it('copies the live links in chunks and leaves the live table with PRIMARY and the claim indexes', async () => {
    expect(await migrateUpTo(db, '0015_task_links')).toEqual(['0015_task_links']);
    const links = await db
      .selectFrom('celers_task_links')
      .select(['task_id', 'queue_name', 'group_id', 'parent_task_id', 'dedup_key'])
      .where('group_id', 'is', null)
      .orderBy('task_id')
      .execute();
    expect(links).toEqual([
      { task_id: KEYED, queue_name: Q, group_id: null, parent_task_id: null, dedup_key: 'k1' },
      { task_id: KEYED_LATER, queue_name: Q, group_id: null, parent_task_id: null, dedup_key: 'k2' },
      { task_id: LINK, queue_name: Q, group_id: null, parent_task_id: HEAD, dedup_key: null },
    ]);
    const members = await db
      .selectFrom('celers_task_links')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('group_id', '=', 'g1')
      .executeTakeFirstOrThrow();
    expect(Number(members.n)).toBe(GROUP_SIZE); // live members only: finished ones are read from their table
    expect(await liveIndexes()).toEqual([
      'PRIMARY',
      'idx_tasks_dequeue',
      'idx_tasks_promote',
      'idx_tasks_task_name_state',
    ]);
    expect(await hasLiveDedupColumn()).toBe(false);
    // The view keeps its columns: the live half computes the key.
    expect(await viewKey(KEYED)).toBe('k1');
    expect(await viewKey(KEYED_LATER)).toBe('k2');
    expect(await viewKey(DONE_KEYED)).toBeNull();
  });

  it('lets a broker keep the dedup keys, count the group and release the chain link', async () => {
    expect(await migrate(db)).toEqual(namesFrom('0016_claim_stable_indexes')); // the broker's code needs it
    const broker = await MysqlBroker.connect({ url: tdb.url, queue: Q });
    try {
      expect(await broker.idempotency.enqueueDeduplicated(createTask('old', 2), 'k1')).toBe(KEYED);
      expect(await broker.idempotency.enqueueDeduplicated(createTask('old', 2), 'k2')).toBe(KEYED_LATER);
      // k3's holder is completed: the key is free.
      const fresh = await broker.idempotency.enqueueDeduplicated(createTask('old', 2), 'k3');
      expect(fresh).not.toBe(DONE_KEYED);
      expect(await broker.groups.status('g1')).toMatchObject({
        total: GROUP_SIZE + 1,
        pending: GROUP_SIZE,
        failed: 1,
      });
      const claimed = await broker.dequeueBatch(10);
      expect(claimed.map((m) => m.task.metadata.id).sort()).toEqual([KEYED, HEAD, fresh].sort());
      const head = claimed.find((m) => m.task.metadata.id === HEAD)!;
      await broker.ack(HEAD, head.receiptHandle);
      expect((await broker.tasks.get(LINK))?.state).toBe('pending');
      const due = await db
        .selectFrom('celers_live_tasks')
        .select('state')
        .where('id', '=', LINK)
        .executeTakeFirst();
      expect(due?.state).toBe('pending');
    } finally {
      await broker.close();
    }
  });

  it('goes down: the column and the three indexes back, the links table gone, and up again', async () => {
    expect(await migrateDown(db, { to: '0014_scheduled_state' })).toEqual(
      namesDownTo('0014_scheduled_state'),
    );
    expect(await liveIndexes()).toEqual([
      'PRIMARY',
      'idx_tasks_dequeue',
      'idx_tasks_group',
      'idx_tasks_parent',
      'idx_tasks_promote',
      'idx_tasks_task_name_state',
      'uq_tasks_live_dedup',
    ]);
    expect(await hasLiveDedupColumn()).toBe(true);
    const key = await sql<{ k: string | null }>`SELECT live_dedup_key AS k FROM celers_live_tasks
      WHERE id = ${KEYED_LATER}`.execute(db);
    expect(key.rows[0]?.k).toBe('k2');
    const links = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.tables
      WHERE table_schema = DATABASE() AND table_name = 'celers_task_links'`.execute(db);
    expect(Number(links.rows[0]?.n)).toBe(0);
    expect(await migrate(db)).toEqual(namesFrom('0015_task_links'));
    expect(await viewKey(KEYED_LATER)).toBe('k2');
  });
});
