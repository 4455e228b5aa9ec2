import { readQueueState } from '@celers/broker-mysql';
import { assertQueueName, CelersError } from '@celers/core';
import { QueueMonitor } from '@celers/monitoring';
import { Hono } from 'hono';
import type { DashboardEnv, DashboardServices } from '../dashboard-env.js';
import type { CelersKysely } from '../dashboard-options.js';
import { selectQueueNames } from '../data/queue-names.sql.js';
import type { QueueHandle } from '../data/queue-registry.js';
import { readReplicaLag } from '../data/replica-lag.js';
import { intParam, readJsonBody, requireConfirmation } from './request-params.js';

/** Throughput window of the metrics endpoint when none is given: one minute. */
export const DEFAULT_METRICS_WINDOW_MS = 60_000;

/** Counts and flags of `name` as `db` (the primary, or the replica for read-only pages) has them. */
async function queueState(db: CelersKysely, name: string) {
  const { stats, paused, draining } = await readQueueState(db, name);
  // A phantom queue has a config row (a pause or drain flag, perhaps under a mistyped name) but no task and
  // no DLQ entry: the page offers to delete it.
  const phantom = stats.total === 0 && stats.dlq === 0;
  return { name, stats, paused, draining, phantom };
}

/** Queue overview, control (pause/resume/drain), metrics, workers and schedules. */
export function queueRoutes(services: DashboardServices): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const { db, readDb, queues } = services;

  // The CSRF token is only here: a same-origin script can read it, a cross-site page cannot (no CORS).
  app.get('/config', (c) =>
    c.json({
      readOnly: services.options.readOnly,
      auth: services.options.auth?.kind ?? null,
      csrfToken: c.get('csrfToken'),
    }),
  );

  app.get('/queues', async (c) => {
    const names = await selectQueueNames(readDb);
    const list = [];
    // One queue at a time: a dashboard poll must not take every pool connection.
    for (const name of names) list.push(await queueState(readDb, name));
    const replica = services.options.readUrl === null ? null : await readReplicaLag(readDb);
    return c.json({ queues: list, replica });
  });

  app.get('/queues/:queue/stats', async (c) => {
    return c.json(await queueState(readDb, assertQueueName(c.req.param('queue'), 'queue')));
  });

  const controls = {
    pause: (h: QueueHandle) => h.broker.pause(),
    resume: (h: QueueHandle) => h.broker.resume(),
    drain: (h: QueueHandle) => h.broker.enableDrainMode(),
    undrain: (h: QueueHandle) => h.broker.disableDrainMode(),
  } as const;
  for (const [action, run] of Object.entries(controls)) {
    app.post(`/queues/:queue/${action}`, async (c) => {
      const name = c.req.param('queue');
      await run(await queues.get(name));
      // the answer shows the change: read where it was made, not on a replica that may not have it yet
      return c.json(await queueState(db, name));
    });
  }

  app.post('/queues/:queue/delete', async (c) => {
    requireConfirmation(await readJsonBody(c.req.raw), 'Deleting a queue');
    const name = c.req.param('queue');
    const { broker } = await queues.get(name);
    const [stats, schedules] = await Promise.all([broker.tasks.statistics(), broker.schedules.list()]);
    if (stats.total > 0 || stats.dlq > 0 || schedules.length > 0) {
      throw new CelersError(
        'INVALID_STATE',
        `Queue "${name}" holds ${stats.total} task(s), ${stats.dlq} DLQ entr${stats.dlq === 1 ? 'y' : 'ies'} and ${schedules.length} schedule(s): only an empty queue can be deleted`,
        { details: { queue: name } },
      );
    }
    return c.json({ deleted: true, configRows: await broker.maintenance.deleteQueueConfig() });
  });

  app.get('/queues/:queue/metrics', async (c) => {
    const windowMs = intParam(c.req.query(), 'windowMs', DEFAULT_METRICS_WINDOW_MS, 1_000, 86_400_000);
    const queue = assertQueueName(c.req.param('queue'), 'queue');
    const monitor = new QueueMonitor({ database: readDb, queue });
    const [throughput, latency] = await Promise.all([
      monitor.throughput({ windowMs }),
      monitor.latencyPercentiles(),
    ]);
    return c.json({ queue: monitor.queue, sampledAt: new Date(), throughput, latency });
  });

  app.get('/queues/:queue/workers', async (c) => {
    const { broker } = await queues.get(c.req.param('queue'));
    const [heartbeats, statistics] = await Promise.all([
      broker.workers.heartbeats(),
      broker.workers.allStatistics(),
    ]);
    const byId = new Map(statistics.map((s) => [s.workerId, s]));
    const workers = heartbeats.map((h) => ({ ...h, statistics: byId.get(h.workerId) ?? null }));
    // Workers that ran tasks but never sent a heartbeat (or whose row was removed) are still worth listing.
    const unregistered = statistics.filter((s) => !heartbeats.some((h) => h.workerId === s.workerId));
    return c.json({ workers, unregistered });
  });

  app.get('/queues/:queue/schedules', async (c) => {
    const { broker } = await queues.get(c.req.param('queue'));
    const schedules = await broker.schedules.list();
    return c.json({
      schedules: schedules.map(({ payload: _payload, ...rest }) => rest),
    });
  });

  return app;
}
