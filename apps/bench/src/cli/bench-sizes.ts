/** Job counts of one run, after mode and scale. */
export interface BenchSizes {
  /** W1: single enqueues awaited one at a time. */
  singleEnqueue: number;
  /** W2: jobs enqueued in batches of {@link BATCH_SIZE}. */
  batchEnqueue: number;
  /** W3: pending jobs drained with concurrency {@link DRAIN_CONCURRENCY}. */
  drain: number;
  /** W4: jobs produced at {@link LATENCY_RATE_PER_SECOND}. */
  latencyJobs: number;
  /** W4: seconds of idle polling measured. */
  idleSeconds: number;
  /** W5: the small and the large backlog. */
  backlogSmall: number;
  backlogLarge: number;
  /** W5/W6: jobs drained to measure a rate. */
  scalingDrain: number;
  /** W6: finished tasks and DLQ rows retained in the large case. */
  historyTasks: number;
  historyDlq: number;
  /** W7: timed calls per operation. */
  opIterations: number;
  /** W9: delayed (not yet due) tasks present while due ones are drained. */
  delayedTasks: number;
  /** W8: tasks through one worker process. */
  soakTasks: number;
  /** W10: Celery messages in the kombu queue each consumer drains. */
  celeryMessages: number;
}

/** Batch size of W2 and of the raw batch baseline. */
export const BATCH_SIZE = 500;
/** Consumer loops in drain workloads. */
export const DRAIN_CONCURRENCY = 10;
/** Jobs claimed per loop iteration in drain workloads. */
export const CLAIM_BATCH = 50;
/** The raw baseline's tuned claim size: W3 rates celers against the better of the two raw shapes (issue 17). */
export const TUNED_RAW_CLAIM_BATCH = 200;
/** Idle poll interval of the raw baseline and the broker-level loops. */
export const IDLE_POLL_MS = 50;
/** W10: concurrencies of the celers Celery consumer (4 is `runCeleryWorker`'s default). */
export const CELERY_CONSUMER_CONCURRENCIES = [4, 10] as const;
/** W10: processes of the Python prefork pool (one per core of the 2-core bench machine). */
export const PYTHON_PREFORK_CONCURRENCY = 2;
/** W4 producer rate. */
export const LATENCY_RATE_PER_SECOND = 200;

const BASE = {
  singleEnqueue: 5_000,
  batchEnqueue: 50_000,
  drain: 50_000,
  latencyJobs: 2_000,
  backlogSmall: 1_000,
  scalingDrain: 5_000,
  opIterations: 200,
} as const;

/**
 * Sizes for a mode and scale. Quick mode uses 200k for the backlog and history cases, full mode 1M (and 100k
 * DLQ rows) plus the 1M soak. Scale multiplies every count (never below a floor that keeps rates meaningful).
 */
export function benchSizes(mode: 'quick' | 'full', scale: number): BenchSizes {
  const n = (base: number, floor = 10) => Math.max(floor, Math.round(base * scale));
  const large = mode === 'full' ? 1_000_000 : 200_000;
  return {
    singleEnqueue: n(BASE.singleEnqueue),
    batchEnqueue: n(BASE.batchEnqueue),
    drain: n(BASE.drain),
    latencyJobs: n(BASE.latencyJobs),
    idleSeconds: scale < 0.5 ? 1 : 2,
    backlogSmall: n(BASE.backlogSmall),
    backlogLarge: n(large),
    scalingDrain: n(BASE.scalingDrain),
    historyTasks: n(large),
    historyDlq: n(large / 10),
    opIterations: n(BASE.opIterations, 5),
    delayedTasks: n(100_000),
    soakTasks: n(1_000_000),
    celeryMessages: n(mode === 'full' ? 20_000 : 2_000),
  };
}
