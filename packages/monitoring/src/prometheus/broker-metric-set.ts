import type { CelersDatabase } from '@celers/schema';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { selectQueueGaugeValues } from './queue-gauges.sql.js';

/** Histogram buckets of `celers_operation_duration_seconds` (1 ms … 10 s). */
export const DEFAULT_OPERATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** A queue whose gauges are read on scrape. @internal */
export interface GaugeSource {
  readonly queue: string;
  readonly db: Kysely<CelersDatabase>;
}

/**
 * The metrics of one registry + prefix, shared by every broker registered on it (they differ by the `queue`
 * label). Queue gauges are read on scrape: each gauge's `collect()` awaits one shared refresh, so a scrape
 * runs one aggregate query per registered queue no matter how many gauges ask.
 * @internal
 */
export class BrokerMetricSet {
  readonly enqueued: Counter<'queue'>;
  readonly enqueuedByType: Counter<'queue' | 'task_name'>;
  readonly dequeued: Counter<'queue'>;
  readonly acked: Counter<'queue'>;
  readonly rejected: Counter<'queue' | 'outcome'>;
  readonly operationDuration: Histogram<'queue' | 'operation' | 'ok'>;
  readonly queueSize: Gauge<'queue'>;
  readonly processingSize: Gauge<'queue'>;
  readonly dlqSize: Gauge<'queue'>;
  readonly collectErrors: Counter<'queue'>;
  readonly internalRetries: Counter<'queue' | 'operation' | 'reason'>;
  readonly circuitProbes: Counter<'queue' | 'outcome'>;
  readonly circuitTransitions: Counter<'queue' | 'to'>;
  readonly circuitState: Gauge<'queue'>;
  readonly sources = new Set<GaugeSource>();
  readonly #registry: Registry;
  readonly #names: string[];
  #refreshing: Promise<void> | undefined;

  constructor(registry: Registry, prefix: string, buckets: readonly number[]) {
    this.#registry = registry;
    const registers = [registry];
    const refresh = () => this.refresh();
    this.enqueued = new Counter({
      name: `${prefix}tasks_enqueued_total`,
      help: 'Tasks enqueued.',
      labelNames: ['queue'],
      registers,
    });
    this.enqueuedByType = new Counter({
      name: `${prefix}tasks_enqueued_by_type`,
      help: 'Tasks enqueued, by task name.',
      labelNames: ['queue', 'task_name'],
      registers,
    });
    this.dequeued = new Counter({
      name: `${prefix}tasks_dequeued_total`,
      help: 'Tasks claimed by workers.',
      labelNames: ['queue'],
      registers,
    });
    this.acked = new Counter({
      name: `${prefix}tasks_acked_total`,
      help: 'Tasks acknowledged (completed).',
      labelNames: ['queue'],
      registers,
    });
    this.rejected = new Counter({
      name: `${prefix}tasks_rejected_total`,
      help: 'Tasks rejected, by outcome (retried, dead-lettered, failed).',
      labelNames: ['queue', 'outcome'],
      registers,
    });
    this.operationDuration = new Histogram({
      name: `${prefix}operation_duration_seconds`,
      help: 'Duration of broker operations.',
      labelNames: ['queue', 'operation', 'ok'],
      buckets: [...buckets],
      registers,
    });
    this.queueSize = new Gauge({
      name: `${prefix}queue_size`,
      help: 'Pending tasks (delayed included).',
      labelNames: ['queue'],
      registers,
      collect: refresh,
    });
    this.processingSize = new Gauge({
      name: `${prefix}processing_queue_size`,
      help: 'Tasks being processed.',
      labelNames: ['queue'],
      registers,
      collect: refresh,
    });
    this.dlqSize = new Gauge({
      name: `${prefix}dlq_size`,
      help: 'Dead-lettered tasks.',
      labelNames: ['queue'],
      registers,
      collect: refresh,
    });
    this.collectErrors = new Counter({
      name: `${prefix}metrics_collect_errors_total`,
      help: 'Scrapes that could not read the queue gauges (the gauges are omitted for that scrape).',
      labelNames: ['queue'],
      registers,
      collect: refresh, // so a failure is counted in the same scrape
    });
    this.internalRetries = new Counter({
      name: `${prefix}internal_retries_total`,
      help: 'Statements the broker repeated itself, by operation and reason (deadlock, lock-wait-timeout, reconnect).',
      labelNames: ['queue', 'operation', 'reason'],
      registers,
    });
    this.circuitProbes = new Counter({
      name: `${prefix}circuit_probes_total`,
      help: 'Background SELECT 1 probes of an open circuit breaker, by outcome (ok closes it, failed).',
      labelNames: ['queue', 'outcome'],
      registers,
    });
    this.circuitTransitions = new Counter({
      name: `${prefix}circuit_transitions_total`,
      help: 'Circuit breaker state changes, by the state entered (open, half-open, closed).',
      labelNames: ['queue', 'to'],
      registers,
    });
    this.circuitState = new Gauge({
      name: `${prefix}circuit_state`,
      help: 'Circuit breaker state of the last broker to change it: 0 closed, 1 half-open, 2 open.',
      labelNames: ['queue'],
      registers,
    });
    this.#names = [
      this.enqueued,
      this.enqueuedByType,
      this.dequeued,
      this.acked,
      this.rejected,
      this.operationDuration,
      this.queueSize,
      this.processingSize,
      this.dlqSize,
      this.collectErrors,
      this.internalRetries,
      this.circuitProbes,
      this.circuitTransitions,
      this.circuitState,
    ].map((metric) => (metric as unknown as { name: string }).name);
  }

  /** Starts the queue's counters at 0 so they appear before the first event. */
  initQueue(queue: string): void {
    this.enqueued.inc({ queue }, 0);
    this.dequeued.inc({ queue }, 0);
    this.acked.inc({ queue }, 0);
    this.collectErrors.inc({ queue }, 0);
    this.circuitState.set({ queue }, 0);
  }

  /** Reads the gauges of every registered queue; concurrent callers share one round of queries. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#readAll().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Stops reporting a queue's gauges (when no other registered broker serves it). */
  dropQueueGauges(queue: string): void {
    if ([...this.sources].some((s) => s.queue === queue)) return;
    for (const gauge of [this.queueSize, this.processingSize, this.dlqSize, this.circuitState])
      gauge.remove({ queue });
  }

  /** Removes every metric from the registry (after the last broker unregistered). */
  unregisterAll(): void {
    for (const name of this.#names) this.#registry.removeSingleMetric(name);
  }

  async #readAll(): Promise<void> {
    const byQueue = new Map<string, GaugeSource>();
    for (const source of this.sources) byQueue.set(source.queue, source);
    await Promise.all(
      [...byQueue.values()].map(async ({ queue, db }) => {
        try {
          const values = await selectQueueGaugeValues(db, queue);
          this.queueSize.set({ queue }, values.pending);
          this.processingSize.set({ queue }, values.processing);
          this.dlqSize.set({ queue }, values.dlq);
        } catch {
          // A failed read must not fail the whole scrape (other queues, counters); omit stale gauges instead.
          for (const gauge of [this.queueSize, this.processingSize, this.dlqSize]) gauge.remove({ queue });
          this.collectErrors.inc({ queue });
        }
      }),
    );
  }
}
