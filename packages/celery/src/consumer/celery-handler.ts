import type { PickleValue } from '../pickle/pickle-value.js';
import type { CeleryHeaders } from '../protocol/celery-message.js';

/** Options of a retry, after Celery's `Task.retry(countdown=…, max_retries=…)`. */
export interface CeleryRetryOptions {
  /** Delay before the retry runs. @defaultValue the worker's `defaultRetryDelayMs` (Celery: 180 s) */
  countdownMs?: number;
  /** Fail instead of retrying once `headers.retries` reaches this. @defaultValue the worker's `maxRetries` (3) */
  maxRetries?: number;
  /** The error the RETRY state (and, past `maxRetries`, the FAILURE) records. */
  cause?: unknown;
}

/**
 * Thrown (by `ctx.retry()` or by a handler) to re-publish the task like Celery's `self.retry()`: the same
 * id with `retries + 1` and an `eta` of now plus the countdown; the result row shows RETRY meanwhile.
 */
export class CeleryRetry extends Error {
  override readonly name = 'CeleryRetry';
  readonly options: CeleryRetryOptions;
  constructor(options: CeleryRetryOptions = {}) {
    super('Retry requested', options.cause === undefined ? undefined : { cause: options.cause });
    this.options = options;
  }
}

/** What a Celery task handler receives besides its arguments. */
export interface CeleryTaskContext {
  /** `headers.id`. */
  readonly taskId: string;
  /** `headers.task`. */
  readonly taskName: string;
  /** `headers.retries`: 0 on the first run, as `self.request.retries`. */
  readonly retries: number;
  /** Claims of this message by celers consumers, this one included (1 unless a consumer died holding it). */
  readonly deliveryCount: number;
  /** All headers of the message (`root_id`, `parent_id`, `group`, `origin`, ...). */
  readonly headers: Readonly<CeleryHeaders>;
  /** Aborted when the worker's shutdown timeout passes or the lease is lost. */
  readonly signal: AbortSignal;
  /** Throws a {@link CeleryRetry}: `throw ctx.retry({ countdownMs: 1000 })` or just `ctx.retry()`. */
  retry(options?: CeleryRetryOptions): never;
}

/**
 * Runs one Celery task: `args` and `kwargs` as the producer passed them (JSON-like values, big integers as
 * `bigint`). Resolve with a JSON-like value (stored as SUCCESS); throw to fail (FAILURE with traceback).
 */
export type CeleryTaskHandler = (
  args: PickleValue[],
  kwargs: Record<string, PickleValue>,
  ctx: CeleryTaskContext,
) => unknown;

/** Handlers keyed by Celery task name (e.g. `'tasks.add'`). */
export type CeleryTaskHandlers = Readonly<Record<string, CeleryTaskHandler>>;
