import { MysqlBroker } from '@celers/broker-mysql';
import { createDatabase } from '@celers/schema';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { DashboardError, toApiError } from './api/api-error.js';
import { dlqRoutes } from './api/dlq-routes.js';
import { historyRoutes } from './api/history-routes.js';
import { queueRoutes } from './api/queue-routes.js';
import { taskBulkRoutes } from './api/task-bulk-routes.js';
import { taskRoutes } from './api/task-routes.js';
import type { DashboardEnv, DashboardServices } from './dashboard-env.js';
import { type DashboardOptions, resolveDashboardOptions } from './dashboard-options.js';
import { QueueRegistry } from './data/queue-registry.js';
import { authMiddleware } from './security/auth-middleware.js';
import { csrfMiddleware } from './security/csrf-middleware.js';
import { CsrfTokens } from './security/csrf-token.js';
import { hostCheckMiddleware } from './security/host-check-middleware.js';
import { readOnlyMiddleware } from './security/read-only-middleware.js';
import { pageRoutes } from './ui/page-routes.js';
import { loadStaticAssets } from './ui/static-assets.js';

/** Largest request body the API reads. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Queue of the dashboard's root broker (only its pool is used; every request names its own queue). */
const ROOT_QUEUE = 'default';

/** A running dashboard: the Hono app (pass `app.fetch` to a server) and its shutdown. */
export interface Dashboard {
  readonly app: Hono<DashboardEnv>;
  /** Closes every queue broker, and the pools the dashboard created. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the dashboard: JSON API under `/api`, the web UI at `/`. Does not listen; serve `app.fetch`.
 *
 * @example
 * ```ts
 * const dashboard = await createDashboardApp({ url: process.env.CELERS_DATABASE_URL!, readOnly: true });
 * // listings and charts from a replica, actions on the primary:
 * const split = await createDashboardApp({ url: primaryUrl, readUrl: replicaUrl });
 * serve({ fetch: dashboard.app.fetch, port: 8080 });
 * ```
 */
export async function createDashboardApp(options: DashboardOptions): Promise<Dashboard> {
  const resolved = resolveDashboardOptions(options);
  const root = await MysqlBroker.connect(
    options.database
      ? { database: options.database, queue: ROOT_QUEUE }
      : { url: options.url as string, queue: ROOT_QUEUE },
  );
  const queues = new QueueRegistry(root, resolved.maxCachedQueues);
  // No broker on the replica (MysqlBroker refuses a read-only server): only reads, through plain queries.
  const replica = resolved.readUrl === null ? null : createDatabase(resolved.readUrl);
  const services: DashboardServices = {
    db: root.database,
    readDb: replica ?? root.database,
    queues,
    options: resolved,
  };
  const assets = await loadStaticAssets();

  const app = new Hono<DashboardEnv>();
  app.onError((error, c) => {
    const { status, body } = toApiError(error);
    if (status === 500) console.error('[celers-dashboard]', error);
    return c.json(body, status);
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
      },
    }),
  );
  app.use('*', hostCheckMiddleware(resolved.allowedHosts));
  if (resolved.auth) app.use('*', authMiddleware(resolved.auth));
  if (resolved.readOnly) app.use('/api/*', readOnlyMiddleware());
  app.use('*', csrfMiddleware(new CsrfTokens(), resolved.allowedHosts));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          {
            error: {
              code: 'PAYLOAD_TOO_LARGE',
              message: `Request bodies are limited to ${MAX_BODY_BYTES} bytes`,
              argument: 'body',
            },
          },
          413,
        ),
    }),
  );
  app.route('/api', queueRoutes(services));
  app.route('/api', taskRoutes(services));
  app.route('/api', dlqRoutes(services));
  app.route('/api', historyRoutes(services));
  app.route('/api', taskBulkRoutes(services));
  app.all('/api/*', () => {
    throw new DashboardError(404, 'NOT_FOUND', 'No such API endpoint');
  });
  app.route('/', pageRoutes(assets));

  let closing: Promise<void> | undefined;
  return {
    app,
    close() {
      closing ??= (async () => {
        await queues.close();
        await root.close();
        await replica?.destroy();
      })();
      return closing;
    },
  };
}
