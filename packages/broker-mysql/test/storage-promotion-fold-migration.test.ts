import {
  type CelersDatabase,
  createDatabase,
  migrate,
  migrateDown,
  migrateUpTo,
  migrations,
} from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { bulkRowSource } from './fixtures/bulk-rows.js';
import { fixedTaskId as id } from './fixtures/fixed-task-id.js';
import { boundLiveTableProbes, columnsOf, OLD_RECEIPT } from './fixtures/live-table-probes.js';
import { namesDownTo, namesFrom } from './fixtures/migration-names.js';

// Migration 0017 on a populated database (as 0016 left it): pending rows of three priorities, a processing row
// with a live lease, scheduled rows of high priority due later and overdue, a completed row still waiting for
// the archiver, a finished row, and more bulk rows than one chunk. Up, down and up again lose nothing and change
// no stored value; afterwards the lease can still be acked, the overdue row is promoted and claimed in priority
// order, and the archiver finds the completed row.

const Q = 'fold-mig';
const LOW = id(1);
const MID = id(2);
const HIGH = id(3);
const PROCESSING = id(4);
const LATER = id(5);
const OVERDUE = id(6);
const DONE = id(7);
const FAILED = id(8);
const BULK = 2_500; // pending and scheduled rows due tomorrow: the index build has something to sort

const DEQUEUE_KEY_0016 = ['queue_name', 'state', 'priority', 'scheduled_at', 'id'];
const DEQUEUE_KEY_0017 = ['queue_name', 'state', 'claim_priority', 'scheduled_at', 'id'];

let tdb: TestDatabase;
let db: Kysely<CelersDatabase>;
let before: unknown[];
let viewColumns: string[];

const { insertTask, snapshot, keyOf } = boundLiveTableProbes(() => db, Q);

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  await migrateUpTo(db, '0016_claim_stable_indexes');
  await insertTask('celers_live_tasks', { id: LOW, state: 'pending', priority: -5 });
  await insertTask('celers_live_tasks', { id: MID, state: 'pending', priority: 0 });
  await insertTask('celers_live_tasks', { id: HIGH, state: 'pending', priority: 5 });
  await insertTask('celers_live_tasks', { id: PROCESSING, state: 'processing', lease: true });
  await insertTask('celers_live_tasks', {
    id: LATER,
    state: 'scheduled',
    priority: 9,
    scheduledAt: sql`UTC_TIMESTAMP(6) + INTERVAL 1 HOUR`,
  });
  await insertTask('celers_live_tasks', {
    id: OVERDUE,
    state: 'scheduled',
    priority: 9,
    scheduledAt: sql`UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE`,
  });
  await insertTask('celers_live_tasks', { id: DONE, state: 'completed' }); // waiting for the archiver
  await insertTask('celers_finished_tasks', { id: FAILED, state: 'failed' });
  await sql`INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, content_type, content_encoding, state,
      priority, created_at, scheduled_at, metadata)
    SELECT UUID(), ${Q}, 'bulk', X'31', 'application/json', 'identity', IF(a.d < 3, 'scheduled', 'pending'),
      b.d - 2, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 DAY, '{}'
    ${bulkRowSource()}`.execute(db);
  before = await snapshot();
  viewColumns = await columnsOf(db, 'celers_tasks');
});

afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

describe('0017_fold_promotion_index on a populated database', () => {
  it('keys idx_tasks_dequeue on claim_priority, drops idx_tasks_promote and changes no row', async () => {
    expect(await migrate(db)).toEqual(namesFrom('0017_fold_promotion_index'));
    expect(await keyOf('idx_tasks_dequeue')).toEqual(DEQUEUE_KEY_0017);
    expect(await keyOf('idx_tasks_promote')).toEqual([]);
    expect(before[0]).toHaveLength(7 + BULK);
    expect(await snapshot()).toEqual(before);
    const live = await columnsOf(db, 'celers_live_tasks');
    expect(live).toContain('claim_priority');
    expect(live).not.toContain('promote_at');
    expect(await columnsOf(db, 'celers_finished_tasks')).not.toContain('claim_priority');
    expect(await columnsOf(db, 'celers_tasks')).toEqual(viewColumns);
    const priorities = await sql<{ id: string; claim_priority: number }>`SELECT id, claim_priority
      FROM celers_live_tasks WHERE id IN (${sql.join([LOW, MID, HIGH, PROCESSING, LATER, OVERDUE, DONE])})
      ORDER BY id`.execute(db);
    expect(priorities.rows.map((r) => [r.id, r.claim_priority])).toEqual([
      [LOW, -5],
      [MID, 0],
      [HIGH, 5],
      [PROCESSING, 0],
      [LATER, 0], // scheduled: one range in due order, whatever the priority
      [OVERDUE, 0],
      [DONE, 0],
    ]);
  });

  it('heals a half-done run and changes nothing when run again', async () => {
    // As if interrupted after its first statement: the column is there, the indexes still have their 0016 shape.
    await sql`ALTER TABLE celers_live_tasks DROP INDEX idx_tasks_dequeue,
      ADD INDEX idx_tasks_dequeue (queue_name, state, priority DESC, scheduled_at, id),
      ADD INDEX idx_tasks_promote (queue_name, claim_priority)`.execute(db);
    await migrations['0017_fold_promotion_index'].up(db as Kysely<unknown>);
    expect(await keyOf('idx_tasks_dequeue')).toEqual(DEQUEUE_KEY_0017);
    expect(await keyOf('idx_tasks_promote')).toEqual([]);
    await migrations['0017_fold_promotion_index'].up(db as Kysely<unknown>);
    expect(await keyOf('idx_tasks_dequeue')).toEqual(DEQUEUE_KEY_0017);
    expect(await snapshot()).toEqual(before);
  });

  it('goes down to the 0016 shape with every row, and up again', async () => {
    expect(await migrateDown(db, { to: '0016_claim_stable_indexes' })).toEqual(
      namesDownTo('0016_claim_stable_indexes'),
    );
    expect(await keyOf('idx_tasks_dequeue')).toEqual(DEQUEUE_KEY_0016);
    expect(await keyOf('idx_tasks_promote')).toEqual(['queue_name', 'promote_at']);
    const live = await columnsOf(db, 'celers_live_tasks');
    expect(live).toContain('promote_at');
    expect(live).not.toContain('claim_priority');
    expect(await snapshot()).toEqual(before);
    await migrations['0017_fold_promotion_index'].down!(db as Kysely<unknown>); // nothing left to undo
    expect(await keyOf('idx_tasks_promote')).toEqual(['queue_name', 'promote_at']);
    expect(await migrate(db)).toEqual(namesFrom('0017_fold_promotion_index'));
    expect(await snapshot()).toEqual(before);
  });

  it('lets a broker ack the old lease, promote the overdue row and claim in priority order, and archive', async () => {
    const broker = await MysqlBroker.connect({ url: tdb.url, queue: Q });
    try {
      await broker.ack(PROCESSING, OLD_RECEIPT);
      expect((await broker.tasks.get(PROCESSING))?.state).toBe('completed');
      const claimed = await broker.dequeueBatch(10);
      expect(claimed.map((m) => m.task.metadata.id)).toEqual([OVERDUE, HIGH, MID, LOW]);
      expect((await broker.tasks.get(LATER))?.state).toBe('pending'); // stored scheduled, publicly pending
      expect(await broker.dequeue()).toBeNull(); // the rest is due later
      // The archiver the ack woke walks (queue, 'completed') and moves both completed rows, the old one too.
      await vi.waitFor(
        async () => {
          const finished = await sql<{ id: string }>`SELECT id FROM celers_finished_tasks
            WHERE id IN (${sql.join([DONE, PROCESSING])}) ORDER BY id`.execute(db);
          expect(finished.rows.map((r) => r.id)).toEqual([DONE, PROCESSING].sort());
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      await broker.close();
    }
  });
});
