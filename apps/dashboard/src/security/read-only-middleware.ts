import type { MiddlewareHandler } from 'hono';
import { DashboardError } from '../api/api-error.js';

/** In read-only mode, refuses every request that could change state (anything but GET/HEAD/OPTIONS). */
export function readOnlyMiddleware(): MiddlewareHandler {
  return async (c, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      throw new DashboardError(
        403,
        'READ_ONLY',
        'The dashboard runs in read-only mode: no changes are allowed',
      );
    }
    await next();
  };
}
