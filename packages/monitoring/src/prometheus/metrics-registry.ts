import { Registry } from 'prom-client';

/** prom-client's registry type, re-exported so apps need no direct prom-client dependency. */
export type MetricsRegistry = Registry;

/**
 * A new prom-client registry from the same prom-client `@celers/monitoring` uses, so an app never loads a
 * second, incompatible copy.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 *
 * const registry = createMetricsRegistry();
 * registerBrokerMetrics(broker, { registry });
 * http.createServer(metricsHandler(registry)).listen(9464);
 * ```
 */
export function createMetricsRegistry(): MetricsRegistry {
  return new Registry();
}
