import type { CelersDatabase } from '@celers/schema';
import type { Kysely, Transaction } from 'kysely';

/** Callbacks waiting for the commit of a transaction opened by {@link transactionWithAfterCommit}. */
const waiting = new WeakMap<object, Array<() => void>>();

/**
 * Runs `fn` in one transaction of `db`; callbacks registered for that transaction with {@link afterCommit}
 * run once it has committed, and are dropped when it rolls back. This is how `broker.transaction(fn)` delays
 * `task:enqueued` until the tasks are visible, so a worker woken by the event finds them.
 * @internal
 */
export async function transactionWithAfterCommit<T>(
  db: Kysely<CelersDatabase>,
  fn: (trx: Transaction<CelersDatabase>) => Promise<T>,
): Promise<T> {
  const callbacks: Array<() => void> = [];
  const result = await db.transaction().execute(async (trx) => {
    waiting.set(trx, callbacks);
    try {
      return await fn(trx);
    } finally {
      waiting.delete(trx);
    }
  });
  for (const callback of callbacks) callback();
  return result;
}

/**
 * Runs `callback` after `executor` commits when it is a transaction opened by
 * {@link transactionWithAfterCommit}; otherwise (no transaction, or one the caller opened elsewhere, whose
 * commit celers cannot see) runs it now.
 * @internal
 */
export function afterCommit(executor: unknown, callback: () => void): void {
  const callbacks = typeof executor === 'object' && executor !== null ? waiting.get(executor) : undefined;
  if (callbacks) callbacks.push(callback);
  else callback();
}
