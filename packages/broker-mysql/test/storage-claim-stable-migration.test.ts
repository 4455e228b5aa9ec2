import { createTask } from '@celers/core';
import {
  type CelersDatabase,
  createDatabase,
  FINISHED_PHASE,
  migrate,
  migrateDown,
  migrateUpTo,
  migrations,
  RUNNABLE_PHASE,
  SCHEDULED_PHASE,
} from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { bulkRowSource } from './fixtures/bulk-rows.js';
import { fixedTaskId as id } from './fixtures/fixed-task-id.js';
import { boundLiveTableProbes, columnsOf, OLD_RECEIPT } from './fixtures/live-table-probes.js';
import { namesFrom } from './fixtures/migration-names.js';

// Migration 0016 on a populated database (as 0015 left it): pending rows (one with a dedup key and a group, so
// it has a links row), a processing row with a live lease, scheduled rows due later and overdue, a completed row
// still waiting for the archiver, finished rows, and more bulk rows than one chunk. Up, down and up again lose
// nothing and change no stored value; the lease can still be acked, the overdue row is promoted and claimed, and
// a single-name claim finds its task.

const Q = 'stable-mig';
const PENDING = id(1);
const KEYED = id(2);
const PROCESSING = id(3);
const LATER = id(4);
const OVERDUE = id(5);
const DONE = id(6);
const FAILED = id(7);
const BULK = 2_500; // pending and scheduled rows due tomorrow: the index builds have something to sort

const NAME_KEY_0015 = ['queue_name', 'task_name', 'state', 'priority', 'scheduled_at', 'id'];
const NAME_KEY_0016 = ['queue_name', 'task_name', 'run_phase', 'priority', 'scheduled_at', 'id'];
const PROMOTE_KEY_0015 = ['queue_name', 'state', 'scheduled_at'];
const PROMOTE_KEY_0016 = ['queue_name', 'promote_at'];

let tdb: TestDatabase;
let db: Kysely<CelersDatabase>;

const { insertTask, snapshot, keyOf } = boundLiveTableProbes(() => db, Q);

let before: unknown[];
let viewColumns: string[];

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateUpTo(db, '0015_task_links');
  await insertTask('celers_live_tasks', { id: PENDING, state: 'pending', name: 'single' });
  await insertTask('celers_live_tasks', {
    id: KEYED,
    state: 'pending',
    metadata: { dedup_key: 'k1', group_id: 'g1' },
  });
  await sql`INSERT INTO celers_task_links (task_id, queue_name, group_id, parent_task_id, dedup_key)
    VALUES (${KEYED}, ${Q}, 'g1', NULL, 'k1')`.execute(db);
  await insertTask('celers_live_tasks', { id: PROCESSING, state: 'processing', lease: true });
  await insertTask('celers_live_tasks', {
    id: LATER,
    state: 'scheduled',
    scheduledAt: sql`UTC_TIMESTAMP(6) + INTERVAL 1 HOUR`,
  });
  await insertTask('celers_live_tasks', {
    id: OVERDUE,
    state: 'scheduled',
    scheduledAt: sql`UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE`,
  });
  await insertTask('celers_live_tasks', { id: DONE, state: 'completed' }); // waiting for the archiver
  await insertTask('celers_finished_tasks', { id: FAILED, state: 'failed' });
  await sql`INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, content_type, content_encoding, state,
      created_at, scheduled_at, metadata)
    SELECT UUID(), ${Q}, 'bulk', X'31', 'application/json', 'identity', IF(a.d < 3, 'scheduled', 'pending'),
      UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 DAY, '{}'
    ${bulkRowSource()}`.execute(db);
  before = await snapshot();
  viewColumns = await columnsOf(db, 'celers_tasks');
});

afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

describe('0016_claim_stable_indexes on a populated database', () => {
  it('keys the per-name and promotion indexes on the claim-stable columns and changes no row', async () => {
    expect(await migrateUpTo(db, '0016_claim_stable_indexes')).toEqual(['0016_claim_stable_indexes']);
    expect(await keyOf('idx_tasks_task_name_state')).toEqual(NAME_KEY_0016);
    expect(await keyOf('idx_tasks_promote')).toEqual(PROMOTE_KEY_0016);
    expect(before[0]).toHaveLength(6 + BULK);
    expect(await snapshot()).toEqual(before);
    // The finished table and the view keep their columns (the view names them).
    expect(await columnsOf(db, 'celers_finished_tasks')).not.toContain('run_phase');
    expect(await columnsOf(db, 'celers_tasks')).toEqual(viewColumns);
    const phases = await sql<{ id: string; run_phase: string; promote_at: Date | null; scheduled_at: Date }>`
      SELECT id, run_phase, promote_at, scheduled_at FROM celers_live_tasks
      WHERE id IN (${sql.join([PENDING, PROCESSING, LATER, OVERDUE, DONE])}) ORDER BY id`.execute(db);
    expect(phases.rows.map((r) => [r.id, r.run_phase, r.promote_at?.getTime() ?? null])).toEqual([
      [PENDING, RUNNABLE_PHASE, null],
      [PROCESSING, RUNNABLE_PHASE, null],
      [LATER, SCHEDULED_PHASE, phases.rows[2]!.scheduled_at.getTime()],
      [OVERDUE, SCHEDULED_PHASE, phases.rows[3]!.scheduled_at.getTime()],
      [DONE, FINISHED_PHASE, null],
    ]);
  });

  it('heals a half-done run and changes nothing when run again', async () => {
    // As if interrupted between its two statements: the promotion index still has its 0015 key.
    await sql`ALTER TABLE celers_live_tasks DROP INDEX idx_tasks_promote,
      ADD INDEX idx_tasks_promote (queue_name, state, scheduled_at)`.execute(db);
    await migrations['0016_claim_stable_indexes'].up(db as Kysely<unknown>);
    expect(await keyOf('idx_tasks_promote')).toEqual(PROMOTE_KEY_0016);
    await migrations['0016_claim_stable_indexes'].up(db as Kysely<unknown>);
    expect(await keyOf('idx_tasks_task_name_state')).toEqual(NAME_KEY_0016);
    expect(await snapshot()).toEqual(before);
  });

  it('goes down to the 0015 shape with every row, and up again', async () => {
    expect(await migrateDown(db, { to: '0015_task_links' })).toEqual(['0016_claim_stable_indexes']);
    expect(await keyOf('idx_tasks_task_name_state')).toEqual(NAME_KEY_0015);
    expect(await keyOf('idx_tasks_promote')).toEqual(PROMOTE_KEY_0015);
    const live = await columnsOf(db, 'celers_live_tasks');
    expect(live).not.toContain('run_phase');
    expect(live).not.toContain('promote_at');
    expect(await snapshot()).toEqual(before);
    await migrations['0016_claim_stable_indexes'].down!(db as Kysely<unknown>); // nothing left to undo
    expect(await migrateUpTo(db, '0016_claim_stable_indexes')).toEqual(['0016_claim_stable_indexes']);
    expect(await snapshot()).toEqual(before);
  });

  it('lets a broker ack the old lease, promote and claim the overdue row, and claim by name', async () => {
    expect(await migrate(db)).toEqual(namesFrom('0017_fold_promotion_index')); // the broker's code needs it
    const broker = await MysqlBroker.connect({ url: tdb.url, queue: Q });
    try {
      await broker.ack(PROCESSING, OLD_RECEIPT);
      expect((await broker.tasks.get(PROCESSING))?.state).toBe('completed');
      const single = await broker.dequeue({ taskNames: ['single'] });
      expect(single?.task.metadata.id).toBe(PENDING);
      const claimed = await broker.dequeueBatch(10);
      expect(claimed.map((m) => m.task.metadata.id).sort()).toEqual([KEYED, OVERDUE].sort());
      expect(await broker.idempotency.enqueueDeduplicated(createTask('old', 2), 'k1')).toBe(KEYED);
      expect((await broker.tasks.get(LATER))?.state).toBe('pending');
      expect(await broker.dequeue({ taskNames: ['bulk'] })).toBeNull(); // due tomorrow
    } finally {
      await broker.close();
    }
  });
});
