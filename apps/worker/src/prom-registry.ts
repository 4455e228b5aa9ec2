import { createRequire } from 'node:module';
import type { metricsHandler } from '@celers/monitoring';

/** The prom-client `Registry` type, as `@celers/monitoring` expects it. */
export type MetricsRegistry = Parameters<typeof metricsHandler>[0];

/**
 * Creates a prom-client registry using the prom-client that `@celers/monitoring` depends on, so the app needs
 * no direct dependency (and can never end up with a second, incompatible copy).
 */
export function createMetricsRegistry(): MetricsRegistry {
  const requireFromApp = createRequire(import.meta.url);
  const monitoringManifest = requireFromApp.resolve('@celers/monitoring/package.json');
  const promClient = createRequire(monitoringManifest)('prom-client') as {
    Registry: new () => MetricsRegistry;
  };
  return new promClient.Registry();
}
