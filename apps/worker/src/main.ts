// Demo worker: a pool of handlers for the demo producer's tasks, the Maintainer (recovery, retention) and the
// recurring-task scheduler, with Prometheus metrics on METRICS_HOST:METRICS_PORT (loopback by default; a wider
// bind needs METRICS_TOKEN or METRICS_INSECURE_NO_AUTH=1). Stops gracefully on SIGTERM/SIGINT.
import { Maintainer } from '@celers/broker-mysql';
import { isCelersError } from '@celers/core';
import { createMetricsRegistry, registerBrokerMetrics } from '@celers/monitoring';
import { Worker } from '@celers/worker';
import { connectWhenMigrated } from './connect-when-migrated.js';
import { demoHandlers } from './demo-handlers.js';
import { startMetricsServer } from './metrics-server.js';
import { workerConfigFromEnv } from './worker-config.js';

/** How often due recurring tasks are enqueued. */
const SCHEDULE_POLL_MS = 1_000;
/** How often the worker prints its counters. */
const REPORT_EVERY_MS = 5_000;

/** Settings and the metrics server first: a refused configuration exits before any connection is made. */
async function startUp() {
  try {
    const config = workerConfigFromEnv();
    const registry = createMetricsRegistry();
    const metrics = await startMetricsServer(registry, {
      port: config.metricsPort,
      host: config.metricsHost,
      ...(config.metricsToken === undefined ? {} : { token: config.metricsToken }),
      insecureNoAuth: config.metricsInsecureNoAuth,
      allowedHosts: config.metricsAllowedHosts,
    });
    return { config, registry, metrics };
  } catch (error) {
    console.error(`[worker] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(isCelersError(error, 'INVALID_ARGUMENT') ? 2 : 1);
  }
}

const { config, registry, metrics } = await startUp();
const shownHost = metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host;
console.log(
  `[worker] metrics on http://${shownHost}:${metrics.port}/metrics` +
    (metrics.exposure === 'authenticated' ? ' (bearer token required)' : ''),
);
const broker = await connectWhenMigrated({ url: config.url, queue: config.queue });
const unregisterMetrics = registerBrokerMetrics(broker, { registry });

const worker = new Worker({
  broker,
  handlers: demoHandlers(broker),
  concurrency: config.concurrency,
  storeResults: true,
  maxPollIntervalMs: 500,
  heartbeatIntervalMs: 5_000,
});
let completed = 0;
let failed = 0;
worker.on('task:completed', () => {
  completed += 1;
});
worker.on('task:failed', ({ taskName, error, outcome }) => {
  failed += 1;
  console.log(`[worker] ${taskName} failed (${outcome.outcome}): ${error.message}`);
});

const maintainer = new Maintainer(broker, { recoverTimedOut: { intervalMs: 10_000 } });
maintainer.on('job:failed', ({ job, error }) =>
  console.error(`[worker] maintenance job ${job} failed: ${error.message}`),
);

// One schedules pass at a time, and shutdown waits for the one in flight: closing the pool under it is what
// printed "Can't add new command when connection is in closed state".
let scheduling: Promise<void> | undefined;
const scheduler = setInterval(() => {
  scheduling ??= broker.schedules
    .process()
    .then(() => undefined)
    .catch((error: Error) => console.error(`[worker] schedules: ${error.message}`))
    .finally(() => {
      scheduling = undefined;
    });
}, SCHEDULE_POLL_MS);
const reporter = setInterval(
  () => console.log(`[worker] completed ${completed}, failed ${failed}`),
  REPORT_EVERY_MS,
);

await worker.start();
maintainer.start();
console.log(`[worker] consuming queue "${config.queue}" with concurrency ${config.concurrency}`);

let stopping: Promise<void> | undefined;
function shutdown(reason: string): Promise<void> {
  stopping ??= (async () => {
    console.log(`[worker] ${reason}: finishing running tasks`);
    clearInterval(scheduler);
    clearInterval(reporter);
    await scheduling;
    await worker.close();
    await maintainer.stop();
    unregisterMetrics();
    await metrics.close();
    await broker.close();
    console.log(`[worker] stopped: completed ${completed}, failed ${failed}`);
  })();
  return stopping;
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(signal));
if (config.durationMs !== undefined)
  setTimeout(() => void shutdown('demo duration reached'), config.durationMs).unref();
