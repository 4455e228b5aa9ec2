import { performance } from 'node:perf_hooks';
import { type AnyDb, sendCeleryTask, waitCeleryResult } from '@celers/celery';
import { perJob, readStatus, type StatusSnapshot, statusDelta } from '../env/server-status.js';
import { jobsPerSecond, pause } from '../stats/stopwatch.js';
import type { WorkloadContext } from '../workloads/workload-context.js';
import { type KombuConsumer, NOOP_TASK } from './kombu-consumers.js';
import { holdMessages, releaseMessages, resetCeleryTables, succeededTasks } from './kombu-queue.sql.js';

/** How often the drain reads `celery_taskmeta` while it waits (bounds the timing error per case). */
const POLL_MS = 50;
/** Sends run this many at a time while filling (untimed). */
const FILL_PARALLELISM = 10;
/** A consumer that has not run its warm-up task by then is broken (a Python worker boots in about 1 s). */
const WARMUP_TIMEOUT_MS = 60_000;

/** One measured W10 case. */
export interface KombuDrain {
  label: string;
  /** Messages settled per second, from their release until the last SUCCESS row (or the cap). */
  rate: number;
  processed: number;
  capped: boolean;
  /** Errors the consumer survived, and the first one's message. */
  errors: number;
  firstError: string | null;
  /** Server status counter deltas per settled message. */
  perJob: StatusSnapshot;
}

/**
 * One W10 case, on empty kombu tables:
 * 1. writes `count` `bench.noop` messages to `queue` with `sendCeleryTask` (untimed) and holds them hidden;
 * 2. starts the consumer and waits for its warm-up task, so boot time (Python's imports, pools) is not timed;
 * 3. releases the messages in one UPDATE, starts the clock, and polls `celery_taskmeta` for their SUCCESS rows
 *    (both sides write one per task) until all are there or `ctx.drainCapMs` passes;
 * 4. stops the consumer (also on failure) and empties the tables.
 */
export async function measureKombuDrain(
  ctx: Pick<WorkloadContext, 'bench' | 'drainCapMs'>,
  db: AnyDb,
  queue: string,
  count: number,
  start: () => Promise<KombuConsumer>,
): Promise<KombuDrain> {
  const admin = ctx.bench.admin;
  await resetCeleryTables(admin);
  for (let sent = 0; sent < count; sent += FILL_PARALLELISM) {
    const batch = Math.min(FILL_PARALLELISM, count - sent);
    await Promise.all(Array.from({ length: batch }, () => sendCeleryTask(db, NOOP_TASK, [], {}, { queue })));
  }
  const held = await holdMessages(admin, queue);
  let consumer: KombuConsumer | undefined;
  try {
    consumer = await start();
    const died = rejectWhenFailed(consumer);
    const warmup = await sendCeleryTask(db, NOOP_TASK, [], {}, { queue });
    await Promise.race([waitCeleryResult(db, warmup, { timeoutMs: WARMUP_TIMEOUT_MS }), died]);
    const base = await succeededTasks(admin);
    const before = await readStatus(admin);
    await releaseMessages(admin, held);
    const t0 = performance.now();
    let processed = 0;
    let capped = false;
    for (;;) {
      processed = (await succeededTasks(admin)) - base;
      if (processed >= count) break;
      if (performance.now() - t0 >= ctx.drainCapMs) {
        capped = true;
        break;
      }
      await Promise.race([pause(POLL_MS), died]);
    }
    const elapsedMs = performance.now() - t0;
    if (processed === 0)
      throw new Error(`W10 ${consumer.label}: no message settled within ${ctx.drainCapMs} ms`);
    const after = await readStatus(admin);
    return {
      label: consumer.label,
      rate: jobsPerSecond(processed, elapsedMs),
      processed,
      capped,
      errors: consumer.errors(),
      firstError: consumer.firstError(),
      perJob: perJob(statusDelta(before, after), processed),
    };
  } finally {
    await consumer?.stop();
    await resetCeleryTables(admin);
  }
}

/** Rejects with the consumer's failure if it dies (race it against each wait); never settles otherwise. */
function rejectWhenFailed(consumer: KombuConsumer): Promise<never> {
  const died = consumer.failed.then((error): never => {
    throw error;
  });
  died.catch(() => undefined);
  return died;
}
