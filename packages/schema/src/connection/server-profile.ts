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
  /** The server's `max_allowed_packet` in bytes: the largest statement it accepts (see `valueLimitsFor`). */
  maxAllowedPacket: number;
}

/** Builds the profile from a `SELECT VERSION()` string and the server's `max_allowed_packet`. */
export function profileFromVersion(version: string, maxAllowedPacket: number): ServerProfile {
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
    maxAllowedPacket,
  };
}

// One detection per pool: every broker sharing a Kysely (forQueue, routers) reuses it.
const profiles = new WeakMap<object, Promise<ServerProfile>>();

/**
 * Asks the server for its version and `max_allowed_packet` (one statement, once per Kysely instance; a failed
 * attempt is not remembered) and returns its profile.
 */
// biome-ignore lint/suspicious/noExplicitAny: works on any Kysely instance
export function detectServerProfile(db: Kysely<any>): Promise<ServerProfile> {
  let profile = profiles.get(db);
  if (!profile) {
    profile = sql<{ version: string; max_allowed_packet: number | string }>`SELECT VERSION() AS version,
      @@SESSION.max_allowed_packet AS max_allowed_packet`
      .execute(db)
      .then((result) =>
        profileFromVersion(result.rows[0]?.version ?? '', Number(result.rows[0]?.max_allowed_packet)),
      );
    profiles.set(db, profile);
    profile.catch(() => profiles.delete(db));
  }
  return profile;
}
