import type { MysqlBroker } from '@celers/broker-mysql';
import { DEFAULT_BATCH_SIZE, DEFAULT_PREFETCH_MULTIPLIER, silentLogger, Worker } from '@celers/worker';
import { ConsumerProgress } from '../workloads/consumer-progress.js';
import type { ConsumerRun, JobHandler } from '../workloads/consumer-types.js';

/** Task names the bench enqueues (the fillers, W4's producer, W8). */
export const BENCH_TASK_NAMES = ['bench.noop', 'bench.latency'] as const;

/** Options of the Worker-based consumer. */
export interface WorkerConsumerOptions {
  concurrency: number;
  storeResults: boolean;
  handler: JobHandler;
  /** The Worker's `claimConnections`. @defaultValue the Worker's default (1) */
  claimConnections?: number;
}

/**
 * Runs the drain and latency workloads through `@celers/worker`'s `Worker`, as an application would: its
 * own polling, adaptive prefetch, backoff and ack batching, all at their defaults. Progress counts
 * `task:completed` events, which the Worker emits after the ack is confirmed.
 */
export async function startWorkerConsumer(
  broker: MysqlBroker,
  options: WorkerConsumerOptions,
): Promise<ConsumerRun> {
  const progress = new ConsumerProgress();
  const handler = (payload: unknown) => {
    options.handler(payload);
    return null;
  };
  const worker = new Worker({
    broker,
    handlers: Object.fromEntries(BENCH_TASK_NAMES.map((name) => [name, handler])),
    concurrency: options.concurrency,
    storeResults: options.storeResults,
    logger: silentLogger,
    ...(options.claimConnections === undefined ? {} : { claimConnections: options.claimConnections }),
  });
  worker.on('task:completed', () => progress.add(1));
  worker.on('task:failed', ({ error }) => progress.fail(error));
  await worker.start();
  let stopped: Promise<void> | undefined;
  return {
    processed: () => progress.count,
    reached: (target) => progress.reached(target),
    stop() {
      stopped ??= worker.close();
      return stopped;
    },
  };
}

/** What the report says about the Worker consumer. */
export function describeWorkerConsumer(concurrency: number): string {
  return `@celers/worker Worker (concurrency ${concurrency}; defaults otherwise: batchSize ${DEFAULT_BATCH_SIZE}, adaptive prefetch up to ${DEFAULT_PREFETCH_MULTIPLIER * concurrency}, polling and ack batching)`;
}
