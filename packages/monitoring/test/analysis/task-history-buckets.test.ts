import { MysqlBroker } from '@celers/broker-mysql';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyBucketsQuery } from '../../src/analysis/task-history-buckets.sql.js';
import { type TaskHistory, type TaskHistoryPoint, taskHistoryBuckets } from '../../src/index.js';
import { at, insertTasks, referencePercentile, type SeedTask } from '../helpers/seed-rows.js';

// The history is computed in SQL (bucketing plus ROW_NUMBER/COUNT OVER PARTITION BY); these tests seed
// finished rows with known timestamps and compare every bucket with values computed here.

let tdb: TestDatabase;
let broker: MysqlBroker;
let queueCounter = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'hist', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

function freshQueue() {
  const queue = `hist-${++queueCounter}`;
  return { queue, source: { database: broker.database, queue } };
}

/** The point of `series` whose bucket starts at `start` (robust to the window moving on between calls). */
function pointAt(history: TaskHistory, taskName: string, start: Date): TaskHistoryPoint | undefined {
  return history.series
    .find((s) => s.taskName === taskName)
    ?.points.find((p) => p.start.getTime() === start.getTime());
}

describe('taskHistoryBuckets (SQL buckets, nearest-rank percentiles)', () => {
  it('buckets finished tasks per task name with counts and execution/wait percentiles', async () => {
    const { queue, source } = freshQueue();
    const empty = await taskHistoryBuckets(source, { range: '24h' });
    expect(empty.series).toEqual([]);
    expect(empty.buckets).toHaveLength(48);
    expect(empty.bucketMs).toBe(1_800_000);
    expect(empty.to.getTime() - empty.from.getTime()).toBe(86_400_000);

    const bucketA = empty.buckets[10]!;
    const bucketB = empty.buckets[40]!;
    const runtimes = Array.from({ length: 40 }, (_, i) => (i + 1) * 25);
    const waits = runtimes.map((r) => r * 3);
    const rows: SeedTask[] = runtimes.map((r, i) => {
      const createdAt = at(bucketA, 60_000 + i * 1000);
      const startedAt = at(createdAt, waits[i]!);
      return {
        queue,
        taskName: 'emails.send',
        state: 'completed',
        createdAt,
        startedAt,
        completedAt: at(startedAt, r),
      };
    });
    // Failures count, and their waits count, but their run time is not an execution time.
    rows.push(
      ...[1, 2, 3].map((k) => ({
        queue,
        taskName: 'emails.send',
        state: 'failed' as const,
        createdAt: at(bucketA, 120_000),
        startedAt: at(bucketA, 120_000 + k * 10_000),
        completedAt: at(bucketA, 900_000),
      })),
      {
        queue,
        taskName: 'reports.build',
        state: 'cancelled',
        createdAt: at(bucketB, 1000),
        startedAt: null,
        completedAt: at(bucketB, 2000),
      },
      // Not finished, or finished before the window: never counted.
      { queue, taskName: 'emails.send', state: 'pending', createdAt: at(bucketA, 1000) },
      {
        queue,
        taskName: 'emails.send',
        state: 'completed',
        createdAt: at(empty.from, -7_200_000),
        startedAt: at(empty.from, -7_100_000),
        completedAt: at(empty.from, -7_000_000),
      },
    );
    await insertTasks(broker.database, rows);

    const history = await taskHistoryBuckets(source, { range: '24h' });
    expect(history.series.map((s) => [s.taskName, s.total])).toEqual([
      ['emails.send', 43],
      ['reports.build', 1],
    ]);
    expect(history.truncated).toBe(false);
    expect(history.rowsRead).toBe(44);
    const failedWaits = [10_000, 20_000, 30_000];
    expect(pointAt(history, 'emails.send', bucketA)).toEqual({
      start: bucketA,
      completed: 40,
      failed: 3,
      cancelled: 0,
      execP50Ms: referencePercentile(runtimes, 50),
      execP95Ms: referencePercentile(runtimes, 95),
      execP99Ms: referencePercentile(runtimes, 99),
      waitP50Ms: referencePercentile([...waits, ...failedWaits], 50),
      waitP95Ms: referencePercentile([...waits, ...failedWaits], 95),
      waitP99Ms: referencePercentile([...waits, ...failedWaits], 99),
    });
    expect(pointAt(history, 'reports.build', bucketB)).toMatchObject({
      cancelled: 1,
      completed: 0,
      execP50Ms: null,
      waitP50Ms: null,
    });
    // Every other bucket of the series is present and zero.
    const series = history.series.find((s) => s.taskName === 'emails.send')!;
    expect(series.points).toHaveLength(48);
    expect(series.points.filter((p) => p.completed + p.failed > 0)).toHaveLength(1);

    const onlyReports = await taskHistoryBuckets(source, { range: '24h', taskName: 'reports.build' });
    expect(onlyReports.series.map((s) => s.taskName)).toEqual(['reports.build']);
  });

  it('uses 1-minute buckets for 1h and 4-hour buckets for 7d', async () => {
    const { queue, source } = freshQueue();
    const week = await taskHistoryBuckets(source, { range: '7d' });
    expect(week.buckets).toHaveLength(42);
    expect(week.from.getTime() % 14_400_000).toBe(0);
    const start = week.buckets[3]!;
    await insertTasks(broker.database, [
      { queue, state: 'completed', createdAt: start, startedAt: start, completedAt: at(start, 3_600_000) },
      { queue, state: 'completed', createdAt: start, startedAt: start, completedAt: at(start, 7_200_000) },
    ]);
    const again = await taskHistoryBuckets(source, { range: '7d' });
    expect(pointAt(again, 'seeded', start)).toMatchObject({
      completed: 2,
      execP50Ms: 3_600_000,
      execP99Ms: 7_200_000,
    });
    const hour = await taskHistoryBuckets(source, { range: '1h' });
    expect(hour.buckets).toHaveLength(60);
    expect(hour.bucketMs).toBe(60_000);
    expect(hour.series).toEqual([]); // those rows are days old
  });

  it('reads at most maxRows finished rows, newest first, and says so', async () => {
    const { queue, source } = freshQueue();
    const { buckets } = await taskHistoryBuckets(source, { range: '24h' });
    const old = buckets[5]!;
    const recent = buckets[30]!;
    await insertTasks(broker.database, [
      ...Array.from({ length: 4 }, () => ({
        queue,
        state: 'completed' as const,
        createdAt: old,
        completedAt: at(old, 1000),
      })),
      ...Array.from({ length: 6 }, () => ({
        queue,
        state: 'completed' as const,
        createdAt: recent,
        completedAt: at(recent, 1000),
      })),
    ]);
    const cut = await taskHistoryBuckets(source, { range: '24h', maxRows: 6 });
    expect(cut).toMatchObject({ truncated: true, rowsRead: 6 });
    expect(pointAt(cut, 'seeded', recent)?.completed).toBe(6);
    expect(pointAt(cut, 'seeded', old)?.completed).toBe(0);
    const whole = await taskHistoryBuckets(source, { range: '24h' });
    expect(whole).toMatchObject({ truncated: false, rowsRead: 10 });
  });

  it('reads the window through idx_tasks_completed_at (EXPLAIN)', async () => {
    const { queue, source } = freshQueue();
    const { from, to } = await taskHistoryBuckets(source, { range: '1h' });
    // Other queues' rows and older rows, so that a range on the index is the cheap plan.
    const old = at(from, -30 * 86_400_000);
    await insertTasks(
      broker.database,
      Array.from({ length: 400 }, (_, i) => ({
        queue: i % 2 === 0 ? `${queue}-other` : queue,
        state: 'completed' as const,
        createdAt: old,
        completedAt: at(old, i * 1000),
      })),
    );
    await sql`ANALYZE TABLE celers_finished_tasks, celers_live_tasks`.execute(broker.database);
    const plan = await sql<Record<string, unknown>>`EXPLAIN ${historyBucketsQuery({
      queue,
      from,
      to,
      bucketMs: 60_000,
      maxRows: 1000,
    })}`.execute(broker.database);
    // The finished table (where history lives) is read through its completed-time index.
    const taskRows = plan.rows.filter((r) => r.table === 'celers_finished_tasks');
    expect(taskRows.map((r) => r.key)).toEqual(['idx_tasks_completed_at']);
  });

  it('rejects bad options with INVALID_ARGUMENT naming the option', async () => {
    const { source } = freshQueue();
    await expect(taskHistoryBuckets(source, { range: '2h' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'options.range',
    });
    await expect(taskHistoryBuckets(source, { maxRows: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'options.maxRows',
    });
    await expect(taskHistoryBuckets(source, { taskName: '' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'options.taskName',
    });
    await expect(taskHistoryBuckets({ database: broker.database, queue: '' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'source.queue',
    });
  });
});
