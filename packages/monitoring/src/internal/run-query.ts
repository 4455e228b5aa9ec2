import { toCelersError } from '@celers/schema';

/**
 * Runs one monitoring read and maps driver errors to `CelersError` (`DATABASE_UNAVAILABLE`,
 * `MIGRATION_REQUIRED`, `DATABASE_ERROR`), naming the operation in the message.
 * @internal
 */
export async function runQuery<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toCelersError(error, operation);
  }
}
