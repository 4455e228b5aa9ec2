import { type CelersDatabase, isDuplicateKeyError } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import { dbNow, dbNowPlusMs } from '../../internal/db-time.js';

// Leases in `celers_locks`. A live lease has an owner token and a future `expires_at`; a released lease keeps
// its row with owner '' and `expires_at` set to when the job is next due (the cooldown), so the job runs once
// per interval across all hosts. Every write is a single conditional statement on the primary key: InnoDB
// re-checks the WHERE clause on the locked row, so two hosts can never both match.

/** The owner value of a released lease. @internal */
export const RELEASED_OWNER = '';

/**
 * Takes the lease `name` for `token` for `ttlMs` when it is free: no row yet, expired, or (with `force`) released
 * and merely cooling down. Returns true when this call won it. @internal
 */
export async function acquireLease(
  db: Kysely<CelersDatabase>,
  name: string,
  token: string,
  ttlMs: number,
  force: boolean,
): Promise<boolean> {
  const taken = await db
    .updateTable('celers_locks')
    .set({ owner: token, acquired_at: dbNow(), expires_at: dbNowPlusMs(ttlMs) })
    .where('lock_name', '=', name)
    .where((eb) => {
      const expired = eb('expires_at', '<=', dbNow());
      return force ? eb.or([expired, eb('owner', '=', RELEASED_OWNER)]) : expired;
    })
    .executeTakeFirst();
  // mysql2 sets CLIENT_FOUND_ROWS, so this counts matched rows: exactly "the condition held on the locked row".
  if (Number(taken.numUpdatedRows) === 1) return true;
  try {
    await db
      .insertInto('celers_locks')
      .values({ lock_name: name, owner: token, acquired_at: dbNow(), expires_at: dbNowPlusMs(ttlMs) })
      .execute();
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false; // the row exists and is live (or another host just inserted it)
    throw error;
  }
}

/** Pushes the expiry of a lease this token still holds; false when it was lost. @internal */
export async function renewLease(
  db: Kysely<CelersDatabase>,
  name: string,
  token: string,
  ttlMs: number,
): Promise<boolean> {
  const r = await db
    .updateTable('celers_locks')
    .set({ expires_at: dbNowPlusMs(ttlMs) })
    .where('lock_name', '=', name)
    .where('owner', '=', token)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Releases a lease this token holds. After a success the job stays "not due" until `cooldownMs` after the
 * run started; after a failure it is free at once so any host can retry. @internal
 */
export async function releaseLease(
  db: Kysely<CelersDatabase>,
  name: string,
  token: string,
  cooldownMs: number | null,
): Promise<boolean> {
  const expires =
    cooldownMs === null
      ? dbNow()
      : sql<Date>`DATE_ADD(acquired_at, INTERVAL ${Math.round(cooldownMs * 1000)} MICROSECOND)`;
  const r = await db
    .updateTable('celers_locks')
    .set({ owner: RELEASED_OWNER, expires_at: expires })
    .where('lock_name', '=', name)
    .where('owner', '=', token)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A lease row as seen now by the database clock. @internal */
export interface LeaseState {
  readonly owner: string;
  readonly acquiredAt: Date;
  readonly expiresAt: Date;
  /** `expires_at` is in the future. */
  readonly live: boolean;
}

/** Reads a lease row, or null when the job never ran. @internal */
export async function readLease(db: Kysely<CelersDatabase>, name: string): Promise<LeaseState | null> {
  const row = await db
    .selectFrom('celers_locks')
    .select(['owner', 'acquired_at', 'expires_at', sql<number>`expires_at > UTC_TIMESTAMP(6)`.as('live')])
    .where('lock_name', '=', name)
    .executeTakeFirst();
  if (!row) return null;
  return {
    owner: row.owner,
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
    live: Number(row.live) === 1,
  };
}
