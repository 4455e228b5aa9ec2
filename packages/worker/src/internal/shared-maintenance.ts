import type { BackgroundService, Broker, MaintenanceServiceOptions } from '@celers/core';

interface SharedService {
  readonly service: BackgroundService;
  users: number;
}

const services = new WeakMap<Broker, SharedService>();

/**
 * Starts the broker's maintenance service for a worker, sharing one per broker: several workers in one
 * process on one broker start a single service (the first worker's `options` shape it), which stops when the
 * last of them releases it. Returns the release function, or `undefined` when the broker has no service.
 * @internal
 */
export function acquireMaintenance(
  broker: Broker,
  options: MaintenanceServiceOptions,
): (() => Promise<void>) | undefined {
  let shared = services.get(broker);
  if (!shared) {
    const service = broker.createMaintenanceService?.(options);
    if (!service) return undefined;
    shared = { service, users: 0 };
    services.set(broker, shared);
    service.start();
  }
  shared.users += 1;
  const entry = shared;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    entry.users -= 1;
    if (entry.users > 0) return;
    // Forget it before stopping, so a worker starting meanwhile gets a fresh service.
    if (services.get(broker) === entry) services.delete(broker);
    await entry.service.stop();
  };
}
