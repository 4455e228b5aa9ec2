import { createTask } from '@celers/core';
import { CELERS_TABLES } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type RawBuilder, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DLQ_RETENTION_MS,
  DEFAULT_RESULT_RETENTION_MS,
  DEFAULT_TASK_RETENTION_MS,
  Maintainer,
  type MaintainerOptions,
  MysqlBroker,
} from '../src/index.js';

// Each retention job deletes exactly the rows older than its cutoff (by the database clock) and keeps the rest.

const MINUTE = 60_000;
let tdb: TestDatabase;
let broker: MysqlBroker;
let other: MysqlBroker; // another queue on the same database: never touched by this queue's maintainer

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'ret', migrate: true });
  other = await broker.forQueue('other');
});
afterAll(async () => {
  await other?.close();
  await broker?.close();
  await tdb?.drop();
});

function ago(ms: number): RawBuilder<Date> {
  return sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ${Math.round(ms * 1000)} MICROSECOND)`;
}

function only(job: keyof MaintainerOptions, settings: object = {}): Maintainer {
  const off: MaintainerOptions = {
    recoverTimedOut: false,
    staleWorkers: false,
    archiveCompleted: false,
    archiveResults: false,
    dlqRetention: false,
    idempotencyCleanup: false,
    priorityAging: false,
  };
  return new Maintainer(broker, { ...off, [job]: settings, owner: `t-${job}` });
}

/** Enqueues a task and forces it into `state` with `completed_at` `ageMs` ago. */
async function finishedTask(
  b: MysqlBroker,
  state: 'completed' | 'failed' | 'cancelled',
  ageMs: number,
): Promise<string> {
  const id = await b.enqueue(createTask('old', { state }));
  await b.tasks.updateBatchState([id], state);
  await b.database
    .updateTable('celers_finished_tasks')
    .set({ completed_at: ago(ageMs) })
    .where('id', '=', id)
    .execute();
  return id;
}

async function taskIds(queue: string): Promise<string[]> {
  const rows = await broker.database
    .selectFrom('celers_tasks')
    .select('id')
    .where('queue_name', '=', queue)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

describe('Maintainer retention jobs', () => {
  it('archiveCompleted: removes finished tasks older than 7 days by default, keeps newer and live ones', async () => {
    const old = [
      await finishedTask(broker, 'completed', DEFAULT_TASK_RETENTION_MS + MINUTE),
      await finishedTask(broker, 'failed', DEFAULT_TASK_RETENTION_MS + MINUTE),
      await finishedTask(broker, 'cancelled', DEFAULT_TASK_RETENTION_MS + 30 * MINUTE),
    ];
    const young = [
      await finishedTask(broker, 'completed', DEFAULT_TASK_RETENTION_MS - MINUTE),
      await finishedTask(broker, 'failed', 1_000),
    ];
    const pending = await broker.enqueue(createTask('live', 1));
    await broker.database
      .updateTable('celers_live_tasks')
      .set({ created_at: ago(30 * 24 * 3600_000) })
      .where('id', '=', pending)
      .execute();
    const otherOld = await finishedTask(other, 'completed', DEFAULT_TASK_RETENTION_MS + MINUTE);

    const result = await only('archiveCompleted').runOnce('archiveCompleted');
    expect(result).toMatchObject({ status: 'completed', counts: { deleted: 3 } });
    const left = await taskIds('ret');
    for (const id of old) expect(left).not.toContain(id);
    expect(left).toEqual([...young, pending].sort());
    expect(await taskIds('other')).toEqual([otherOld]);
    await broker.cancel(pending); // out of the way of the claim in the recovery test
  });

  it('archiveCompleted: honours a configured retention', async () => {
    await broker.maintenance.archiveCompleted({ olderThanMs: 0 }); // start from no finished tasks
    const hourOld = await finishedTask(broker, 'completed', 61 * MINUTE);
    const fresh = await finishedTask(broker, 'completed', 59 * MINUTE);
    const r = await only('archiveCompleted', { retentionMs: 60 * MINUTE }).runOnce('archiveCompleted');
    expect(r).toMatchObject({ status: 'completed', counts: { deleted: 1 } });
    const left = await taskIds('ret');
    expect(left).not.toContain(hourOld);
    expect(left).toContain(fresh);
  });

  it('archiveCompleted: also deletes the task links whose task is gone, of every queue, and keeps the others', async () => {
    const grouped = await broker.enqueue(createTask('old', 1, { metadata: { group_id: 'retained' } }));
    // Failed 8 days ago with a group: its links row stayed behind (failures spend no statement on it).
    const old = await broker.enqueue(createTask('old', 2, { metadata: { group_id: 'gone-with-its-task' } }));
    await broker.tasks.updateBatchState([old], 'failed');
    await broker.database
      .updateTable('celers_finished_tasks')
      .set({ completed_at: ago(8 * 24 * 60 * MINUTE) })
      .where('id', '=', old)
      .execute();
    const orphan = uuidv7(); // as a keepCompleted: false ack leaves behind
    await sql`INSERT INTO celers_task_links (task_id, queue_name, group_id) VALUES (${orphan}, 'other', 'g')`.execute(
      broker.database,
    );
    const linked = async () =>
      (
        await broker.database.selectFrom('celers_task_links').select('task_id').orderBy('task_id').execute()
      ).map((r) => r.task_id);
    expect(await linked()).toEqual(expect.arrayContaining([grouped, old, orphan]));
    await only('archiveCompleted').runOnce('archiveCompleted');
    const left = await linked();
    expect(left).toContain(grouped);
    expect(left).not.toContain(old);
    expect(left).not.toContain(orphan);
    await broker.cancel(grouped);
  });

  it('archiveResults: removes finished results older than 30 days by default', async () => {
    const insert = (
      taskId: string,
      status: 'SUCCESS' | 'FAILURE' | 'STARTED',
      ageMs: number,
      queue = 'ret',
    ) =>
      broker.database
        .insertInto('celers_task_results')
        .values({
          task_id: taskId,
          queue_name: queue,
          task_name: 't',
          status,
          result: JSON.stringify({ ok: true }),
          error: null,
          traceback: null,
          created_at: ago(ageMs),
          completed_at: status === 'STARTED' ? null : ago(ageMs),
          runtime_ms: 5,
        })
        .execute();
    const oldIds = [uuidv7(), uuidv7()];
    const keep = [uuidv7(), uuidv7()];
    await insert(oldIds[0]!, 'SUCCESS', DEFAULT_RESULT_RETENTION_MS + MINUTE);
    await insert(oldIds[1]!, 'FAILURE', DEFAULT_RESULT_RETENTION_MS + MINUTE);
    await insert(keep[0]!, 'SUCCESS', DEFAULT_RESULT_RETENTION_MS - MINUTE);
    await insert(keep[1]!, 'STARTED', DEFAULT_RESULT_RETENTION_MS + MINUTE); // unfinished: kept
    const otherQueue = uuidv7();
    await insert(otherQueue, 'SUCCESS', DEFAULT_RESULT_RETENTION_MS + MINUTE, 'other');

    expect(await only('archiveResults').runOnce('archiveResults')).toMatchObject({
      status: 'completed',
      counts: { deleted: 2 },
    });
    const left = await broker.database
      .selectFrom('celers_task_results')
      .select('task_id')
      .orderBy('task_id')
      .execute();
    expect(left.map((r) => r.task_id)).toEqual([...keep, otherQueue].sort());
  });

  it('dlqRetention: removes DLQ entries older than 30 days by default', async () => {
    const insert = async (ageMs: number) => {
      const id = uuidv7();
      await broker.database
        .insertInto('celers_dead_letter_queue')
        .values({
          id,
          task_id: uuidv7(),
          queue_name: 'ret',
          task_name: 'dead',
          payload: Buffer.from('{}'),
          content_type: 'application/json',
          content_encoding: 'utf-8',
          priority: 0,
          retry_count: 3,
          max_retries: 3,
          retry_policy: null,
          error_message: 'boom',
          metadata: '{}',
          created_at: ago(ageMs),
          failed_at: ago(ageMs),
        })
        .execute();
      return id;
    };
    const old = await insert(DEFAULT_DLQ_RETENTION_MS + MINUTE);
    const young = await insert(DEFAULT_DLQ_RETENTION_MS - MINUTE);
    expect(await only('dlqRetention').runOnce('dlqRetention')).toMatchObject({
      status: 'completed',
      counts: { deleted: 1 },
    });
    const left = await broker.database.selectFrom('celers_dead_letter_queue').select('id').execute();
    expect(left.map((r) => r.id)).toEqual([young]);
    expect(left.map((r) => r.id)).not.toContain(old);
  });

  it('idempotencyCleanup: removes expired keys only', async () => {
    const insert = (key: string, expires: RawBuilder<Date>) =>
      broker.database
        .insertInto('celers_task_idempotency')
        .values({
          queue_name: 'ret',
          task_name: 'pay',
          idempotency_key: key,
          task_id: uuidv7(),
          metadata: null,
          created_at: ago(2 * MINUTE),
          expires_at: expires,
        })
        .execute();
    await insert('expired', ago(1_000));
    await insert('live', sql<Date>`DATE_ADD(UTC_TIMESTAMP(6), INTERVAL 1 HOUR)`);
    expect(await only('idempotencyCleanup').runOnce('idempotencyCleanup')).toMatchObject({
      status: 'completed',
      counts: { deleted: 1 },
    });
    const left = await broker.database
      .selectFrom('celers_task_idempotency')
      .select('idempotency_key')
      .execute();
    expect(left.map((r) => r.idempotency_key)).toEqual(['live']);
  });

  it('recoverTimedOut: returns tasks with an expired lease to pending', async () => {
    const id = await broker.enqueue(createTask('slow', 1));
    const msg = await broker.dequeue({ workerId: 'gone' });
    expect(msg?.task.metadata.id).toBe(id);
    await broker.database
      .updateTable('celers_live_tasks')
      .set({ lease_expires_at: ago(1_000) })
      .where('id', '=', id)
      .execute();
    expect(await only('recoverTimedOut').runOnce('recoverTimedOut')).toMatchObject({
      status: 'completed',
      counts: { recovered: 1 },
    });
    const row = await broker.database
      .selectFrom('celers_tasks')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
    await broker.cancel(id);
  });

  it('staleWorkers: marks workers with a stale heartbeat offline', async () => {
    await broker.workers.heartbeat('fresh', 'busy', 1);
    await broker.workers.heartbeat('stale', 'busy', 2);
    await broker.database
      .updateTable('celers_worker_heartbeat')
      .set({ last_heartbeat: ago(5 * MINUTE) })
      .where('worker_id', '=', 'stale')
      .execute();
    const r = await only('staleWorkers', { staleAfterMs: MINUTE }).runOnce('staleWorkers');
    expect(r).toMatchObject({ status: 'completed', counts: { workers: 2, stale: 1 } });
    const rows = await broker.database
      .selectFrom('celers_worker_heartbeat')
      .select(['worker_id', 'status'])
      .orderBy('worker_id')
      .execute();
    expect(rows).toEqual([
      { worker_id: 'fresh', status: 'busy' },
      { worker_id: 'stale', status: 'offline' },
    ]);
  });

  it('priorityAging: off by default; when configured boosts old pending tasks', async () => {
    expect(new Maintainer(broker).jobNames).not.toContain('priorityAging');
    const old = await broker.enqueue(createTask('starving', 1, { priority: 0 }));
    const young = await broker.enqueue(createTask('fresh', 1, { priority: 0 }));
    await broker.database
      .updateTable('celers_live_tasks')
      .set({ created_at: ago(20 * MINUTE) })
      .where('id', '=', old)
      .execute();
    const r = await only('priorityAging', { ageThresholdMs: 10 * MINUTE, priorityBoost: 2 }).runOnce(
      'priorityAging',
    );
    expect(r).toMatchObject({ status: 'completed', counts: { boosted: 1 } });
    const rows = await broker.database
      .selectFrom('celers_tasks')
      .select(['id', 'priority'])
      .where('id', 'in', [old, young])
      .execute();
    expect(Object.fromEntries(rows.map((x) => [x.id, x.priority]))).toEqual({ [old]: 2, [young]: 0 });
    await broker.cancelBatch([old, young]);
  });

  it('runOnce() without a job runs every enabled job and reports each', async () => {
    const m = new Maintainer(broker, { owner: 'all-at-once' });
    const results = await m.runOnce();
    expect(results.map((r) => r.job)).toEqual(m.jobNames);
    expect(m.jobNames).toEqual([
      'recoverTimedOut',
      'staleWorkers',
      'archiveCompleted',
      'archiveResults',
      'dlqRetention',
      'idempotencyCleanup',
      'analyzeTables',
    ]);
    for (const r of results) expect(r.status).toBe('completed');
  });

  it('analyzeTables is table-wide: one lease shared by every queue; optimizeTables is off unless enabled', async () => {
    const onOther = new Maintainer(other, { owner: 'other-queue' });
    expect(onOther.jobNames).not.toContain('optimizeTables');
    const r = await only('analyzeTables').runOnce('analyzeTables');
    expect(r).toMatchObject({ status: 'completed', counts: { tables: CELERS_TABLES.length } });
    const [status] = (await onOther.jobStatus()).filter((j) => j.job === 'analyzeTables');
    expect(status?.lockName).toBe('celers.maintainer:*:analyzeTables');
    expect(status?.lastStartedAt).toBeInstanceOf(Date); // the run on queue "ret" counts for queue "other" too
    const opt = await only('optimizeTables').runOnce('optimizeTables');
    expect(opt).toMatchObject({ status: 'completed', counts: { tables: CELERS_TABLES.length } });
  });
});
