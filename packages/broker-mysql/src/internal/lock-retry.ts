import { isRetryableLockError } from '@celers/schema';

/** Attempts for statements that hit a deadlock (1213) or lock wait timeout (1205). */
export const LOCK_RETRY_ATTEMPTS = 4;

/**
 * Runs `fn` again when it fails with a deadlock or lock wait timeout, up to {@link LOCK_RETRY_ATTEMPTS}
 * times with a short randomized backoff. Only for work that is safe to repeat as a whole (a transaction
 * that was rolled back by the server, or a single idempotent statement).
 * @internal
 */
export async function withLockRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= LOCK_RETRY_ATTEMPTS || !isRetryableLockError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10 * attempt));
    }
  }
}
