import { hostNameOfAuthority } from '@celers/monitoring';
import type { MiddlewareHandler } from 'hono';
import { DashboardError } from '../api/api-error.js';
import type { DashboardEnv } from '../dashboard-env.js';

/** The authority (`host[:port]`) a request was sent to: its Host header, else its URL's (in-process requests). */
export function requestAuthority(c: {
  req: { header(name: string): string | undefined; url: string };
}): string {
  return c.req.header('host') ?? new URL(c.req.url).host;
}

/**
 * Answers 421 `HOST_NOT_ALLOWED` to a request whose Host is not on `allowed`, before authentication. A page
 * served under an attacker's name that resolves to this machine (DNS rebinding) carries that name as its Host,
 * so it never reaches the API, whatever the bind address.
 */
export function hostCheckMiddleware(allowed: ReadonlySet<string>): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const name = hostNameOfAuthority(requestAuthority(c));
    if (name === null || !allowed.has(name)) {
      throw new DashboardError(
        421,
        'HOST_NOT_ALLOWED',
        name === null
          ? 'Missing or malformed Host header'
          : `Host "${name.slice(0, 100)}" is not served here: add it with --allowed-host (CELERS_DASHBOARD_ALLOWED_HOSTS)`,
      );
    }
    await next();
  };
}
