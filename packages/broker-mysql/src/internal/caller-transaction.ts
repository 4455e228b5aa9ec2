import { assertInteger, assertOptionalObject } from '@celers/core';
import type { CelersDatabase } from '@celers/schema';
import type { Transaction } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { transactionWithAfterCommit } from './after-commit.js';
import { reportRetries, withLockRetry } from './lock-retry.js';

/** Most times `broker.transaction(fn, { lockRetries })` may run `fn` again. */
export const MAX_TRANSACTION_LOCK_RETRIES = 10;

/** Options of `broker.transaction(fn, options)`. */
export interface TransactionOptions {
  /**
   * How many times to run `fn` again, in a new transaction, when the server rolled the whole transaction back
   * on a deadlock (1213) or a lock wait timeout (1205); each retry is an `operation:retried` event. Only for an
   * `fn` whose effects are all inside `trx` (no HTTP calls, no writes elsewhere): it may run more than once.
   * 0 to {@link MAX_TRANSACTION_LOCK_RETRIES}.
   * @defaultValue 0 (the caller sees the `DATABASE_ERROR`; `isRetryableLockError` from `@celers/schema` tells it apart)
   */
  readonly lockRetries?: number;
}

/**
 * `broker.transaction(fn, options)`: `fn` in one transaction with after-commit events, repeated on a lock
 * conflict when the caller allowed it.
 * @internal
 */
export function runCallerTransaction<T>(
  ctx: BrokerContext,
  fn: (trx: Transaction<CelersDatabase>) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const o = assertOptionalObject(options, 'options');
  const retries = assertInteger(o?.lockRetries ?? 0, 'options.lockRetries', 0, MAX_TRANSACTION_LOCK_RETRIES);
  const once = () => transactionWithAfterCommit(ctx.db, fn);
  return ctx.run('transaction', () =>
    retries === 0 ? once() : withLockRetry(reportRetries(ctx, 'transaction'), once, retries + 1),
  );
}
