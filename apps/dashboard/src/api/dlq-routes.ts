import { assertInteger, assertLimit, assertName, assertTaskId, assertTaskIds } from '@celers/core';
import { Hono } from 'hono';
import type { DashboardEnv, DashboardServices } from '../dashboard-env.js';
import {
  DEFAULT_API_PAGE,
  intParam,
  MAX_API_PAGE,
  readJsonBody,
  requireConfirmation,
} from './request-params.js';

/** Most DLQ entries one replay requeues when the body gives no `limit`. */
export const DEFAULT_REPLAY_LIMIT = 100;

/** Dead letter queue: list, requeue one, replay by filter, purge. */
export function dlqRoutes(services: DashboardServices): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const { queues } = services;

  app.get('/queues/:queue/dlq', async (c) => {
    const query = c.req.query();
    const limit = intParam(query, 'limit', DEFAULT_API_PAGE, 1, MAX_API_PAGE);
    const offset = intParam(query, 'offset', 0, 0, 10_000_000);
    const { broker } = await queues.get(c.req.param('queue'));
    const [entries, stats] = await Promise.all([
      broker.dlq.list({ limit, offset }),
      broker.tasks.statistics(),
    ]);
    return c.json({ entries, total: stats.dlq, limit, offset });
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
    const ids = body.ids === undefined ? undefined : assertTaskIds(body.ids, 'ids');
    const { broker } = await queues.get(c.req.param('queue'));
    if (ids === undefined) return c.json({ purged: await broker.dlq.purgeAll() });
    let purged = 0;
    for (const id of ids) if (await broker.dlq.purge(id)) purged++;
    return c.json({ purged });
  });

  return app;
}
