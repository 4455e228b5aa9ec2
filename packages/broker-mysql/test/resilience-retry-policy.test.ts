import { createTask, type RetryPolicySpec } from '@celers/core';
import { computeRetryDelay, RetryPolicies, seededRandom } from '@celers/resilience';
import { parseJsonColumn } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

async function freshBroker(options: Parameters<MysqlBroker['forQueue']>[1] = {}): Promise<MysqlBroker> {
  const b = await root.forQueue(`retry-${++n}`, options);
  opened.push(b);
  return b;
}

async function dbNow(b: MysqlBroker): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`SELECT UTC_TIMESTAMP(6) AS now`.execute(b.database);
  return rows[0]!.now;
}

async function row(b: MysqlBroker, id: string) {
  return b.database.selectFrom('celers_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Makes a rescheduled task due now, so the next attempt can be claimed without waiting: `pending` too, since a
 * long backoff is stored `scheduled` and this broker promoted less than a second ago.
 */
async function makeDue(b: MysqlBroker, id: string): Promise<void> {
  await b.database
    .updateTable('celers_live_tasks')
    .set({ scheduled_at: sql<Date>`UTC_TIMESTAMP(6)`, state: 'pending' })
    .where('id', '=', id)
    .execute();
}

/**
 * Claims task `id` and rejects it with `reject`; asserts the stored `scheduled_at` is the database time of
 * the reject plus `expectedDelayMs` (bracketed by DB times read just before and after, 1 ms tolerance for
 * millisecond rounding). Returns the delay actually applied.
 */
async function rejectAndMeasure(
  b: MysqlBroker,
  id: string,
  reject: (receipt: string) => Promise<unknown>,
  expectedDelayMs: number,
): Promise<void> {
  const msg = await b.dequeue();
  expect(msg?.task.metadata.id).toBe(id);
  const before = await dbNow(b);
  const outcome = (await reject(msg!.receiptHandle)) as { outcome: string; retryAt: Date };
  const after = await dbNow(b);
  expect(outcome.outcome).toBe('retried');
  const scheduled = (await row(b, id)).scheduled_at.getTime();
  expect(scheduled).toBe(outcome.retryAt.getTime());
  expect(scheduled).toBeGreaterThanOrEqual(before.getTime() + expectedDelayMs - 1);
  expect(scheduled).toBeLessThanOrEqual(after.getTime() + expectedDelayMs + 1);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'retry-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('enqueueWithRetryPolicy', () => {
  it('stores the policy (and optional retry limit) with the task', async () => {
    const b = await freshBroker();
    const policy = RetryPolicies.exponential({ baseDelayMs: 250, multiplier: 3, maxDelayMs: 10_000 });
    const id = await b.retries.enqueueWithRetryPolicy(createTask('t', 1, { maxRetries: 2 }), policy, {
      maxRetries: 7,
    });
    const stored = await row(b, id);
    expect(parseJsonColumn(stored.retry_policy)).toEqual(policy);
    expect(stored.max_retries).toBe(7);
    const keep = await b.retries.enqueueWithRetryPolicy(
      createTask('t', 1, { maxRetries: 2 }),
      RetryPolicies.fixed(10),
    );
    expect((await row(b, keep)).max_retries).toBe(2);
    const msg = await b.dequeue();
    expect(msg?.task.metadata.retryPolicy).toEqual(policy);
  });

  it('validates before writing anything', async () => {
    const b = await freshBroker();
    const task = createTask('t', 1);
    const cases: Array<[unknown, unknown, string]> = [
      [{ kind: 'fibonacci' }, undefined, 'policy.kind'],
      [{ kind: 'fixed', delayMs: -1 }, undefined, 'policy.delayMs'],
      [
        { kind: 'exponential', baseDelayMs: 10, multiplier: Number.NaN, maxDelayMs: 100 },
        undefined,
        'policy.multiplier',
      ],
      [null, undefined, 'policy'],
      [RetryPolicies.fixed(1), { maxRetries: -1 }, 'options.maxRetries'],
      [RetryPolicies.fixed(1), 'fast', 'options'],
    ];
    for (const [policy, options, argument] of cases) {
      await expect(
        b.retries.enqueueWithRetryPolicy(task, policy as RetryPolicySpec, options as never),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument,
      });
    }
    await expect(b.retries.enqueueWithRetryPolicy({} as never, RetryPolicies.fixed(1))).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
      },
    );
    expect(await b.queueSize()).toBe(0);
  });
});

describe('rejection schedules the retry by the policy (database clock)', () => {
  it('fixed: the same delay every time', async () => {
    const b = await freshBroker();
    const id = await b.retries.enqueueWithRetryPolicy(
      createTask('t', 1, { maxRetries: 5 }),
      RetryPolicies.fixed(7_000),
    );
    for (let attempt = 1; attempt <= 3; attempt++) {
      await rejectAndMeasure(b, id, (r) => b.reject(id, r, { error: `e${attempt}` }), 7_000);
      await makeDue(b, id);
    }
    expect((await row(b, id)).retry_count).toBe(3);
  });

  it('linear: baseDelayMs × attempt, capped', async () => {
    const b = await freshBroker();
    const id = await b.retries.enqueueWithRetryPolicy(
      createTask('t', 1, { maxRetries: 5 }),
      RetryPolicies.linear({ baseDelayMs: 1_500, maxDelayMs: 4_000 }),
    );
    for (const expected of [1_500, 3_000, 4_000, 4_000]) {
      await rejectAndMeasure(b, id, (r) => b.reject(id, r), expected);
      await makeDue(b, id);
    }
  });

  it('exponential: base × multiplier^(attempt-1), capped at maxDelayMs', async () => {
    const b = await freshBroker();
    const id = await b.retries.enqueueWithRetryPolicy(
      createTask('t', 1, { maxRetries: 5 }),
      RetryPolicies.exponential({ baseDelayMs: 1_000, multiplier: 3, maxDelayMs: 20_000 }),
    );
    for (const expected of [1_000, 3_000, 9_000, 20_000]) {
      await rejectAndMeasure(b, id, (r) => b.reject(id, r), expected);
      await makeDue(b, id);
    }
  });

  it('exponential with jitter: the seeded broker random source gives reproducible delays in [d/2, d]', async () => {
    const seed = 20_240_611;
    const b = await freshBroker({ random: seededRandom(seed) });
    const policy = RetryPolicies.exponentialWithJitter({
      baseDelayMs: 10_000,
      multiplier: 2,
      maxDelayMs: 1_000_000,
    });
    const mirror = seededRandom(seed);
    const id = await b.retries.enqueueWithRetryPolicy(createTask('t', 1, { maxRetries: 5 }), policy);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const expected = computeRetryDelay(policy, attempt, mirror);
      const d = 10_000 * 2 ** (attempt - 1);
      expect(expected).toBeGreaterThanOrEqual(d / 2);
      expect(expected).toBeLessThanOrEqual(d);
      await rejectAndMeasure(b, id, (r) => b.reject(id, r), expected);
      await makeDue(b, id);
    }
  });

  it('a task without a policy uses the broker default (options.retryPolicy)', async () => {
    const b = await freshBroker({ retryPolicy: RetryPolicies.fixed(2_500) });
    const id = await b.enqueue(createTask('t', 1));
    await rejectAndMeasure(b, id, (r) => b.reject(id, r), 2_500);
  });
});

describe('rejectWithRetryPolicy', () => {
  it('applies the given policy instead of the stored one', async () => {
    const b = await freshBroker();
    const id = await b.retries.enqueueWithRetryPolicy(
      createTask('t', 1, { maxRetries: 5 }),
      RetryPolicies.fixed(60_000),
    );
    await rejectAndMeasure(
      b,
      id,
      (r) => b.retries.rejectWithRetryPolicy(id, r, RetryPolicies.fixed(1_234), { error: 'x' }),
      1_234,
    );
    await makeDue(b, id);
    await rejectAndMeasure(
      b,
      id,
      (r) => b.retries.rejectWithRetryPolicy(id, r, RetryPolicies.linear({ baseDelayMs: 100 })),
      200,
    );
    expect(parseJsonColumn((await row(b, id)).retry_policy)).toEqual(RetryPolicies.fixed(60_000)); // stored policy unchanged
    expect((await row(b, id)).error_message).toBeNull();
  });

  it('still dead-letters when retries are exhausted, and fails at once with requeue: false', async () => {
    const b = await freshBroker();
    const id = await b.enqueue(createTask('t', 1, { maxRetries: 0 }));
    const msg = await b.dequeue();
    const outcome = await b.retries.rejectWithRetryPolicy(id, msg!.receiptHandle, RetryPolicies.fixed(10), {
      error: 'boom',
    });
    expect(outcome.outcome).toBe('dead-lettered');
    const dlq = await b.database
      .selectFrom('celers_dead_letter_queue')
      .select('error_message')
      .where('task_id', '=', id)
      .execute();
    expect(dlq).toEqual([{ error_message: 'boom' }]);

    const other = await b.enqueue(createTask('t', 2, { maxRetries: 3 }));
    const m2 = await b.dequeue();
    expect(
      await b.retries.rejectWithRetryPolicy(other, m2!.receiptHandle, RetryPolicies.fixed(10), {
        requeue: false,
      }),
    ).toEqual({
      outcome: 'failed',
    });
    expect((await row(b, other)).state).toBe('failed');
  });

  it('validates every argument before touching the task', async () => {
    const b = await freshBroker();
    const id = await b.enqueue(createTask('t', 1));
    const msg = await b.dequeue();
    const receipt = msg!.receiptHandle;
    const before = await row(b, id);
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => b.retries.rejectWithRetryPolicy(id, receipt, { kind: 'nope' } as never), 'policy.kind'],
      [
        () => b.retries.rejectWithRetryPolicy(id, receipt, RetryPolicies.fixed(5), { delayMs: 5 }),
        'options.delayMs',
      ],
      [() => b.retries.rejectWithRetryPolicy('nope', receipt, RetryPolicies.fixed(5)), 'taskId'],
      [() => b.retries.rejectWithRetryPolicy(id, 'nope', RetryPolicies.fixed(5)), 'receiptHandle'],
      [
        () => b.retries.rejectWithRetryPolicy(id, receipt, RetryPolicies.fixed(5), { error: 5 } as never),
        'options.error',
      ],
    ];
    for (const [call, argument] of cases)
      await expect(call()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument });
    expect(await row(b, id)).toEqual(before);
  });

  it('a stale receipt is STALE_RECEIPT and changes nothing', async () => {
    const b = await freshBroker();
    const id = await b.enqueue(createTask('t', 1));
    const msg = await b.dequeue();
    await b.ack(id, msg!.receiptHandle);
    await expect(
      b.retries.rejectWithRetryPolicy(id, msg!.receiptHandle, RetryPolicies.fixed(5)),
    ).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    expect((await row(b, id)).state).toBe('completed');
  });
});
