import { assertInteger, assertLimit, assertName, assertQueueName, assertTaskId } from '@celers/core';
import { Hono } from 'hono';
import type { DashboardEnv, DashboardServices } from '../dashboard-env.js';
import { searchDlq } from '../data/dlq-search.sql.js';
import { toApiError } from './api-error.js';
import { bulkIds, parseDlqFilters, readJsonBody, requireConfirmation } from './request-params.js';

/** Most DLQ entries one replay requeues when the body gives no `limit`. */
export const DEFAULT_REPLAY_LIMIT = 100;

/** What a bulk action did to one id: done, or the error code and message that stopped it. */
export interface BulkOutcome {
  id: string;
  ok: boolean;
  /** The new task id of a requeued DLQ entry. */
  taskId?: string;
  code?: string;
  message?: string;
}

/** Dead letter queue: list with filters and paging, requeue one or many, replay by filter, purge. */
export function dlqRoutes(services: DashboardServices): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const { readDb, queues } = services;

  app.get('/queues/:queue/dlq', async (c) => {
    const filters = parseDlqFilters(c.req.query());
    return c.json(await searchDlq(readDb, assertQueueName(c.req.param('queue'), 'queue'), filters));
  });

  // One entry at a time through broker.dlq.requeue (the broker has no bulk requeue by ids): each entry is
  // its own transaction, so one refusal (drain mode, a duplicate dedup key) does not undo the others.
  app.post('/queues/:queue/dlq/requeue', async (c) => {
    const body = await readJsonBody(c.req.raw);
    requireConfirmation(body, 'Requeueing DLQ entries');
    const ids = bulkIds(body);
    const { broker } = await queues.get(c.req.param('queue'));
    const results: BulkOutcome[] = [];
    for (const id of ids) {
      try {
        results.push({ id, ok: true, taskId: await broker.dlq.requeue(id) });
      } catch (error) {
        const { status, body: answer } = toApiError(error);
        if (status === 500 || status === 503) throw error;
        results.push({ id, ok: false, code: answer.error.code, message: answer.error.message });
      }
    }
    return c.json({ requeued: results.filter((r) => r.ok).length, results });
  });

  app.post('/queues/:queue/dlq/:id/requeue', async (c) => {
    const id = assertTaskId(c.req.param('id'), 'id');
    requireConfirmation(await readJsonBody(c.req.raw), 'Requeueing a DLQ entry');
    const { broker } = await queues.get(c.req.param('queue'));
    return c.json({ dlqId: id, taskId: await broker.dlq.requeue(id) });
  });

  app.post('/queues/:queue/dlq/replay', async (c) => {
    const body = await readJsonBody(c.req.raw);
    requireConfirmation(body, 'Replaying DLQ entries');
    const limit = body.limit === undefined ? DEFAULT_REPLAY_LIMIT : assertLimit(body.limit, 'limit');
    const pattern =
      body.taskNamePattern === undefined || body.taskNamePattern === ''
        ? undefined
        : assertName(body.taskNamePattern, 'taskNamePattern');
    const minRetries =
      body.minRetries === undefined ? undefined : assertInteger(body.minRetries, 'minRetries', 0, 1_000_000);
    const { broker } = await queues.get(c.req.param('queue'));
    const replayed = await broker.maintenance.replayDlqBatch({
      limit,
      ...(pattern === undefined ? {} : { taskNamePattern: pattern }),
      ...(minRetries === undefined ? {} : { minRetries }),
    });
    return c.json({ replayed });
  });

  app.post('/queues/:queue/dlq/purge', async (c) => {
    const body = await readJsonBody(c.req.raw);
    requireConfirmation(body, 'Purging DLQ entries');
    const ids = body.ids === undefined ? undefined : bulkIds(body);
    const { broker } = await queues.get(c.req.param('queue'));
    if (ids === undefined) return c.json({ purged: await broker.dlq.purgeAll() });
    let purged = 0;
    for (const id of ids) if (await broker.dlq.purge(id)) purged++;
    return c.json({ purged });
  });

  return app;
}
