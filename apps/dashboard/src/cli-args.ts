import { parseArgs } from 'node:util';
import { DEFAULT_BIND_HOST } from '@celers/monitoring';
import type { DashboardAuth } from './dashboard-options.js';
import { DEFAULT_PORT } from './dashboard-server.js';

export { DEFAULT_PORT };

/** What `pnpm dashboard` runs with, from flags and environment. */
export interface DashboardCliConfig {
  url: string;
  /** `--read-url` or `CELERS_DASHBOARD_READ_URL`: a read replica for listings, counts and charts. */
  readUrl: string | undefined;
  port: number;
  host: string;
  readOnly: boolean;
  auth: DashboardAuth | undefined;
  /** Extra Host names from `--allowed-host` and `CELERS_DASHBOARD_ALLOWED_HOSTS`. */
  allowedHosts: string[];
  /** `--insecure-no-auth` or `CELERS_DASHBOARD_INSECURE_NO_AUTH=1`. */
  insecureNoAuth: boolean;
}

/** Usage text printed by `--help` and on bad flags. */
export const USAGE = `usage: pnpm dashboard [--port <n>] [--host <addr>] [--allowed-host <name>]... [--read-url <url>] [--read-only] [--insecure-no-auth]

  --host <addr>          listen address (default ${DEFAULT_BIND_HOST}: this machine only). Any other address needs
                         CELERS_DASHBOARD_TOKEN or CELERS_DASHBOARD_USER/PASSWORD, or --insecure-no-auth
  --allowed-host <name>  also answer requests for this Host name (repeatable; e.g. the name of a proxy in front).
                         Always allowed: localhost, 127.0.0.1, ::1 and the listen address
  --insecure-no-auth     listen beyond loopback WITHOUT authentication (only behind an authenticating proxy)
  --read-url <url>       a read replica: queue overview, history, metrics and task/DLQ listings read it (the
                         overview shows its lag); actions and task/worker/schedule pages use the primary
  --read-only            refuse every change

environment:
  CELERS_DATABASE_URL                mysql://user:pass@host:3306/db (required)
  CELERS_DASHBOARD_READ_URL          the replica when --read-url is not given (keeps its password out of ps)
  PORT                               port when --port is not given (default ${DEFAULT_PORT})
  CELERS_DASHBOARD_HOST              listen address when --host is not given
  CELERS_DASHBOARD_ALLOWED_HOSTS     comma-separated extra Host names
  CELERS_DASHBOARD_INSECURE_NO_AUTH  1: same as --insecure-no-auth
  CELERS_DASHBOARD_TOKEN             require "Authorization: Bearer <token>" (browsers: any user, the token as password)
  CELERS_DASHBOARD_USER              with CELERS_DASHBOARD_PASSWORD: require HTTP Basic authentication`;

function parsePort(raw: string, source: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65_535) {
    throw new Error(`${source} must be a port number from 1 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function parseFlag(raw: string | undefined, source: string): boolean {
  const value = (raw ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(value)) return false;
  if (['1', 'true', 'yes'].includes(value)) return true;
  throw new Error(`${source} must be 1 or 0, got "${raw}"`);
}

function authFromEnv(env: NodeJS.ProcessEnv): DashboardAuth | undefined {
  const token = env.CELERS_DASHBOARD_TOKEN;
  const user = env.CELERS_DASHBOARD_USER;
  const password = env.CELERS_DASHBOARD_PASSWORD;
  if (token && (user || password))
    throw new Error('set CELERS_DASHBOARD_TOKEN or CELERS_DASHBOARD_USER/PASSWORD, not both');
  if (token) return { kind: 'token', token };
  if (user || password) {
    if (!user || !password)
      throw new Error('CELERS_DASHBOARD_USER and CELERS_DASHBOARD_PASSWORD go together');
    return { kind: 'basic', user, password };
  }
  return undefined;
}

/**
 * Parses flags and environment; throws an `Error` with a message fit for the terminal. Whether the resulting
 * bind is allowed (auth beyond loopback) is decided by `startDashboardServer`.
 */
export function parseCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv): DashboardCliConfig | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'allowed-host': { type: 'string', multiple: true },
      'read-url': { type: 'string' },
      'insecure-no-auth': { type: 'boolean' },
      'read-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const url = env.CELERS_DATABASE_URL;
  if (!url) throw new Error('CELERS_DATABASE_URL is not set');
  const port =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : env.PORT
        ? parsePort(env.PORT, 'PORT')
        : DEFAULT_PORT;
  const fromEnv = (env.CELERS_DASHBOARD_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const readUrl = values['read-url'] ?? (env.CELERS_DASHBOARD_READ_URL || undefined);
  return {
    url,
    readUrl,
    port,
    host: values.host ?? (env.CELERS_DASHBOARD_HOST || DEFAULT_BIND_HOST),
    readOnly: values['read-only'] === true,
    auth: authFromEnv(env),
    allowedHosts: [...fromEnv, ...(values['allowed-host'] ?? [])],
    insecureNoAuth:
      values['insecure-no-auth'] === true ||
      parseFlag(env.CELERS_DASHBOARD_INSECURE_NO_AUTH, 'CELERS_DASHBOARD_INSECURE_NO_AUTH'),
  };
}
