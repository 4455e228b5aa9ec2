import { constantTimeEqual as safeEqual } from '@celers/monitoring';
import type { MiddlewareHandler } from 'hono';
import { DashboardError } from '../api/api-error.js';
import type { DashboardEnv } from '../dashboard-env.js';
import type { DashboardAuth } from '../dashboard-options.js';

/** Set on the request context when the caller authenticated with a bearer token (no browser sends one by itself). */
export const BEARER_AUTHENTICATED = 'bearerAuthenticated' as const;

function basicCredentials(header: string): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether `header` carries the credentials `auth` asks for; `'bearer'` when a bearer token matched. */
export function checkCredentials(auth: DashboardAuth, header: string | undefined): 'bearer' | 'basic' | null {
  if (!header) return null;
  if (auth.kind === 'token') {
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer?.[1]) return safeEqual(bearer[1], auth.token) ? 'bearer' : null;
    // Browsers cannot send bearer tokens for page loads: they may send the token as the Basic password.
    const basic = basicCredentials(header);
    return basic && safeEqual(basic.password, auth.token) ? 'basic' : null;
  }
  const basic = basicCredentials(header);
  if (!basic) return null;
  // Evaluate both comparisons so timing does not reveal which one failed.
  const userOk = safeEqual(basic.user, auth.user);
  const passwordOk = safeEqual(basic.password, auth.password);
  return userOk && passwordOk ? 'basic' : null;
}

/** Rejects requests without the configured credentials (401 with a Basic challenge so browsers prompt). */
export function authMiddleware(auth: DashboardAuth): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const result = checkCredentials(auth, c.req.header('authorization'));
    if (result === null) {
      c.header('WWW-Authenticate', 'Basic realm="celers dashboard", charset="UTF-8"');
      throw new DashboardError(401, 'UNAUTHORIZED', 'Missing or wrong credentials');
    }
    c.set(BEARER_AUTHENTICATED, result === 'bearer');
    await next();
  };
}
