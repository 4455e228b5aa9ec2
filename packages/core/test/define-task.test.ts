import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CelersError,
  createTask,
  decodePayload,
  defineTask,
  type SerializedTask,
  type TaskDefinition,
} from '../src/index.js';

declare module '../src/index.js' {
  interface TaskRegistry {
    'registry.ping': { at: number };
  }
}

const isEmail = (p: unknown): p is { to: string } =>
  typeof p === 'object' && p !== null && typeof (p as { to?: unknown }).to === 'string';

function invalid(fn: () => unknown): CelersError {
  try {
    fn();
  } catch (error) {
    expect(CelersError.isInstance(error)).toBe(true);
    expect((error as CelersError).code).toBe('INVALID_ARGUMENT');
    return error as CelersError;
  }
  throw new Error('expected an INVALID_ARGUMENT');
}

describe('defineTask', () => {
  it('creates tasks with the definition defaults and per-call overrides', () => {
    const sendEmail = defineTask('emails.send', {
      retries: 5,
      priority: 2,
      timeoutMs: 1_000,
      validate: isEmail,
    });
    expect(sendEmail.name).toBe('emails.send');
    const task = sendEmail.create({ to: 'ana@example.com' });
    expect(task.metadata).toMatchObject({
      name: 'emails.send',
      maxRetries: 5,
      priority: 2,
      timeoutMs: 1_000,
    });
    expect(decodePayload(task)).toEqual({ to: 'ana@example.com' });
    const urgent = sendEmail.create({ to: 'bo@example.com' }, { priority: 9, metadata: { tenant: 't1' } });
    expect(urgent.metadata).toMatchObject({ priority: 9, maxRetries: 5, custom: { tenant: 't1' } });
  });

  it('refuses a payload its validate or schema rejects, naming payload', () => {
    const sendEmail = defineTask('emails.send', { validate: isEmail });
    expect(invalid(() => sendEmail.create({ to: 42 } as never)).argument).toBe('payload');
    const schema = {
      parse(input: unknown): { n: number } {
        if (typeof (input as { n?: unknown })?.n !== 'number') throw new Error('n must be a number');
        return { n: Math.trunc((input as { n: number }).n) };
      },
    };
    const count = defineTask('count', { schema });
    expect(decodePayload(count.create({ n: 2.7 }))).toEqual({ n: 2 });
    const error = invalid(() => count.create({ n: 'x' } as never));
    expect(error.argument).toBe('payload');
    expect(error.message).toContain('n must be a number');
  });

  it('checks its options once, naming the field', () => {
    expect(invalid(() => defineTask('')).argument).toBe('name');
    expect(invalid(() => defineTask('a', { retries: -1 })).argument).toBe('options.retries');
    expect(invalid(() => defineTask('a', { priority: 1.5 })).argument).toBe('options.priority');
    expect(invalid(() => defineTask('a', { timeoutMs: 0 })).argument).toBe('options.timeoutMs');
    expect(invalid(() => defineTask('a', { queue: 'bad queue' })).argument).toBe('options.queue');
    expect(invalid(() => defineTask('a', { schema: {} as never })).argument).toBe('options.schema');
    expect(
      invalid(() => defineTask('a', { validate: isEmail, schema: { parse: () => ({ to: '' }) } })).argument,
    ).toBe('options');
    expect(invalid(() => defineTask('a').handler(42 as never)).argument).toBe('handler');
  });

  it('refuses a non-broker and a broker of another queue before any I/O', async () => {
    const report = defineTask('reports.build', { queue: 'reports' });
    await expect(report.enqueue({} as never, {})).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'broker',
    });
    const otherQueue = { queueName: 'default', enqueue: async () => 'x', enqueueAfter: async () => 'x' };
    await expect(report.enqueue(otherQueue, {})).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'broker',
    });
    await expect(report.enqueueAndWait(otherQueue as never, {})).rejects.toMatchObject({
      argument: 'broker',
    });
  });

  it('types payloads from the guard, the schema, the registry or the type arguments', () => {
    const sendEmail = defineTask('emails.send', { validate: isEmail });
    expectTypeOf(sendEmail.name).toEqualTypeOf<'emails.send'>();
    expectTypeOf(sendEmail.create).parameter(0).toEqualTypeOf<{ to: string }>();
    // @ts-expect-error the payload must match the guard's type
    invalid(() => sendEmail.create({ to: 1 }));
    const ping = defineTask('registry.ping');
    expectTypeOf(ping.create).parameter(0).toEqualTypeOf<{ at: number }>();
    const report = defineTask<'reports.build', { month: string }, { rows: number }>('reports.build');
    expectTypeOf(report).toEqualTypeOf<
      TaskDefinition<'reports.build', { month: string }, { rows: number }>
    >();
    expectTypeOf(report.enqueueAndWait).returns.toEqualTypeOf<Promise<{ rows: number }>>();
    const bound = sendEmail.handler(
      (payload: { to: string }, ctx: { attempt: number }) => payload.to + ctx.attempt,
    );
    expectTypeOf(bound.definition.name).toEqualTypeOf<'emails.send'>();
    // createTask's type parameter is the task name (payload types come from the registry)
    expectTypeOf(createTask<'registry.ping'>)
      .parameter(1)
      .toEqualTypeOf<{ at: number }>();
    expectTypeOf(sendEmail.create({ to: 'a' })).toEqualTypeOf<SerializedTask>();
  });
});
