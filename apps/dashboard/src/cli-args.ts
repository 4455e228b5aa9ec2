import { parseArgs } from 'node:util';
import type { DashboardAuth } from './dashboard-options.js';

/** Port the dashboard listens on when neither `--port` nor `PORT` is given. */
export const DEFAULT_PORT = 8080;

/** What `pnpm dashboard` runs with, from flags and environment. */
export interface DashboardCliConfig {
  url: string;
  port: number;
  host: string;
  readOnly: boolean;
  auth: DashboardAuth | undefined;
}

/** Usage text printed by `--help` and on bad flags. */
export const USAGE = `usage: pnpm dashboard [--port <n>] [--host <addr>] [--read-only]

environment:
  CELERS_DATABASE_URL        mysql://user:pass@host:3306/db (required)
  PORT                       port when --port is not given (default ${DEFAULT_PORT})
  CELERS_DASHBOARD_TOKEN     require "Authorization: Bearer <token>" (browsers: any user, the token as password)
  CELERS_DASHBOARD_USER      with CELERS_DASHBOARD_PASSWORD: require HTTP Basic authentication`;

function parsePort(raw: string, source: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65_535) {
    throw new Error(`${source} must be a port number from 1 to 65535, got "${raw}"`);
  }
  return Number(raw);
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

/** Parses flags and environment; throws an `Error` with a message fit for the terminal. */
export function parseCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv): DashboardCliConfig | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
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
  return {
    url,
    port,
    host: values.host ?? '0.0.0.0',
    readOnly: values['read-only'] === true,
    auth: authFromEnv(env),
  };
}
