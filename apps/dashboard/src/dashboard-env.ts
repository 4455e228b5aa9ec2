import type { CelersKysely, ResolvedDashboardOptions } from './dashboard-options.js';
import type { QueueRegistry } from './data/queue-registry.js';

/** What every route handler can reach: the databases, the per-queue brokers and the options. */
export interface DashboardServices {
  /** The primary: every action, and the pages actions are taken from. */
  readonly db: CelersKysely;
  /** The read replica of `readUrl` for listings, counts and charts; the primary (`db`) without one. */
  readonly readDb: CelersKysely;
  readonly queues: QueueRegistry;
  readonly options: ResolvedDashboardOptions;
}

/** Hono environment of the dashboard app (typed context variables). */
export interface DashboardEnv {
  Variables: {
    /** True when the caller authenticated with a bearer token (exempt from CSRF checks). */
    bearerAuthenticated: boolean;
    /** The CSRF token of the caller's session (set on safe requests; `/api/config` hands it to the page). */
    csrfToken: string;
  };
}
