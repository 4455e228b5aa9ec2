import type { MysqlBroker } from '@celers/broker-mysql';
import type { BenchSizes } from '../cli/bench-sizes.js';
import type { BenchDatabase } from '../env/bench-database.js';
import type { WorkloadResult } from '../report/report-types.js';
import type { ConsumerRun, JobHandler } from './consumer-types.js';

/** What every workload gets from the runner. */
export interface WorkloadContext {
  /** The run's own database (`celers_bench_<random>`), migrated, with the raw table created. */
  readonly bench: BenchDatabase;
  readonly sizes: BenchSizes;
  readonly mode: 'quick' | 'full';
  /** Longest a single drain measurement may run before its rate is taken over what was drained. */
  readonly drainCapMs: number;
  /** Prints progress to stderr. */
  log(message: string): void;
  /** Adds a paragraph to the report's analysis section. */
  note(text: string): void;
  /**
   * A broker for `queue` on the bench database (closed by the runner at the end). Its pool is warmed with
   * `warmupPool` (10 connections) unless `warmup: false`, so timings never include connection setup.
   * `keepCompleted` is the broker option (default true: acked tasks move to the finished table).
   */
  broker(queue: string, options?: { warmup?: boolean; keepCompleted?: boolean }): Promise<MysqlBroker>;
  /** Starts the celers consumer: a `@celers/worker` Worker with concurrency 10 (and `claimConnections`). */
  startCelersConsumer(
    broker: MysqlBroker,
    options: { storeResults: boolean; handler: JobHandler; claimConnections?: number },
  ): Promise<ConsumerRun>;
  /** Starts broker-level loops shaped like the raw baseline (10 × dequeueBatch(50) + ackBatch). */
  startBrokerLoops(
    broker: MysqlBroker,
    options: { storeResults: boolean; handler: JobHandler },
  ): Promise<ConsumerRun>;
  /** Starts the raw baseline consumer with the drain settings; `claimBatch` defaults to the drain's `CLAIM_BATCH`. */
  startRawConsumer(queue: string, handler: JobHandler, claimBatch?: number): Promise<ConsumerRun>;
  /** Empties the celers tables and the raw table, so each workload starts clean. */
  reset(): Promise<void>;
}

/** A workload: runs, and returns its report lines keyed by workload id (e.g. `W3`, `W3r`). */
export type Workload = (ctx: WorkloadContext) => Promise<Record<string, WorkloadResult>>;

/** A no-op handler (what the drain workloads run). */
export const noopHandler: JobHandler = () => undefined;
