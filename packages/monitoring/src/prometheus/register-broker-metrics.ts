import { type BrokerEventMap, CelersError } from '@celers/core';
import type { CelersDatabase } from '@celers/schema';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { resolveSource } from '../internal/monitor-source.js';
import { BrokerMetricSet, DEFAULT_OPERATION_BUCKETS_SECONDS, type GaugeSource } from './broker-metric-set.js';

/** The broker surface the metrics need (a `MysqlBroker` satisfies it). */
export interface MetricsBroker {
  readonly database: Kysely<CelersDatabase>;
  readonly queueName: string;
  on<K extends keyof BrokerEventMap>(event: K, listener: (payload: BrokerEventMap[K]) => void): unknown;
  off<K extends keyof BrokerEventMap>(event: K, listener: (payload: BrokerEventMap[K]) => void): unknown;
}

/** Options of {@link registerBrokerMetrics}. */
export interface BrokerMetricsOptions {
  /** The prom-client registry to register on (share one across brokers; they differ by the `queue` label). */
  registry: Registry;
  /** Metric name prefix. @defaultValue 'celers_' */
  prefix?: string;
  /** Buckets (seconds) of the operation duration histogram. @defaultValue {@link DEFAULT_OPERATION_BUCKETS_SECONDS} */
  buckets?: readonly number[];
}

/** Values of `celers_circuit_state`. */
export const CIRCUIT_STATE_VALUES = Object.freeze({ closed: 0, 'half-open': 1, open: 2 } as const);

/** Removes a broker's listeners (and its gauges); safe to call twice. */
export type UnregisterBrokerMetrics = () => void;

const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const sets = new WeakMap<Registry, Map<string, BrokerMetricSet>>();

/**
 * Exposes a broker as Prometheus metrics: the seed's `celers_tasks_enqueued_total`,
 * `celers_tasks_enqueued_by_type{task_name}`, `celers_queue_size`, `celers_processing_queue_size`,
 * `celers_dlq_size`, plus `celers_tasks_dequeued_total`, `celers_tasks_acked_total`,
 * `celers_tasks_rejected_total{outcome}`, the `celers_operation_duration_seconds{operation,ok}` histogram, and
 * the broker's internal retries: `celers_internal_retries_total{operation,reason}` (deadlock,
 * lock-wait-timeout, reconnect), `celers_circuit_probes_total{outcome}`, `celers_circuit_transitions_total{to}`
 * and the `celers_circuit_state` gauge (0 closed, 1 half-open, 2 open), all labelled `queue`. Counters follow broker events; queue gauges are read on scrape with one aggregate
 * query per queue, so there is no `update_metrics()` to call.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 *
 * const registry = createMetricsRegistry();
 * const unregister = registerBrokerMetrics(broker, { registry });
 * http.createServer(metricsHandler(registry)).listen(9464);
 * // later: unregister();
 * ```
 */
export function registerBrokerMetrics(
  broker: MetricsBroker,
  options: BrokerMetricsOptions,
): UnregisterBrokerMetrics {
  const { db, queue } = resolveSource(broker, 'broker');
  if (
    typeof (broker as Partial<MetricsBroker>).on !== 'function' ||
    typeof (broker as Partial<MetricsBroker>).off !== 'function'
  ) {
    throw CelersError.invalidArgument('broker', 'expected a broker with on/off (a MysqlBroker)');
  }
  // Duck-typed so a registry from another installed copy of prom-client still works.
  const registry = (options as Partial<BrokerMetricsOptions> | null)?.registry as
    | Partial<Registry>
    | undefined;
  if (typeof registry?.metrics !== 'function' || typeof registry.registerMetric !== 'function') {
    throw CelersError.invalidArgument('options.registry', 'expected a prom-client Registry');
  }
  const prefix = options.prefix ?? 'celers_';
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_PREFIX.test(prefix))) {
    throw CelersError.invalidArgument(
      'options.prefix',
      'expected a Prometheus metric name prefix like "celers_"',
    );
  }
  const buckets = options.buckets ?? DEFAULT_OPERATION_BUCKETS_SECONDS;
  if (
    !Array.isArray(buckets) ||
    buckets.length === 0 ||
    buckets.some((b, i) => !Number.isFinite(b) || b <= 0 || (i > 0 && b <= (buckets[i - 1] as number)))
  ) {
    throw CelersError.invalidArgument('options.buckets', 'expected increasing positive finite numbers');
  }

  const byPrefix = sets.get(options.registry) ?? new Map<string, BrokerMetricSet>();
  sets.set(options.registry, byPrefix);
  const metrics = byPrefix.get(prefix) ?? new BrokerMetricSet(options.registry, prefix, buckets);
  byPrefix.set(prefix, metrics);
  const source: GaugeSource = { queue, db };
  metrics.sources.add(source);
  metrics.initQueue(queue);

  const listeners = {
    'task:enqueued': (e: BrokerEventMap['task:enqueued']) => {
      metrics.enqueued.inc({ queue: e.queue }, e.taskIds.length);
      for (const taskName of e.taskNames) metrics.enqueuedByType.inc({ queue: e.queue, task_name: taskName });
    },
    'task:dequeued': (e: BrokerEventMap['task:dequeued']) =>
      metrics.dequeued.inc({ queue: e.queue }, e.taskIds.length),
    'task:acked': (e: BrokerEventMap['task:acked']) =>
      metrics.acked.inc({ queue: e.queue }, e.taskIds.length),
    'task:rejected': (e: BrokerEventMap['task:rejected']) =>
      metrics.rejected.inc({ queue: e.queue, outcome: e.outcome.outcome }),
    operation: (e: BrokerEventMap['operation:finished']) =>
      metrics.operationDuration.observe(
        { queue: e.queue, operation: e.operation, ok: String(e.ok) },
        e.durationMs / 1000,
      ),
    'operation:retried': (e: BrokerEventMap['operation:retried']) =>
      metrics.internalRetries.inc({ queue: e.queue, operation: e.operation, reason: e.reason }),
    'circuit:probed': (e: BrokerEventMap['circuit:probed']) =>
      metrics.circuitProbes.inc({ queue: e.queue, outcome: e.ok ? 'ok' : 'failed' }),
    'circuit:changed': (e: BrokerEventMap['circuit:changed']) => {
      metrics.circuitTransitions.inc({ queue: e.queue, to: e.to });
      metrics.circuitState.set({ queue: e.queue }, CIRCUIT_STATE_VALUES[e.to]);
    },
  };
  broker.on('task:enqueued', listeners['task:enqueued']);
  broker.on('task:dequeued', listeners['task:dequeued']);
  broker.on('task:acked', listeners['task:acked']);
  broker.on('task:rejected', listeners['task:rejected']);
  broker.on('operation:finished', listeners.operation);
  broker.on('operation:retried', listeners['operation:retried']);
  broker.on('circuit:probed', listeners['circuit:probed']);
  broker.on('circuit:changed', listeners['circuit:changed']);

  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    broker.off('task:enqueued', listeners['task:enqueued']);
    broker.off('task:dequeued', listeners['task:dequeued']);
    broker.off('task:acked', listeners['task:acked']);
    broker.off('task:rejected', listeners['task:rejected']);
    broker.off('operation:finished', listeners.operation);
    broker.off('operation:retried', listeners['operation:retried']);
    broker.off('circuit:probed', listeners['circuit:probed']);
    broker.off('circuit:changed', listeners['circuit:changed']);
    metrics.sources.delete(source);
    if (metrics.sources.size === 0) {
      metrics.unregisterAll();
      byPrefix.delete(prefix);
    } else {
      metrics.dropQueueGauges(queue);
    }
  };
}
