import { assertQueueName, assertTaskId, CelersError, TRACEPARENT_KEY, TraceContext } from '@celers/core';
import { Hono } from 'hono';
import type { DashboardEnv, DashboardServices } from '../dashboard-env.js';
import { searchDlq } from '../data/dlq-search.sql.js';
import { readPayloadPreview } from '../data/payload-preview.sql.js';
import { findResultQueue, findTaskQueue } from '../data/task-location.sql.js';
import { searchTasks } from '../data/task-search.sql.js';
import { parseTaskFilters, readJsonBody, requireConfirmation } from './request-params.js';

/** DLQ entries of one task the detail page links to at most. */
const DLQ_LINKS = 20;

function notFound(what: string, id: string): CelersError {
  return new CelersError('TASK_NOT_FOUND', `${what} ${id} was not found`, { details: { id } });
}

/** The trace id stored with a task (W3C `traceparent` in its metadata), or `null`. */
function traceIdOf(metadata: Record<string, unknown>): string | null {
  const header = metadata[TRACEPARENT_KEY];
  if (typeof header !== 'string') return null;
  try {
    return TraceContext.fromTraceparent(header).traceId;
  } catch {
    return null;
  }
}

/** Task list with filters, task detail, cancel and results lookup. */
export function taskRoutes(services: DashboardServices): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const { db, readDb, queues } = services;

  /** The queue named by `?queue=` (or the body), else the queue found by `lookup`. */
  async function queueOf(
    given: unknown,
    id: string,
    lookup: (id: string) => Promise<string | null>,
    what: string,
  ) {
    if (given !== undefined && given !== '') return assertQueueName(given, 'queue');
    const found = await lookup(id);
    if (found === null) throw notFound(what, id);
    return found;
  }

  app.get('/queues/:queue/tasks', async (c) => {
    const filters = parseTaskFilters(c.req.query());
    return c.json(await searchTasks(readDb, assertQueueName(c.req.param('queue'), 'queue'), filters));
  });

  app.get('/tasks/:id', async (c) => {
    const id = assertTaskId(c.req.param('id'), 'id');
    const queue = await queueOf(c.req.query('queue'), id, (i) => findTaskQueue(db, i), 'Task');
    const { broker, monitor } = await queues.get(queue);
    const task = await broker.tasks.get(id);
    if (!task) throw notFound('Task', id);
    const [payload, result, history, dlq] = await Promise.all([
      readPayloadPreview(db, queue, id),
      broker.results.get(id),
      monitor.stateTransitions(id),
      searchDlq(db, queue, { taskId: id, limit: DLQ_LINKS, offset: 0 }),
    ]);
    const dlqEntries = dlq.entries.map((e) => ({ id: e.id, failedAt: e.failedAt }));
    return c.json({ task, traceId: traceIdOf(task.metadata), payload, result, history, dlqEntries });
  });

  app.post('/tasks/:id/cancel', async (c) => {
    const id = assertTaskId(c.req.param('id'), 'id');
    const body = await readJsonBody(c.req.raw);
    requireConfirmation(body, 'Cancelling a task');
    const queue = await queueOf(body.queue ?? c.req.query('queue'), id, (i) => findTaskQueue(db, i), 'Task');
    const { broker } = await queues.get(queue);
    const task = await broker.tasks.get(id);
    if (!task) throw notFound('Task', id);
    if (!(await broker.cancel(id))) {
      throw new CelersError(
        'INVALID_STATE',
        `Task ${id} is ${task.state}: only pending or processing tasks can be cancelled`,
      );
    }
    return c.json({ cancelled: true, task: await broker.tasks.get(id) });
  });

  app.get('/results/:id', async (c) => {
    const id = assertTaskId(c.req.param('id'), 'id');
    const queue = await queueOf(c.req.query('queue'), id, (i) => findResultQueue(db, i), 'Result of task');
    const { broker } = await queues.get(queue);
    const result = await broker.results.get(id);
    if (!result) throw notFound('Result of task', id);
    return c.json({ result });
  });

  return app;
}
