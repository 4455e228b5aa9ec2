import { type Kysely, sql } from 'kysely';

/**
 * What the connected server is, detected once at connect. Every place where MySQL and MariaDB need
 * different SQL reads a flag here instead of checking versions itself.
 */
export interface ServerProfile {
  flavour: 'mysql' | 'mariadb';
  /** Full version string, e.g. `10.11.19-MariaDB-0+deb12u1` or `8.4.3`. */
  version: string;
  major: number;
  minor: number;
  /** `INSERT … AS new ON DUPLICATE KEY UPDATE x = new.x` (MySQL ≥ 8.0.19; MariaDB rejects it). */
  supportsInsertRowAlias: boolean;
  /** `DELETE … RETURNING` (MariaDB ≥ 10.0; MySQL has no RETURNING). */
  supportsDeleteReturning: boolean;
  /** `FOR UPDATE SKIP LOCKED` (MySQL ≥ 8.0.1, MariaDB ≥ 10.6). */
  supportsSkipLocked: boolean;
  /** A Galera cluster node (MariaDB with `wsrep_on`): writes are certified across the cluster at commit. */
  galera: boolean;
  /**
   * `SET STATEMENT innodb_lock_wait_timeout = 0 FOR …` (MariaDB ≥ 10.3, not on Galera): a statement that meets a row
   * another transaction locked fails at once (1205) instead of waiting. MySQL's lowest lock wait is one second; on
   * a Galera node such statements broke the session's next commit (error 1180, topology-galera-claims.test.ts).
   */
  supportsNoWaitStatements: boolean;
  /** The server's `max_allowed_packet` in bytes: the largest statement it accepts (see `valueLimitsFor`). */
  maxAllowedPacket: number;
}

/** Builds the profile from a `SELECT VERSION()` string, the server's `max_allowed_packet` and `wsrep_on`. */
export function profileFromVersion(
  version: string,
  maxAllowedPacket: number,
  wsrepOn = false,
): ServerProfile {
  const isMaria = /mariadb/i.test(version);
  const [major = 0, minor = 0, patch = 0] = (version.match(/^(\d+)\.(\d+)\.(\d+)/)?.slice(1) ?? []).map(
    Number,
  );
  const atLeast = (a: number, b: number, c = 0) =>
    major > a || (major === a && (minor > b || (minor === b && patch >= c)));
  return {
    flavour: isMaria ? 'mariadb' : 'mysql',
    version,
    major,
    minor,
    supportsInsertRowAlias: !isMaria && atLeast(8, 0, 19),
    supportsDeleteReturning: isMaria,
    supportsSkipLocked: isMaria ? atLeast(10, 6) : atLeast(8, 0, 1),
    galera: isMaria && wsrepOn,
    supportsNoWaitStatements: isMaria && atLeast(10, 3) && !wsrepOn,
    maxAllowedPacket,
  };
}

// One detection per pool: every broker sharing a Kysely (forQueue, routers) reuses it.
const profiles = new WeakMap<object, Promise<ServerProfile>>();

/**
 * Asks the server for its version and `max_allowed_packet`, and a MariaDB server whether it is a Galera node (one
 * or two statements, once per Kysely instance; a failed attempt is not remembered), and returns its profile.
 */
// biome-ignore lint/suspicious/noExplicitAny: works on any Kysely instance
export function detectServerProfile(db: Kysely<any>): Promise<ServerProfile> {
  let profile = profiles.get(db);
  if (!profile) {
    profile = (async () => {
      const result = await sql<{
        version: string;
        max_allowed_packet: number | string;
      }>`SELECT VERSION() AS version,
        @@SESSION.max_allowed_packet AS max_allowed_packet`.execute(db);
      const version = result.rows[0]?.version ?? '';
      // MySQL has no wsrep_on; SHOW … LIKE returns no row where the variable does not exist.
      const wsrep = /mariadb/i.test(version)
        ? await sql<{ Value: string }>`SHOW GLOBAL VARIABLES LIKE 'wsrep_on'`.execute(db)
        : { rows: [] };
      return profileFromVersion(
        version,
        Number(result.rows[0]?.max_allowed_packet),
        wsrep.rows[0]?.Value === 'ON',
      );
    })();
    profiles.set(db, profile);
    profile.catch(() => profiles.delete(db));
  }
  return profile;
}
