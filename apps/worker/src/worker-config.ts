import { assertDurationMs, assertInteger, assertQueueName, CelersError } from '@celers/core';
import { assertBindHost, DEFAULT_BIND_HOST, MIN_ACCESS_TOKEN_LENGTH } from '@celers/monitoring';

/** Settings of the demo worker, read from the environment. */
export interface WorkerAppConfig {
  /** `CELERS_DATABASE_URL` (required). */
  readonly url: string;
  /** `CELERS_QUEUE`. @defaultValue 'demo' */
  readonly queue: string;
  /** `METRICS_PORT`: where `/metrics` is served; `0` picks a free port. @defaultValue 9464 */
  readonly metricsPort: number;
  /** `METRICS_HOST`: listen address of `/metrics`; beyond loopback it needs a token. @defaultValue '127.0.0.1' */
  readonly metricsHost: string;
  /** `METRICS_TOKEN`: scrapers must send `Authorization: Bearer <token>`; none when unset. */
  readonly metricsToken: string | undefined;
  /** `METRICS_INSECURE_NO_AUTH=1`: serve beyond loopback without a token (warns). @defaultValue false */
  readonly metricsInsecureNoAuth: boolean;
  /** `METRICS_ALLOWED_HOSTS`: comma-separated extra Host names (the name Prometheus scrapes). @defaultValue none */
  readonly metricsAllowedHosts: readonly string[];
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

/** Reads a yes/no variable: `1`/`true`/`yes` or `0`/`false`/`no`/unset. */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(raw)) return false;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  throw CelersError.invalidArgument(name, `expected 1 or 0, got ${JSON.stringify(env[name])}`);
}

function optionalToken(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const token = env[name];
  if (token === undefined || token === '') return undefined;
  if (token.length < MIN_ACCESS_TOKEN_LENGTH || /\s/.test(token))
    throw CelersError.invalidArgument(
      name,
      `use a token of at least ${MIN_ACCESS_TOKEN_LENGTH} characters without spaces`,
    );
  return token;
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
    metricsHost: assertBindHost(env.METRICS_HOST || DEFAULT_BIND_HOST, 'METRICS_HOST'),
    metricsToken: optionalToken(env, 'METRICS_TOKEN'),
    metricsInsecureNoAuth: flag(env, 'METRICS_INSECURE_NO_AUTH'),
    metricsAllowedHosts: (env.METRICS_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== ''),
    concurrency: concurrency === undefined ? 8 : assertInteger(concurrency, 'WORKER_CONCURRENCY', 1, 1_000),
    durationMs: duration === undefined ? undefined : assertDurationMs(duration, 'DEMO_DURATION_MS', 1),
  });
}
