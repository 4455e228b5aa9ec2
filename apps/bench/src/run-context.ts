import { MysqlBroker } from '@celers/broker-mysql';
import { warmupPool } from '@celers/schema';
import { type BrokerConsumerOptions, startBrokerConsumer } from './celers/broker-consumer.js';
import { describeWorkerConsumer, startWorkerConsumer } from './celers/worker-consumer.js';
import { type BenchSizes, CLAIM_BATCH, DRAIN_CONCURRENCY, IDLE_POLL_MS } from './cli/bench-sizes.js';
import type { BenchDatabase } from './env/bench-database.js';
import { startRawConsumer } from './raw/raw-consumer.js';
import { createRawTable, RAW_TABLE } from './raw/raw-queue.sql.js';
import type { ConsumerRun } from './workloads/consumer-types.js';
import type { WorkloadContext } from './workloads/workload-context.js';

/** Tables emptied between workloads. */
const CELERS_TABLES = [
  'celers_live_tasks',
  'celers_finished_tasks',
  'celers_task_links',
  'celers_task_results',
  'celers_dead_letter_queue',
  'celers_task_history',
] as const;

/** Drain time caps: the quick run must stay within minutes even with a slow consumer. */
export const DRAIN_CAP_MS = { quick: 25_000, full: 900_000 } as const;

/** The broker-level loops (W3b), described for the report. */
export const BROKER_LOOPS_DESCRIPTION = `${DRAIN_CONCURRENCY} broker-level loops × (dequeueBatch(${CLAIM_BATCH}) → handler → ackBatch), ${IDLE_POLL_MS} ms idle poll, one broker pool`;

/** Description of the consumer the drain and latency workloads use, for the report. */
export const CONSUMER_DESCRIPTION = `${describeWorkerConsumer(DRAIN_CONCURRENCY)}; W3b uses ${BROKER_LOOPS_DESCRIPTION}`;

/** A workload context plus the cleanup the runner calls at the end. */
export interface RunContext extends WorkloadContext {
  /** Closes every broker the workloads opened. */
  close(): Promise<void>;
}

/**
 * Prepares a bench database for workloads: migrates celers' schema (through `MysqlBroker.connect`), creates
 * the raw table, and hands out brokers and consumers with the run's drain settings.
 */
export async function createRunContext(
  bench: BenchDatabase,
  sizes: BenchSizes,
  mode: 'quick' | 'full',
  notes: string[],
  log: (message: string) => void,
): Promise<RunContext> {
  const brokers: MysqlBroker[] = [];
  const first = await MysqlBroker.connect({ url: bench.url, queue: 'bench', migrate: true });
  brokers.push(first);
  await createRawTable(bench.admin);
  return {
    bench,
    sizes,
    mode,
    drainCapMs: DRAIN_CAP_MS[mode],
    log,
    note: (text) => notes.push(text),
    async broker(queue, options = {}) {
      const broker = await MysqlBroker.connect({
        url: bench.url,
        queue,
        ...(options.keepCompleted === undefined ? {} : { keepCompleted: options.keepCompleted }),
      });
      brokers.push(broker);
      // The seed's connection pool warmup: timed calls never pay for opening connections.
      if (options.warmup !== false) await warmupPool(broker.database, DRAIN_CONCURRENCY);
      return broker;
    },
    startCelersConsumer(broker, { storeResults, handler, claimConnections }): Promise<ConsumerRun> {
      return startWorkerConsumer(broker, {
        concurrency: DRAIN_CONCURRENCY,
        storeResults,
        handler,
        ...(claimConnections === undefined ? {} : { claimConnections }),
      });
    },
    async startBrokerLoops(broker, { storeResults, handler }): Promise<ConsumerRun> {
      const options: BrokerConsumerOptions = {
        loops: DRAIN_CONCURRENCY,
        claimBatch: CLAIM_BATCH,
        idlePollMs: IDLE_POLL_MS,
        storeResults,
        handler,
      };
      return startBrokerConsumer(broker, options);
    },
    startRawConsumer(queue, handler, claimBatch = CLAIM_BATCH) {
      return startRawConsumer(() => bench.connect(), queue, {
        loops: DRAIN_CONCURRENCY,
        claimBatch,
        idlePollMs: IDLE_POLL_MS,
        handler,
      });
    },
    async reset() {
      for (const table of [...CELERS_TABLES, RAW_TABLE]) await bench.admin.query(`TRUNCATE TABLE ${table}`);
    },
    async close() {
      await Promise.all(brokers.map((b) => b.close()));
    },
  };
}
