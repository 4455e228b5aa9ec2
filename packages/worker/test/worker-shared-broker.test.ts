import { createTask } from '@celers/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from '../src/index.js';
import { countsByState } from './support/task-counts.js';
import { waitFor } from './support/wait-for.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('shared');

// Many workers in one process on one broker: one listener per broker event, one maintainer, one recovery owner.
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
process.on('warning', onWarning);
afterEach(() => {
  warnings.length = 0;
});

describe('32 workers sharing one broker', () => {
  it('start without MaxListenersExceededWarning, share one maintainer, run no recovery loop of their own, and drain', {
    timeout: 60_000,
  }, async () => {
    const broker = await fx.queue();
    let maintainersCreated = 0;
    const create = broker.createMaintenanceService.bind(broker);
    broker.createMaintenanceService = (options) => {
      maintainersCreated += 1;
      return create(options);
    };
    const recoveries: number[] = [];
    broker.on('operation:finished', (e) => {
      if (e.operation === 'recoverTimedOutTasks') recoveries.push(Date.now());
    });
    const listenersBefore = broker.listenerCount('task:enqueued');

    const workers: Worker[] = Array.from({ length: 32 }, (_, i) =>
      fx.worker({ broker, workerId: `shared-${i}`, concurrency: 2, handlers: { job: (p) => p } }),
    );
    const startedAt = Date.now();
    await Promise.all(workers.map((w) => w.start()));
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    expect(broker.listenerCount('task:enqueued')).toBe(listenersBefore + 1);
    expect(broker.listenerCount('task:recovered')).toBe(1);
    expect(maintainersCreated).toBe(1);

    await broker.enqueueBatch(Array.from({ length: 320 }, (_, i) => createTask('job', i)));
    await waitFor(async () => (await countsByState(fx.root.database, broker.queueName)).completed === 320, {
      timeoutMs: 30_000,
      message: '320 tasks completed',
    });
    // Before: every worker ran recoverTimedOutTasks at start and then every recoveryIntervalMs (32 scans at
    // once). Now only the one maintainer does, at most once per interval (15 s for the default 30 s lease).
    const elapsed = Date.now() - startedAt;
    expect(recoveries.length).toBeLessThanOrEqual(1 + Math.floor(elapsed / 15_000));

    await Promise.all(workers.slice(0, 31).map((w) => w.close()));
    expect(broker.listenerCount('task:enqueued')).toBe(listenersBefore + 1); // the last worker still listens
    await workers[31]?.close();
    expect(broker.listenerCount('task:enqueued')).toBe(listenersBefore);
    expect(broker.listenerCount('task:recovered')).toBe(0);

    // The maintainer stopped with the last worker; a new worker starts a fresh one.
    const again = fx.worker({ broker, workerId: 'shared-again', handlers: { job: (p) => p } });
    await again.start();
    expect(maintainersCreated).toBe(2);
    await again.close();
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
