import { CelersError } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DLQ_RETENTION_MS,
  DEFAULT_MAINTAINER_LEASE_MS,
  DEFAULT_RECOVERY_INTERVAL_MS,
  DEFAULT_RESULT_RETENTION_MS,
  DEFAULT_RETENTION_INTERVAL_MS,
  DEFAULT_STALE_WORKER_INTERVAL_MS,
  DEFAULT_TABLE_MAINTENANCE_INTERVAL_MS,
  DEFAULT_TASK_RETENTION_MS,
  Maintainer,
  type MaintainerOptions,
  MysqlBroker,
  resolveMaintainerOptions,
} from '../src/index.js';
import { maintainerLockName } from '../src/maintenance/maintainer/job-lease.js';

function invalid(fn: () => unknown, argument: string): void {
  try {
    fn();
  } catch (error) {
    expect(CelersError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', argument });
    return;
  }
  throw new Error(`expected INVALID_ARGUMENT for ${argument}`);
}

describe('resolveMaintainerOptions', () => {
  it('applies the documented safe defaults', () => {
    const r = resolveMaintainerOptions();
    expect(r.leaseMs).toBe(DEFAULT_MAINTAINER_LEASE_MS);
    expect(r.jobs).toEqual({
      recoverTimedOut: { intervalMs: DEFAULT_RECOVERY_INTERVAL_MS },
      staleWorkers: { intervalMs: DEFAULT_STALE_WORKER_INTERVAL_MS },
      archiveCompleted: { intervalMs: DEFAULT_RETENTION_INTERVAL_MS, retentionMs: DEFAULT_TASK_RETENTION_MS },
      archiveResults: { intervalMs: DEFAULT_RETENTION_INTERVAL_MS, retentionMs: DEFAULT_RESULT_RETENTION_MS },
      dlqRetention: { intervalMs: DEFAULT_RETENTION_INTERVAL_MS, retentionMs: DEFAULT_DLQ_RETENTION_MS },
      idempotencyCleanup: { intervalMs: DEFAULT_RETENTION_INTERVAL_MS },
      analyzeTables: { intervalMs: DEFAULT_TABLE_MAINTENANCE_INTERVAL_MS },
    });
    expect(DEFAULT_RECOVERY_INTERVAL_MS).toBe(30_000);
    expect(DEFAULT_TASK_RETENTION_MS).toBe(7 * 24 * 3600_000);
    expect(DEFAULT_RESULT_RETENTION_MS).toBe(30 * 24 * 3600_000);
    expect(DEFAULT_DLQ_RETENTION_MS).toBe(30 * 24 * 3600_000);
    expect(DEFAULT_RETENTION_INTERVAL_MS).toBe(3600_000);
    expect(r.owner).toMatch(/:\d+$/); // hostname:pid
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('turns jobs off with false and on with settings', () => {
    const r = resolveMaintainerOptions({
      recoverTimedOut: false,
      archiveCompleted: { retentionMs: 3_600_000, intervalMs: 600_000 },
      priorityAging: { priorityBoost: 3 },
      optimizeTables: {},
      staleWorkers: { staleAfterMs: 90_000 },
    });
    expect(r.jobs.recoverTimedOut).toBeUndefined();
    expect(r.jobs.archiveCompleted).toEqual({ intervalMs: 600_000, retentionMs: 3_600_000 });
    expect(r.jobs.priorityAging).toEqual({ intervalMs: 300_000, ageThresholdMs: 600_000, priorityBoost: 3 });
    expect(r.jobs.optimizeTables).toEqual({ intervalMs: DEFAULT_TABLE_MAINTENANCE_INTERVAL_MS });
    expect(r.jobs.staleWorkers).toEqual({
      intervalMs: DEFAULT_STALE_WORKER_INTERVAL_MS,
      staleAfterMs: 90_000,
    });
  });

  it('refuses bad settings, naming the option', () => {
    invalid(
      () => resolveMaintainerOptions({ dlqRetention: { retentionMs: 3_600_000 - 1 } }),
      'options.dlqRetention.retentionMs',
    );
    invalid(
      () => resolveMaintainerOptions({ archiveCompleted: { retentionMs: -1 } }),
      'options.archiveCompleted.retentionMs',
    );
    invalid(
      () => resolveMaintainerOptions({ recoverTimedOut: { intervalMs: 10 } }),
      'options.recoverTimedOut.intervalMs',
    );
    invalid(
      () => resolveMaintainerOptions({ archiveResults: { intervalMs: Number.NaN } }),
      'options.archiveResults.intervalMs',
    );
    invalid(() => resolveMaintainerOptions({ leaseMs: 500 }), 'options.leaseMs');
    invalid(() => resolveMaintainerOptions({ owner: '' }), 'options.owner');
    invalid(() => resolveMaintainerOptions({ owner: 'x'.repeat(201) }), 'options.owner');
    invalid(
      () => resolveMaintainerOptions({ priorityAging: { priorityBoost: 0 } }),
      'options.priorityAging.priorityBoost',
    );
    invalid(() => resolveMaintainerOptions({ logger: { info() {} } as never }), 'options.logger');
    invalid(() => resolveMaintainerOptions({ random: 4 as never }), 'options.random');
    invalid(() => resolveMaintainerOptions('fast' as never), 'options');
    const run = async () => 1;
    invalid(
      () => resolveMaintainerOptions({ customJobs: [{ name: 'a b', intervalMs: 1000, run }] }),
      'options.customJobs[0].name',
    );
    invalid(
      () => resolveMaintainerOptions({ customJobs: [{ name: 'archiveCompleted', intervalMs: 1000, run }] }),
      'options.customJobs[0].name',
    );
    invalid(
      () =>
        resolveMaintainerOptions({
          customJobs: [
            { name: 'x', intervalMs: 1000, run },
            { name: 'x', intervalMs: 1000, run },
          ],
        }),
      'options.customJobs[1].name',
    );
    invalid(
      () => resolveMaintainerOptions({ customJobs: [{ name: 'x', intervalMs: 0, run }] }),
      'options.customJobs[0].intervalMs',
    );
    invalid(
      () => resolveMaintainerOptions({ customJobs: [{ name: 'x', intervalMs: 1000 } as never] }),
      'options.customJobs[0].run',
    );
  });

  it('refuses any interval that is not a finite duration of at least 100 ms', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ max: 99.999 }),
          fc.constant(Number.POSITIVE_INFINITY),
          fc.string(),
          fc.constant(null),
        ),
        (bad) => {
          invalid(
            () => resolveMaintainerOptions({ idempotencyCleanup: { intervalMs: bad as number } }),
            'options.idempotencyCleanup.intervalMs',
          );
        },
      ),
    );
  });

  it('keeps lock names within the column, whatever the queue name length', () => {
    expect(maintainerLockName('emails', 'archiveCompleted')).toBe(
      'celers.maintainer:emails:archiveCompleted',
    );
    const long = maintainerLockName('q'.repeat(255), 'archiveCompleted');
    expect(long.length).toBeLessThanOrEqual(191);
    expect(long).not.toBe(maintainerLockName(`${'q'.repeat(254)}r`, 'archiveCompleted'));
  });
});

describe('Maintainer arguments', () => {
  let tdb: TestDatabase;
  let broker: MysqlBroker;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    broker = await MysqlBroker.connect({ url: tdb.url, queue: 'opts', migrate: true });
  });
  afterAll(async () => {
    await broker?.close();
    await tdb?.drop();
  });

  it('refuses a missing broker and unknown or disabled jobs before touching the database', async () => {
    invalid(() => new Maintainer(undefined as never), 'broker');
    const m = new Maintainer(broker, { priorityAging: false } satisfies MaintainerOptions);
    await expect(m.runOnce('nope')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'job' });
    await expect(m.runOnce('priorityAging')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'job',
    });
    const leases = await broker.database.selectFrom('celers_locks').selectAll().execute();
    expect(leases).toEqual([]);
  });

  it('start() and stop() are idempotent, and stop() waits for the running job', async () => {
    let finished = false;
    const m = new Maintainer(broker, {
      recoverTimedOut: false,
      staleWorkers: false,
      archiveCompleted: false,
      archiveResults: false,
      dlqRetention: false,
      idempotencyCleanup: false,
      analyzeTables: false,
      random: () => 0, // first tick at once
      customJobs: [
        {
          name: 'slow',
          intervalMs: 60_000,
          run: async () => {
            await new Promise((r) => setTimeout(r, 150));
            finished = true;
            return 1;
          },
        },
      ],
    });
    const started = new Promise((r) => m.once('job:started', r));
    m.start();
    m.start();
    expect(m.isStarted).toBe(true);
    await started;
    const stopping = m.stop();
    expect(m.stop()).toBe(stopping);
    await stopping;
    expect(finished).toBe(true);
    expect(m.isStarted).toBe(false);
    const row = await broker.database.selectFrom('celers_locks').select('owner').executeTakeFirstOrThrow();
    expect(row.owner).toBe(''); // released, not left live
  });
});
