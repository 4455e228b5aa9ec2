import type { CelersDatabase } from '@celers/schema';
import type { SelectQueryBuilder, Transaction } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { withLockRetry } from './lock-retry.js';

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
): Promise<string[]> {
  const changed: string[] = [];
  let afterId = '';
  for (;;) {
    const ids = await withLockRetry(() =>
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

/** Locks the first `limit` task ids a selection matches, in id order, skipping rows locked by others. @internal */
export async function lockTaskIds(
  query: SelectQueryBuilder<CelersDatabase, 'celers_tasks', { id: string }>,
  limit: number,
): Promise<string[]> {
  const rows = await query.orderBy('id').limit(limit).forUpdate().skipLocked().execute();
  return rows.map((r) => r.id);
}
