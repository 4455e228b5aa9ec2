import { createTask, type TaskState } from '@celers/core';
import { CELERS_TABLES } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { PURGE_CHUNK_SIZE } from '../src/maintenance/chunked-delete.js';

let tdb: TestDatabase;
let root: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'maint', migrate: true });
});
afterAll(async () => {
  await root?.close();
  await tdb?.drop();
});

const count = async (b: MysqlBroker, state?: TaskState) => {
  let q = b.database
    .selectFrom('celers_tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue_name', '=', b.queueName);
  if (state) q = q.where('state', '=', state);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

/** A queue with one task in each state, plus a bystander task in another queue. */
async function seeded(queue: string) {
  const b = await root.forQueue(queue);
  const ids: Record<string, string> = {};
  for (const s of ['completed', 'failed', 'cancelled', 'processing', 'pending'] as const) {
    ids[s] = await b.enqueue(createTask(`m.${s}`, 1, { maxRetries: 0 }));
    if (s === 'pending') continue;
    const msg = await b.dequeue();
    if (s === 'completed') await b.ack(msg!.task.metadata.id, msg!.receiptHandle);
    if (s === 'failed') await b.reject(msg!.task.metadata.id, msg!.receiptHandle, { error: 'x' });
    if (s === 'cancelled') await b.cancel(msg!.task.metadata.id);
  }
  return { b, ids };
}

const backdate = async (
  b: MysqlBroker,
  column: 'created_at' | 'completed_at' | 'scheduled_at',
  seconds: number,
) => {
  for (const table of ['celers_live_tasks', 'celers_finished_tasks'] as const)
    await b.database
      .updateTable(table)
      .set({ [column]: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ${seconds} SECOND)` })
      .where('queue_name', '=', b.queueName)
      .execute();
};

describe('broker.maintenance purges', () => {
  it('archiveCompleted deletes only finished tasks older than the cutoff, only in this queue', async () => {
    const { b, ids } = await seeded('m-archive');
    const bystander = await seeded('m-archive-other');
    expect(await b.maintenance.archiveCompleted({ olderThanMs: 3_600_000 })).toBe(0);
    await backdate(b, 'completed_at', 7200);
    await backdate(bystander.b, 'completed_at', 7200);
    expect(await b.maintenance.archiveCompleted({ olderThanMs: 3_600_000 })).toBe(3);
    const left = await b.database
      .selectFrom('celers_tasks')
      .select('id')
      .where('queue_name', '=', 'm-archive')
      .execute();
    expect(left.map((r) => r.id).sort()).toEqual([ids.processing, ids.pending].sort());
    expect(await count(bystander.b)).toBe(5);
    await expect(b.maintenance.archiveCompleted({ olderThanMs: -1 })).rejects.toMatchObject({
      argument: 'options.olderThanMs',
    });
    await expect(b.maintenance.archiveCompleted(undefined as never)).rejects.toMatchObject({
      argument: 'options',
    });
  });

  it('purgeByState / purgeCompleted / purgeFailed / purgeCancelled / purgeByTaskName / purgeAll', async () => {
    const { b } = await seeded('m-purge');
    expect(await b.maintenance.purgeCompleted()).toBe(1);
    expect(await b.maintenance.purgeFailed()).toBe(1);
    expect(await b.maintenance.purgeCancelled()).toBe(1);
    expect(await b.maintenance.purgeByState('processing')).toBe(1);
    expect(await count(b)).toBe(1);
    await b.enqueue(createTask('m.named', 1));
    await b.enqueue(createTask('m.named', 2));
    expect(await b.maintenance.purgeByTaskName('m.named')).toBe(2);
    expect(await b.maintenance.purgeAllTasks()).toBe(1);
    expect(await count(b)).toBe(0);
    await expect(b.maintenance.purgeByState('done' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'state',
    });
    await expect(b.maintenance.purgeByTaskName('')).rejects.toMatchObject({ argument: 'taskName' });
  });

  it('deleteByCriteria filters by age and optional state', async () => {
    const { b } = await seeded('m-criteria');
    expect(await b.maintenance.deleteByCriteria({ olderThanMs: 60_000 })).toBe(0);
    await backdate(b, 'created_at', 600);
    expect(await b.maintenance.deleteByCriteria({ state: 'failed', olderThanMs: 60_000 })).toBe(1);
    expect(await b.maintenance.deleteByCriteria({ olderThanMs: 60_000 })).toBe(4);
    await expect(
      b.maintenance.deleteByCriteria({ state: 'nope' as never, olderThanMs: 1 }),
    ).rejects.toMatchObject({ argument: 'criteria.state' });
    await expect(
      b.maintenance.deleteByCriteria({ olderThanMs: Number.POSITIVE_INFINITY }),
    ).rejects.toMatchObject({
      argument: 'criteria.olderThanMs',
    });
  });

  it('purges 100,000 rows in bounded chunks', async () => {
    const b = await root.forQueue('m-bulk');
    // 100,000 rows in one INSERT … SELECT over a 10^5 cross join (fast on a busy machine; generateLoad is
    // covered in advanced-capacity-metadata.test.ts).
    const digits = sql.raw(
      '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)',
    );
    // Pending rows go to the live table, finished ones to the finished table (a task is in one of them).
    for (const [table, live] of [
      ['celers_live_tasks', true],
      ['celers_finished_tasks', false],
    ] as const) {
      await sql`INSERT INTO ${sql.table(table)} (id, queue_name, task_name, payload, content_type, content_encoding, state,
          priority, retry_count, max_retries, created_at, scheduled_at, metadata)
        SELECT UUID(), 'm-bulk', 'bulk', X'00', 'application/octet-stream', 'identity',
          ELT(1 + (a.d + b.d) % 3, 'pending', 'completed', 'failed'), 0, 0, 3, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), '{}'
        FROM ${digits} a, ${digits} b, ${digits} c, ${digits} d, ${digits} e
        WHERE ((a.d + b.d) % 3 = 0) = ${live}`.execute(b.database);
    }
    expect(await count(b)).toBe(100_000);
    const bystander = await b.forQueue('m-bulk-bystander');
    await bystander.enqueue(createTask('keep', 1));
    // Every DELETE statement names at most PURGE_CHUNK_SIZE primary keys.
    const { vi } = await import('vitest');
    const spy = vi.spyOn(b.database, 'deleteFrom');
    const completed = await count(b, 'completed');
    expect(await b.maintenance.purgeCompleted()).toBe(completed);
    expect(await b.maintenance.purgeAllTasks()).toBe(100_000 - completed);
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(Math.ceil(100_000 / PURGE_CHUNK_SIZE));
    spy.mockRestore();
    expect(await count(b)).toBe(0);
    expect(await count(bystander)).toBe(1);
    await bystander.close();
  }, 240_000);
});

describe('broker.maintenance policies', () => {
  it('expirePending cancels tasks due for longer than the TTL, not delayed ones', async () => {
    const b = await root.forQueue('m-expire');
    const old = await b.enqueue(createTask('e', 1));
    const fresh = await b.enqueue(createTask('e', 2));
    const delayed = await b.enqueueAfter(createTask('e', 3), 3_600_000);
    await b.database
      .updateTable('celers_live_tasks')
      .set({
        scheduled_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 2 HOUR)`,
        created_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 2 HOUR)`,
      })
      .where('id', '=', old)
      .execute();
    await b.database
      .updateTable('celers_live_tasks')
      .set({ created_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 2 HOUR)` })
      .where('id', '=', delayed)
      .execute();
    const cancelled: string[][] = [];
    b.on('task:cancelled', (e) => cancelled.push(e.taskIds));
    expect(await b.maintenance.expirePending({ ttlMs: 3_600_000 })).toBe(1);
    const states = await b.database
      .selectFrom('celers_tasks')
      .select(['id', 'state'])
      .where('queue_name', '=', 'm-expire')
      .execute();
    expect(Object.fromEntries(states.map((s) => [s.id, s.state]))).toEqual({
      [old]: 'cancelled',
      [fresh]: 'pending',
      [delayed]: 'scheduled', // the stored state of a pending task due later
    });
    expect(cancelled).toEqual([[old]]);
    await expect(b.maintenance.expirePending({ ttlMs: 0 })).rejects.toMatchObject({
      argument: 'options.ttlMs',
    });
  });

  it('applyPriorityAging boosts old pending tasks once per call, capped, with validation', async () => {
    const b = await root.forQueue('m-aging');
    const old = await b.enqueue(createTask('a', 1, { priority: 5 }));
    const top = await b.enqueue(createTask('a', 2, { priority: 2_147_483_600 }));
    const fresh = await b.enqueue(createTask('a', 3, { priority: 5 }));
    await b.database
      .updateTable('celers_live_tasks')
      .set({ created_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 HOUR)` })
      .where('id', 'in', [old, top])
      .execute();
    expect(await b.maintenance.applyPriorityAging({ ageThresholdMs: 600_000, boost: 100 })).toBe(2);
    const prio = async (id: string) =>
      (
        await b.database
          .selectFrom('celers_tasks')
          .select('priority')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).priority;
    expect(await prio(old)).toBe(105);
    expect(await prio(top)).toBe(2_147_483_647);
    expect(await prio(fresh)).toBe(5);
    expect(await b.maintenance.applyPriorityAging({ ageThresholdMs: 600_000, priorityBoost: 10 })).toBe(2);
    expect(await prio(old)).toBe(115);
    for (const [options, argument] of [
      [{ ageThresholdMs: 0, boost: 1 }, 'options.ageThresholdMs'],
      [{ ageThresholdMs: 1000, boost: 0 }, 'options.boost'],
      [{ ageThresholdMs: 1000, boost: 1001 }, 'options.boost'],
      [{ ageThresholdMs: 1000, boost: -5 }, 'options.boost'],
      [{ ageThresholdMs: 1000 }, 'options.boost'],
    ] as const) {
      await expect(b.maintenance.applyPriorityAging(options as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument,
      });
    }
    expect(await prio(old)).toBe(115);
  });

  it('applyDlqRetention deletes old DLQ entries, refuses under one hour and warns under a day', async () => {
    const b = await root.forQueue('m-dlq');
    for (let i = 0; i < 3; i++) await b.enqueue(createTask('d', i, { maxRetries: 0 }));
    for (let i = 0; i < 3; i++) {
      const m = await b.dequeue();
      await b.reject(m!.task.metadata.id, m!.receiptHandle, { error: 'e' });
    }
    const dlqIds = (
      await b.database
        .selectFrom('celers_dead_letter_queue')
        .select('id')
        .where('queue_name', '=', 'm-dlq')
        .orderBy('id')
        .execute()
    ).map((r) => r.id);
    await b.database
      .updateTable('celers_dead_letter_queue')
      .set({ failed_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 2 DAY)` })
      .where('id', 'in', dlqIds.slice(0, 2))
      .execute();
    await expect(b.maintenance.applyDlqRetention({ retentionMs: 3_599_999 })).rejects.toMatchObject({
      argument: 'options.retentionMs',
    });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      expect(await b.maintenance.applyDlqRetention({ retentionMs: 86_400_000 })).toBe(2);
      expect(await b.maintenance.applyDlqRetention({ olderThanMs: 3_600_000 })).toBe(0);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    // The seed's guard rail: a day is fine, one hour is allowed with a warning.
    expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual([
      'CELERS_SHORT_DLQ_RETENTION',
    ]);
    const left = await b.database
      .selectFrom('celers_dead_letter_queue')
      .select('id')
      .where('queue_name', '=', 'm-dlq')
      .execute();
    expect(left.map((r) => r.id)).toEqual([dlqIds[2]]);
  });

  it('replayDlqBatch requeues entries matching a glob (user % and _ literal) and a retry floor', async () => {
    const b = await root.forQueue('m-replay');
    const names = ['pay.charge', 'pay.refund', 'pay_x', 'mail.send', 'pay%all'];
    for (const n of names) await b.enqueue(createTask(n, 1, { maxRetries: 0 }));
    for (const _ of names) {
      const m = await b.dequeue();
      await b.reject(m!.task.metadata.id, m!.receiptHandle, { error: 'e' });
    }
    await b.database
      .updateTable('celers_dead_letter_queue')
      .set({ retry_count: 3 })
      .where('task_name', '=', 'pay.refund')
      .execute();
    const dlqNames = async () =>
      (
        await b.database
          .selectFrom('celers_dead_letter_queue')
          .select('task_name')
          .where('queue_name', '=', 'm-replay')
          .execute()
      )
        .map((r) => r.task_name)
        .sort();
    // '%' in user input is literal: matches only the task named exactly "pay%all".
    expect(await b.maintenance.replayDlqBatch({ taskNamePattern: 'pay%all', limit: 10 })).toBe(1);
    expect(await b.maintenance.replayDlqBatch({ taskNamePattern: 'pay.*', minRetries: 3, limit: 10 })).toBe(
      1,
    );
    expect(await dlqNames()).toEqual(['mail.send', 'pay.charge', 'pay_x']);
    expect(await b.maintenance.replayDlqBatch({ taskNamePattern: 'pay?*', limit: 1 })).toBe(1);
    expect(await dlqNames()).toHaveLength(2);
    const requeued = await b.database
      .selectFrom('celers_tasks')
      .selectAll()
      .where('queue_name', '=', 'm-replay')
      .where('state', '=', 'pending')
      .execute();
    expect(requeued.map((r) => r.task_name).sort()).toEqual(['pay%all', 'pay.charge', 'pay.refund']);
    expect(requeued.every((r) => r.retry_count === 0)).toBe(true);
    await expect(b.maintenance.replayDlqBatch({ limit: 0 })).rejects.toMatchObject({
      argument: 'options.limit',
    });
    await expect(b.maintenance.replayDlqBatch({ limit: 5, minRetries: -1 })).rejects.toMatchObject({
      argument: 'options.minRetries',
    });
    await expect(b.maintenance.replayDlqBatch({ limit: 5, taskNamePattern: '' })).rejects.toMatchObject({
      argument: 'options.taskNamePattern',
    });
    expect(await dlqNames()).toHaveLength(2);
  });

  it('table maintenance, pool warmup and stuck-task recovery', async () => {
    const optimized = await root.maintenance.optimizeTables();
    expect(optimized.map((o) => o.table)).toEqual([...CELERS_TABLES]);
    expect(
      optimized.every((o) => o.operation === 'optimize' && o.msgType === 'status' && o.msgText === 'OK'),
    ).toBe(true);
    const analyzed = await root.maintenance.analyzeTables();
    expect(analyzed.map((o) => `${o.table} ${o.msgType}`)).toEqual(CELERS_TABLES.map((t) => `${t} status`));
    expect((await root.maintenance.vacuumAnalyze()).map((o) => o.operation)).toEqual([
      ...CELERS_TABLES.map(() => 'optimize'),
      ...CELERS_TABLES.map(() => 'analyze'),
    ]);
    expect(await root.maintenance.warmupPool(3)).toBeGreaterThanOrEqual(3);
    await expect(root.maintenance.warmupPool(0)).rejects.toMatchObject({ argument: 'count' });
    const b = await root.forQueue('m-stuck');
    await b.enqueue(createTask('s', 1));
    await b.dequeue();
    await b.database
      .updateTable('celers_live_tasks')
      .set({ started_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 2 HOUR)` })
      .where('queue_name', '=', 'm-stuck')
      .execute();
    expect(await b.maintenance.recoverStuckTasks(3_600_000)).toBe(1);
    expect(await count(b, 'pending')).toBe(1);
    await expect(b.maintenance.recoverStuckTasks(-1)).rejects.toMatchObject({ argument: 'olderThanMs' });
  });
});

describe('deletes the dashboard asks for', () => {
  it('tasks.deleteFinished deletes finished tasks by id only, in this queue only, in both task tables', async () => {
    const { b, ids } = await seeded('m-delete-finished');
    const bystander = await seeded('m-delete-bystander');
    const unknown = '0190a0b0-0000-7000-8000-00000000dead';
    const all = [...Object.values(ids), bystander.ids.completed!, unknown];
    // the completed task may still be in the live table (until the archiver moves it): both are asked
    expect(await b.tasks.deleteFinished(all)).toBe(3);
    for (const s of ['completed', 'failed', 'cancelled'] as const)
      expect(await b.tasks.get(ids[s]!)).toBeNull();
    expect((await b.tasks.get(ids.pending!))?.state).toBe('pending');
    expect((await b.tasks.get(ids.processing!))?.state).toBe('processing');
    expect((await bystander.b.tasks.get(bystander.ids.completed!))?.state).toBe('completed');
    expect(await b.tasks.deleteFinished(all)).toBe(0);
    expect(await b.tasks.deleteFinished([])).toBe(0);
    await expect(b.tasks.deleteFinished('x' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'taskIds',
    });
    await expect(b.tasks.deleteFinished(['not-an-id'])).rejects.toMatchObject({ argument: 'taskIds[0]' });
    await b.close();
    await bystander.b.close();
  });

  it('maintenance.deleteQueueConfig removes this queue’s flags and keys, so it is neither paused nor draining', async () => {
    const b = await root.forQueue('m-config');
    const other = await root.forQueue('m-config-other');
    await b.pause();
    await b.enableDrainMode();
    await other.pause();
    expect(await b.maintenance.deleteQueueConfig()).toBe(2);
    expect(await b.isPaused()).toBe(false);
    expect(await b.isDrainMode()).toBe(false);
    // this pool's cached drain flag is cleared too: an enqueue works at once
    await expect(b.enqueue(createTask('after.config', 1))).resolves.toEqual(expect.any(String));
    expect(await other.isPaused()).toBe(true);
    expect(await b.maintenance.deleteQueueConfig()).toBe(0);
    await b.close();
    await other.close();
  });
});
