import { randomUUID } from 'node:crypto';
import { coerceError, isCelersError } from '@celers/core';
import { isRetryableLockError } from '@celers/schema';
import { decodeCeleryMessage } from '../protocol/decode-message.js';
import { type AnyDb, ensureCelerySchema, queueIdFor } from '../sql/kombu-schema.sql.js';
import {
  claimMessages,
  extendLeases,
  heldReceipts,
  quarantineClaim,
  recoverExpiredLeases,
  releaseClaims,
} from '../sql/leases.sql.js';
import {
  type CeleryWorkerOptions,
  type ResolvedCeleryWorkerOptions,
  resolveCeleryWorkerOptions,
} from './celery-worker-options.js';
import { type ClaimedMessage, executeMessage } from './execute-message.js';

/** Counts of what a worker did. */
export interface CeleryWorkerStats {
  claimed: number;
  settled: number;
  deferred: number;
  leasesLost: number;
}

/** A running Celery consumer. */
export interface CeleryWorker {
  /** Resolves when the worker has stopped (after `close()` or the `signal`). */
  readonly done: Promise<void>;
  readonly stats: Readonly<CeleryWorkerStats>;
  /**
   * Graceful stop: claims nothing more, returns prefetched messages to the queue, waits up to
   * `shutdownTimeoutMs` for running handlers (then aborts their signal; their leases expire and the
   * messages run again elsewhere). Safe to call twice.
   */
  close(): Promise<void>;
}

interface Running {
  claim: ClaimedMessage;
  abort: AbortController;
}

/**
 * Consumes Celery task messages from kombu SQLAlchemy-transport queues with leases: a claim hides the
 * message (as kombu does) and records a lease kept alive while the handler runs, so a worker that dies
 * mid-task loses nothing (the lease expires and any consumer runs the message again). Results go to
 * `celery_taskmeta` in the format Python's `AsyncResult(id).get()` reads.
 *
 * @example
 * ```ts
 * const worker = runCeleryWorker({ db, queues: ['emails'], handlers: { 'tasks.add': ([a, b]) => Number(a) + Number(b) } });
 * process.once('SIGTERM', () => void worker.close());
 * await worker.done;
 * ```
 */
export function runCeleryWorker(options: CeleryWorkerOptions): CeleryWorker {
  const resolved = resolveCeleryWorkerOptions(options);
  const stats: CeleryWorkerStats = { claimed: 0, settled: 0, deferred: 0, leasesLost: 0 };
  const stopping = new AbortController();
  const onSignal = () => stopping.abort();
  resolved.signal?.addEventListener('abort', onSignal, { once: true });
  if (resolved.signal?.aborted) stopping.abort();
  const done = loop(resolved, stats, stopping.signal).finally(() =>
    resolved.signal?.removeEventListener('abort', onSignal),
  );
  done.catch(() => undefined);
  return {
    done,
    stats,
    async close() {
      stopping.abort();
      await done;
    },
  };
}

async function loop(
  options: ResolvedCeleryWorkerOptions,
  stats: CeleryWorkerStats,
  stopping: AbortSignal,
): Promise<void> {
  const { db } = options;
  const emit = options.onEvent ?? (() => undefined);
  const schema = await ensureCelerySchema(db);
  const queues: { id: number; name: string }[] = [];
  for (const name of options.queues) queues.push({ id: await queueIdFor(db, schema, name), name });
  const running = new Map<string, Running>();
  const buffer: ClaimedMessage[] = [];
  const wakeups = new Set<() => void>();
  const wake = () => {
    for (const w of wakeups) w();
    wakeups.clear();
  };
  const keeper = setInterval(() => void keepLeases(db, options, running, stats, emit), options.leaseMs / 3);
  // Every second at most: recovery is also how deferred (eta) messages come back on time.
  const recovery = setInterval(() => void recover(db, emit), Math.min(options.leaseMs / 2, 1000));
  let idle = options.pollIntervalMs;
  let next = 0;
  try {
    await recover(db, emit);
    while (!stopping.aborted) {
      const free = options.concurrency - running.size;
      if (free > 0 && buffer.length === 0) {
        const queue = queues[next++ % queues.length] as { id: number; name: string };
        try {
          buffer.push(...(await claim(db, queue, options.concurrency, options.leaseMs, emit)));
        } catch (error) {
          emit({ type: 'error', error: coerceError(error) });
        }
        stats.claimed += buffer.length;
        idle = buffer.length > 0 ? options.pollIntervalMs : Math.min(idle * 2, 1000);
      }
      while (running.size < options.concurrency && buffer.length > 0 && !stopping.aborted) {
        const item = buffer.shift() as ClaimedMessage;
        const abort = new AbortController();
        running.set(item.receipt, { claim: item, abort });
        void executeMessage(db, schema, options, item, abort.signal)
          .then(() => {
            stats.settled += 1;
          })
          .catch((error: unknown) => {
            if (isCelersError(error, 'STALE_RECEIPT')) {
              stats.leasesLost += 1;
              emit({ type: 'lease:lost', taskId: item.message.headers.id });
            } else emit({ type: 'error', error: coerceError(error) });
          })
          .finally(() => {
            running.delete(item.receipt);
            wake();
          });
      }
      if (stopping.aborted) break;
      const delay = running.size >= options.concurrency ? 1000 : buffer.length > 0 ? 0 : idle;
      if (delay > 0 || running.size >= options.concurrency) await sleep(delay, wakeups, stopping);
    }
  } finally {
    // Shutdown: unstarted claims go back at once; running handlers get shutdownTimeoutMs to finish.
    await releaseClaims(
      db,
      buffer.splice(0).map((c) => c.receipt),
    ).catch((error: unknown) => emit({ type: 'error', error: coerceError(error) }));
    const deadline = Date.now() + options.shutdownTimeoutMs;
    while (running.size > 0 && Date.now() < deadline)
      await sleep(Math.min(100, deadline - Date.now()), wakeups, new AbortController().signal);
    for (const r of running.values()) r.abort.abort();
    clearInterval(keeper);
    clearInterval(recovery);
  }
}

async function claim(
  db: AnyDb,
  queue: { id: number; name: string },
  limit: number,
  leaseMs: number,
  emit: NonNullable<ResolvedCeleryWorkerOptions['onEvent']>,
): Promise<ClaimedMessage[]> {
  const rows = await claimMessages(db, queue.id, limit, leaseMs, randomUUID);
  const out: ClaimedMessage[] = [];
  for (const row of rows) {
    try {
      const message = decodeCeleryMessage(row.payload);
      out.push({
        messageId: row.id,
        receipt: row.receipt,
        deliveryCount: row.deliveryCount,
        queueId: queue.id,
        queueName: queue.name,
        payload: row.payload,
        message,
      });
    } catch (error) {
      await quarantineClaim(db, row.receipt);
      emit({ type: 'message:quarantined', messageId: row.id, error: coerceError(error) });
    }
  }
  return out;
}

async function keepLeases(
  db: AnyDb,
  options: ResolvedCeleryWorkerOptions,
  running: Map<string, Running>,
  stats: CeleryWorkerStats,
  emit: NonNullable<ResolvedCeleryWorkerOptions['onEvent']>,
): Promise<void> {
  const receipts = [...running.keys()];
  try {
    const held = await extendLeases(db, receipts, options.leaseMs);
    if (held < receipts.length) {
      // Some lease was recovered under us (a long stall): find which and stop caring about its result.
      const alive = await heldReceipts(db, receipts);
      for (const receipt of receipts)
        if (!alive.has(receipt)) {
          running.get(receipt)?.abort.abort();
          stats.leasesLost += 1;
        }
    }
  } catch (error) {
    emit({ type: 'error', error: coerceError(error) });
  }
}

async function recover(db: AnyDb, emit: NonNullable<ResolvedCeleryWorkerOptions['onEvent']>): Promise<void> {
  try {
    await recoverExpiredLeases(db);
  } catch (error) {
    // A lost lock race with a claim or a settle is contention, not a fault: the next tick (≤ 1 s) retries.
    if (isRetryableLockError(error)) return;
    emit({ type: 'error', error: coerceError(error) });
  }
}

function sleep(ms: number, wakeups: Set<() => void>, stopping: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stopping.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wakeups.add(done);
    stopping.addEventListener('abort', done, { once: true });
  });
}
