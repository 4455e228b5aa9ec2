import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createTask,
  DEFAULT_MAX_RETRIES,
  DEFAULT_PRIORITY,
  decodePayload,
  withNewTaskId,
} from '../src/index.js';

describe('createTask', () => {
  it('fills defaults and a UUIDv7 id', () => {
    const before = Date.now();
    const task = createTask('emails.send', { to: 'ana@example.com' });
    expect(task.metadata).toMatchObject({
      name: 'emails.send',
      priority: DEFAULT_PRIORITY,
      maxRetries: DEFAULT_MAX_RETRIES,
      timeoutMs: undefined,
      contentType: 'application/json',
      contentEncoding: 'identity',
      retryPolicy: undefined,
      custom: {},
    });
    expect(task.metadata.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(task.metadata.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(decodePayload(task)).toEqual({ to: 'ana@example.com' });
  });

  it('ids are unique and time-ordered', () => {
    const ids = Array.from({ length: 200 }, () => createTask('t', null).metadata.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('ids stay unique and ordered across many random-pool refills and within one millisecond', () => {
    // Thousands per millisecond: the counter, not the clock, orders them; 20,000 ids draw the pool ~80 times.
    const ids = Array.from({ length: 20_000 }, () => createTask('t', null).metadata.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const randomTails = new Set(ids.map((id) => id.slice(-10)));
    expect(randomTails.size).toBeGreaterThan(19_990); // the random part is not repeated between pool draws
    for (const id of ids.slice(0, 50))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps valid options and copies the metadata object', () => {
    const metadata = { tenant: 'acme' };
    const task = createTask('t', 1 as never, {
      id: 'A1B2C3D4-0000-4000-8000-000000000001',
      priority: -5,
      maxRetries: 0,
      timeoutMs: 1000,
      retryPolicy: { kind: 'fixed', delayMs: 10 },
      metadata,
      compression: true,
    });
    expect(task.metadata).toMatchObject({
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      priority: -5,
      maxRetries: 0,
      timeoutMs: 1000,
      retryPolicy: { kind: 'fixed', delayMs: 10 },
      custom: { tenant: 'acme' },
      contentEncoding: 'deflate',
    });
    metadata.tenant = 'changed';
    expect(task.metadata.custom.tenant).toBe('acme');
  });

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;

  it.each([
    ['name', '', {}],
    ['name', 'x'.repeat(256), {}],
    ['name', 'bad\nname', {}],
    ['name', 42, {}],
    ['options', 't', 'nope'],
    ['options.id', 't', { id: 'not-a-uuid' }],
    ['options.priority', 't', { priority: 1.5 }],
    ['options.priority', 't', { priority: 2 ** 31 }],
    ['options.priority', 't', { priority: Number.NaN }],
    ['options.maxRetries', 't', { maxRetries: -1 }],
    ['options.maxRetries', 't', { maxRetries: Number.POSITIVE_INFINITY }],
    ['options.timeoutMs', 't', { timeoutMs: 0 }],
    ['options.timeoutMs', 't', { timeoutMs: '5s' }],
    ['options.retryPolicy.kind', 't', { retryPolicy: { kind: 'sometimes' } }],
    ['options.retryPolicy.delayMs', 't', { retryPolicy: { kind: 'fixed', delayMs: -5 } }],
    [
      'options.retryPolicy.maxDelayMs',
      't',
      { retryPolicy: { kind: 'exponential', baseDelayMs: 100, multiplier: 2, maxDelayMs: 1 } },
    ],
    ['options.metadata', 't', { metadata: [1, 2] }],
    ['options.metadata', 't', { metadata: cyclic }],
    ['options.metadata', 't', { metadata: { big: 1n } }],
  ])('rejects bad %s (case %#)', (argument, name, options) => {
    expect(() => createTask(name as string, null, options as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });

  it('a non-JSON payload is INVALID_ARGUMENT naming the payload', () => {
    expect(() => createTask('t', { n: 1n } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'payload' }),
    );
  });

  it('any out-of-range priority is rejected, any in-range integer kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (priority) => {
        expect(createTask('t', null, { priority }).metadata.priority).toBe(priority);
      }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 2 ** 31, max: 2 ** 52 }),
          fc.integer({ min: -(2 ** 52), max: -(2 ** 31) - 1 }),
        ),
        (priority) => {
          expect(() => createTask('t', null, { priority })).toThrow(
            expect.objectContaining({ argument: 'options.priority' }),
          );
        },
      ),
    );
  });

  it('withNewTaskId copies the task under a fresh id', () => {
    const task = createTask('t', { a: 1 }, { metadata: { k: 'v' } });
    const copy = withNewTaskId(task);
    expect(copy.metadata.id).not.toBe(task.metadata.id);
    expect(copy.metadata.name).toBe('t');
    expect(copy.metadata.custom).toEqual({ k: 'v' });
    expect(copy.metadata.custom).not.toBe(task.metadata.custom);
    expect(copy.payload).toBe(task.payload);
  });
});
