import { withLockRetry } from '../internal/lock-retry.js';
import { ARCHIVE_CHUNK_SIZE, archiveCompletedTasks } from './completed-archive.sql.js';

/** What the archiver needs from its broker. */
export interface ArchiverTarget {
  readonly run: <T>(operation: string, fn: () => Promise<T>) => Promise<T>;
  readonly db: Parameters<typeof archiveCompletedTasks>[0];
  readonly queue: string;
  readonly onError: (error: unknown) => void;
}

/** Acked rows after which an archive runs at once; fewer wait for {@link ARCHIVE_DELAY_MS}. */
const ARCHIVE_BATCH = 500;
/** Longest a completed task waits in the live table before the next archive starts. */
export const ARCHIVE_DELAY_MS = 250;

/**
 * Moves completed tasks of one broker's queue to the finished table in the background, in chunks, after acks
 * report them: at once after {@link ARCHIVE_BATCH} acks, else {@link ARCHIVE_DELAY_MS} after the first. One run
 * at a time per broker; several brokers split the rows with SKIP LOCKED. Rows not yet moved are still read
 * through the `celers_tasks` view, so this only changes where a completed task is stored, never what anyone
 * reads.
 * @internal
 */
export class CompletedArchiver {
  readonly #target: ArchiverTarget;
  #noted = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(target: ArchiverTarget) {
    this.#target = target;
  }

  /** Tells the archiver that `count` tasks were just marked completed in the live table. */
  noteCompleted(count: number): void {
    if (this.#closed || count <= 0) return;
    this.#noted += count;
    this.#schedule();
  }

  /** Stops scheduling and waits for a run in progress (before the pool closes). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running || this.#closed) return;
    this.#noted = 0;
    this.#running = this.#drain()
      .catch((error: unknown) => this.#target.onError(error))
      .finally(() => {
        this.#running = undefined;
        if (this.#noted > 0) this.#schedule();
      });
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#noted >= ARCHIVE_BATCH) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), ARCHIVE_DELAY_MS).unref();
  }

  async #drain(): Promise<void> {
    const { run, db, queue } = this.#target;
    for (;;) {
      // A deadlock with a claim or an ack is a lost race: run the chunk again (the rows are still there).
      const moved = await run('archiveCompleted', () =>
        withLockRetry(() => archiveCompletedTasks(db, queue)),
      );
      if (moved < ARCHIVE_CHUNK_SIZE || this.#closed) return;
    }
  }
}
