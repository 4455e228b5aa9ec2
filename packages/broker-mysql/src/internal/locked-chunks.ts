import type { CelersDatabase } from '@celers/schema';
import type { SelectQueryBuilder, Transaction } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { reportRetries, withLockRetry } from './lock-retry.js';

/**
 * Changes matching rows in bounded chunks, one short transaction each: `lock` returns up to `chunkSize` ids
 * locked with `FOR UPDATE SKIP LOCKED` in id order (rows a claim or ack holds right now are left alone),
 * `change` updates them, commit, repeat until a chunk comes back short. `afterId` is the last id of the
 * previous chunk, for predicates that still match after the change (keyset: no row is visited twice).
 * Returns every id changed.
 * @internal
 */
export async function inLockedChunks(
  ctx: BrokerContext,
  chunkSize: number,
  lock: (trx: Transaction<CelersDatabase>, afterId: string) => Promise<string[]>,
  change: (trx: Transaction<CelersDatabase>, ids: string[]) => Promise<unknown>,
  operation = 'lockedChunks',
): Promise<string[]> {
  const changed: string[] = [];
  let afterId = '';
  for (;;) {
    const ids = await withLockRetry(reportRetries(ctx, operation), () =>
      ctx.db.transaction().execute(async (trx) => {
        const chunk = await lock(trx, afterId);
        if (chunk.length > 0) await change(trx, chunk);
        return chunk;
      }),
    );
    changed.push(...ids);
    const last = ids[ids.length - 1];
    if (ids.length < chunkSize || last === undefined) return changed;
    afterId = last;
  }
}

/**
 * Like {@link inLockedChunks}, for selections over rows other transactions are busy with (leases being acked):
 * `find` reads up to `chunkSize` candidate ids after `afterId` WITHOUT locking (a consistent read), then one
 * short transaction `lock`s those candidates through the primary key with `FOR UPDATE SKIP LOCKED`, re-checking
 * the condition, and `change`s what it locked. A locking range scan would lock (briefly, but on every run)
 * each row it passes, stalling every ack behind it; this locks only rows that will change. Repeats while a
 * chunk of candidates comes back full. Returns every id changed.
 * @internal
 */
export async function inCandidateChunks(
  ctx: BrokerContext,
  operation: string,
  chunkSize: number,
  find: (afterId: string, limit: number) => Promise<string[]>,
  lock: (trx: Transaction<CelersDatabase>, candidates: string[]) => Promise<string[]>,
  change: (trx: Transaction<CelersDatabase>, ids: string[]) => Promise<unknown>,
): Promise<string[]> {
  const changed: string[] = [];
  let afterId = '';
  for (;;) {
    const candidates = await find(afterId, chunkSize);
    if (candidates.length > 0) {
      const ids = await withLockRetry(reportRetries(ctx, operation), () =>
        ctx.db.transaction().execute(async (trx) => {
          const locked = await lock(trx, candidates);
          if (locked.length > 0) await change(trx, locked);
          return locked;
        }),
      );
      changed.push(...ids);
    }
    const last = candidates[candidates.length - 1];
    if (candidates.length < chunkSize || last === undefined) return changed;
    afterId = last;
  }
}

/** Locks the first `limit` task ids a selection matches, in id order, skipping rows locked by others. @internal */
export async function lockTaskIds<TB extends 'celers_live_tasks' | 'celers_finished_tasks'>(
  query: SelectQueryBuilder<CelersDatabase, TB, { id: string }>,
  limit: number,
): Promise<string[]> {
  const rows = await query.orderBy('id').limit(limit).forUpdate().skipLocked().execute();
  return rows.map((r) => r.id);
}
