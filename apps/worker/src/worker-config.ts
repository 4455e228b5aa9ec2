import { assertDurationMs, assertInteger, assertQueueName, CelersError } from '@celers/core';

/** Settings of the demo worker, read from the environment. */
export interface WorkerAppConfig {
  /** `CELERS_DATABASE_URL` (required). */
  readonly url: string;
  /** `CELERS_QUEUE`. @defaultValue 'demo' */
  readonly queue: string;
  /** `METRICS_PORT`: where `/metrics` is served; `0` picks a free port. @defaultValue 9464 */
  readonly metricsPort: number;
  /** `WORKER_CONCURRENCY`. @defaultValue 8 */
  readonly concurrency: number;
  /** `DEMO_DURATION_MS`: stop by itself after this long; runs until a signal when unset. */
  readonly durationMs: number | undefined;
}

/** Port of the Prometheus endpoint when `METRICS_PORT` is unset (OpenTelemetry's Prometheus default). */
export const DEFAULT_METRICS_PORT = 9464;

function optionalNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : Number(raw);
}

/** Validates the worker's environment (`INVALID_ARGUMENT` naming the variable). */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerAppConfig {
  const url = env.CELERS_DATABASE_URL;
  if (!url)
    throw CelersError.invalidArgument('CELERS_DATABASE_URL', 'set it to mysql://user:pass@host:3306/db');
  const port = optionalNumber(env, 'METRICS_PORT');
  const concurrency = optionalNumber(env, 'WORKER_CONCURRENCY');
  const duration = optionalNumber(env, 'DEMO_DURATION_MS');
  return Object.freeze({
    url,
    queue: assertQueueName(env.CELERS_QUEUE || 'demo', 'CELERS_QUEUE'),
    metricsPort: port === undefined ? DEFAULT_METRICS_PORT : assertInteger(port, 'METRICS_PORT', 0, 65_535),
    concurrency: concurrency === undefined ? 8 : assertInteger(concurrency, 'WORKER_CONCURRENCY', 1, 1_000),
    durationMs: duration === undefined ? undefined : assertDurationMs(duration, 'DEMO_DURATION_MS', 1),
  });
}
