import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { DashboardError } from '../api/api-error.js';
import type { DashboardEnv } from '../dashboard-env.js';
import { BEARER_AUTHENTICATED } from './auth-middleware.js';
import { type CsrfTokens, SESSION_COOKIE } from './csrf-token.js';
import { requestAuthority } from './host-check-middleware.js';
import { crossSiteReason } from './origin-check.js';

/** Header that must carry the session's CSRF token (from `GET /api/config`) on every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/**
 * CSRF protection for browser callers. Safe requests (after authentication) get an HttpOnly SameSite=Strict
 * session cookie and expose the session's token to `/api/config`; state-changing requests must come from an
 * allowed origin (see {@link crossSiteReason}) and carry that token in `x-csrf-token`. Bearer-token callers are
 * exempt (browsers never attach a bearer header by themselves).
 */
export function csrfMiddleware(
  tokens: CsrfTokens,
  allowedHosts: ReadonlySet<string>,
): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    let session = getCookie(c, SESSION_COOKIE);
    if (SAFE_METHODS.includes(c.req.method)) {
      if (!tokens.isSessionId(session)) {
        session = tokens.newSession();
        setCookie(c, SESSION_COOKIE, session, {
          path: '/',
          httpOnly: true,
          sameSite: 'Strict',
          secure: new URL(c.req.url).protocol === 'https:',
        });
      }
      c.set('csrfToken', tokens.tokenFor(session));
      await next();
      return;
    }
    if (c.get(BEARER_AUTHENTICATED) !== true) {
      const reason = crossSiteReason(
        {
          origin: c.req.header('origin'),
          referer: c.req.header('referer'),
          fetchSite: c.req.header('sec-fetch-site'),
          authority: requestAuthority(c),
        },
        allowedHosts,
      );
      if (reason !== null)
        throw new DashboardError(403, 'CSRF_REJECTED', `Cross-origin request refused: ${reason}`);
      if (!tokens.verify(session, c.req.header(CSRF_HEADER))) {
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
