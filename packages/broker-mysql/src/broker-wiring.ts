// How a MysqlBroker is put together: opening (or adopting) the database at connect, building the context every
// facet and operation shares (breaker, `run`, archiver, promoter, hooks), and the safe emit its events go through.
// The facade (mysql-broker.ts) only calls these, so it reads as the Broker contract plus its facets.
import { type BrokerEventMap, coerceError, type TypedEmitter } from '@celers/core';
import type { HookRegistry } from '@celers/resilience';
import {
  assertMigrated,
  type CelersDatabase,
  createDatabase,
  detectServerProfile,
  migrate,
  type ServerProfile,
  toCelersError,
  valueLimitsFor,
} from '@celers/schema';
import type { Kysely } from 'kysely';
import type { BrokerContext } from './broker-context.js';
import {
  type MysqlBrokerOptions,
  type ResolvedBrokerOptions,
  resolveBrokerOptions,
} from './broker-options.js';
import { chainCompletionHook } from './groups/chain-links.sql.js';
import { assertWritableServer } from './internal/assert-writable-server.js';
import { createBrokerBreaker } from './internal/broker-breaker.js';
import { drainFlagCacheFor } from './internal/drain-flag-cache.js';
import { runOperation } from './internal/run-operation.js';
import { CompletedArchiver } from './queue/completed-archiver.js';
import { HookFreeClaims } from './queue/hook-free-claims.js';
import { ScheduledPromoter } from './queue/scheduled-promoter.js';
import type { SettleNotifier } from './results/results-wait.js';

/** What `connect` found: the database (and whether the broker owns it), its server profile, the options. */
export interface OpenedBroker {
  readonly db: Kysely<CelersDatabase>;
  readonly ownsDatabase: boolean;
  readonly profile: ServerProfile;
  readonly options: ResolvedBrokerOptions;
}

/**
 * Validates the options, connects (or adopts `options.database`), checks or applies the migrations, detects the
 * server flavour and hands the result to `build`. On any failure a pool it created is destroyed and the error is
 * a `CelersError` (`MIGRATION_REQUIRED`, `DATABASE_UNAVAILABLE`, ...).
 */
export async function openBroker<B>(
  options: MysqlBrokerOptions,
  build: (opened: OpenedBroker) => B,
): Promise<B> {
  const resolved = resolveBrokerOptions(options);
  const ownsDatabase = options.database === undefined;
  const db =
    options.database ??
    createDatabase({ url: options.url as string, ...(options.pool ? { pool: options.pool } : {}) });
  try {
    await assertWritableServer(db);
    if (options.migrate) await migrate(db);
    else await assertMigrated(db);
    const profile = await detectServerProfile(db);
    return build({ db, ownsDatabase, profile, options: resolved });
  } catch (error) {
    if (ownsDatabase) await db.destroy().catch(() => undefined);
    throw toCelersError(error, 'connect');
  }
}

/** Emits a broker event; listeners' throws become `error` events instead of breaking the operation. */
export type BrokerEmit = <K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]) => void;

/**
 * The broker's emit: silent after close (except `error`), an `error` with no listener becomes a process warning,
 * settles wake this broker's `results.wait` callers, and a listener's throw is re-emitted as `error`.
 */
export function safeBrokerEmit(
  emitter: TypedEmitter<BrokerEventMap>,
  queue: string,
  settled: SettleNotifier,
  isClosing: () => boolean,
): BrokerEmit {
  const emitSafely: BrokerEmit = (event, payload) => {
    if (isClosing() && event !== 'error') return; // a late probe result after close() has no audience
    try {
      if (event === 'error' && emitter.listenerCount('error') === 0) {
        process.emitWarning((payload as BrokerEventMap['error']).error, 'CelersBrokerWarning');
        return;
      }
      if (event === 'task:acked' || event === 'task:cancelled')
        settled.notify((payload as BrokerEventMap['task:acked']).taskIds);
      else if (event === 'task:rejected')
        settled.notify([(payload as BrokerEventMap['task:rejected']).taskId]);
      emitter.emit(event, payload);
    } catch (error) {
      if (event !== 'error') emitSafely('error', { queue, error: coerceError(error) });
    }
  };
  return emitSafely;
}

/** Builds the context one broker's facets and operations share: breaker, `run`, archiver, promoter, hooks. */
export function createBrokerContext(
  opened: OpenedBroker,
  hooks: HookRegistry,
  emit: BrokerEmit,
): BrokerContext {
  const { db, profile, options } = opened;
  const breaker =
    options.circuitBreaker === false
      ? null
      : createBrokerBreaker(db, options.queue, options.circuitBreaker, emit);
  const run: BrokerContext['run'] = (operation, fn, attributes) =>
    runOperation(options.queue, profile.flavour, breaker, emit, operation, fn, attributes);
  return {
    db,
    queue: options.queue,
    profile,
    limits: valueLimitsFor(profile.maxAllowedPacket),
    options,
    hooks,
    breaker,
    // Chains hook into settle here, so queue/ never imports groups/.
    onCompleted: [chainCompletionHook],
    hookFreeClaims: new HookFreeClaims(),
    archiver: new CompletedArchiver({
      run,
      db,
      queue: options.queue,
      onError: (error) =>
        emit('error', {
          queue: options.queue,
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    }),
    drainFlags: drainFlagCacheFor(db),
    lastClaim: 'empty',
    lockingClaimsLeft: 0,
    promoter: new ScheduledPromoter(),
    emit,
    run,
  };
}
