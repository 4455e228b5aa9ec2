import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueMonitor } from '../src/index.js';
import { at, dbNow, insertDlq, insertTasks, meanAndStddev } from './helpers/seed-rows.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

const MIN = 60_000;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'mon', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

/** A monitor over its own queue so tests do not see each other's rows. */
function monitorFor(queue: string): QueueMonitor {
  return new QueueMonitor({ database: broker.database, queue });
}

describe('taskAgeDistribution', () => {
  it('buckets pending tasks by age and ignores other states and queues', async () => {
    const queue = 'ages';
    const now = await dbNow(broker.database);
    await insertTasks(broker.database, [
      { queue, state: 'pending', createdAt: at(now, -20_000) },
      { queue, state: 'pending', createdAt: at(now, -30_000) },
      { queue, state: 'pending', createdAt: at(now, -3 * MIN) },
      { queue, state: 'pending', createdAt: at(now, -10 * MIN) },
      { queue, state: 'pending', createdAt: at(now, -30 * MIN) },
      { queue, state: 'pending', createdAt: at(now, -40 * MIN) },
      { queue, state: 'pending', createdAt: at(now, -120 * MIN) },
      { queue, state: 'completed', createdAt: at(now, -120 * MIN), completedAt: now },
      { queue: 'other', state: 'pending', createdAt: at(now, -3 * MIN) },
    ]);
    const buckets = await monitorFor(queue).taskAgeDistribution();
    expect(buckets.map((b) => [b.label, b.count])).toEqual([
      ['< 1 min', 2],
      ['1-5 min', 1],
      ['5-15 min', 1],
      ['15-60 min', 2],
      ['> 60 min', 1],
    ]);
    expect(buckets[0]!.oldestAgeMs).toBeGreaterThanOrEqual(30_000);
    expect(buckets[0]!.oldestAgeMs).toBeLessThan(MIN);
    expect(buckets[4]!.oldestAgeMs).toBeGreaterThanOrEqual(120 * MIN);
    expect(buckets[4]!.maxAgeMs).toBeNull();
  });

  it('returns empty buckets for an empty queue', async () => {
    const buckets = await monitorFor('empty-ages').taskAgeDistribution();
    expect(buckets.every((b) => b.count === 0 && b.oldestAgeMs === null)).toBe(true);
  });
});

describe('retryStatistics', () => {
  it('aggregates per task name', async () => {
    const queue = 'retries';
    const now = await dbNow(broker.database);
    await insertTasks(broker.database, [
      { queue, taskName: 'a', state: 'completed', retryCount: 0, createdAt: now, completedAt: now },
      { queue, taskName: 'a', state: 'completed', retryCount: 2, createdAt: now, completedAt: now },
      { queue, taskName: 'a', state: 'failed', retryCount: 3, createdAt: now, completedAt: now },
      { queue, taskName: 'a', state: 'pending', retryCount: 1, createdAt: now },
      { queue, taskName: 'b', state: 'completed', retryCount: 0, createdAt: now, completedAt: now },
    ]);
    const stats = await monitorFor(queue).retryStatistics();
    expect(stats).toEqual([
      {
        taskName: 'a',
        totalTasks: 4,
        tasksWithRetries: 3,
        avgRetries: 1.5,
        maxRetries: 3,
        failedTasks: 1,
        failureRate: 1 / 3,
      },
      {
        taskName: 'b',
        totalTasks: 1,
        tasksWithRetries: 0,
        avgRetries: 0,
        maxRetries: 0,
        failedTasks: 0,
        failureRate: 0,
      },
    ]);
  });
});

describe('queueHealth', () => {
  it('is healthy for a quiet queue', async () => {
    const health = await monitorFor('quiet').queueHealth();
    expect(health).toMatchObject({
      status: 'healthy',
      reasons: [],
      pending: 0,
      dlqSize: 0,
      oldestDueAgeMs: null,
    });
  });

  it('reports each crossed threshold with the worst status', async () => {
    const queue = 'sick';
    const now = await dbNow(broker.database);
    await insertTasks(broker.database, [
      ...Array.from({ length: 5 }, () => ({
        queue,
        state: 'pending' as const,
        createdAt: at(now, -20 * MIN),
      })),
      // delayed: not due, so it does not count as waiting
      { queue, state: 'pending', createdAt: at(now, -90 * MIN), scheduledAt: at(now, 60 * MIN) },
      { queue, state: 'completed', createdAt: at(now, -5 * MIN), completedAt: at(now, -MIN) },
      { queue, state: 'failed', createdAt: at(now, -5 * MIN), completedAt: at(now, -MIN) },
      // outside the failure-rate window
      { queue, state: 'failed', createdAt: at(now, -300 * MIN), completedAt: at(now, -200 * MIN) },
    ]);
    await insertDlq(broker.database, [{ queue, taskName: 'x', retryCount: 3, failedAt: now }]);
    const monitor = new QueueMonitor(
      { database: broker.database, queue },
      { health: { pendingWarning: 6, pendingCritical: 10, dlqSizeWarning: 1, dlqSizeCritical: 5 } },
    );
    const health = await monitor.queueHealth();
    expect(health.pending).toBe(6);
    expect(health.duePending).toBe(5);
    expect(health.recentCompleted).toBe(1);
    expect(health.recentFailed).toBe(1);
    expect(health.failureRate).toBe(0.5);
    expect(health.dlqSize).toBe(1);
    expect(health.oldestDueAgeMs).toBeGreaterThanOrEqual(20 * MIN);
    expect(health.status).toBe('critical'); // 20 min ≥ 15 min and 50 % ≥ 20 %
    expect(health.reasons).toHaveLength(4);
    expect(health.reasons.join('\n')).toMatch(/6 pending tasks \(warning ≥ 6\)/);
    expect(health.reasons.join('\n')).toMatch(/oldest due task .*critical/);
    expect(health.reasons.join('\n')).toMatch(/failure rate 50\.0%.*critical/);
    expect(health.reasons.join('\n')).toMatch(/1 dead-lettered tasks \(warning ≥ 1\)/);

    const lenient = await monitor.queueHealth({
      oldestPendingAgeCriticalMs: 60 * MIN,
      failureRateWarning: 0.9,
      failureRateCritical: 1,
      dlqSizeWarning: 2,
    });
    expect(lenient.status).toBe('degraded');
    expect(lenient.reasons).toHaveLength(2);
  });
});

describe('throughput', () => {
  it('counts tasks finished within the window', async () => {
    const queue = 'through';
    const now = await dbNow(broker.database);
    await insertTasks(broker.database, [
      ...Array.from({ length: 6 }, () => ({
        queue,
        state: 'completed' as const,
        createdAt: at(now, -2 * MIN),
        completedAt: at(now, -MIN),
      })),
      ...Array.from({ length: 3 }, () => ({
        queue,
        state: 'failed' as const,
        createdAt: at(now, -2 * MIN),
        completedAt: at(now, -MIN),
      })),
      { queue, state: 'completed', createdAt: at(now, -30 * MIN), completedAt: at(now, -20 * MIN) },
      { queue, state: 'cancelled', createdAt: at(now, -2 * MIN), completedAt: at(now, -MIN) },
    ]);
    const t = await monitorFor(queue).throughput({ windowMs: 10 * MIN });
    expect(t).toMatchObject({ windowMs: 10 * MIN, completed: 6, failed: 3 });
    expect(t.completedPerSecond).toBeCloseTo(6 / 600, 12);
    expect(t.completedPerMinute).toBeCloseTo(0.6, 12);
    expect(t.completedPerHour).toBeCloseTo(36, 9);
    expect(t.failedPerMinute).toBeCloseTo(0.3, 12);
    expect(t.successRate).toBeCloseTo(6 / 9, 12);
    const wide = await monitorFor(queue).throughput({ windowMs: 60 * MIN });
    expect(wide.completed).toBe(7);
  });

  it('rejects a bad window before querying', async () => {
    await expect(monitorFor('through').throughput({ windowMs: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'options.windowMs',
    });
    await expect(monitorFor('through').throughput({ windowMs: Number.NaN })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('latency and execution statistics', () => {
  it('computes exact min/max/avg/stddev from the timestamps', async () => {
    const queue = 'lat';
    const now = await dbNow(broker.database);
    const waits = [100, 250, 400, 1000, 5000];
    const runtimes = [10, 20, 30];
    const base = at(now, -60 * MIN);
    await insertTasks(broker.database, [
      ...waits.slice(0, 3).map((w, i) => ({
        queue,
        state: 'completed' as const,
        createdAt: base,
        startedAt: at(base, w),
        completedAt: at(base, w + runtimes[i]!),
      })),
      { queue, state: 'processing', createdAt: base, startedAt: at(base, waits[3]!) },
      {
        queue,
        state: 'failed',
        createdAt: base,
        startedAt: at(base, waits[4]!),
        completedAt: at(base, waits[4]! + 99_999),
      },
      { queue, state: 'pending', createdAt: base },
    ]);
    const monitor = monitorFor(queue);
    const latency = await monitor.latencyStats();
    const expected = meanAndStddev(waits);
    expect(latency.count).toBe(5);
    expect(latency.minMs).toBe(100);
    expect(latency.maxMs).toBe(5000);
    expect(latency.avgMs).toBeCloseTo(expected.mean, 6);
    expect(latency.stddevMs).toBeCloseTo(expected.stddev, 6);

    const exec = await monitor.executionStats();
    const expectedExec = meanAndStddev(runtimes);
    expect(exec).toMatchObject({ count: 3, minMs: 10, maxMs: 30, p95Ms: 30 });
    expect(exec.avgMs).toBeCloseTo(expectedExec.mean, 6);
    expect(exec.stddevMs).toBeCloseTo(expectedExec.stddev, 6);
  });

  it('returns nulls when nothing started', async () => {
    const monitor = monitorFor('never-started');
    expect(await monitor.latencyStats()).toEqual({
      count: 0,
      minMs: null,
      maxMs: null,
      avgMs: null,
      stddevMs: null,
    });
    expect(await monitor.latencyPercentiles()).toEqual({ count: 0, p50Ms: null, p95Ms: null, p99Ms: null });
    expect((await monitor.executionStats()).p95Ms).toBeNull();
  });
});

describe('saturation', () => {
  it('uses the seed levels: warning at 80 %, critical at 95 %', async () => {
    const queue = 'sat';
    const now = await dbNow(broker.database);
    await insertTasks(broker.database, [
      ...Array.from({ length: 19 }, () => ({ queue, state: 'pending' as const, createdAt: now })),
      { queue, state: 'processing', createdAt: now, startedAt: now },
      { queue, state: 'completed', createdAt: now, startedAt: now, completedAt: now },
    ]);
    const monitor = monitorFor(queue);
    expect(await monitor.saturation(20)).toMatchObject({
      pending: 19,
      processing: 1,
      total: 21,
      capacity: 20,
      utilizationPercent: 95,
      isSaturated: true,
      isCritical: true,
      status: 'critical',
    });
    expect(await monitor.saturation(21)).toMatchObject({
      status: 'warning',
      isSaturated: true,
      isCritical: false,
    });
    expect(await monitor.saturation(24)).toMatchObject({ status: 'healthy', isSaturated: false });
    expect((await monitor.saturation(10)).utilizationPercent).toBe(100);
    await expect(monitor.saturation(0)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'capacity',
    });
    await expect(monitor.saturation(1.5)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'capacity',
    });
  });
});

describe('priorityStats', () => {
  it('counts states and averages the wait per priority, highest first', async () => {
    const queue = 'prio';
    const now = await dbNow(broker.database);
    await insertTasks(broker.database, [
      {
        queue,
        priority: 5,
        state: 'completed',
        createdAt: now,
        startedAt: at(now, 100),
        completedAt: at(now, 200),
      },
      { queue, priority: 5, state: 'processing', createdAt: now, startedAt: at(now, 300) },
      { queue, priority: 5, state: 'pending', createdAt: now },
      {
        queue,
        priority: 0,
        state: 'failed',
        createdAt: now,
        startedAt: at(now, 1000),
        completedAt: at(now, 1100),
      },
      { queue, priority: 0, state: 'cancelled', createdAt: now, completedAt: at(now, 50) },
    ]);
    expect(await monitorFor(queue).priorityStats()).toEqual([
      {
        priority: 5,
        pending: 1,
        processing: 1,
        completed: 1,
        failed: 0,
        cancelled: 0,
        total: 3,
        avgWaitMs: 200,
      },
      {
        priority: 0,
        pending: 0,
        processing: 0,
        completed: 0,
        failed: 1,
        cancelled: 1,
        total: 2,
        avgWaitMs: 1000,
      },
    ]);
  });
});

describe('dlqStatistics', () => {
  it('summarises the queue DLQ only', async () => {
    const queue = 'dlqstats';
    const now = await dbNow(broker.database);
    await insertDlq(broker.database, [
      { queue, taskName: 'mail', retryCount: 3, failedAt: at(now, -3 * MIN) },
      { queue, taskName: 'mail', retryCount: 5, failedAt: at(now, -MIN) },
      { queue, taskName: 'sms', retryCount: 1, failedAt: at(now, -2 * MIN) },
      { queue: 'elsewhere', taskName: 'mail', retryCount: 9, failedAt: now },
    ]);
    expect(await monitorFor(queue).dlqStatistics()).toEqual({
      total: 3,
      byTaskName: [
        { taskName: 'mail', count: 2 },
        { taskName: 'sms', count: 1 },
      ],
      avgRetries: 3,
      maxRetries: 5,
      oldestFailedAt: at(now, -3 * MIN),
      newestFailedAt: at(now, -MIN),
    });
    expect(await monitorFor('no-dlq').dlqStatistics()).toMatchObject({
      total: 0,
      byTaskName: [],
      avgRetries: null,
    });
  });
});

describe('workerStatistics', () => {
  it('reports per-worker counts and average runtime', async () => {
    const queue = 'workers';
    const now = await dbNow(broker.database);
    await insertTasks(broker.database, [
      {
        queue,
        workerId: 'w1',
        state: 'completed',
        createdAt: now,
        startedAt: now,
        completedAt: at(now, 100),
      },
      {
        queue,
        workerId: 'w1',
        state: 'completed',
        createdAt: now,
        startedAt: now,
        completedAt: at(now, 300),
      },
      { queue, workerId: 'w1', state: 'failed', createdAt: now, startedAt: now, completedAt: at(now, 5) },
      { queue, workerId: 'w1', state: 'processing', createdAt: now, startedAt: at(now, 400) },
      { queue, workerId: 'w2', state: 'processing', createdAt: now, startedAt: at(now, 50) },
      { queue, state: 'pending', createdAt: now },
    ]);
    const monitor = monitorFor(queue);
    expect(await monitor.workerStatistics()).toEqual([
      {
        workerId: 'w1',
        processing: 1,
        completed: 2,
        failed: 1,
        avgRuntimeMs: 200,
        lastStartedAt: at(now, 400),
      },
      {
        workerId: 'w2',
        processing: 1,
        completed: 0,
        failed: 0,
        avgRuntimeMs: null,
        lastStartedAt: at(now, 50),
      },
    ]);
    expect(await monitor.workerStatistics({ workerId: 'w2' })).toHaveLength(1);
    expect(await monitor.workerStatistics({ workerId: 'nobody' })).toEqual([]);
    await expect(monitor.workerStatistics({ workerId: '' })).rejects.toMatchObject({
      argument: 'options.workerId',
    });
  });
});

describe('stateTransitions', () => {
  it('infers transitions from timestamps when no history exists', async () => {
    const queue = 'trans';
    const now = await dbNow(broker.database);
    const [done, cancelled, unknownLater] = await insertTasks(broker.database, [
      {
        queue,
        state: 'completed',
        workerId: 'w9',
        createdAt: now,
        startedAt: at(now, 10),
        completedAt: at(now, 20),
      },
      { queue, state: 'cancelled', createdAt: now, completedAt: at(now, 5) },
      { queue, state: 'pending', createdAt: now },
    ]);
    const monitor = monitorFor(queue);
    expect(await monitor.stateTransitions(done!)).toEqual([
      { taskId: done, fromState: null, toState: 'pending', at: now, workerId: null, source: 'inferred' },
      {
        taskId: done,
        fromState: 'pending',
        toState: 'processing',
        at: at(now, 10),
        workerId: 'w9',
        source: 'inferred',
      },
      {
        taskId: done,
        fromState: 'processing',
        toState: 'completed',
        at: at(now, 20),
        workerId: 'w9',
        source: 'inferred',
      },
    ]);
    expect((await monitor.stateTransitions(cancelled!)).map((t) => [t.fromState, t.toState])).toEqual([
      [null, 'pending'],
      ['pending', 'cancelled'],
    ]);
    expect(await monitor.stateTransitions(unknownLater!)).toHaveLength(1);
    expect(await monitor.stateTransitions('0190a6c2-0000-7000-8000-000000000000')).toEqual([]);
    await expect(monitor.stateTransitions('nope')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'taskId',
    });
  });

  it('reads celers_task_history when the broker records it', async () => {
    const recording = await MysqlBroker.connect({
      database: broker.database,
      queue: 'hist',
      recordHistory: true,
    });
    const id = await recording.enqueue(createTask('h', {}));
    const msg = await recording.dequeue({ workerId: 'hw' });
    await recording.ack(id, msg!.receiptHandle);
    const transitions = await new QueueMonitor(recording).stateTransitions(id);
    const historyRows = await broker.database
      .selectFrom('celers_task_history')
      .select('id')
      .where('task_id', '=', id)
      .execute();
    await recording.close();
    expect(historyRows.length).toBeGreaterThan(0);
    expect(transitions).toHaveLength(historyRows.length);
    expect(transitions.every((t) => t.source === 'history')).toBe(true);
    expect(transitions.at(-1)?.toState).toBe('completed');
  });
});

describe('construction', () => {
  it('accepts a broker and validates sources', () => {
    expect(new QueueMonitor(broker).queue).toBe('mon');
    expect(() => new QueueMonitor({ database: broker.database, queue: 'bad queue!' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'source.queue' }),
    );
    expect(() => new QueueMonitor({} as never)).toThrow(
      expect.objectContaining({ argument: 'source.database' }),
    );
    expect(() => new QueueMonitor(broker, { health: { pendingWarning: 10, pendingCritical: 5 } })).toThrow(
      expect.objectContaining({ argument: 'options.health.pendingWarning' }),
    );
  });
});
