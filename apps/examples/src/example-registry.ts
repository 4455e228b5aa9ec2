import type { Example } from './example-kit.js';

/** The seed's 18 examples, by their seed name, each loaded only when run. */
export const EXAMPLES = {
  basic_usage: () => import('./examples/basic-usage.js'),
  task_producer: () => import('./examples/task-producer.js'),
  worker_pool: () => import('./examples/worker-pool.js'),
  circuit_breaker: () => import('./examples/circuit-breaker.js'),
  bulk_import_export: () => import('./examples/bulk-import-export.js'),
  recurring_tasks: () => import('./examples/recurring-tasks.js'),
  advanced_retry: () => import('./examples/advanced-retry.js'),
  idempotency_keys: () => import('./examples/idempotency-keys.js'),
  advanced_queue_management: () => import('./examples/advanced-queue-management.js'),
  batch_results: () => import('./examples/batch-results.js'),
  drain_mode: () => import('./examples/drain-mode.js'),
  worker_heartbeat: () => import('./examples/worker-heartbeat.js'),
  task_groups: () => import('./examples/task-groups.js'),
  monitoring_performance: () => import('./examples/monitoring-performance.js'),
  monitoring_utilities: () => import('./examples/monitoring-utilities.js'),
  production_operations: () => import('./examples/production-operations.js'),
  distributed_tracing: () => import('./examples/distributed-tracing.js'),
  lifecycle_hooks: () => import('./examples/lifecycle-hooks.js'),
} satisfies Record<string, () => Promise<{ run: Example }>>;

/** A seed example name, e.g. `worker_pool`. */
export type ExampleName = keyof typeof EXAMPLES;

/** Accepts `worker_pool`, `worker-pool` or `workerPool` style names; `undefined` when unknown. */
export function resolveExampleName(input: string): ExampleName | undefined {
  const snake = input
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
  return snake in EXAMPLES ? (snake as ExampleName) : undefined;
}
