import { createTask, type DequeueOptions } from '@celers/core';
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '../src/index.js';
import { countsByState } from './support/task-counts.js';
import { collectEvents, nextEvent, waitFor } from './support/wait-for.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('routing');
const noDelay = { kind: 'fixed', delayMs: 0 } as const;

async function taskRow(id: string) {
  return fx.root.database
    .selectFrom('celers_tasks')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('Workers with different handler sets on one queue', () => {
  it('drain a mixed queue with 0 failures, each task run by the worker that handles it; an unhandled task stays pending', async () => {
    const broker = await fx.queue();
    const ranBy = new Map<string, string>();
    const record = (who: string) => (_payload: unknown, ctx: TaskContext) => {
      ranBy.set(ctx.taskId, `${who}:${ctx.taskName}`);
    };
    const emails = fx.worker({
      broker,
      workerId: 'w-emails',
      handlers: { 'emails.send': record('w-emails'), 'emails.bounce': record('w-emails') },
    });
    const images = fx.worker({
      broker,
      workerId: 'w-images',
      handlers: { 'images.resize': record('w-images') },
    });
    const failures = [...collectEvents(emails, 'task:failed'), ...collectEvents(images, 'task:failed')];
    const retries = [...collectEvents(emails, 'task:retried'), ...collectEvents(images, 'task:retried')];

    const names = ['emails.send', 'images.resize', 'emails.bounce'];
    const tasks = Array.from({ length: 90 }, (_, i) =>
      createTask(names[i % 3]!, { i }, { retryPolicy: noDelay }),
    );
    const ids = await broker.enqueueBatch(tasks);
    const orphan = await broker.enqueue(createTask('video.encode', {}));
    await Promise.all([emails.start(), images.start()]);

    await waitFor(async () => (await countsByState(broker.database, broker.queueName)).completed === 90, {
      message: 'both workers to drain their tasks',
    });
    expect(failures).toEqual([]);
    expect(retries).toEqual([]);
    for (const [i, id] of ids.entries()) {
      const name = names[i % 3]!;
      const owner = name.startsWith('emails.') ? 'w-emails' : 'w-images';
      expect(ranBy.get(id)).toBe(`${owner}:${name}`);
      expect(await taskRow(id)).toMatchObject({ state: 'completed', worker_id: owner, delivery_count: 1 });
    }
    expect(await taskRow(orphan)).toMatchObject({ state: 'pending', delivery_count: 0, worker_id: null });
    expect(await countsByState(broker.database, broker.queueName)).toEqual({ completed: 90, pending: 1 });
    await Promise.all([emails.close(), images.close()]);
  });

  it('claims with its handler names, or any name when it has a fallbackHandler', async () => {
    const broker = await fx.queue();
    const asked: Array<readonly string[] | undefined> = [];
    const spy = new Proxy(broker, {
      get(target, key) {
        if (key === 'dequeueBatch')
          return (count: number, options?: DequeueOptions) => {
            asked.push(options?.taskNames);
            return target.dequeueBatch(count, options);
          };
        const value = Reflect.get(target, key); // getters read #private fields: run them on the broker itself
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const named = fx.worker({ broker: spy, handlers: { a: () => 'a', b: () => 'b' } });
    await named.start();
    await waitFor(() => asked.length > 0, { message: 'a claim' });
    await named.close();
    expect(asked[0]).toEqual(['a', 'b']);

    asked.length = 0;
    const seen: string[] = [];
    const catchAll = fx.worker({
      broker: spy,
      handlers: { a: () => seen.push('handler:a') },
      fallbackHandler: (_payload, ctx) => seen.push(`fallback:${ctx.taskName}`),
    });
    await broker.enqueueBatch([createTask('a', 1), createTask('zzz', 2)]);
    await catchAll.start();
    await waitFor(async () => (await countsByState(broker.database, broker.queueName)).completed === 2, {
      message: 'both tasks completed',
    });
    expect(asked[0]).toBeUndefined();
    expect(seen.sort()).toEqual(['fallback:zzz', 'handler:a']);
    await catchAll.close();
  });
});

describe('a broker that ignores taskNames', () => {
  it('hands the worker a task it has no handler for: the worker fails it at once, without retrying it', async () => {
    const broker = await fx.queue();
    const ignoring = new Proxy(broker, {
      get(target, key) {
        if (key === 'dequeueBatch')
          return (count: number, { taskNames: _, ...options }: DequeueOptions = {}) =>
            target.dequeueBatch(count, options);
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    let calls = 0;
    const worker = fx.worker({ broker: ignoring, handlers: { known: () => (calls += 1) } });
    const retrying = collectEvents(worker, 'task:retried');
    const failed = nextEvent(worker, 'task:failed');
    await worker.start();
    const id = await broker.enqueue(
      createTask('unknown.task', { x: 1 }, { maxRetries: 5, retryPolicy: noDelay }),
    );
    const event = await failed;
    expect(event).toMatchObject({ taskId: id, outcome: { outcome: 'failed' } });
    expect(event.error.message).toContain('No handler for task "unknown.task"');
    expect(retrying).toEqual([]);
    expect(calls).toBe(0);
    expect(await taskRow(id)).toMatchObject({ state: 'failed', retry_count: 0 });
    await worker.close();
  });
});

describe('ctx.deliveryCount and ctx.redelivered', () => {
  it('tell a first delivery, a redelivery after a release, and a retry apart', async () => {
    const broker = await fx.queue();
    const seen: Array<{ name: string; attempt: number; deliveryCount: number; redelivered: boolean }> = [];
    const worker = fx.worker({
      broker,
      handlers: {
        fresh: (_p, ctx) => void seen.push({ name: ctx.taskName, ...pick(ctx) }),
        released: (_p, ctx) => void seen.push({ name: ctx.taskName, ...pick(ctx) }),
        flaky: (_p, ctx) => {
          seen.push({ name: ctx.taskName, ...pick(ctx) });
          if (ctx.attempt === 1) throw new Error('first attempt fails');
        },
      },
    });
    // Claimed once by someone else and given back before the worker sees it.
    const releasedId = await broker.enqueue(createTask('released', {}));
    const claimed = await broker.dequeue();
    await broker.release(releasedId, claimed!.receiptHandle);
    await broker.enqueue(createTask('fresh', {}));
    await broker.enqueue(createTask('flaky', {}, { maxRetries: 2, retryPolicy: noDelay }));
    await worker.start();
    await waitFor(async () => (await countsByState(broker.database, broker.queueName)).completed === 3, {
      message: 'three completed tasks',
    });
    await worker.close();
    expect(seen.sort((x, y) => `${x.name}${x.attempt}`.localeCompare(`${y.name}${y.attempt}`))).toEqual([
      { name: 'flaky', attempt: 1, deliveryCount: 1, redelivered: false },
      { name: 'flaky', attempt: 2, deliveryCount: 2, redelivered: false },
      { name: 'fresh', attempt: 1, deliveryCount: 1, redelivered: false },
      { name: 'released', attempt: 1, deliveryCount: 2, redelivered: true },
    ]);
  });
});

function pick(ctx: TaskContext) {
  return { attempt: ctx.attempt, deliveryCount: ctx.deliveryCount, redelivered: ctx.redelivered };
}
