import { CelersError } from '@celers/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ACK_BATCH_WINDOW_MS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_BUSY_POLL_WINDOW_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_POLL_INTERVAL_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_PREFETCH_MULTIPLIER,
  DEFAULT_RECOVERY_INTERVAL_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_WORKER_LEASE_MS,
  resolveWorkerOptions,
  Worker,
  type WorkerOptions,
} from '../src/index.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('options');
const handlers = { job: () => undefined };

function invalidArgumentOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (CelersError.isInstance(error) && error.code === 'INVALID_ARGUMENT') return error.argument;
    throw error;
  }
  throw new Error('expected INVALID_ARGUMENT, nothing was thrown');
}

describe('resolveWorkerOptions', () => {
  it('applies the exported defaults and freezes the result', async () => {
    const broker = await fx.queue();
    const o = resolveWorkerOptions({ broker, handlers });
    expect(o).toMatchObject({
      concurrency: DEFAULT_CONCURRENCY,
      batchSize: DEFAULT_BATCH_SIZE,
      prefetch: DEFAULT_PREFETCH_MULTIPLIER * DEFAULT_CONCURRENCY,
      pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
      maxPollIntervalMs: DEFAULT_MAX_POLL_INTERVAL_MS,
      busyPollWindowMs: DEFAULT_BUSY_POLL_WINDOW_MS,
      leaseMs: DEFAULT_WORKER_LEASE_MS,
      heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
      recoveryIntervalMs: DEFAULT_WORKER_LEASE_MS / 2, // derived from the lease
      shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS,
      ackBatchWindowMs: DEFAULT_ACK_BATCH_WINDOW_MS,
      storeResults: false,
      handleSignals: false,
    });
    expect(o.workerId).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{6}$`));
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.handlers)).toBe(true);
    // Handler lookup must not find Object.prototype members for task names like "constructor".
    expect(o.handlers.constructor).toBeUndefined();
    expect(o.fallbackHandler).toBeNull();
    const fallback = () => 'any';
    expect(resolveWorkerOptions({ broker, handlers: {}, fallbackHandler: fallback }).fallbackHandler).toBe(
      fallback,
    );
    expect(resolveWorkerOptions({ broker, handlers, pollIntervalMs: 10_000 }).maxPollIntervalMs).toBe(10_000);
    // Recovery follows the lease: half of it, between 100 ms and DEFAULT_RECOVERY_INTERVAL_MS; 0 turns it off.
    expect(resolveWorkerOptions({ broker, handlers, leaseMs: 1_000 }).recoveryIntervalMs).toBe(500);
    expect(resolveWorkerOptions({ broker, handlers, leaseMs: 100 }).recoveryIntervalMs).toBe(100);
    expect(resolveWorkerOptions({ broker, handlers, leaseMs: 600_000 }).recoveryIntervalMs).toBe(
      DEFAULT_RECOVERY_INTERVAL_MS,
    );
    expect(resolveWorkerOptions({ broker, handlers, recoveryIntervalMs: 0 }).recoveryIntervalMs).toBe(0);
    // The default prefetch follows the concurrency; an explicit 0 turns it off.
    expect(resolveWorkerOptions({ broker, handlers, concurrency: 3 }).prefetch).toBe(
      3 * DEFAULT_PREFETCH_MULTIPLIER,
    );
    expect(resolveWorkerOptions({ broker, handlers, prefetch: 0 }).prefetch).toBe(0);
  });

  it('rejects bad options with INVALID_ARGUMENT naming the option', async () => {
    const broker = await fx.queue();
    const base: WorkerOptions = { broker, handlers };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ concurrency: 0 }, 'options.concurrency'],
      [{ concurrency: 1.5 }, 'options.concurrency'],
      [{ concurrency: Number.NaN }, 'options.concurrency'],
      [{ concurrency: '4' }, 'options.concurrency'],
      [{ batchSize: 0 }, 'options.batchSize'],
      [{ batchSize: 1_001 }, 'options.batchSize'],
      [{ prefetch: -1 }, 'options.prefetch'],
      [{ prefetch: 10_001 }, 'options.prefetch'],
      [{ prefetch: 2.5 }, 'options.prefetch'],
      [{ pollIntervalMs: -1 }, 'options.pollIntervalMs'],
      [{ pollIntervalMs: Number.POSITIVE_INFINITY }, 'options.pollIntervalMs'],
      [{ pollIntervalMs: 500, maxPollIntervalMs: 100 }, 'options.maxPollIntervalMs'],
      [{ busyPollWindowMs: -1 }, 'options.busyPollWindowMs'],
      [{ leaseMs: 0 }, 'options.leaseMs'],
      [{ heartbeatIntervalMs: 0 }, 'options.heartbeatIntervalMs'],
      [{ recoveryIntervalMs: -5 }, 'options.recoveryIntervalMs'],
      [{ recoveryIntervalMs: 50 }, 'options.recoveryIntervalMs'],
      [{ shutdownTimeoutMs: -1 }, 'options.shutdownTimeoutMs'],
      [{ ackBatchWindowMs: 0.5 }, 'options.ackBatchWindowMs'],
      [{ storeResults: 'yes' }, 'options.storeResults'],
      [{ handleSignals: 1 }, 'options.handleSignals'],
      [{ workerId: '' }, 'options.workerId'],
      [{ workerId: 'a\nb' }, 'options.workerId'],
      [{ workerId: 'x'.repeat(256) }, 'options.workerId'],
      [{ logger: { info: () => undefined } }, 'options.logger'],
      [{ broker: undefined }, 'options.broker'],
      [{ broker: { dequeueBatch: () => [] } }, 'options.broker'],
      [{ handlers: undefined }, 'options.handlers'],
      [{ handlers: {} }, 'options.handlers'],
      [{ handlers: [] }, 'options.handlers'],
      [{ handlers: { job: 'not a function' } }, 'options.handlers.job'],
      [{ fallbackHandler: 'not a function' }, 'options.fallbackHandler'],
      [
        { handlers: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`t${i}`, () => i])) },
        'options.handlers',
      ],
    ];
    for (const [patch, argument] of cases) {
      const options = { ...base, ...patch } as WorkerOptions;
      expect(
        invalidArgumentOf(() => resolveWorkerOptions(options)),
        JSON.stringify(Object.keys(patch)),
      ).toBe(argument);
      expect(invalidArgumentOf(() => new Worker(options))).toBe(argument);
    }
    expect(invalidArgumentOf(() => resolveWorkerOptions(null as unknown as WorkerOptions))).toBe('options');
  });

  it('validates close() options before doing anything', async () => {
    const broker = await fx.queue();
    const worker = fx.worker({ broker, handlers });
    await worker.start();
    await expect(worker.close({ timeoutMs: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'options.timeoutMs',
    });
    await expect(worker.close({ timeoutMs: Number.NaN })).rejects.toMatchObject({
      argument: 'options.timeoutMs',
    });
    expect(worker.isRunning).toBe(true); // the bad calls changed nothing
    await worker.close();
  });
});
