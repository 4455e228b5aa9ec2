import { CelersError, defineTask } from '@celers/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { resolveWorkerOptions, type TaskContext } from '../src/index.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('typed');

const isAdd = (p: unknown): p is { a: number; b: number } =>
  typeof (p as { a?: unknown })?.a === 'number' && typeof (p as { b?: unknown })?.b === 'number';
const add = defineTask<'math.add', { a: number; b: number }, { sum: number }>('math.add', {
  validate: isAdd,
  retries: 0,
});
const fail = defineTask('math.fail', { retries: 0 });

describe('defineTask with a Worker', () => {
  it('enqueueAndWait resolves with the handler result of a worker registered through tasks', {
    timeout: 30_000,
  }, async () => {
    const broker = await fx.queue();
    const seen: number[] = [];
    const worker = fx.worker({
      broker,
      storeResults: true,
      tasks: [
        add.handler(async (payload, ctx) => {
          expectTypeOf(payload).toEqualTypeOf<{ a: number; b: number }>();
          expectTypeOf(ctx).toEqualTypeOf<TaskContext>();
          seen.push(ctx.attempt);
          return { sum: payload.a + payload.b };
        }),
        fail.handler(() => {
          throw new Error('no such sum');
        }),
      ],
    });
    await worker.start();
    const result = await add.enqueueAndWait(broker, { a: 2, b: 3 }, { timeoutMs: 20_000 });
    expect(result).toEqual({ sum: 5 });
    expect(seen).toEqual([1]);
    await expect(fail.enqueueAndWait(broker, {}, { timeoutMs: 20_000 })).rejects.toMatchObject({
      code: 'TASK_FAILED',
    });
    const stored = await broker.tasks.statistics();
    expect(stored.completed).toBe(1);
    await worker.close();
  });

  it('enqueue stores the definition defaults and refuses a bad payload without writing a row', async () => {
    const broker = await fx.queue();
    const id = await add.enqueue(broker, { a: 1, b: 1 }, { priority: 7 });
    const task = await broker.tasks.get(id);
    expect(task).toMatchObject({ taskName: 'math.add', priority: 7, maxRetries: 0, state: 'pending' });
    await expect(add.enqueue(broker, { a: 'x' } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'payload',
    });
    expect(await broker.queueSize()).toBe(1);
  });

  it('refuses duplicate names, bindings for another queue and values that are not bindings', async () => {
    const broker = await fx.queue();
    const refuse = (options: Parameters<typeof resolveWorkerOptions>[0]) => {
      try {
        resolveWorkerOptions(options);
      } catch (error) {
        expect(CelersError.isInstance(error) && error.code).toBe('INVALID_ARGUMENT');
        return (error as CelersError).argument;
      }
      throw new Error('expected INVALID_ARGUMENT');
    };
    const handler = add.handler(({ a, b }) => ({ sum: a + b }));
    expect(refuse({ broker, handlers: { 'math.add': () => 1 }, tasks: [handler] })).toBe('options.tasks[0]');
    const elsewhere = defineTask('math.add', { queue: 'elsewhere' }).handler(() => 1);
    expect(refuse({ broker, tasks: [handler, elsewhere] })).toBe('options.tasks[1]');
    expect(refuse({ broker, tasks: [{ run: 1 } as never] })).toBe('options.tasks[0]');
    expect(refuse({ broker, tasks: 'x' as never })).toBe('options.tasks');
    expect(refuse({ broker })).toBe('options.handlers');
    expect(Object.keys(resolveWorkerOptions({ broker, tasks: [handler] }).handlers)).toEqual(['math.add']);
  });
});
