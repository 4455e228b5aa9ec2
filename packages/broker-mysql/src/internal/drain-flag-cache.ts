import type { CelersDatabase } from '@celers/schema';
import type { Kysely } from 'kysely';
import { getQueueFlag, QueueConfigKey } from '../queue/queue-config.sql.js';

/**
 * How long an enqueue may trust a drain flag it read (ms). `enableDrainMode()` waits this long after writing
 * the flag, so once it resolves every broker has either seen the flag or will read it again. Deliberately a
 * constant: the guarantee holds only if every process uses the same value.
 */
export const DRAIN_FLAG_CACHE_MS = 1000;

/** One queue's cached flag: its value and when the read that produced it started (`performance.now()`). */
interface CachedFlag {
  value: boolean;
  readStartedAt: number;
}

/** A read on its way: later readers share it while it is young enough to be trusted. */
interface PendingRead {
  promise: Promise<boolean>;
  startedAt: number;
}

/**
 * The drain flags of every queue on one pool, read at most once per {@link DRAIN_FLAG_CACHE_MS} so that an
 * enqueue usually costs one plain INSERT (a check folded into the INSERT as a subquery costs ~20–30 µs of
 * server time per statement; measured in apps/bench).
 *
 * Why the guarantee of `enableDrainMode()` holds: a value is trusted only while less than
 * {@link DRAIN_FLAG_CACHE_MS} has passed since its read STARTED (recorded before the query is sent), and a
 * shared in-flight read is joined only under the same condition. An enqueue that starts after
 * `enableDrainMode()` resolved (≥ {@link DRAIN_FLAG_CACHE_MS} after the flag was committed) therefore relies
 * on a read sent after that commit, which sees the flag.
 *
 * Every broker on the same Kysely instance (`forQueue`, or `connect({ database })`) shares one cache: see
 * {@link drainFlagCacheFor}.
 * @internal
 */
export class DrainFlagCache {
  readonly #db: Kysely<CelersDatabase>;
  readonly #flags = new Map<string, CachedFlag>();
  readonly #reads = new Map<string, PendingRead>();

  constructor(db: Kysely<CelersDatabase>) {
    this.#db = db;
  }

  /** The cached flag of `queue` while it may be trusted, else `undefined` (no I/O). */
  peek(queue: string): boolean | undefined {
    const cached = this.#flags.get(queue);
    return cached && performance.now() - cached.readStartedAt < DRAIN_FLAG_CACHE_MS
      ? cached.value
      : undefined;
  }

  /**
   * The flag of `queue`: the cached value (synchronously) while it may be trusted, else one read through the
   * pool, shared by every caller that asks while it is on its way. Never call it while holding a pool
   * connection the read might wait for (inside a transaction): use {@link peek} and {@link refreshSoon}.
   */
  isDraining(queue: string): Promise<boolean> | boolean {
    return this.peek(queue) ?? this.#read(queue);
  }

  /** Starts a read of `queue`'s flag unless one is on its way; never waits for it and ignores its errors. */
  refreshSoon(queue: string): void {
    this.#read(queue).catch(() => undefined);
  }

  /** Records a value this process just wrote (`enable`/`disableDrainMode`), trusted from now on. */
  set(queue: string, value: boolean): void {
    this.#store(queue, value, performance.now());
  }

  #read(queue: string): Promise<boolean> {
    const pending = this.#reads.get(queue);
    if (pending && performance.now() - pending.startedAt < DRAIN_FLAG_CACHE_MS) return pending.promise;
    const startedAt = performance.now();
    const promise = getQueueFlag(this.#db, queue, QueueConfigKey.DrainMode).then((value) => {
      this.#store(queue, value, startedAt);
      return value;
    });
    const read: PendingRead = { promise, startedAt };
    this.#reads.set(queue, read);
    const clear = () => {
      if (this.#reads.get(queue) === read) this.#reads.delete(queue);
    };
    promise.then(clear, clear);
    return promise;
  }

  /** Keeps the value of the most recently STARTED read (a slow old read never overwrites a newer value). */
  #store(queue: string, value: boolean, readStartedAt: number): void {
    const cached = this.#flags.get(queue);
    if (!cached || cached.readStartedAt <= readStartedAt) this.#flags.set(queue, { value, readStartedAt });
  }
}

const caches = new WeakMap<Kysely<CelersDatabase>, DrainFlagCache>();

/** The drain flag cache shared by every broker on `db`. @internal */
export function drainFlagCacheFor(db: Kysely<CelersDatabase>): DrainFlagCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new DrainFlagCache(db);
    caches.set(db, cache);
  }
  return cache;
}

/** Resolves once at least `ms` have passed by `performance.now()` (a timer may fire a little early). */
export async function waitAtLeast(ms: number): Promise<void> {
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}
