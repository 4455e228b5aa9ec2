import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  assertBindHost,
  checkExposure,
  DEFAULT_BIND_HOST,
  type Exposure,
  insecureExposureWarning,
  type MetricsRegistry,
  metricsHandler,
  resolveAllowedHosts,
} from '@celers/monitoring';

/** Where and how `/metrics` is served. */
export interface MetricsServerOptions {
  /** Port; `0` picks a free one. */
  port: number;
  /** Listen address. @defaultValue {@link DEFAULT_BIND_HOST} (loopback only) */
  host?: string;
  /** Require `Authorization: Bearer <token>`; needed to listen beyond loopback. */
  token?: string;
  /** Serve beyond loopback without a token (warns loudly). @defaultValue false */
  insecureNoAuth?: boolean;
  /** Host names accepted besides the loopback names and the bind address (e.g. the name Prometheus scrapes). */
  allowedHosts?: readonly string[];
  /** Where the insecure-exposure warning goes. @defaultValue console.warn */
  warn?: (message: string) => void;
}

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  /** The port it listens on (useful when started with port 0). */
  readonly port: number;
  /** The address it listens on. */
  readonly host: string;
  /** Who can reach it: loopback only, with the token, or anyone (opted out). */
  readonly exposure: Exposure;
  close(): Promise<void>;
}

/**
 * Serves `registry` at `GET /metrics` (404 elsewhere). Listens on loopback unless `host` says otherwise; a
 * wider bind needs `token`, or `insecureNoAuth` (then it warns), and is refused with `INVALID_ARGUMENT`
 * (`METRICS_HOST`) before anything listens. Requests whose Host is not allowed get 421.
 */
export async function startMetricsServer(
  registry: MetricsRegistry,
  options: MetricsServerOptions,
): Promise<MetricsServer> {
  const host = assertBindHost(options.host ?? DEFAULT_BIND_HOST, 'METRICS_HOST');
  const exposure = checkExposure({
    host,
    authenticated: options.token !== undefined,
    insecureNoAuth: options.insecureNoAuth === true,
    service: 'metrics endpoint',
    argument: 'METRICS_HOST',
    authHint: 'set METRICS_TOKEN (scrapers send "Authorization: Bearer <token>")',
    optOutHint: 'METRICS_INSECURE_NO_AUTH=1',
  });
  const handle = metricsHandler(registry, {
    ...(options.token === undefined ? {} : { token: options.token }),
    allowedHosts: resolveAllowedHosts(host, options.allowedHosts, 'METRICS_ALLOWED_HOSTS'),
  });
  if (exposure === 'insecure')
    (options.warn ?? console.warn)(
      insecureExposureWarning('metrics endpoint', host, 'METRICS_INSECURE_NO_AUTH=1'),
    );
  const server: Server = createServer((req, res) => {
    if (req.url?.split('?')[0] === '/metrics') return handle(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? portTakenError(host, options.port) : error),
    );
    server.listen(options.port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    host,
    exposure,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The message for a taken metrics port: what happened and what to do, instead of a raw EADDRINUSE stack. */
function portTakenError(host: string, port: number): Error {
  return new Error(
    `metrics port ${port} on ${host} is already in use (another demo worker, or a second \`pnpm demo\`?): ` +
      'stop it, or set METRICS_PORT to a free port (METRICS_PORT=0 picks one)',
  );
}
