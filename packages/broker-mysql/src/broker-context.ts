import type { BrokerEventMap } from '@celers/core';
import type { CircuitBreaker, HookRegistry } from '@celers/resilience';
import type { CelersDatabase, ServerProfile, ValueLimits } from '@celers/schema';
import type { Attributes } from '@opentelemetry/api';
import type { Kysely, Transaction } from 'kysely';
import type { ResolvedBrokerOptions } from './broker-options.js';
import type { DrainFlagCache } from './internal/drain-flag-cache.js';
import type { CompletedArchiver } from './queue/completed-archiver.js';
import type { HookFreeClaims } from './queue/hook-free-claims.js';
import type { ScheduledPromoter } from './queue/scheduled-promoter.js';

/** A Kysely instance or an open transaction: every SQL module accepts either. */
export type Executor = Kysely<CelersDatabase> | Transaction<CelersDatabase>;

/**
 * Runs after tasks of `queue` complete, on the executor of the completion (the ack's transaction when there is
 * one). The settle path in `queue/` calls these without knowing what they do; chains promote their next links.
 * @internal
 */
export interface CompletionHook {
  /** Runs the hook for `completedIds` of `queue`. */
  run(db: Executor, queue: string, completedIds: readonly string[]): Promise<unknown>;
  /**
   * Whether the hook may have work for a task with this custom metadata (read at claim time). Claims whose
   * tasks no hook concerns are acked without running the hooks (see `HookFreeClaims`).
   */
  concerns(custom: Readonly<Record<string, unknown>>): boolean;
}

/**
 * What every facet and SQL module of one broker shares. Facets get it in their constructor; nothing outside
 * this package sees it.
 * @internal
 */
export interface BrokerContext {
  readonly db: Kysely<CelersDatabase>;
  readonly queue: string;
  readonly profile: ServerProfile;
  /** Largest values one write may carry on this server (from `max_allowed_packet`), checked before I/O. */
  readonly limits: ValueLimits;
  readonly options: ResolvedBrokerOptions;
  readonly hooks: HookRegistry;
  readonly breaker: CircuitBreaker | null;
  /** Called after every completion, in the completion's statement sequence (see {@link CompletionHook}). */
  readonly onCompleted: readonly CompletionHook[];
  /** This broker's claims that no completion hook concerns: their acks skip the hooks. */
  readonly hookFreeClaims: HookFreeClaims;
  /** Moves completed tasks from the live table to the finished table in the background, after acks. */
  readonly archiver: CompletedArchiver;
  /** Drain flags read by enqueues, shared by every broker on the same pool (`db`). */
  readonly drainFlags: DrainFlagCache;
  /**
   * What this broker's last claim came back with: `empty` (nothing due), `short` (fewer than asked: the queue
   * is nearly empty) or `full` (a backlog). After `empty` or `short` the next claim starts with one plain
   * SELECT (the peek): an idle queue costs that one statement, and a few due tasks are taken with one more.
   */
  lastClaim: 'empty' | 'short' | 'full';
  /**
   * Backlog claims left that take the locking claim (SKIP LOCKED) because an optimistic claim lost rows to another
   * consumer; 0 lets backlogs be claimed optimistically (a plain read and one fenced UPDATE).
   */
  lockingClaimsLeft: number;
  /** Promotes this queue's scheduled tasks before claims, at most once per `PROMOTE_INTERVAL_MS`. */
  readonly promoter: ScheduledPromoter;
  /** Emits a broker event (listeners run synchronously; their throws become `error` events). */
  emit<K extends keyof BrokerEventMap>(event: K, payload: BrokerEventMap[K]): void;
  /**
   * Runs one broker operation: circuit breaker, an OpenTelemetry span named `celers.<operation>`, driver
   * errors mapped to CelersError, and an `operation:finished` event with its duration. Validate arguments before
   * calling it, so bad input never counts against the breaker.
   */
  run<T>(operation: string, fn: () => Promise<T>, attributes?: Attributes): Promise<T>;
}
