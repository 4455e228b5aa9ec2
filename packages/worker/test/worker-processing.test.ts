import { CelersError, createTask } from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '../src/index.js';
import { collectEvents, gate, nextEvent, waitFor } from './support/wait-for.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('processing');
const noDelay = { kind: 'fixed', delayMs: 0 } as const;

async function taskRow(id: string) {
  return fx.root.database
    .selectFrom('celers_tasks')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('Worker processing', () => {
  it('runs the handler with the decoded payload, acks the task and stores its result', async () => {
    const broker = await fx.queue();
    const seen: Array<{ payload: unknown; attempt: number; taskName: string }> = [];
    const worker = fx.worker({
      broker,
      storeResults: true,
      handlers: {
        add: async (payload: { a: number; b: number }, ctx: TaskContext) => {
          seen.push({ payload, attempt: ctx.attempt, taskName: ctx.taskName });
          return { sum: payload.a + payload.b };
        },
      },
    });
    await worker.start();
    expect(worker.isRunning).toBe(true);
    const completed = nextEvent(worker, 'task:completed');
    const id = await broker.enqueue(createTask('add', { a: 2, b: 3 }, { compression: true }));

    const event = await completed;
    expect(event).toMatchObject({ taskId: id, taskName: 'add', result: { sum: 5 } });
    expect(event.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual([{ payload: { a: 2, b: 3 }, attempt: 1, taskName: 'add' }]);
    const row = await taskRow(id);
    expect(row.state).toBe('completed');
    expect(row.worker_id).toBe(worker.workerId);
    const result = await fx.root.database
      .selectFrom('celers_task_results')
      .selectAll()
      .where('task_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(result.status).toBe('SUCCESS');
    expect(parseJsonColumn(result.result)).toEqual({ sum: 5 });
    expect(result.runtime_ms).toBeGreaterThanOrEqual(0);
    await worker.close();
    expect(worker.isRunning).toBe(false);
  });

  it('stores no result row without storeResults', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({ broker, handlers: { echo: (p) => p } });
    await worker.start();
    const completed = nextEvent(worker, 'task:completed');
    const id = await broker.enqueue(createTask('echo', 'hi'));
    expect((await completed).result).toBe('hi');
    expect((await taskRow(id)).state).toBe('completed');
    const rows = await fx.root.database
      .selectFrom('celers_task_results')
      .select('task_id')
      .where('task_id', '=', id)
      .execute();
    expect(rows).toEqual([]);
    await worker.close();
  });

  it('never runs more handlers at once than its concurrency', async () => {
    const broker = await fx.queue();
    let active = 0;
    let maxActive = 0;
    const worker = fx.worker({
      broker,
      concurrency: 3,
      batchSize: 10,
      prefetch: 0, // the prefetch's own bound is tested in worker-prefetch.test.ts
      handlers: {
        slow: async () => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await new Promise((resolve) => setTimeout(resolve, 25)); // simulated work
          active -= 1;
        },
      },
    });
    const completed = collectEvents(worker, 'task:completed');
    await broker.enqueueBatch(Array.from({ length: 15 }, (_, i) => createTask('slow', i)));
    await worker.start();
    // While it works, the database never shows more than 2 × 3 of this queue's tasks processing.
    let maxProcessing = 0;
    await waitFor(
      async () => {
        const row = await fx.root.database
          .selectFrom('celers_tasks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('queue_name', '=', broker.queueName)
          .where('state', '=', 'processing')
          .executeTakeFirstOrThrow();
        maxProcessing = Math.max(maxProcessing, Number(row.n));
        return completed.length === 15;
      },
      { intervalMs: 5, message: '15 completions' },
    );
    expect(maxActive).toBe(3);
    // Leases held: the 3 running plus at most 3 whose handlers finished and whose ack is on its way.
    expect(maxProcessing).toBeLessThanOrEqual(6);
    await worker.close();
  });

  it('retries a throwing handler with the task policy, then dead-letters it after maxRetries', async () => {
    const broker = await fx.queue();
    const attempts: number[] = [];
    const worker = fx.worker({
      broker,
      storeResults: true,
      handlers: {
        boom: (_payload, ctx) => {
          attempts.push(ctx.attempt);
          throw new Error(`kaput #${ctx.attempt}`);
        },
      },
    });
    const retrying = collectEvents(worker, 'task:retried');
    const failed = nextEvent(worker, 'task:failed');
    await worker.start();
    const id = await broker.enqueue(createTask('boom', null, { maxRetries: 2, retryPolicy: noDelay }));

    const final = await failed;
    expect(final.taskId).toBe(id);
    expect(final.outcome.outcome).toBe('dead-lettered');
    expect(final.error.message).toBe('kaput #3');
    expect(attempts).toEqual([1, 2, 3]);
    expect(retrying.map((r) => [r.taskId, r.retryCount, r.error.message])).toEqual([
      [id, 1, 'kaput #1'],
      [id, 2, 'kaput #2'],
    ]);
    const row = await taskRow(id);
    expect(row.state).toBe('failed');
    expect(row.retry_count).toBe(2);
    const dlq = await fx.root.database
      .selectFrom('celers_dead_letter_queue')
      .selectAll()
      .where('task_id', '=', id)
      .execute();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]?.error_message).toBe('kaput #3');
    const result = await fx.root.database
      .selectFrom('celers_task_results')
      .selectAll()
      .where('task_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(result.status).toBe('FAILURE');
    expect(result.traceback).toContain('kaput #3');
    await worker.close();
  });

  it('aborts a handler past its timeoutMs and rejects the attempt with TIMEOUT', async () => {
    const broker = await fx.queue();
    let sawAbort: { aborted: boolean; code: unknown } | undefined;
    const worker = fx.worker({
      broker,
      handlers: {
        stuck: (_payload, ctx) =>
          new Promise<never>((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              sawAbort = { aborted: ctx.signal.aborted, code: (ctx.signal.reason as CelersError).code };
              reject(ctx.signal.reason);
            });
          }),
      },
    });
    const failed = nextEvent(worker, 'task:failed');
    await worker.start();
    const id = await broker.enqueue(createTask('stuck', null, { timeoutMs: 150, maxRetries: 0 }));

    const event = await failed;
    expect(event.taskId).toBe(id);
    expect(CelersError.isInstance(event.error) && event.error.code).toBe('TIMEOUT');
    expect(event.outcome.outcome).toBe('dead-lettered');
    expect(sawAbort).toEqual({ aborted: true, code: 'TIMEOUT' });
    const dlq = await fx.root.database
      .selectFrom('celers_dead_letter_queue')
      .selectAll()
      .where('task_id', '=', id)
      .execute();
    expect(dlq[0]?.error_message).toMatch(/timeout/);
    await worker.close();
  });

  it('writes ctx.progress to the task row while the handler runs', async () => {
    const broker = await fx.queue();
    const hold = gate();
    const reported = gate();
    const worker = fx.worker({
      broker,
      handlers: {
        long: async (_payload, ctx) => {
          await ctx.progress(40, 'halfway');
          reported.open();
          await hold.promise;
          await ctx.progress(100, 'done');
        },
      },
    });
    await worker.start();
    const completed = nextEvent(worker, 'task:completed');
    const id = await broker.enqueue(createTask('long', null));
    await reported.promise;
    const during = await taskRow(id);
    expect(during.state).toBe('processing');
    expect(Number(during.progress_percent)).toBe(40);
    expect(during.progress_step).toBe('halfway');
    hold.open();
    await completed;
    const after = await taskRow(id);
    expect(Number(after.progress_percent)).toBe(100);
    expect(after.progress_step).toBe('done');
    await worker.close();
  });

  it('gives the handler a frozen context whose members work destructured, with the trace context it carried', async () => {
    const broker = await fx.queue();
    const lines: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
    const logger = {
      debug: () => undefined,
      info: (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields }),
      warn: () => undefined,
      error: () => undefined,
    };
    const seen: Record<string, unknown> = {};
    const worker = fx.worker({
      broker,
      logger,
      handlers: {
        inspect: async (_payload, ctx) => {
          const { progress, signal, log, traceContext, taskId } = ctx;
          seen.frozen = Object.isFrozen(ctx);
          seen.assignThrows = (() => {
            try {
              (ctx as { attempt: number }).attempt = 9;
              return false;
            } catch {
              return true;
            }
          })();
          seen.aborted = signal.aborted;
          seen.sameSignal = ctx.signal === signal;
          seen.sameLog = ctx.log === log;
          seen.traceparent = traceContext?.toTraceparent();
          seen.taskId = taskId;
          log.info('inside');
          await progress(70, 'destructured');
        },
      },
    });
    await worker.start();
    const completed = nextEvent(worker, 'task:completed');
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const id = await broker.enqueue(createTask('inspect', null, { metadata: { traceparent } }));
    await completed;
    expect(seen).toEqual({
      frozen: true,
      assignThrows: true, // test files are ES modules: strict mode
      aborted: false,
      sameSignal: true,
      sameLog: true,
      traceparent,
      taskId: id,
    });
    expect(lines).toContainEqual({
      message: 'inside',
      fields: expect.objectContaining({ taskId: id, taskName: 'inspect', attempt: 1 }),
    });
    const row = await taskRow(id);
    expect([Number(row.progress_percent), row.progress_step]).toEqual([70, 'destructured']);
    await worker.close();
  });

  it('acks tasks that finish together in one ackBatch transaction', async () => {
    const broker = await fx.queue();
    const hold = gate();
    let started = 0;
    const worker = fx.worker({
      broker,
      concurrency: 10,
      batchSize: 10,
      handlers: {
        job: async () => {
          started += 1;
          await hold.promise;
        },
      },
    });
    const acks: number[] = [];
    broker.on('task:acked', (e) => acks.push(e.taskIds.length));
    const completed = collectEvents(worker, 'task:completed');
    await broker.enqueueBatch(Array.from({ length: 10 }, (_, i) => createTask('job', i)));
    await worker.start();
    await waitFor(() => started === 10, { message: 'ten handlers running' });
    hold.open();
    await waitFor(() => completed.length === 10, { message: 'ten completions' });
    expect(acks).toEqual([10]);
    await worker.close();
  });

  it('acks each task alone with ackBatchWindowMs 0', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({
      broker,
      ackBatchWindowMs: 0,
      storeResults: true,
      handlers: { job: (p) => p },
    });
    const acks: number[] = [];
    broker.on('task:acked', (e) => acks.push(e.taskIds.length));
    const completed = collectEvents(worker, 'task:completed');
    await broker.enqueueBatch([createTask('job', 1), createTask('job', 2), createTask('job', 3)]);
    await worker.start();
    await waitFor(() => completed.length === 3, { message: 'three completions' });
    expect(acks).toEqual([1, 1, 1]);
    await worker.close();
  });

  it('completes a task whose result JSON cannot hold, storing the reason instead of the value', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({ broker, storeResults: true, handlers: { big: () => 10n } });
    const completed = nextEvent(worker, 'task:completed');
    await worker.start();
    const id = await broker.enqueue(createTask('big', null));
    expect((await completed).result).toBe(10n);
    expect((await taskRow(id)).state).toBe('completed');
    const result = await fx.root.database
      .selectFrom('celers_task_results')
      .selectAll()
      .where('task_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(result.status).toBe('SUCCESS');
    expect(result.result).toBeNull();
    expect(result.error).toMatch(/not JSON-serializable/);
    await worker.close();
  });

  it('fails an undecodable payload without retry and keeps processing others', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({ broker, handlers: { json: (p) => p } });
    const failed = nextEvent(worker, 'task:failed');
    const completed = nextEvent(worker, 'task:completed');
    await worker.start();
    const bad = createTask('json', null);
    const badId = await broker.enqueue({ ...bad, payload: new TextEncoder().encode('{not json') });
    const goodId = await broker.enqueue(createTask('json', { ok: true }));
    expect((await failed).taskId).toBe(badId);
    expect((await completed).taskId).toBe(goodId);
    expect((await taskRow(badId)).retry_count).toBe(0);
    await worker.close();
  });
});
