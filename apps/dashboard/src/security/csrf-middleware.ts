import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { DashboardError } from '../api/api-error.js';
import type { DashboardEnv } from '../dashboard-env.js';
import { BEARER_AUTHENTICATED } from './auth-middleware.js';
import { safeEqual } from './safe-compare.js';

/** Cookie holding the CSRF token; the page's script echoes it in {@link CSRF_HEADER}. */
export const CSRF_COOKIE = 'celers_csrf';
/** Header that must repeat the CSRF cookie on every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

function sameOrigin(origin: string, requestUrl: string, host: string | undefined): boolean {
  try {
    const o = new URL(origin);
    return o.host === (host ?? new URL(requestUrl).host);
  } catch {
    return false;
  }
}

/**
 * Double-submit CSRF protection: safe requests get a random token cookie (SameSite=Strict); state-changing
 * requests must send it back in the `x-csrf-token` header, and any `Origin` they carry must be this host.
 * Requests authenticated by a bearer token are exempt (browsers never attach one on their own).
 */
export function csrfMiddleware(): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.includes(c.req.method)) {
      if (!getCookie(c, CSRF_COOKIE)) {
        setCookie(c, CSRF_COOKIE, randomBytes(24).toString('base64url'), { path: '/', sameSite: 'Strict' });
      }
      await next();
      return;
    }
    if (c.get(BEARER_AUTHENTICATED) !== true) {
      const origin = c.req.header('origin');
      if (origin !== undefined && !sameOrigin(origin, c.req.url, c.req.header('host'))) {
        throw new DashboardError(403, 'CSRF_REJECTED', 'Cross-origin request refused');
      }
      const cookie = getCookie(c, CSRF_COOKIE);
      const header = c.req.header(CSRF_HEADER);
      if (!cookie || !header || !safeEqual(cookie, header)) {
        throw new DashboardError(
          403,
          'CSRF_REJECTED',
          'Missing or wrong CSRF token: reload the page and try again',
        );
      }
    }
    await next();
  };
}
