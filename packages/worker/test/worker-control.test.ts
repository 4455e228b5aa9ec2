import { type Broker, CelersError, createTask } from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { describe, expect, it } from 'vitest';
import { collectEvents, gate, nextEvent, waitFor } from './support/wait-for.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('control');

async function taskRow(id: string) {
  return fx.root.database
    .selectFrom('celers_tasks')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function heartbeatRow(workerId: string) {
  return fx.root.database
    .selectFrom('celers_worker_heartbeat')
    .selectAll()
    .where('worker_id', '=', workerId)
    .executeTakeFirst();
}

/** Counts the broker's completed claim attempts (its `operation:finished` events), to know the worker kept polling. */
function countDequeues(broker: {
  on: (e: 'operation:finished', l: (p: { operation: string }) => void) => unknown;
}) {
  const counter = { n: 0 };
  broker.on('operation:finished', (p) => {
    if (p.operation === 'dequeue') counter.n += 1;
  });
  return counter;
}

describe('Worker queue control', () => {
  it('claims nothing while the queue is paused and picks the work up after resume', async () => {
    const broker = await fx.queue();
    let calls = 0;
    const worker = fx.worker({ broker, handlers: { job: () => (calls += 1) } });
    await broker.pause();
    const polls = countDequeues(broker);
    await worker.start();
    const id = await broker.enqueue(createTask('job', null));
    await waitFor(() => polls.n >= 5, { message: 'five polls while paused' });
    expect(calls).toBe(0);
    expect((await taskRow(id)).state).toBe('pending');

    const completed = nextEvent(worker, 'task:completed', (e) => e.taskId === id);
    await broker.resume();
    await completed;
    expect(calls).toBe(1);
    await worker.close();
  });

  it('keeps processing in drain mode (drain only refuses new tasks)', async () => {
    const broker = await fx.queue();
    const ids = await broker.enqueueBatch([createTask('job', 1), createTask('job', 2)]);
    await broker.enableDrainMode();
    const worker = fx.worker({ broker, handlers: { job: (p) => p } });
    const completed = collectEvents(worker, 'task:completed');
    await worker.start();
    await waitFor(() => completed.length === 2, { message: 'both tasks completed in drain mode' });
    expect(completed.map((c) => c.taskId).sort()).toEqual([...ids].sort());
    await worker.close();
    await broker.disableDrainMode();
  });

  it('wakes an idle worker at once on an in-process enqueue instead of waiting out its poll interval', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({
      broker,
      pollIntervalMs: 5_000,
      maxPollIntervalMs: 5_000,
      handlers: { job: () => 'ok' },
    });
    const idle = nextEvent(worker, 'worker:idle');
    await worker.start();
    await idle; // the first poll found nothing: the worker now waits 3.75–6.25 s before polling again
    const completed = nextEvent(worker, 'task:completed');
    const enqueuedAt = Date.now();
    const id = await broker.enqueue(createTask('job', null));
    const event = await completed;
    expect(event.taskId).toBe(id);
    expect(Date.now() - enqueuedAt).toBeLessThan(2_000);
    await worker.close();
  });

  it('claims again at once while batches come back full, and reports drained then idle when the queue runs dry', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({ broker, concurrency: 4, batchSize: 4, handlers: { job: () => undefined } });
    await broker.enqueueBatch(Array.from({ length: 20 }, (_, i) => createTask('job', i)));
    const drained = nextEvent(worker, 'worker:drained');
    const idle = nextEvent(worker, 'worker:idle');
    await worker.start();
    expect((await drained).processed).toBe(20);
    await idle;
    expect(await broker.queueSize()).toBe(0);
    await worker.close();
  });
});

describe('Worker leases', () => {
  it('extends the lease of a task running longer than leaseMs, so concurrent recovery does not take it', async () => {
    const broker = await fx.queue();
    const other = await fx.queue(); // stands in for another host running recovery
    const recoverer = await other.forQueue(broker.queueName);
    const hold = gate();
    const started = gate<string>();
    const worker = fx.worker({
      broker,
      leaseMs: 600,
      recoveryIntervalMs: 0,
      handlers: {
        long: async (_p, ctx) => {
          started.open(ctx.taskId);
          await hold.promise;
          return 'finished';
        },
      },
    });
    const stalled = collectEvents(worker, 'task:stalled');
    await worker.start();
    const id = await broker.enqueue(createTask('long', null));
    await started.promise;
    const receipt = (await taskRow(id)).receipt_handle;
    let recovered = 0;
    const since = Date.now();
    // Run recovery for four lease lengths while the handler holds the task.
    while (Date.now() - since < 2_400) {
      recovered += await recoverer.recoverTimedOutTasks();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(recovered).toBe(0);
    const during = await taskRow(id);
    expect(during.state).toBe('processing');
    expect(during.receipt_handle).toBe(receipt);
    expect(during.lease_expires_at?.getTime()).toBeGreaterThan(Date.now() - 100);

    const completed = nextEvent(worker, 'task:completed');
    hold.open();
    expect((await completed).result).toBe('finished');
    expect((await taskRow(id)).state).toBe('completed');
    expect(stalled).toEqual([]);
    await recoverer.close();
    await worker.close();
  });

  it('aborts the handler and does not ack when a lease extension finds the receipt stale', async () => {
    const broker = await fx.queue();
    const started = gate();
    let abortCode: string | undefined;
    const worker = fx.worker({
      broker,
      leaseMs: 300,
      handlers: {
        long: (_p, ctx) =>
          new Promise((resolve) => {
            started.open();
            ctx.signal.addEventListener('abort', () => {
              abortCode = (ctx.signal.reason as CelersError).code;
              resolve('too late'); // a result after the abort must be ignored
            });
          }),
      },
    });
    const completed = collectEvents(worker, 'task:completed');
    await worker.start();
    const id = await broker.enqueue(createTask('long', null));
    await started.promise;
    const stalled = nextEvent(worker, 'task:stalled');
    expect(await broker.cancel(id)).toBe(true); // the task leaves `processing`: the receipt is stale now
    expect(await stalled).toMatchObject({ taskId: id, reason: 'lease-lost' });
    expect(abortCode).toBe('STALE_RECEIPT');
    expect(completed).toEqual([]);
    expect((await taskRow(id)).state).toBe('cancelled');
    await worker.close();
  });

  it('reports ack-unconfirmed when a retried ack finds the receipt spent by its unanswered first try', async () => {
    const broker = await fx.queue();
    let calls = 0;
    // The first ackBatch commits, then its answer is lost (as when the connection dies after the commit).
    const lossy = new Proxy(broker, {
      get(target, key) {
        const value = Reflect.get(target, key, target); // getters read the broker's private fields
        if (key !== 'ackBatch') return typeof value === 'function' ? value.bind(target) : value;
        return async (items: Parameters<Broker['ackBatch']>[0]) => {
          const outcome = await target.ackBatch(items);
          if (calls++ > 0) return outcome;
          throw new CelersError('DATABASE_UNAVAILABLE', 'ackBatch: the answer was lost after the commit');
        };
      },
    });
    const worker = fx.worker({ broker: lossy, handlers: { job: () => 'done' } });
    const stalled = nextEvent(worker, 'task:stalled');
    const completed = collectEvents(worker, 'task:completed');
    const id = await broker.enqueue(createTask('job', null));
    await worker.start();
    expect(await stalled).toMatchObject({ taskId: id, reason: 'ack-unconfirmed' });
    expect(calls).toBe(2); // the lost try and the retry
    expect(completed).toEqual([]);
    expect((await taskRow(id)).state).toBe('completed'); // the first try did complete it
    await worker.close();
  });

  it("recovers a dead consumer's expired task through its periodic recovery and runs it", async () => {
    const broker = await fx.queue();
    const id = await broker.enqueue(createTask('job', 'orphan'));
    const claimed = await broker.dequeue({ workerId: 'dead-worker', leaseMs: 200 }); // never acked
    expect(claimed?.task.metadata.id).toBe(id);
    const worker = fx.worker({ broker, recoveryIntervalMs: 100, handlers: { job: (p) => p } });
    const completed = nextEvent(worker, 'task:completed', (e) => e.taskId === id);
    await worker.start();
    expect((await completed).result).toBe('orphan');
    const row = await taskRow(id);
    expect(row.state).toBe('completed');
    expect(row.worker_id).toBe(worker.workerId);
    await expect(broker.ack(id, claimed!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    await worker.close();
  });
});

describe('Worker lifecycle', () => {
  it('registers with capabilities, heartbeats busy/idle with its task count, and deregisters on close', async () => {
    const broker = await fx.queue();
    const hold = gate();
    const started = gate();
    const worker = fx.worker({
      broker,
      concurrency: 2,
      heartbeatIntervalMs: 30,
      handlers: {
        long: async () => {
          started.open();
          await hold.promise;
        },
      },
    });
    await worker.start();
    const registered = await heartbeatRow(worker.workerId);
    expect(registered?.queue_name).toBe(broker.queueName);
    expect(parseJsonColumn(registered?.capabilities)).toMatchObject({
      taskNames: ['long'],
      concurrency: 2,
      pid: process.pid,
    });

    await broker.enqueue(createTask('long', null));
    await started.promise;
    await waitFor(
      async () => {
        const row = await heartbeatRow(worker.workerId);
        return row?.status === 'busy' && row.task_count === 1;
      },
      { message: 'a busy heartbeat with one task' },
    );
    hold.open();
    await waitFor(
      async () => {
        const row = await heartbeatRow(worker.workerId);
        return row?.status === 'idle' && row.task_count === 0;
      },
      { message: 'an idle heartbeat' },
    );
    await worker.close();
    expect((await heartbeatRow(worker.workerId))?.status).toBe('offline');
  });

  it('close() lets a running handler finish and acks it before resolving', async () => {
    const broker = await fx.queue();
    const started = gate();
    const worker = fx.worker({
      broker,
      handlers: {
        job: async () => {
          started.open();
          await new Promise((resolve) => setTimeout(resolve, 150)); // simulated work
          return 'done';
        },
      },
    });
    const completed = collectEvents(worker, 'task:completed');
    const closed = nextEvent(worker, 'worker:closed');
    await worker.start();
    const id = await broker.enqueue(createTask('job', null));
    await started.promise;
    const first = worker.close();
    expect(worker.close()).toBe(first); // idempotent: the same promise
    await first;
    await closed;
    expect(completed.map((c) => c.taskId)).toEqual([id]);
    expect((await taskRow(id)).state).toBe('completed');
    await expect(worker.start()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('after the shutdown timeout aborts running handlers and releases their tasks to pending', async () => {
    const broker = await fx.queue();
    const started = gate();
    let abortCode: string | undefined;
    const worker = fx.worker({
      broker,
      handlers: {
        stubborn: (_p, ctx) =>
          new Promise(() => {
            started.open();
            ctx.signal.addEventListener('abort', () => {
              abortCode = (ctx.signal.reason as CelersError).code;
            });
          }),
      },
    });
    await worker.start();
    const id = await broker.enqueue(createTask('stubborn', null));
    await started.promise;
    await worker.close({ timeoutMs: 100 });
    expect(abortCode).toBe('CLOSED');
    const row = await taskRow(id);
    expect(row.state).toBe('pending');
    expect(row.retry_count).toBe(0);
    expect(row.receipt_handle).toBeNull();
    expect(worker.inFlight).toBe(0);
  });

  it('start() is idempotent and close() before start() resolves without touching the database', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({ broker, handlers: { job: () => undefined } });
    const a = worker.start();
    expect(worker.start()).toBe(a);
    await a;
    await worker.close();
    const never = fx.worker({ broker, handlers: { job: () => undefined } });
    await never.close();
    expect(await heartbeatRow(never.workerId)).toBeUndefined();
  });

  it('reports a failed poll as an error event and keeps polling with backoff', async () => {
    const broker = await fx.queue();
    let failures = 2;
    const removeHook = broker.hooks.add('beforeDequeue', () => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('database hiccup');
      }
    });
    const worker = fx.worker({ broker, handlers: { job: (p) => p } });
    const errors = collectEvents(worker, 'error');
    const id = await broker.enqueue(createTask('job', 7));
    const completed = nextEvent(worker, 'task:completed');
    await worker.start();
    expect((await completed).taskId).toBe(id);
    expect(errors.map((e) => e.operation)).toEqual(['dequeueBatch', 'dequeueBatch']);
    expect(errors[0]?.error.message).toContain('database hiccup');
    removeHook();
    await worker.close();
  });
});
