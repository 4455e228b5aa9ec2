import type { CelersDatabase } from '@celers/schema';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { withLockRetry } from '../internal/lock-retry.js';

/**
 * Rows deleted per statement by purges and cleanups. Each chunk is its own short autocommit statement through
 * the primary key, so purging a million rows never holds one giant transaction, lock set or undo log.
 */
export const PURGE_CHUNK_SIZE = 5_000;

/** One chunk's outcome: rows deleted, and rows the selection returned (fewer than the limit ends the loop). */
export interface ChunkOutcome {
  deleted: number;
  scanned: number;
}

/**
 * Runs `step(limit)` until a chunk selects fewer than `limit` rows; returns the total deleted. Each step
 * should select up to `limit` primary keys, then delete them re-checking its condition. Deadlocks and lock
 * waits retry the chunk.
 * @internal
 */
export async function deleteInChunks(
  step: (limit: number) => Promise<ChunkOutcome>,
  limit = PURGE_CHUNK_SIZE,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { deleted, scanned } = await withLockRetry(() => step(limit));
    total += deleted;
    if (scanned < limit) return total;
  }
}

/** A condition on task rows (queue scoping is added by {@link deleteTasksWhere}). */
export type TaskCondition = (eb: ExpressionBuilder<CelersDatabase, 'celers_tasks'>) => Expression<SqlBool>;

/**
 * Deletes this queue's tasks matching `condition` in chunks of {@link PURGE_CHUNK_SIZE}, from the finished table
 * and then the live one (a task is in one of them): select ids in key order, then `DELETE … WHERE id IN (…) AND
 * condition`, so a task that changed state between the two statements (a pending task just claimed, say) is
 * left alone. Returns how many were deleted.
 * @internal
 */
export async function deleteTasksWhere(ctx: BrokerContext, condition: TaskCondition): Promise<number> {
  let total = 0;
  // Live first: a completed row the archiver moves meanwhile is then met in the finished table.
  for (const name of ['celers_live_tasks', 'celers_finished_tasks'] as const) {
    // Both tables have the view's row type, so a condition written against `celers_tasks` applies to each;
    // the cast only retypes the name, the SQL names the real table.
    const table = name as 'celers_tasks';
    total += await deleteInChunks(async (limit) => {
      const rows = await ctx.db
        .selectFrom(table)
        .select('id')
        .where('queue_name', '=', ctx.queue)
        .where(condition)
        .orderBy('id')
        .limit(limit)
        .execute();
      if (rows.length === 0) return { deleted: 0, scanned: 0 };
      const r = await ctx.db
        .deleteFrom(table)
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .where('queue_name', '=', ctx.queue)
        .where(condition)
        .executeTakeFirst();
      return { deleted: Number(r.numDeletedRows), scanned: rows.length };
    });
  }
  return total;
}
