import type { MysqlBroker } from '@celers/broker-mysql';
import { assertTaskId, CelersError, type TaskState } from '@celers/core';
import { Hono } from 'hono';
import type { DashboardEnv, DashboardServices } from '../dashboard-env.js';
import type { CelersKysely } from '../dashboard-options.js';
import { searchDlq } from '../data/dlq-search.sql.js';
import { findTaskQueue } from '../data/task-location.sql.js';
import { bulkIds, readJsonBody, requireConfirmation } from './request-params.js';

/** States a task may be retried from: it ran and ended without success, or was cancelled. */
export const RETRYABLE_STATES: readonly TaskState[] = ['failed', 'cancelled'];

/** DLQ copies of one task removed on retry at most (a task is dead-lettered once per failure). */
const MAX_DLQ_COPIES = 100;

/** Ids a bulk action changed, and the others with the reason. */
export interface BulkTaskAnswer {
  changed: string[];
  skipped: Array<{ id: string; state: TaskState | null; reason: string }>;
}

/**
 * Splits `ids` into the tasks of `broker`'s queue whose state is in `allowed` and the rest (with their
 * state, `null` when not found), reading each through `broker.tasks.get`.
 */
async function partitionByState(
  broker: MysqlBroker,
  ids: readonly string[],
  allowed: readonly TaskState[],
  action: string,
): Promise<{ eligible: string[]; skipped: BulkTaskAnswer['skipped'] }> {
  const eligible: string[] = [];
  const skipped: BulkTaskAnswer['skipped'] = [];
  for (const id of ids) {
    const task = await broker.tasks.get(id);
    if (!task) skipped.push({ id, state: null, reason: 'not found in this queue' });
    else if (!allowed.includes(task.state))
      skipped.push({ id, state: task.state, reason: `a ${task.state} task cannot be ${action}` });
    else eligible.push(id);
  }
  return { eligible, skipped };
}

/**
 * Retries failed or cancelled tasks: back to `pending` with the same id (one more attempt under their retry
 * limit), and their DLQ copies are deleted so the DLQ does not offer the same task twice.
 */
async function retryTasks(db: CelersKysely, broker: MysqlBroker, ids: readonly string[]) {
  const { eligible, skipped } = await partitionByState(broker, ids, RETRYABLE_STATES, 'retried');
  await broker.tasks.updateBatchState(eligible, 'pending');
  for (const taskId of eligible) {
    const copies = await searchDlq(db, broker.queueName, { taskId, limit: MAX_DLQ_COPIES, offset: 0 });
    for (const entry of copies.entries) await broker.dlq.purge(entry.id);
  }
  return { changed: eligible, skipped };
}

/** Bulk actions on the task list (retry, cancel, delete) and the retry of one task. */
export function taskBulkRoutes(services: DashboardServices): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const { db, queues } = services;

  app.post('/queues/:queue/tasks/retry', async (c) => {
    const body = await readJsonBody(c.req.raw);
    requireConfirmation(body, 'Retrying tasks');
    const ids = bulkIds(body);
    const { broker } = await queues.get(c.req.param('queue'));
    const answer: BulkTaskAnswer = await retryTasks(db, broker, ids);
    return c.json(answer);
  });

  app.post('/queues/:queue/tasks/cancel', async (c) => {
    const body = await readJsonBody(c.req.raw);
    requireConfirmation(body, 'Cancelling tasks');
    const ids = bulkIds(body);
    const { broker } = await queues.get(c.req.param('queue'));
    const { eligible, skipped } = await partitionByState(broker, ids, ['pending', 'processing'], 'cancelled');
    const cancelled = await broker.cancelBatch(eligible);
    const answer: BulkTaskAnswer = { changed: eligible, skipped };
    return c.json({ ...answer, cancelled });
  });

  app.post('/queues/:queue/tasks/delete', async (c) => {
    const body = await readJsonBody(c.req.raw);
    requireConfirmation(body, 'Deleting tasks');
    const ids = bulkIds(body);
    const { broker } = await queues.get(c.req.param('queue'));
    const { eligible, skipped } = await partitionByState(
      broker,
      ids,
      ['completed', 'failed', 'cancelled'],
      'deleted (cancel it first)',
    );
    const deleted = await broker.tasks.deleteFinished(eligible);
    const answer: BulkTaskAnswer = { changed: eligible, skipped };
    return c.json({ ...answer, deleted });
  });

  app.post('/tasks/:id/retry', async (c) => {
    const id = assertTaskId(c.req.param('id'), 'id');
    const body = await readJsonBody(c.req.raw);
    requireConfirmation(body, 'Retrying a task');
    const queue = body.queue ?? c.req.query('queue') ?? (await findTaskQueue(db, id));
    if (queue === null || queue === undefined || queue === '')
      throw new CelersError('TASK_NOT_FOUND', `Task ${id} was not found`, { details: { id } });
    const { broker } = await queues.get(queue);
    const { changed, skipped } = await retryTasks(db, broker, [id]);
    const refused = skipped[0];
    if (refused?.state === null)
      throw new CelersError('TASK_NOT_FOUND', `Task ${id} was not found`, { details: { id } });
    if (refused)
      throw new CelersError(
        'INVALID_STATE',
        `Task ${id} is ${refused.state}: only failed or cancelled tasks can be retried`,
      );
    return c.json({ retried: changed.length === 1, task: await broker.tasks.get(id) });
  });

  return app;
}
