import { createTask } from '@celers/core';
import { type CelersDatabase, PROMOTE_AHEAD_MS } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker, TaskChain } from '../src/index.js';
import { compileClaimStatement } from '../src/queue/claim.sql.js';
import { promoteScheduledTasks } from '../src/queue/promote-scheduled.sql.js';

// Issue 17: pending tasks that are not due yet are stored 'scheduled', out of the claim's index range, and
// promoted to 'pending' shortly before they are due. Publicly they stay 'pending'.

/** Beyond the promotion margin (stored 'scheduled'), short enough to wait for in a test. */
const DELAY_MS = PROMOTE_AHEAD_MS + 700;

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

/** A broker on a new queue sharing the root pool, or with `ownPool`, a broker with a pool of its own. */
async function broker(queue = `sched-${++n}`, ownPool = false): Promise<MysqlBroker> {
  const b = ownPool ? await MysqlBroker.connect({ url: tdb.url, queue }) : await root.forQueue(queue, {});
  opened.push(b);
  return b;
}

async function storedState(b: MysqlBroker, id: string): Promise<string | undefined> {
  const r = await sql<{ state: string }>`SELECT state FROM celers_live_tasks WHERE id = ${id}`.execute(
    b.database,
  );
  return r.rows[0]?.state;
}

async function dbNow(db: Kysely<CelersDatabase>): Promise<Date> {
  const r = await sql<{ now: Date }>`SELECT UTC_TIMESTAMP(6) AS now`.execute(db);
  return r.rows[0]!.now;
}

/**
 * Claims from `b` every 50 ms until a task comes out; returns its id and the database time of the claim.
 * Before `dueAt` every claim must come back empty.
 */
async function claimWhenDue(b: MysqlBroker, dueAt: Date): Promise<{ id: string; claimedAt: Date }> {
  const deadline = Date.now() + DELAY_MS + 5_000;
  while (Date.now() < deadline) {
    const before = await dbNow(b.database);
    const m = await b.dequeue();
    if (m) {
      expect(before.getTime()).toBeGreaterThanOrEqual(dueAt.getTime() - 5); // never early (clock rounding)
      await b.ack(m.task.metadata.id, m.receiptHandle);
      return { id: m.task.metadata.id, claimedAt: before };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the delayed task was never claimed');
}

/**
 * Writes `count` rows stored 'scheduled' of `queue` at `priority`, due `dueInMs` from now (negative: overdue),
 * named `taskName`.
 */
async function insertScheduled(
  db: Kysely<CelersDatabase>,
  queue: string,
  count: number,
  priority: number,
  dueInMs: number,
  taskName = 'later',
): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += 1_000) {
    const chunk = Array.from({ length: Math.min(1_000, count - done) }, () => uuidv7());
    ids.push(...chunk);
    await sql`INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, content_type, content_encoding,
        state, priority, created_at, scheduled_at, metadata)
      VALUES ${sql.join(
        chunk.map(
          (
            id,
          ) => sql`(${id}, ${queue}, ${taskName}, ${Buffer.from('1')}, 'application/json', 'identity', 'scheduled',
            ${priority}, UTC_TIMESTAMP(6), DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ${dueInMs * 1000} MICROSECOND), '{}')`,
        ),
      )}`.execute(db);
  }
  return ids;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'sched-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('delayed tasks are stored scheduled and run on time', () => {
  it('stores short delays pending and longer ones scheduled', async () => {
    const b = await broker();
    const short = await b.enqueueAfter(createTask('t', 1), PROMOTE_AHEAD_MS - 500);
    const long = await b.enqueueAfter(createTask('t', 2), DELAY_MS);
    const at = await b.enqueueAt(createTask('t', 3), Date.now() + 3_600_000);
    expect(await storedState(b, short)).toBe('pending');
    expect(await storedState(b, long)).toBe('scheduled');
    expect(await storedState(b, at)).toBe('scheduled');
  });

  it('is not claimable before its time and claimable right after, by the broker that enqueued it', async () => {
    const b = await broker();
    const id = await b.enqueueAfter(createTask('t', 1), DELAY_MS);
    const dueAt = (await b.tasks.get(id))!.scheduledAt;
    const { id: claimed, claimedAt } = await claimWhenDue(b, dueAt);
    expect(claimed).toBe(id);
    // Claims poll every 50 ms and promotion runs before them: the task comes out within the poll interval.
    expect(claimedAt.getTime() - dueAt.getTime()).toBeLessThan(1_000);
  });

  it('is claimable right after its time by another broker on another pool that never enqueued', async () => {
    const producer = await broker();
    const consumer = await broker(producer.queueName, true);
    expect(await consumer.dequeue()).toBeNull(); // its first claim promotes (nothing due yet)
    const dueAt = new Date(Date.now() + DELAY_MS);
    const id = await producer.enqueueAt(createTask('t', 1), dueAt);
    expect(await storedState(producer, id)).toBe('scheduled');
    const { id: claimed, claimedAt } = await claimWhenDue(consumer, dueAt);
    expect(claimed).toBe(id);
    expect(claimedAt.getTime() - dueAt.getTime()).toBeLessThan(1_000);
  });

  it('a retry backoff beyond the margin goes through scheduled and runs', async () => {
    const b = await broker();
    const id = await b.enqueue(createTask('t', 1, { maxRetries: 2 }));
    const m = await b.dequeue();
    const outcome = await b.reject(id, m!.receiptHandle, { delayMs: DELAY_MS });
    expect(outcome).toMatchObject({ outcome: 'retried', retryCount: 1 });
    expect(await storedState(b, id)).toBe('scheduled');
    expect((await b.tasks.get(id))?.state).toBe('pending');
    const { id: claimed } = await claimWhenDue(b, (await b.tasks.get(id))!.scheduledAt);
    expect(claimed).toBe(id);
  });

  it('a chain link waits scheduled for its parent, then runs', async () => {
    const b = await broker();
    const [head, second, third] = await b.groups.enqueueChain(
      TaskChain.new()
        .then(createTask('c', 1))
        .then(createTask('c', 2))
        .then(createTask('c', 3), { delayMs: DELAY_MS }),
    );
    expect(await storedState(b, second!)).toBe('scheduled');
    expect(await storedState(b, third!)).toBe('scheduled');
    const m1 = await b.dequeue();
    expect(m1?.task.metadata.id).toBe(head);
    expect(await b.dequeue()).toBeNull(); // the links wait
    await b.ack(head!, m1!.receiptHandle);
    // No delay: the successor is released as 'pending' and is claimable at once.
    expect(await storedState(b, second!)).toBe('pending');
    const m2 = await b.dequeue();
    expect(m2?.task.metadata.id).toBe(second);
    await b.ack(second!, m2!.receiptHandle);
    // A delay beyond the margin: released as 'scheduled', due after it.
    expect(await storedState(b, third!)).toBe('scheduled');
    const { id: claimed } = await claimWhenDue(b, (await b.tasks.get(third!))!.scheduledAt);
    expect(claimed).toBe(third);
  });
});

describe('a scheduled task is pending in every public view', () => {
  it('get, list, search, counts, statistics, queue size, export, cancel and purge treat it as pending', async () => {
    const b = await broker();
    const id = await b.enqueueAfter(createTask('t', 1), 3_600_000);
    expect(await storedState(b, id)).toBe('scheduled');
    expect((await b.tasks.get(id))?.state).toBe('pending');
    expect((await b.tasks.list({ state: 'pending' })).map((t) => t.id)).toEqual([id]);
    expect((await b.tasks.listScheduled()).map((t) => t.id)).toEqual([id]);
    expect(await b.tasks.countByState('pending')).toBe(1);
    expect(await b.queueSize()).toBe(1);
    expect(await b.tasks.statistics()).toMatchObject({ pending: 1, scheduled: 1, total: 1 });
    expect(await b.tasks.countByTaskName()).toEqual([expect.objectContaining({ taskName: 't', pending: 1 })]);
    const exported = JSON.parse(await b.transfer.exportTasks({ state: 'pending' })) as {
      tasks: Array<{ id: string; state: string }>;
    };
    expect(exported.tasks.map((t) => [t.id, t.state])).toEqual([[id, 'pending']]);
    // Setting it pending changes nothing: it already is.
    expect(await b.tasks.updateBatchState([id], 'pending')).toBe(0);
    expect(await b.cancel(id)).toBe(true);
    expect((await b.tasks.get(id))?.state).toBe('cancelled');
    const again = await b.enqueueAfter(createTask('t', 2), 3_600_000);
    expect(await b.maintenance.purgeByState('pending')).toBe(1);
    expect(await b.tasks.get(again)).toBeNull();
  });

  it('an import of a delayed task stores it scheduled, pending in the export', async () => {
    const b = await broker();
    const id = await b.enqueueAfter(createTask('t', 1), 3_600_000);
    const json = await b.transfer.exportTasks();
    await b.maintenance.purgeAllTasks(); // ids are unique across queues: import into the emptied queue
    expect(await b.transfer.importTasks(json)).toBe(1);
    expect(await storedState(b, id)).toBe('scheduled');
    expect((await b.tasks.get(id))?.state).toBe('pending');
  });

  it('a scheduled task holds its dedup key', async () => {
    const b = await broker();
    const first = await b.enqueueAfter(createTask('t', 1, { metadata: { dedup_key: 'k' } }), 3_600_000);
    expect(await storedState(b, first)).toBe('scheduled');
    expect(await b.idempotency.enqueueDeduplicated(createTask('t', 2), 'k')).toBe(first);
    await expect(b.enqueue(createTask('t', 3, { metadata: { dedup_key: 'k' } }))).rejects.toMatchObject({
      code: 'DUPLICATE_TASK',
    });
    expect(await b.queueSize()).toBe(1);
  });
});

/**
 * Index entries the broker's only connection walked during one `dequeue`: `Handler_read_next` plus, on MariaDB,
 * `Handler_icp_attempts` (entries the pushed-down `scheduled_at` filter rejected are counted only there).
 */
async function walkedByOneClaim(
  b: MysqlBroker,
  taskNames?: string[],
): Promise<{ walked: number; claimed: string | undefined }> {
  const status = async () => {
    const r = await sql<{ Value: string }>`SHOW SESSION STATUS
      WHERE Variable_name IN ('Handler_read_next', 'Handler_icp_attempts')`.execute(b.database);
    return r.rows.reduce((sum, row) => sum + Number(row.Value), 0);
  };
  const before = await status();
  const m = await b.dequeue(taskNames ? { taskNames } : undefined);
  const walked = (await status()) - before;
  if (m) await b.ack(m.task.metadata.id, m.receiptHandle);
  return { walked, claimed: m?.task.metadata.id };
}

interface PlanRow {
  table: string | null;
  key: string | null;
  rows: number | string | null;
  Extra: string | null;
}

/** The optimizer's plan of the task table for the claim statement exactly as the broker sends it. */
async function claimPlan(b: MysqlBroker, taskNames?: string[]): Promise<PlanRow> {
  const q = compileClaimStatement(b.database, b.queueName, 10, taskNames);
  const plan = await sql.raw<PlanRow>(`EXPLAIN ${q.sql}`);
  const r = await b.database.executeQuery<PlanRow>({ ...plan.compile(b.database), parameters: q.parameters });
  return r.rows.find((row) => row.table === 't')!;
}

/** The optimizer's row estimate for the claim statement exactly as the broker sends it. */
async function claimPlanRows(b: MysqlBroker): Promise<number> {
  return Number((await claimPlan(b)).rows);
}

describe('the claim does not read scheduled rows', () => {
  it('claims a due task behind 20k higher-priority scheduled rows walking a handful of index entries', async () => {
    // One connection, so the session counters are the claim's.
    const queue = `sched-${++n}`;
    const b = await MysqlBroker.connect({ url: tdb.url, queue, pool: { maxConnections: 1 } });
    opened.push(b);
    const later = await insertScheduled(b.database, queue, 20_000, 100, 3_600_000);
    const due = await b.enqueueBatch([createTask('due', 1), createTask('due', 2), createTask('due', 3)]);
    await sql`ANALYZE TABLE celers_live_tasks`.execute(b.database);
    const first = await walkedByOneClaim(b); // promotes first: finds nothing due among the 20k
    expect(first.claimed).toBe(due[0]);
    expect(first.walked).toBeLessThan(50);
    expect(await claimPlanRows(b)).toBeLessThan(50);
    // The control: the same rows stored 'pending' with their future time sit in front of the due ones.
    await sql`UPDATE celers_live_tasks SET state = 'pending'
      WHERE queue_name = ${queue} AND state = 'scheduled'`.execute(b.database);
    // An estimate (index dives), so only its order of magnitude is asserted.
    expect(await claimPlanRows(b)).toBeGreaterThan(later.length / 4);
    const control = await walkedByOneClaim(b);
    expect(control.claimed).toBe(due[1]);
  });
});

describe("a single-name claim walks only its name's pending and processing rows (migration 0016)", () => {
  it('skips 20k higher-priority scheduled rows of its name, and walks its processing rows once each', async () => {
    const queue = `sched-${++n}`;
    const b = await MysqlBroker.connect({ url: tdb.url, queue, pool: { maxConnections: 1 } });
    opened.push(b);
    await insertScheduled(b.database, queue, 20_000, 100, 3_600_000, 'named');
    // K tasks of the name claimed by another worker (leases held), in front of the due ones in claim order.
    const K = 200;
    await b.enqueueBatch(Array.from({ length: K }, (_, i) => createTask('named', i, { priority: 50 })));
    const due = await b.enqueueBatch([
      createTask('named', 1),
      createTask('named', 2),
      createTask('named', 3),
      createTask('named', 4),
    ]);
    await sql`ANALYZE TABLE celers_live_tasks`.execute(b.database);
    const plan = await claimPlan(b, ['named']);
    expect(plan.key).toBe('idx_tasks_task_name_state');
    expect(plan.Extra ?? '').not.toMatch(/filesort/i);

    const other = await broker(queue);
    const held = await other.dequeueBatch(K, { taskNames: ['named'] });
    expect(held).toHaveLength(K);
    // b's first claim peeks before it locks (the peek claim of a queue that came up short); one that came back
    // full leaves the next claim to the locking read alone, which is the walk measured here.
    expect((await walkedByOneClaim(b, ['named'])).claimed).toBe(due[0]);
    const behindLeases = await walkedByOneClaim(b, ['named']);
    expect(behindLeases.claimed).toBe(due[1]);
    // About K + 1: each processing row once (its state read and skipped), then the claimed one.
    expect(behindLeases.walked).toBeGreaterThanOrEqual(K);
    expect(behindLeases.walked).toBeLessThan(K + 50);

    await other.ackBatch(held.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })));
    const noLeases = await walkedByOneClaim(b, ['named']);
    expect(noLeases.claimed).toBe(due[2]);
    expect(noLeases.walked).toBeLessThan(50);
  });
});

describe('promotion reads only the due scheduled rows', () => {
  it('promotes exactly the rows due within the margin, walking none of the pending, processing or later ones', async () => {
    const queue = `sched-${++n}`;
    const b = await MysqlBroker.connect({ url: tdb.url, queue, pool: { maxConnections: 1 } });
    opened.push(b);
    const overdue = await insertScheduled(b.database, queue, 30, 0, -1_000);
    const inMargin = await insertScheduled(b.database, queue, 10, 5, PROMOTE_AHEAD_MS / 2);
    await insertScheduled(b.database, queue, 5_000, 9, 3_600_000);
    // Live rows that are not scheduled (outside promotion's range): due pending rows and held leases.
    await insertScheduled(b.database, queue, 5_000, 0, -1_000, 'busy');
    await sql`UPDATE celers_live_tasks SET state = IF(RAND() < 0.5, 'pending', 'processing')
      WHERE queue_name = ${queue} AND task_name = 'busy'`.execute(b.database);
    await sql`ANALYZE TABLE celers_live_tasks`.execute(b.database);
    const status = async () => {
      const r = await sql<{ Value: string }>`SHOW SESSION STATUS
        WHERE Variable_name IN ('Handler_read_next', 'Handler_icp_attempts')`.execute(b.database);
      return r.rows.reduce((sum, row) => sum + Number(row.Value), 0);
    };
    const before = await status();
    expect(await promoteScheduledTasks(b.database, queue)).toBe(overdue.length + inMargin.length);
    expect((await status()) - before).toBeLessThan(2 * (overdue.length + inMargin.length) + 20);
    const states = await sql<{ state: string; task_name: string; n: number }>`SELECT state, task_name,
        COUNT(*) AS n FROM celers_live_tasks WHERE queue_name = ${queue} GROUP BY state, task_name`.execute(
      b.database,
    );
    const count = (state: string, name: string) =>
      Number(states.rows.find((r) => r.state === state && r.task_name === name)?.n ?? 0);
    expect(count('pending', 'later')).toBe(overdue.length + inMargin.length);
    expect(count('scheduled', 'later')).toBe(5_000);
    expect(count('pending', 'busy') + count('processing', 'busy')).toBe(5_000);
    expect(await promoteScheduledTasks(b.database, queue)).toBe(0);
  });
});

describe('promotion across brokers', () => {
  it('two brokers on their own pools promote and claim concurrently: each task is claimed once', async () => {
    const a = await broker(undefined, true);
    const b = await broker(a.queueName, true);
    // Overdue scheduled rows, more than one promotion chunk (1,000).
    const ids = await insertScheduled(a.database, a.queueName, 2_500, 0, -1_000);
    const claimed: string[] = [];
    const drain = async (x: MysqlBroker) => {
      for (;;) {
        const batch = await x.dequeueBatch(100);
        if (batch.length === 0 && (await x.queueSize()) === 0) return;
        for (const m of batch) claimed.push(m.task.metadata.id);
        if (batch.length > 0)
          await x.ackBatch(
            batch.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
          );
      }
    };
    await Promise.all([drain(a), drain(b)]);
    expect(claimed).toHaveLength(ids.length);
    expect(new Set(claimed).size).toBe(ids.length);
    expect(await a.tasks.countByState('completed')).toBe(ids.length);
  });
});
