import { CelersError, createTask } from '@celers/core';
import { describe, expect, it } from 'vitest';
import { AckBatcher } from '../src/internal/ack-batcher.js';
import { LazyAbort } from '../src/internal/lazy-abort.js';
import { PollBackoff } from '../src/internal/poll-backoff.js';
import { PrefetchSizer } from '../src/internal/prefetch-sizer.js';
import { settleWithRetry } from '../src/internal/settle-retry.js';
import { Wakeup } from '../src/internal/wakeup.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('internals');

describe('AckBatcher', () => {
  it('confirms every ack of a full batch, and reports a lone stale ack as stale', async () => {
    const broker = await fx.queue();
    await broker.enqueueBatch([createTask('a', 1), createTask('a', 2), createTask('a', 3)]);
    const [m1, m2, m3] = await broker.dequeueBatch(3);
    const acker = new AckBatcher(broker, 50, 100);
    const both = [m1!, m2!].map((m) =>
      acker.ack({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle }),
    );
    expect(await Promise.all(both)).toEqual(['acked', 'acked']);

    await broker.cancel(m3!.task.metadata.id); // its receipt is stale now
    expect(await acker.ack({ taskId: m3!.task.metadata.id, receiptHandle: m3!.receiptHandle })).toBe('stale');
  });

  it('gives each ack of a mixed batch its own outcome (acked, stale, missing)', async () => {
    const broker = await fx.queue();
    await broker.enqueueBatch([createTask('a', 1), createTask('a', 2)]);
    const [live, stale] = await broker.dequeueBatch(2);
    await broker.cancel(stale!.task.metadata.id);
    const acker = new AckBatcher(broker, 50, 100);
    const results = await Promise.all([
      ...[live!, stale!].map((m) =>
        acker.ack({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle }),
      ),
      acker.ack({ taskId: '0190a0b0-0000-7000-8000-00000000abcd', receiptHandle: live!.receiptHandle }),
    ]);
    expect(results).toEqual(['acked', 'stale', 'missing']);
    const row = await fx.root.database
      .selectFrom('celers_tasks')
      .select('state')
      .where('id', '=', live!.task.metadata.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('completed'); // the live one was acked all the same
  });

  it('flushes at once when maxBatch acks are waiting, and flush() drains the rest', async () => {
    const broker = await fx.queue();
    await broker.enqueueBatch([createTask('a', 1), createTask('a', 2), createTask('a', 3)]);
    const messages = await broker.dequeueBatch(3);
    const sizes: number[] = [];
    broker.on('task:acked', (e) => sizes.push(e.taskIds.length));
    const acker = new AckBatcher(broker, 60_000, 2); // a window no test would wait out
    const acks = messages.map((m) =>
      acker.ack({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle }),
    );
    await Promise.all(acks.slice(0, 2));
    await acker.flush();
    expect(await Promise.all(acks)).toEqual(['acked', 'acked', 'acked']);
    expect(sizes).toEqual([2, 1]);
  });
});

describe('PollBackoff', () => {
  it('doubles from the minimum to the maximum with ±25% jitter, and resets', () => {
    let r = 0.5; // no jitter at the midpoint
    const backoff = new PollBackoff(100, 1_000, { random: () => r });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    r = 0;
    expect(backoff.next()).toBe(750);
    r = 0.999;
    expect(backoff.next()).toBe(1_000); // never above the maximum
    backoff.reset();
    r = 0;
    expect(backoff.next()).toBe(75);
  });

  it('keeps the shortest delay for the warm window after work was found, then doubles', () => {
    let now = 0;
    const backoff = new PollBackoff(1, 100, { warmMs: 20, random: () => 0.5, now: () => now });
    expect(backoff.next()).toBe(1); // never found work: backs off at once
    expect(backoff.next()).toBe(2);
    backoff.reset(); // found work at t=0
    const warm: number[] = [];
    for (now = 0; now < 20; now += 1) warm.push(backoff.next());
    expect(new Set(warm)).toEqual(new Set([1]));
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([1, 2, 4, 8]);
  });
});

describe('Wakeup', () => {
  it('ends a wait early on wake(), and keeps a wake that came while nobody waited', async () => {
    const wakeup = new Wakeup();
    let woke = false;
    const waiting = wakeup.wait(60_000).then(() => {
      woke = true;
    });
    expect(woke).toBe(false);
    wakeup.wake();
    await waiting;
    expect(woke).toBe(true);
    wakeup.wake(); // nobody waiting: remembered
    await wakeup.wait(); // returns at once (it would hang forever otherwise)
    await wakeup.wait(5); // and only once: this one ends by its timeout
  });
});

describe('PrefetchSizer', () => {
  it('prefetches nothing until it has seen a rate, then what finishes in the window, capped, decaying when idle', () => {
    const sizer = new PrefetchSizer(40, 200, 0);
    expect(sizer.target(50)).toBe(0); // no sample yet
    for (let i = 0; i < 10; i++) sizer.noteCompleted();
    expect(sizer.target(100)).toBe(20); // 10 per 100 ms = 0.1/ms × 200 ms
    for (let i = 0; i < 1_000; i++) sizer.noteCompleted();
    expect(sizer.target(200)).toBe(40); // fast tasks: capped at max
    expect(sizer.target(300)).toBe(40); // one idle sample halves the rate (still above the cap)
    for (let t = 400; t <= 2_400; t += 100) sizer.target(t);
    expect(sizer.target(2_500)).toBe(0); // nothing completes: the prefetch dries up
  });

  it('keeps slow tasks unprefetched: one per second at a 200 ms window is 0', () => {
    const sizer = new PrefetchSizer(100, 200, 0);
    sizer.noteCompleted();
    expect(sizer.target(1_000)).toBe(0);
  });
});

describe('settleWithRetry', () => {
  const unavailable = () => new CelersError('DATABASE_UNAVAILABLE', 'ackBatch: database unavailable');
  const limits = (leaseMs: number, abort = new LazyAbort<string>()) => {
    const retries: number[] = [];
    return {
      retries,
      limits: {
        leaseExpiresAt: () => started + leaseMs,
        abort,
        onRetry: (_error: unknown, attempt: number) => retries.push(attempt),
      },
    };
  };
  let started = Date.now();

  it('retries unavailable, timeout, CIRCUIT_OPEN and lost deadlocks until the settlement goes through', async () => {
    started = Date.now();
    const failures = [
      unavailable(),
      new CelersError('CIRCUIT_OPEN', 'open'),
      new CelersError('DATABASE_TIMEOUT' as never, 'statement timeout'),
      new CelersError('DATABASE_ERROR', 'deadlock', { cause: { errno: 1213 } }),
      new CelersError('DATABASE_ERROR', 'lock wait', { cause: { errno: 1205 } }),
    ];
    let calls = 0;
    const { retries, limits: l } = limits(60_000);
    const result = await settleWithRetry(
      async () => {
        const failure = failures[calls++];
        if (failure) throw failure;
        return 'acked';
      },
      () => l,
    );
    expect(result).toBe('acked');
    expect(calls).toBe(6);
    expect(retries).toEqual([1, 2, 3, 4, 5]);
  });

  it('never retries STALE_RECEIPT or other errors', async () => {
    for (const error of [
      new CelersError('STALE_RECEIPT', 'lost'),
      new CelersError('DATABASE_ERROR', 'syntax', { cause: { errno: 1064 } }),
      new Error('not a CelersError'),
    ]) {
      let calls = 0;
      const { limits: l } = limits(60_000);
      await expect(
        settleWithRetry(
          async () => {
            calls++;
            throw error;
          },
          () => l,
        ),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });

  it('gives up with the last error once the next try would land after the lease', async () => {
    started = Date.now();
    const { retries, limits: l } = limits(400);
    let calls = 0;
    await expect(
      settleWithRetry(
        async () => {
          calls++;
          throw unavailable();
        },
        () => l,
      ),
    ).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(400);
    expect(calls).toBeGreaterThan(1);
    expect(retries.length).toBe(calls - 1);
  });

  it('stops at once when the runner is aborted (lease lost, shutdown)', async () => {
    const abort = new LazyAbort<string>();
    const { limits: l } = limits(60_000, abort);
    let calls = 0;
    const settling = settleWithRetry(
      async () => {
        calls++;
        if (calls === 1) setTimeout(() => abort.abort('lease lost'), 5);
        throw unavailable();
      },
      () => l,
    );
    await expect(settling).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(calls).toBe(1);
  });
});

describe('LazyAbort', () => {
  it('builds its AbortSignal only when asked, aborted with the reason whenever that is', () => {
    const early = new LazyAbort<Error>();
    const signal = early.signal;
    const reason = new Error('shutdown');
    early.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);

    const late = new LazyAbort<Error>();
    late.abort(reason);
    late.abort(new Error('second abort is ignored'));
    expect(late.aborted).toBe(true);
    expect(late.reason).toBe(reason);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(reason);
  });

  it('runs each callback once, at once when already aborted, and not after unregistering', () => {
    const abort = new LazyAbort<string>();
    const seen: string[] = [];
    abort.onAbort((r) => seen.push(`a:${r}`));
    const unregister = abort.onAbort((r) => seen.push(`b:${r}`));
    unregister();
    abort.abort('x');
    abort.abort('y');
    abort.onAbort((r) => seen.push(`c:${r}`));
    expect(seen).toEqual(['a:x', 'c:x']);
  });
});
