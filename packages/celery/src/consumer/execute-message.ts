import { hostname } from 'node:os';
import { CelersError } from '@celers/core';
import { encodePickle } from '../pickle/pickle-encoder.js';
import type { PickleValue } from '../pickle/pickle-value.js';
import type { CeleryMessage } from '../protocol/celery-message.js';
import { exceptionInfoOf, tracebackOf } from '../results/exception-info.js';
import type { AnyDb, CelerySchema } from '../sql/kombu-schema.sql.js';
import { deferClaim } from '../sql/leases.sql.js';
import { settleClaim } from '../sql/settle.sql.js';
import type { TaskMetaWrite } from '../sql/taskmeta.sql.js';
import { upsertTaskMeta } from '../sql/taskmeta.sql.js';
import { CeleryRetry, type CeleryRetryOptions } from './celery-handler.js';
import type { ResolvedCeleryWorkerOptions } from './celery-worker-options.js';

/** One claimed, decoded message and where it came from. */
export interface ClaimedMessage {
  messageId: number;
  receipt: string;
  deliveryCount: number;
  queueId: number;
  queueName: string;
  /** The raw envelope: a retry re-publishes it with new headers, the body untouched. */
  payload: string;
  message: CeleryMessage;
}

/**
 * Runs one claimed message to its end: defers it until its `eta`, revokes it past `expires`, or calls
 * the handler and settles (SUCCESS, FAILURE with traceback, or RETRY with a re-published message).
 */
export async function executeMessage(
  db: AnyDb,
  schema: CelerySchema,
  options: ResolvedCeleryWorkerOptions,
  claim: ClaimedMessage,
  signal: AbortSignal,
): Promise<void> {
  const { headers } = claim.message;
  const emit = options.onEvent ?? (() => undefined);
  const ids = { taskId: headers.id, taskName: headers.task };
  const now = Date.now();
  const eta = headers.eta ? Date.parse(headers.eta) : Number.NaN;
  if (eta > now) {
    await deferClaim(db, claim.receipt, new Date(eta));
    emit({ type: 'task:deferred', ...ids, until: new Date(eta) });
    return;
  }
  const handler = options.handlers[headers.task];
  if (!handler) {
    // Another consumer (a Python worker on the same queue) may know this task: step aside for a while.
    const until = new Date(now + options.unknownTaskDelayMs);
    await deferClaim(db, claim.receipt, until);
    emit({ type: 'task:deferred', ...ids, until });
    return;
  }
  const meta = (
    status: string,
    result: PickleValue,
    traceback: string | null,
    done: boolean,
  ): TaskMetaWrite | null =>
    headers.ignore_result
      ? null
      : {
          taskId: headers.id,
          status,
          result: encodePickle(result, 'result'),
          traceback,
          done,
          name: headers.task,
          retries: headers.retries,
          queue: claim.queueName,
          worker: options.workerName,
        };
  const expires = headers.expires ? Date.parse(headers.expires) : Number.NaN;
  if (expires <= now) {
    const revoked = {
      exc_type: 'TaskRevokedError',
      exc_message: ['expired'],
      exc_module: 'celery.exceptions',
    };
    await settleClaim(db, schema, { ...claim, meta: meta('REVOKED', revoked, null, true), republish: null });
    emit({ type: 'task:revoked', ...ids });
    return;
  }
  if (options.trackStarted && !headers.ignore_result) {
    const started = meta('STARTED', { pid: process.pid, hostname: hostname() }, null, false);
    if (started) await upsertTaskMeta(db, schema, started);
  }
  emit({ type: 'task:started', ...ids });
  let value: unknown;
  let failure: { error: unknown } | null = null;
  try {
    value = await handler(claim.message.args, claim.message.kwargs, {
      ...ids,
      retries: headers.retries,
      deliveryCount: claim.deliveryCount,
      headers,
      signal,
      retry(retryOptions?: CeleryRetryOptions): never {
        throw new CeleryRetry(retryOptions);
      },
    });
    encodePickle(value as PickleValue, 'result'); // a result Python cannot read is a failure, not a crash
  } catch (error) {
    failure = { error };
  }
  if (signal.aborted) return; // the lease was lost or shutdown gave up: the next owner settles it
  if (failure === null) {
    await settleClaim(db, schema, {
      ...claim,
      meta: meta('SUCCESS', value as PickleValue, null, true),
      republish: null,
    });
    emit({ type: 'task:succeeded', ...ids });
    return;
  }
  const error = failure.error;
  if (error instanceof CeleryRetry) {
    const maxRetries = error.options.maxRetries ?? options.maxRetries;
    const cause = error.options.cause ?? error;
    if (headers.retries < maxRetries) {
      const countdown = error.options.countdownMs ?? options.defaultRetryDelayMs;
      const info = exceptionInfoOf(cause);
      await settleClaim(db, schema, {
        ...claim,
        meta: meta('RETRY', info as unknown as PickleValue, tracebackOf(cause, info), false),
        republish: {
          queueId: claim.queueId,
          payload: retryPayload(claim.payload, headers.retries + 1, now + countdown),
        },
      });
      emit({ type: 'task:retried', ...ids });
      return;
    }
    const exceeded =
      error.options.cause === undefined
        ? Object.assign(new Error(`Can't retry ${headers.task}[${headers.id}] args:… kwargs:…`), {
            name: 'MaxRetriesExceededError',
          })
        : cause;
    await fail(exceeded, exceeded instanceof Error && exceeded.name === 'MaxRetriesExceededError');
    return;
  }
  await fail(error, false);

  async function fail(cause: unknown, maxRetriesExceeded: boolean): Promise<void> {
    const info = maxRetriesExceeded
      ? {
          exc_type: 'MaxRetriesExceededError',
          exc_message: [(cause as Error).message],
          exc_module: 'celery.exceptions',
        }
      : exceptionInfoOf(cause);
    await settleClaim(db, schema, {
      ...claim,
      meta: meta('FAILURE', info as unknown as PickleValue, tracebackOf(cause, info), true),
      republish: null,
    });
    emit({ type: 'task:failed', ...ids });
  }
}

/** The same envelope with `retries` and `eta` replaced, as Celery's `Task.retry` sends it. */
function retryPayload(payload: string, retries: number, etaMs: number): string {
  const envelope = JSON.parse(payload) as {
    headers: Record<string, unknown>;
    properties: Record<string, unknown>;
  };
  if (typeof envelope.headers !== 'object' || envelope.headers === null)
    throw new CelersError('CORRUPT_DATA', 'Celery message has no headers');
  envelope.headers.retries = retries;
  envelope.headers.eta = new Date(etaMs).toISOString();
  return JSON.stringify(envelope);
}
