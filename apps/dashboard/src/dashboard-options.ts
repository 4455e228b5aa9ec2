import { CelersError } from '@celers/core';
import { LOOPBACK_HOST_NAMES, MIN_ACCESS_TOKEN_LENGTH, resolveAllowedHosts } from '@celers/monitoring';
import { type createDatabase, parseDatabaseUrl } from '@celers/schema';

/** The Kysely instance type `@celers/schema` creates (kysely is not a direct dependency of the dashboard). */
export type CelersKysely = ReturnType<typeof createDatabase>;

/** How the dashboard authenticates requests. */
export type DashboardAuth =
  /** `Authorization: Bearer <token>` (browsers may send the token as the Basic-auth password instead). */
  | { kind: 'token'; token: string }
  /** HTTP Basic authentication with one user. */
  | { kind: 'basic'; user: string; password: string };

/** Options of {@link createDashboardApp}: give `url` or an existing `database`. */
export interface DashboardOptions {
  /** A `mysql://` URL; the dashboard owns (and closes) the pool it creates. */
  url?: string;
  /** An existing Kysely instance (tests, embedding); the dashboard never destroys it. */
  database?: CelersKysely;
  /**
   * A `mysql://` URL of a read replica (the dashboard owns its pool). The read-only pages and API (queue
   * overview, history, metrics, task and DLQ listings and searches) query it, and the overview shows its
   * replication lag; actions (pause, retry, requeue, delete, ...) and the task, worker and schedule pages,
   * where actions are taken, always use the primary (`url` or `database`). Listings lag behind the primary by
   * the replication lag. @defaultValue none: everything reads the primary
   */
  readUrl?: string;
  /** Refuse every state-changing request with 403. @defaultValue false */
  readOnly?: boolean;
  /** Require credentials on every request; none when omitted. */
  auth?: DashboardAuth;
  /**
   * Host names (Host header, without port) the dashboard answers; any other gets 421, which defeats DNS
   * rebinding. Origins of state-changing requests must be among them too. `startDashboardServer` adds the
   * bind address (and for `0.0.0.0` every interface address).
   * @defaultValue {@link LOOPBACK_HOST_NAMES}
   */
  allowedHosts?: readonly string[];
  /** Most queues whose brokers are kept open at once. @defaultValue {@link DEFAULT_MAX_CACHED_QUEUES} */
  maxCachedQueues?: number;
}

/** {@link DashboardOptions} after validation. */
export interface ResolvedDashboardOptions {
  readonly readOnly: boolean;
  /** The replica's URL, validated; `null` when reads go to the primary. */
  readonly readUrl: string | null;
  readonly auth: DashboardAuth | null;
  readonly allowedHosts: ReadonlySet<string>;
  readonly maxCachedQueues: number;
}

/** Default for {@link DashboardOptions.maxCachedQueues}. */
export const DEFAULT_MAX_CACHED_QUEUES = 256;

/** Validates the dashboard options (`INVALID_ARGUMENT` naming the bad one) and applies defaults. */
export function resolveDashboardOptions(options: DashboardOptions): ResolvedDashboardOptions {
  if (options.url === undefined && options.database === undefined) {
    throw CelersError.invalidArgument('url', 'give a database URL or an existing database');
  }
  const readUrl = options.readUrl === undefined ? null : parseDatabaseUrl(options.readUrl, 'readUrl');
  const auth = options.auth ?? null;
  if (auth?.kind === 'token' && auth.token.length < MIN_ACCESS_TOKEN_LENGTH) {
    throw CelersError.invalidArgument(
      'auth.token',
      `use a token of at least ${MIN_ACCESS_TOKEN_LENGTH} characters`,
    );
  }
  if (auth?.kind === 'basic' && (auth.user.length === 0 || auth.password.length === 0)) {
    throw CelersError.invalidArgument('auth', 'basic auth needs a non-empty user and password');
  }
  const max = options.maxCachedQueues ?? DEFAULT_MAX_CACHED_QUEUES;
  if (!Number.isInteger(max) || max < 1) {
    throw CelersError.invalidArgument('maxCachedQueues', 'expected an integer ≥ 1');
  }
  // The loopback names are always in; the caller's list extends them.
  const allowedHosts = new Set(resolveAllowedHosts('localhost', options.allowedHosts ?? [], 'allowedHosts'));
  return Object.freeze({
    readOnly: options.readOnly === true,
    readUrl,
    auth,
    allowedHosts,
    maxCachedQueues: max,
  });
}
