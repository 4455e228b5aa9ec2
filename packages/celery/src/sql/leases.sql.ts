import { sql } from 'kysely';
import type { AnyDb } from './kombu-schema.sql.js';

/** One claimed message. */
export interface ClaimedRow {
  id: number;
  payload: string;
  receipt: string;
  deliveryCount: number;
}

/**
 * Claims up to `limit` visible messages of the queue in one short transaction: locks them with
 * `FOR UPDATE SKIP LOCKED` (concurrent consumers, Python's too, never get the same row), hides them
 * (`visible = 0`, as kombu's `_get` does) and records a lease with a fresh receipt per message.
 */
export async function claimMessages(
  db: AnyDb,
  queueId: number,
  limit: number,
  leaseMs: number,
  receipts: () => string,
): Promise<ClaimedRow[]> {
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ id: number; payload: string }>`SELECT id, payload FROM kombu_message
      WHERE queue_id = ${queueId} AND visible = 1 ORDER BY timestamp, id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`.execute(trx);
    if (locked.rows.length === 0) return [];
    const ids = locked.rows.map((r) => r.id);
    // version + 1: SQLAlchemy's version_id_col, so a stale Python session notices the change.
    await sql`UPDATE kombu_message SET visible = 0, version = version + 1 WHERE id IN (${sql.join(ids)})`.execute(
      trx,
    );
    const claimed = locked.rows.map((r) => ({ ...r, receipt: receipts() }));
    await sql`INSERT INTO celers_celery_leases (message_id, receipt, lease_expires_at, delivery_count)
      VALUES ${sql.join(
        claimed.map(
          (c) => sql`(${c.id}, ${c.receipt}, DATE_ADD(NOW(3), INTERVAL ${leaseMs * 1000} MICROSECOND), 1)`,
        ),
      )}
      ON DUPLICATE KEY UPDATE receipt = VALUES(receipt), lease_expires_at = VALUES(lease_expires_at),
        delivery_count = delivery_count + 1`.execute(trx);
    const counts = await sql<{ message_id: number; delivery_count: number }>`SELECT message_id, delivery_count
      FROM celers_celery_leases WHERE message_id IN (${sql.join(ids)})`.execute(trx);
    const byId = new Map(counts.rows.map((r) => [r.message_id, r.delivery_count]));
    return claimed.map((c) => ({ ...c, deliveryCount: byId.get(c.id) ?? 1 }));
  });
}

/** Pushes the leases of `receipts` `leaseMs` into the future; returns how many are still held. */
export async function extendLeases(db: AnyDb, receipts: readonly string[], leaseMs: number): Promise<number> {
  if (receipts.length === 0) return 0;
  const result = await sql`UPDATE celers_celery_leases
    SET lease_expires_at = DATE_ADD(NOW(3), INTERVAL ${leaseMs * 1000} MICROSECOND)
    WHERE receipt IN (${sql.join(receipts)})`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** Most expired leases one recovery tick revives (the next tick takes the rest). */
const RECOVERY_CHUNK = 500;

/**
 * Makes expired leases visible again (a consumer died or stalled) and fences their old receipts. Also the
 * path by which a message deferred to its `eta` comes back. Returns how many messages reappeared.
 */
export async function recoverExpiredLeases(db: AnyDb): Promise<number> {
  // A plain read first: most ticks find nothing, and then take no lock at all. Locking every lease through the
  // join on each tick deadlocked with settles deleting their lease rows (reported by apps/bench W10).
  const expired = await sql<{ id: number }>`SELECT l.message_id AS id
    FROM celers_celery_leases l JOIN kombu_message m ON m.id = l.message_id
    WHERE l.lease_expires_at <= NOW(3) AND m.visible = 0 ORDER BY l.message_id LIMIT ${RECOVERY_CHUNK}`.execute(
    db,
  );
  if (expired.rows.length === 0) return 0;
  const ids = expired.rows.map((r) => Number(r.id));
  // The same condition again under the row locks: a lease renewed or settled meanwhile is left alone.
  const result = await sql`UPDATE kombu_message m JOIN celers_celery_leases l ON l.message_id = m.id
    SET m.visible = 1, m.version = m.version + 1, l.receipt = NULL, l.lease_expires_at = NULL
    WHERE l.message_id IN (${sql.join(ids)}) AND l.lease_expires_at <= NOW(3) AND m.visible = 0`.execute(db);
  // A multi-table UPDATE counts both tables' rows.
  return Number(result.numAffectedRows ?? 0n) / 2;
}

/** Returns unstarted claims to the queue at once (graceful shutdown); they do not count as deliveries. */
export async function releaseClaims(db: AnyDb, receipts: readonly string[]): Promise<void> {
  if (receipts.length === 0) return;
  await sql`UPDATE kombu_message m JOIN celers_celery_leases l ON l.message_id = m.id
    SET m.visible = 1, m.version = m.version + 1, l.receipt = NULL, l.lease_expires_at = NULL,
      l.delivery_count = l.delivery_count - 1
    WHERE l.receipt IN (${sql.join(receipts)})`.execute(db);
}

/**
 * Hides a claimed message until `until` (its `eta`, or a pause for a task this consumer has no handler
 * for): the lease loses its owner and expires then, and recovery makes the message visible.
 */
export async function deferClaim(db: AnyDb, receipt: string, until: Date): Promise<void> {
  await sql`UPDATE celers_celery_leases SET receipt = NULL, lease_expires_at = ${until},
    delivery_count = delivery_count - 1 WHERE receipt = ${receipt}`.execute(db);
}

/** Leaves a message that cannot be decoded hidden for good, with no lease to revive it. */
export async function quarantineClaim(db: AnyDb, receipt: string): Promise<void> {
  await sql`UPDATE celers_celery_leases SET receipt = NULL, lease_expires_at = NULL WHERE receipt = ${receipt}`.execute(
    db,
  );
}

/** Which of `receipts` still own their lease. */
export async function heldReceipts(db: AnyDb, receipts: readonly string[]): Promise<Set<string>> {
  if (receipts.length === 0) return new Set();
  const rows = await sql<{ receipt: string }>`SELECT receipt FROM celers_celery_leases
    WHERE receipt IN (${sql.join(receipts)})`.execute(db);
  return new Set(rows.rows.map((r) => r.receipt));
}
