import type { AddressInfo } from 'node:net';
import { assertInteger } from '@celers/core';
import {
  assertBindHost,
  checkExposure,
  DEFAULT_BIND_HOST,
  type Exposure,
  insecureExposureWarning,
  resolveAllowedHosts,
} from '@celers/monitoring';
import { serve } from '@hono/node-server';
import { createDashboardApp, type Dashboard } from './dashboard-app.js';
import type { DashboardOptions } from './dashboard-options.js';

/** Port the dashboard listens on when none is given. */
export const DEFAULT_PORT = 8080;

/** How the opt-out is spelled in messages. */
const OPT_OUT = '--insecure-no-auth (CELERS_DASHBOARD_INSECURE_NO_AUTH=1)';

/** Options of {@link startDashboardServer}: the app's options plus where and how to listen. */
export interface DashboardServerOptions extends DashboardOptions {
  /** Listen address; beyond loopback it needs `auth` (or `insecureNoAuth`). @defaultValue {@link DEFAULT_BIND_HOST} */
  host?: string;
  /** Port; `0` picks a free one. @defaultValue {@link DEFAULT_PORT} */
  port?: number;
  /** Serve beyond loopback without authentication (a proxy in front authenticates); warns loudly. @defaultValue false */
  insecureNoAuth?: boolean;
  /** Where the insecure-exposure warning goes. @defaultValue console.warn */
  warn?: (message: string) => void;
}

/** A listening dashboard. */
export interface DashboardServer {
  /** `http://<host>:<port>` as bound (IPv6 in brackets). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Who can reach it: this machine only, callers with credentials, or anyone (opted out). */
  readonly exposure: Exposure;
  /** The Host names it answers (the rest get 421). */
  readonly allowedHosts: readonly string[];
  readonly dashboard: Dashboard;
  /** Stops listening (dropping open connections), then closes the dashboard. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the dashboard and serves it: on 127.0.0.1 unless `host` says otherwise. Listening beyond loopback
 * without `auth` is refused (`INVALID_ARGUMENT` naming `host`, before any connection is made) unless
 * `insecureNoAuth` is set, which warns. The Host allow-list is the loopback names, the bind address (for
 * `0.0.0.0`/`::` every interface address) and `allowedHosts`.
 *
 * @example
 * ```ts
 * const server = await startDashboardServer({ url, host: '0.0.0.0', auth: { kind: 'token', token } });
 * console.log(`dashboard on ${server.url}`);
 * ```
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const { host: rawHost, port: rawPort, insecureNoAuth, warn, ...appOptions } = options;
  const host = assertBindHost(rawHost ?? DEFAULT_BIND_HOST, 'host');
  const port = assertInteger(rawPort ?? DEFAULT_PORT, 'port', 0, 65_535);
  const exposure = checkExposure({
    host,
    authenticated: appOptions.auth !== undefined,
    insecureNoAuth: insecureNoAuth === true,
    service: 'dashboard',
    argument: 'host',
    authHint: 'set CELERS_DASHBOARD_TOKEN (or CELERS_DASHBOARD_USER and CELERS_DASHBOARD_PASSWORD)',
    optOutHint: OPT_OUT,
  });
  const allowedHosts = resolveAllowedHosts(host, appOptions.allowedHosts, 'allowedHosts');
  const dashboard = await createDashboardApp({ ...appOptions, allowedHosts });
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: dashboard.app.fetch, port, hostname: host }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    await dashboard.close();
    throw error;
  }
  if (exposure === 'insecure') (warn ?? console.warn)(insecureExposureWarning('dashboard', host, OPT_OUT));
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    host,
    port: bound,
    exposure,
    allowedHosts,
    dashboard,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          if ('closeAllConnections' in server) server.closeAllConnections();
          server.close(() => resolve());
        });
        await dashboard.close();
      })();
      return closing;
    },
  };
}
