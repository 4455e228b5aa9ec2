import type { BrokerContext } from '../broker-context.js';
import { DRAIN_FLAG_CACHE_MS, waitAtLeast } from '../internal/drain-flag-cache.js';
import { getQueueFlag, QueueConfigKey, setQueueConfig } from './queue-config.sql.js';

// The queue's persisted flags (celers_queue_config): pause stops claims, drain mode stops enqueues. Both apply
// to every broker on every host.

/** Sets or clears the queue's pause flag. @internal */
export function setPaused(ctx: BrokerContext, paused: boolean): Promise<void> {
  return ctx.run(paused ? 'pause' : 'resume', () =>
    setQueueConfig(ctx.db, ctx.queue, QueueConfigKey.Paused, paused ? 'true' : 'false'),
  );
}

/** Reads the queue's pause flag. @internal */
export function readPaused(ctx: BrokerContext): Promise<boolean> {
  return ctx.run('isPaused', () => getQueueFlag(ctx.db, ctx.queue, QueueConfigKey.Paused));
}

/**
 * Turns drain mode on. Enqueues trust the drain flag they read for up to {@link DRAIN_FLAG_CACHE_MS}, so this
 * writes the flag, makes this pool's brokers see it at once, then waits {@link DRAIN_FLAG_CACHE_MS}: once it has
 * resolved, no enqueue that starts afterwards succeeds, in any process. @internal
 */
export async function enableDrain(ctx: BrokerContext): Promise<void> {
  // This pool's brokers refuse enqueues from before the write commits: a reader of the committed flag
  // (isDrainMode) must never see a sibling broker still accept one. A failed write undoes it.
  ctx.drainFlags.set(ctx.queue, true);
  try {
    await ctx.run('enableDrainMode', () =>
      setQueueConfig(ctx.db, ctx.queue, QueueConfigKey.DrainMode, 'true'),
    );
  } catch (error) {
    ctx.drainFlags.set(ctx.queue, false);
    ctx.drainFlags.refreshSoon(ctx.queue);
    throw error;
  }
  // Every cached "not draining" in any process was read before the write and expires within this wait.
  await waitAtLeast(DRAIN_FLAG_CACHE_MS);
}

/** Turns drain mode off; this pool's brokers accept enqueues at once, other pools when their cache expires. @internal */
export async function disableDrain(ctx: BrokerContext): Promise<void> {
  await ctx.run('disableDrainMode', () =>
    setQueueConfig(ctx.db, ctx.queue, QueueConfigKey.DrainMode, 'false'),
  );
  ctx.drainFlags.set(ctx.queue, false);
}

/** Reads drain mode from the database (never from the enqueue cache). @internal */
export function readDrain(ctx: BrokerContext): Promise<boolean> {
  return ctx.run('isDrainMode', () => getQueueFlag(ctx.db, ctx.queue, QueueConfigKey.DrainMode));
}
