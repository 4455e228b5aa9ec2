import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countsByState } from './support/task-counts.js';
import { waitFor } from './support/wait-for.js';
import { killAll, spawnWorker, type WorkerProcess } from './support/worker-processes.js';

// Real worker processes against one real database: exactly-once draining, SIGTERM and SIGKILL.
let tdb: TestDatabase;
let admin: MysqlBroker;
let spawned: WorkerProcess[] = [];
let queueCounter = 0;

interface RunRow {
  id: number;
  task_id: string;
  receipt: string | null;
  worker_id: string;
  started_at: Date;
  finished_at: Date | null;
}

/** The database with the fixture's `worker_runs` table added to the typed schema. */
function runsTable() {
  return admin.database.withTables<{ worker_runs: RunRow }>();
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  admin = await MysqlBroker.connect({ url: tdb.url, queue: 'processes-admin', migrate: true });
  await runsTable()
    .schema.createTable('worker_runs')
    .addColumn('id', 'bigint', (c) => c.autoIncrement().primaryKey())
    .addColumn('task_id', 'char(36)', (c) => c.notNull())
    .addColumn('receipt', 'char(36)')
    .addColumn('worker_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('started_at', 'datetime(6)', (c) => c.notNull())
    .addColumn('finished_at', 'datetime(6)')
    .execute();
  await runsTable().schema.createIndex('worker_runs_task').on('worker_runs').column('task_id').execute();
});
afterEach(async () => {
  await killAll(spawned);
  spawned = [];
});
afterAll(async () => {
  await admin?.close();
  await tdb?.drop();
});

async function newQueue(): Promise<MysqlBroker> {
  queueCounter += 1;
  return admin.forQueue(`processes-${queueCounter}`);
}

function start(ids: string[], env: Record<string, string>): WorkerProcess[] {
  const procs = ids.map((id) => spawnWorker(id, { CELERS_URL: tdb.url, ...env }));
  spawned.push(...procs);
  return procs;
}

async function enqueueMany(broker: MysqlBroker, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 200) {
    const chunk = Array.from({ length: Math.min(200, count - i) }, (_, j) =>
      createTask('record', { n: i + j }),
    );
    ids.push(...(await broker.enqueueBatch(chunk)));
  }
  return ids;
}

function stateCounts(queue: string): Promise<Record<string, number>> {
  return countsByState(admin.database, queue);
}

async function runsOf(taskIds: readonly string[]): Promise<Map<string, RunRow[]>> {
  const rows = await runsTable()
    .selectFrom('worker_runs')
    .selectAll()
    .where('task_id', 'in', [...taskIds])
    .orderBy('started_at')
    .orderBy('id')
    .execute();
  const byTask = new Map<string, RunRow[]>();
  for (const row of rows) byTask.set(row.task_id, [...(byTask.get(row.task_id) ?? []), row]);
  return byTask;
}

async function waitAllCompleted(queue: string, total: number, timeoutMs: number): Promise<void> {
  await waitFor(async () => (await stateCounts(queue)).completed === total, {
    timeoutMs,
    intervalMs: 200,
    message: `all ${total} tasks of ${queue} completed`,
  });
}

describe('worker processes', () => {
  it('three worker processes drain 600 tasks, each exactly once', { timeout: 120_000 }, async () => {
    const broker = await newQueue();
    const ids = await enqueueMany(broker, 600);
    const procs = start(['drain-a', 'drain-b', 'drain-c'], {
      CELERS_QUEUE: broker.queueName,
      CONCURRENCY: '4',
      BATCH_SIZE: '4',
    });
    await Promise.all(procs.map((p) => p.ready));
    await waitAllCompleted(broker.queueName, 600, 90_000);

    const runs = await runsOf(ids);
    expect(runs.size).toBe(600);
    const repeated = [...runs].filter(([, r]) => r.length !== 1).map(([id]) => id);
    expect(repeated).toEqual([]);
    const perWorker = new Map<string, number>();
    for (const [, [run]] of runs)
      if (run) perWorker.set(run.worker_id, (perWorker.get(run.worker_id) ?? 0) + 1);
    // Every process took part (SKIP LOCKED spreads the claims).
    expect([...perWorker.keys()].sort()).toEqual(['drain-a', 'drain-b', 'drain-c']);
    const completedBy = await admin.database
      .selectFrom('celers_tasks')
      .select(['id', 'worker_id'])
      .where('queue_name', '=', broker.queueName)
      .execute();
    for (const row of completedBy) expect(row.worker_id).toBe(runs.get(row.id)?.[0]?.worker_id);
    await broker.close();
  });

  it('SIGTERM mid-run finishes in-flight tasks, releases the rest and loses nothing', {
    timeout: 120_000,
  }, async () => {
    const broker = await newQueue();
    const ids = await enqueueMany(broker, 200);
    const env = { CELERS_QUEUE: broker.queueName, CONCURRENCY: '4', BATCH_SIZE: '4', HANDLER_MS: '25' };
    const [a, b] = start(['term-a', 'term-b'], env);
    await Promise.all([a!.ready, b!.ready]);
    await waitFor(async () => ((await stateCounts(broker.queueName)).completed ?? 0) >= 40, {
      intervalMs: 50,
      message: '40 completions before SIGTERM',
    });
    a!.child.kill('SIGTERM');
    const exit = await a!.exited;
    // Graceful: it closed (CLOSED printed), then re-raised SIGTERM to end the process.
    expect(a!.stdout()).toContain('CLOSED term-a');
    expect(exit.signal).toBe('SIGTERM');
    const leftByA = await admin.database
      .selectFrom('celers_tasks')
      .select('id')
      .where('queue_name', '=', broker.queueName)
      .where('state', '=', 'processing')
      .where('worker_id', '=', 'term-a')
      .execute();
    expect(leftByA).toEqual([]);
    const heartbeat = await admin.database
      .selectFrom('celers_worker_heartbeat')
      .select('status')
      .where('worker_id', '=', 'term-a')
      .executeTakeFirst();
    expect(heartbeat?.status).toBe('offline');

    await waitAllCompleted(broker.queueName, 200, 90_000);
    const runs = await runsOf(ids);
    expect(runs.size).toBe(200);
    // A graceful stop re-runs nothing: every task ran exactly once, and every run finished.
    expect([...runs.values()].filter((r) => r.length !== 1 || r[0]?.finished_at === null)).toEqual([]);
    expect([...runs.values()].some((r) => r[0]?.worker_id === 'term-a')).toBe(true);
    b!.child.kill('SIGTERM');
    expect((await b!.exited).signal).toBe('SIGTERM');
    await broker.close();
  });

  it('a second SIGTERM aborts running handlers at once and releases their tasks', {
    timeout: 60_000,
  }, async () => {
    const broker = await newQueue();
    const ids = await enqueueMany(broker, 3);
    // Handlers that would run for a minute, and a 20 s shutdown timeout: only the second signal ends it early.
    const [p] = start(['twice-a'], { CELERS_QUEUE: broker.queueName, CONCURRENCY: '4', HANDLER_MS: '60000' });
    await p!.ready;
    await waitFor(async () => (await runsOf(ids)).size === 3, { message: 'three handlers started' });
    p!.child.kill('SIGTERM');
    await waitFor(() => p!.stdout().includes('SIGTERM: shutting down gracefully'), {
      message: 'graceful shutdown begun',
    });
    p!.child.kill('SIGTERM');
    const exit = await p!.exited;
    expect(exit.signal).toBe('SIGTERM');
    expect(p!.stdout()).toContain('SIGTERM again: aborting running tasks');
    expect(p!.stdout()).toContain('CLOSED twice-a');
    const rows = await admin.database
      .selectFrom('celers_tasks')
      .select(['state', 'retry_count', 'receipt_handle'])
      .where('queue_name', '=', broker.queueName)
      .execute();
    expect(rows).toEqual(
      Array.from({ length: 3 }, () => ({ state: 'pending', retry_count: 0, receipt_handle: null })),
    );
    await broker.close();
  });

  it("SIGKILL mid-run: after the lease the dead worker's tasks are recovered by another worker, none lost, none run twice under a live lease", {
    timeout: 120_000,
  }, async () => {
    const broker = await newQueue();
    const ids = await enqueueMany(broker, 200);
    const env = {
      CELERS_QUEUE: broker.queueName,
      CONCURRENCY: '4',
      BATCH_SIZE: '4',
      HANDLER_MS: '60',
      LEASE_MS: '1000',
      RECOVERY_MS: '300',
    };
    // The victim's handlers never finish on their own, so it still holds its claims when the SIGKILL lands
    // (with 60 ms handlers it could ack them all between the check below and the kill).
    const [victim] = start(['kill-a'], { ...env, HANDLER_MS: '600000' });
    const survivors = start(['kill-b', 'kill-c'], env);
    await Promise.all([victim!.ready, ...survivors.map((s) => s.ready)]);
    await waitFor(
      async () => {
        const rows = await admin.database
          .selectFrom('celers_tasks')
          .select('id')
          .where('queue_name', '=', broker.queueName)
          .where('state', '=', 'processing')
          .where('worker_id', '=', 'kill-a')
          .execute();
        return rows.length >= 2 && ((await stateCounts(broker.queueName)).completed ?? 0) >= 20;
      },
      { intervalMs: 20, message: 'the victim holding tasks mid-run' },
    );
    victim!.child.kill('SIGKILL');
    const exit = await victim!.exited;
    expect(exit.signal).toBe('SIGKILL');
    const killedAt = new Date();
    const orphaned = await admin.database
      .selectFrom('celers_tasks')
      .select(['id', 'lease_expires_at'])
      .where('queue_name', '=', broker.queueName)
      .where('state', '=', 'processing')
      .where('worker_id', '=', 'kill-a')
      .execute();
    expect(orphaned.length).toBeGreaterThan(0);

    await waitAllCompleted(broker.queueName, 200, 90_000);
    const runs = await runsOf(ids);
    expect(runs.size).toBe(200);
    // The orphans were finished by a survivor, after their lease ran out.
    for (const task of orphaned) {
      const row = await admin.database
        .selectFrom('celers_tasks')
        .select(['state', 'worker_id'])
        .where('id', '=', task.id)
        .executeTakeFirstOrThrow();
      expect(row.state).toBe('completed');
      expect(['kill-b', 'kill-c']).toContain(row.worker_id);
      const taskRuns = runs.get(task.id) ?? [];
      const rerun = taskRuns.find((r) => r.worker_id !== 'kill-a');
      expect(rerun?.started_at.getTime()).toBeGreaterThanOrEqual(task.lease_expires_at!.getTime());
    }
    // No two attempts of one task overlapped, each had its own receipt, and nothing started on a task
    // the victim still held before it died.
    for (const [taskId, taskRuns] of runs) {
      expect(new Set(taskRuns.map((r) => r.receipt)).size, taskId).toBe(taskRuns.length);
      for (let i = 1; i < taskRuns.length; i++) {
        const previous = taskRuns[i - 1]!;
        const end = previous.finished_at ?? killedAt;
        expect(taskRuns[i]!.started_at.getTime(), taskId).toBeGreaterThanOrEqual(end.getTime());
      }
    }
    await broker.close();
  });
});
