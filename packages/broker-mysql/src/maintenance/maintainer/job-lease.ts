import { createHash, randomBytes } from 'node:crypto';
import type { CelersDatabase } from '@celers/schema';
import type { Kysely } from 'kysely';
import { withLockRetry } from '../../internal/lock-retry.js';
import { acquireLease, RELEASED_OWNER, readLease, releaseLease, renewLease } from './job-lease.sql.js';
import type { JobSkipReason } from './maintenance-job.js';

const LOCK_NAME_MAX = 191; // celers_locks.lock_name is VARCHAR(191)
const PREFIX = 'celers.maintainer';

/**
 * The `celers_locks.lock_name` of a job on a queue: `celers.maintainer:<queue>:<job>`. Table-wide jobs pass
 * `*` (never a valid queue name), so one lease covers every queue's maintainer.
 */
export function maintainerLockName(queue: string, job: string): string {
  const plain = `${PREFIX}:${queue}:${job}`;
  if (plain.length <= LOCK_NAME_MAX) return plain;
  // very long queue names: a digest keeps the name unique and within the column
  return `${PREFIX}:${createHash('sha256').update(queue).digest('hex').slice(0, 40)}:${job}`;
}

/** The owner id inside a lease token (`<owner>#<nonce>`). */
export function holderOf(token: string): string | null {
  if (token === RELEASED_OWNER) return null;
  const i = token.lastIndexOf('#');
  return i < 0 ? token : token.slice(0, i);
}

/** Why a lease could not be taken. @internal */
export interface LeaseRefusal {
  readonly reason: Exclude<JobSkipReason, 'running'>;
  readonly holder: string | null;
}

/**
 * A lease this host holds on one job: renewed every third of its length until released, aborting `signal`
 * when a renewal finds that another host took it over (after this host stalled past the expiry).
 * @internal
 */
export class HeldLease {
  readonly #db: Kysely<CelersDatabase>;
  readonly #name: string;
  readonly #token: string;
  readonly #ttlMs: number;
  readonly #abort = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #onRenewError: (error: unknown) => void;
  #renewing: Promise<void> = Promise.resolve();

  private constructor(
    db: Kysely<CelersDatabase>,
    name: string,
    token: string,
    ttlMs: number,
    onRenewError: (error: unknown) => void,
  ) {
    this.#db = db;
    this.#name = name;
    this.#token = token;
    this.#ttlMs = ttlMs;
    this.#onRenewError = onRenewError;
    this.#timer = setInterval(
      () => {
        this.#renewing = this.#renew();
      },
      Math.max(250, Math.floor(ttlMs / 3)),
    );
    this.#timer.unref();
  }

  /** Takes the lease, or says who holds it. */
  static async acquire(
    db: Kysely<CelersDatabase>,
    name: string,
    owner: string,
    ttlMs: number,
    force: boolean,
    onRenewError: (error: unknown) => void,
  ): Promise<HeldLease | LeaseRefusal> {
    const token = `${owner}#${randomBytes(6).toString('hex')}`;
    if (await withLockRetry(() => acquireLease(db, name, token, ttlMs, force))) {
      return new HeldLease(db, name, token, ttlMs, onRenewError);
    }
    const state = await readLease(db, name);
    // a live row with owner '' is a released lease cooling down; a row that expired between the two
    // statements is reported as not due and retried at the next tick
    if (state?.live && state.owner !== RELEASED_OWNER)
      return { reason: 'leased', holder: holderOf(state.owner) };
    return { reason: 'not-due', holder: null };
  }

  /** Aborted once the lease is known to be lost. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Whether a renewal found the lease taken over. */
  get lost(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Stops renewing and releases the lease (cooldown after success, free at once after failure). */
  async release(cooldownMs: number | null): Promise<void> {
    clearInterval(this.#timer);
    await this.#renewing;
    if (this.lost) return;
    if (!(await releaseLease(this.#db, this.#name, this.#token, cooldownMs))) this.#abort.abort();
  }

  async #renew(): Promise<void> {
    if (this.lost) return;
    try {
      if (!(await renewLease(this.#db, this.#name, this.#token, this.#ttlMs))) {
        clearInterval(this.#timer);
        this.#abort.abort();
      }
    } catch (error) {
      this.#onRenewError(error); // transient: the next renewal may succeed before the lease runs out
    }
  }
}
