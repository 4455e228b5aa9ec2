import { CelersError, type SerializedTask } from '@celers/core';
import { isDuplicateKeyError } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { enqueueOne } from '../queue/enqueue-operations.js';
import { insertKey, lockKey, renewKey } from './idempotency.sql.js';

/** What a key claim needs. */
export interface KeyClaim {
  operation: string;
  /** The `task_name` column: the task's name, or a private namespace. */
  namespace: string;
  key: string;
  ttlMs: number;
  metadataJson: string | null;
  task: SerializedTask;
}

/** Retries after losing an insert race on the same key (the winner's row is then visible). */
const CLAIM_ATTEMPTS = 4;

/** Thrown inside the claim transaction when a concurrent producer inserted the key first. */
class LostKeyRace extends Error {}

/**
 * Enqueues `claim.task` unless a live row for `(queue, namespace, key)` exists in `celers_task_idempotency`;
 * returns the task id the key maps to. The key row and the task commit in ONE transaction, and the unique key
 * `(queue_name, task_name, idempotency_key)` arbitrates races: of two producers inserting the same new key,
 * the second blocks on the first's row lock, gets a duplicate-key error when it commits, rolls back and
 * re-reads the winner's task id. An expired row is renewed in place (under its row lock) for the new task.
 * @internal
 */
export async function claimKeyAndEnqueue(ctx: BrokerContext, claim: KeyClaim): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.run(claim.operation, () =>
        withLockRetry(reportRetries(ctx, claim.operation), () =>
          ctx.db.transaction().execute(async (trx) => {
            const existing = await lockKey(trx, ctx.queue, claim.namespace, claim.key);
            if (existing && Number(existing.live) === 1) return existing.task_id;
            const taskId = claim.task.metadata.id;
            if (existing) {
              await renewKey(trx, existing.id, taskId, claim.ttlMs, claim.metadataJson);
            } else {
              try {
                await insertKey(trx, {
                  queue: ctx.queue,
                  taskName: claim.namespace,
                  key: claim.key,
                  taskId,
                  ttlMs: claim.ttlMs,
                  metadata: claim.metadataJson,
                });
              } catch (error) {
                if (isDuplicateKeyError(error)) throw new LostKeyRace();
                throw error;
              }
            }
            await enqueueOne(ctx, claim.operation, claim.task, {}, { transaction: trx });
            return taskId;
          }),
        ),
      );
    } catch (error) {
      const lost =
        error instanceof LostKeyRace || (CelersError.isInstance(error) && error.cause instanceof LostKeyRace);
      if (!lost || attempt >= CLAIM_ATTEMPTS) throw error;
    }
  }
}
