import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { pollUntil, taskRow } from './fixtures/core-helpers.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
/** Fixture processes still running (killed in afterAll if a test failed before killing them). */
const children = new Set<ChildProcess>();
let n = 0;

async function freshQueue(options: Parameters<MysqlBroker['forQueue']>[1] = {}): Promise<MysqlBroker> {
  const b = await root.forQueue(`lease-${++n}`, options);
  opened.push(b);
  return b;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'lease-root', migrate: true });
});
afterAll(async () => {
  for (const child of children) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('lease expiry', () => {
  it('an expired lease is recovered; the old receipt is STALE on ack, reject and extend and changes nothing', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('slow', 1, { maxRetries: 5 }));
    const first = await b.dequeue({ leaseMs: 200, workerId: 'w-old' });
    expect(await b.recoverTimedOutTasks()).toBe(0); // lease still running
    await pollUntil(async () => (await b.recoverTimedOutTasks()) === 1, 10_000);
    const recovered = await taskRow(b.database, id);
    expect(recovered).toMatchObject({
      state: 'pending',
      retry_count: 0,
      receipt_handle: null,
      worker_id: null,
      lease_expires_at: null,
    });

    await expect(b.ack(id, first!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    await expect(b.reject(id, first!.receiptHandle, { error: 'late' })).rejects.toMatchObject({
      code: 'STALE_RECEIPT',
    });
    await expect(b.extendLease(id, first!.receiptHandle, 60_000)).rejects.toMatchObject({
      code: 'STALE_RECEIPT',
    });
    expect(await b.release(id, first!.receiptHandle)).toBe(false);
    expect(await taskRow(b.database, id)).toEqual(recovered);

    const second = await b.dequeue({ workerId: 'w-new' });
    expect(second?.receiptHandle).not.toBe(first!.receiptHandle);
    // The first worker's late ack must not complete the second worker's claim.
    await expect(b.ack(id, first!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    expect((await taskRow(b.database, id))?.state).toBe('processing');
    await b.ack(id, second!.receiptHandle);
    expect(await taskRow(b.database, id)).toMatchObject({ state: 'completed', worker_id: 'w-new' });
  });

  it('a worker whose heartbeat went stale loses its tasks although their leases run on', async () => {
    const b = await freshQueue({ workerStaleAfterMs: 1_000 });
    const [t1, t2] = await b.enqueueBatch([createTask('hb', 1), createTask('hb', 2)]);
    await b.workers.heartbeat('w-dead', 'busy', 1);
    await b.workers.heartbeat('w-alive', 'busy', 1);
    const dead = await b.dequeue({ workerId: 'w-dead', leaseMs: 3_600_000 });
    const alive = await b.dequeue({ workerId: 'w-alive', leaseMs: 3_600_000 });
    expect(dead?.task.metadata.id).toBe(t1);
    expect(await b.recoverTimedOutTasks()).toBe(0);
    // Keep w-alive's heartbeat fresh while w-dead's goes stale.
    await pollUntil(
      async () => {
        await b.workers.heartbeat('w-alive', 'busy', 1);
        return (await b.recoverTimedOutTasks()) === 1;
      },
      15_000,
      100,
    );
    expect((await taskRow(b.database, t1!))?.state).toBe('pending');
    expect(await taskRow(b.database, t2!)).toMatchObject({ state: 'processing', worker_id: 'w-alive' });
    await expect(b.ack(t1!, dead!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    await b.ack(t2!, alive!.receiptHandle);
  });

  it('a deregistered (offline) worker loses its tasks at the next recovery', async () => {
    const b = await freshQueue();
    const id = await b.enqueue(createTask('off', 1));
    await b.registerWorker({ workerId: 'w-off' });
    await b.dequeue({ workerId: 'w-off', leaseMs: 3_600_000 });
    expect(await b.recoverTimedOutTasks()).toBe(0);
    await b.deregisterWorker('w-off');
    expect(await b.recoverTimedOutTasks()).toBe(1);
    expect((await taskRow(b.database, id))?.state).toBe('pending');
  });

  it('recoverStuckTasks returns tasks processing longer than the threshold, whatever their lease', async () => {
    const b = await freshQueue();
    const [old, fresh] = await b.enqueueBatch([createTask('s', 1), createTask('s', 2)]);
    await b.dequeue({ leaseMs: 3_600_000 });
    await b.dequeue({ leaseMs: 3_600_000 });
    await b.database
      .updateTable('celers_live_tasks')
      .set({ started_at: new Date(Date.now() - 2 * 3600_000) })
      .where('id', '=', old!)
      .execute();
    expect(await b.maintenance.recoverStuckTasks(3600_000)).toBe(1);
    expect((await taskRow(b.database, old!))?.state).toBe('pending');
    expect((await taskRow(b.database, fresh!))?.state).toBe('processing');
  });
});

/** Starts the claim-and-block fixture in a real child process; resolves with the task ids it claimed. */
async function startCrasher(
  queue: string,
  count: number,
  workerId: string,
): Promise<{ child: ChildProcess; claimed: string[] }> {
  // The workspace's tsx (hoisted to the root .bin); it maps `@celers/*` to sources through tsconfig paths. tsx
  // runs the script in a child node process, so the fixture gets its own process group and `kill` signals the
  // whole group: the node process holding the claims dies by SIGKILL, not just the tsx wrapper.
  const child = spawn(join(packageDir, '../../node_modules/.bin/tsx'), ['test/fixtures/claim-and-block.ts'], {
    cwd: packageDir,
    detached: true,
    env: {
      ...process.env,
      CELERS_URL: tdb.url,
      CELERS_QUEUE: queue,
      CLAIM_COUNT: String(count),
      WORKER_ID: workerId,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`crasher exited early with ${code}: ${stderr}`);
  });
  const line = await Promise.race([once(lines, 'line').then(([l]) => String(l)), exited]);
  children.add(child);
  return { child, claimed: (JSON.parse(line) as { claimed: string[] }).claimed };
}

/** SIGKILLs the fixture's process group and waits for the wrapper to exit. */
async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  process.kill(-(child.pid as number), 'SIGKILL');
  const [, signal] = await exited;
  children.delete(child);
  expect(signal).toBe('SIGKILL');
}

describe('a worker killed with SIGKILL', () => {
  it('loses nothing: its claims are recovered (stuck-task and stale-heartbeat paths) and complete exactly once', async () => {
    const b = await freshQueue({ workerStaleAfterMs: 1_000 });
    const ids = await b.enqueueBatch(Array.from({ length: 30 }, (_, i) => createTask('crash', { i })));

    // Round 1: killed mid-batch, recovered by recoverStuckTasks.
    const one = await startCrasher(b.queueName, 12, 'crash-1');
    expect(one.claimed).toHaveLength(12);
    expect(await b.tasks.byWorker('crash-1', { state: 'processing' })).toHaveLength(12);
    await kill(one.child);
    expect(await b.tasks.countByState('processing')).toBe(12); // the lease outlives the process
    expect(await b.maintenance.recoverStuckTasks(0)).toBe(12);

    // Round 2: killed, recovered by recoverTimedOutTasks once its heartbeat is stale.
    const two = await startCrasher(b.queueName, 10, 'crash-2');
    expect(two.claimed).toHaveLength(10);
    await kill(two.child);
    const recovered = await pollUntil(
      async () => {
        const n = await b.recoverTimedOutTasks();
        return n > 0 ? n : null;
      },
      15_000,
      100,
    );
    expect(recovered).toBe(10);
    expect(await b.tasks.statistics()).toMatchObject({ pending: 30, processing: 0 });

    // Drain everything and ack with results.
    const done: string[] = [];
    for (;;) {
      const batch = await b.dequeueBatch(8, { workerId: 'survivor' });
      if (batch.length === 0) break;
      const { count: n } = await b.ackBatchWithResults(
        batch.map((m) => ({
          taskId: m.task.metadata.id,
          receiptHandle: m.receiptHandle,
          result: { status: 'SUCCESS' as const, result: { ok: m.task.metadata.id } },
        })),
      );
      expect(n).toBe(batch.length);
      done.push(...batch.map((m) => m.task.metadata.id));
    }
    expect(done).toHaveLength(30);
    expect(new Set(done)).toEqual(new Set(ids));
    const results = await b.database
      .selectFrom('celers_task_results')
      .select(['task_id', 'status'])
      .where('queue_name', '=', b.queueName)
      .execute();
    expect(results).toHaveLength(30);
    expect(results.every((r) => r.status === 'SUCCESS')).toBe(true);
    expect(new Set(results.map((r) => r.task_id))).toEqual(new Set(ids));
    expect(await b.tasks.statistics()).toMatchObject({ completed: 30, total: 30 });
  }, 120_000); // two tsx child processes start on a shared 2-core machine
});
