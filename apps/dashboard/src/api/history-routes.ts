import { assertOneOf, assertQueueName } from '@celers/core';
import { TASK_HISTORY_RANGES, type TaskHistoryRange, taskHistoryBuckets } from '@celers/monitoring';
import { Hono } from 'hono';
import type { DashboardEnv, DashboardServices } from '../dashboard-env.js';
import { intParam } from './request-params.js';

const RANGES = Object.keys(TASK_HISTORY_RANGES) as TaskHistoryRange[];

/** Finished rows one history request reads at most (bounds the cost of a chart on a big table). */
export const HISTORY_MAX_ROWS = 200_000;

/** History charts: throughput, failures and latency percentiles per task name, from the database. */
export function historyRoutes(services: DashboardServices): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const { readDb } = services;

  app.get('/queues/:queue/history', async (c) => {
    const query = c.req.query();
    const range = query.range ? assertOneOf(query.range, RANGES, 'range') : '1h';
    const maxRows = intParam(query, 'maxRows', HISTORY_MAX_ROWS, 1, HISTORY_MAX_ROWS);
    const queue = assertQueueName(c.req.param('queue'), 'queue');
    return c.json(
      await taskHistoryBuckets(
        { database: readDb, queue },
        {
          range,
          maxRows,
          ...(query.taskName ? { taskName: query.taskName } : {}),
        },
      ),
    );
  });

  return app;
}
