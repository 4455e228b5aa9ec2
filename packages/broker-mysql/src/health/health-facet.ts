import { assertDurationMs, assertOptionalObject } from '@celers/core';
import { getPoolStats, verifyMigrations } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { pingDatabase, readHealthProbe } from './health.sql.js';
import { DEFAULT_READY_TIMEOUT_MS, type HealthStatus, type ReadinessOptions } from './health-types.js';

/**
 * `broker.health`: health and readiness checks (the seed's `check_health`). `check()` reports the server,
 * schema, queue depth and pool; `isReady()` is a cheap probe for orchestrators that never throws.
 *
 * @example
 * ```ts
 * const status = (await broker.health.isReady({ timeoutMs: 1000 })) ? 200 : 503; // a /ready endpoint's answer
 * const h = await broker.health.check();
 * console.log(h.serverVersion, h.pendingTasks, h.pool?.active);
 * ```
 */
export class HealthFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /**
   * Probes the database: version, schema name, this queue's pending and processing counts (one round trip,
   * timed as `latencyMs`), the migration state and pool occupancy. `healthy` is false when the schema is
   * missing migrations or is ahead of this code. Throws `DATABASE_UNAVAILABLE` when the server cannot be
   * reached (use {@link HealthFacet.isReady} for a probe that never throws).
   */
  async check(): Promise<HealthStatus> {
    return this.#ctx.run('health.check', async () => {
      const started = performance.now();
      const probe = await readHealthProbe(this.#ctx.db, this.#ctx.queue);
      const latencyMs = performance.now() - started;
      const migrations = await verifyMigrations(this.#ctx.db);
      return {
        healthy: migrations.isComplete && migrations.schemaValid,
        serverFlavour: this.#ctx.profile.flavour,
        serverVersion: probe.version,
        databaseName: probe.databaseName,
        missingMigrations: migrations.missingMigrations,
        pendingTasks: probe.pending,
        processingTasks: probe.processing,
        pool: getPoolStats(this.#ctx.db),
        latencyMs,
        checkedAt: probe.now,
      };
    });
  }

  /**
   * True when a `SELECT 1` succeeds within `timeoutMs`. Never throws: an unreachable server, an exhausted
   * pool, an open circuit breaker or a closed broker all give `false`. Invalid options still throw
   * `INVALID_ARGUMENT`.
   */
  async isReady(options?: ReadinessOptions): Promise<boolean> {
    const o = assertOptionalObject(options, 'options') as ReadinessOptions | undefined;
    const timeoutMs =
      o?.timeoutMs === undefined
        ? DEFAULT_READY_TIMEOUT_MS
        : assertDurationMs(o.timeoutMs, 'options.timeoutMs', 1);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    // The probe may outlive the timeout (waiting for a connection); Promise.race keeps its rejection handled.
    const probe = this.#ctx
      .run('health.isReady', () => pingDatabase(this.#ctx.db))
      .then(
        () => true,
        () => false,
      );
    try {
      return await Promise.race([probe, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
