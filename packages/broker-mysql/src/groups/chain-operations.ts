import { assertDurationMs, CelersError, type SerializedTask } from '@celers/core';
import { assertSerializedTask } from '../internal/validate-task.js';

/** One link of a {@link TaskChain}. */
export interface ChainLink {
  readonly task: SerializedTask;
  /** Delay after the previous link's ack before this one becomes due; `undefined` uses the chain's delay. */
  readonly delayMs: number | undefined;
}

/** Most links in one chain. */
export const MAX_CHAIN_LENGTH = 10_000;

/**
 * A sequence of tasks where each runs only after the previous one succeeded (the seed's `TaskChain`). Immutable:
 * every method returns a new chain. Enqueue it with `broker.groups.enqueueChain(chain)`.
 *
 * @example
 * ```ts
 * const url = 'https://videos.example.com/talk.mp4';
 * const chain = TaskChain.new()
 *   .then(createTask('video.download', { url }))
 *   .then(createTask('video.transcode', { url }))
 *   .then(createTask('video.publish', { url }))
 *   .withDelay(5_000); // each link becomes due 5 s after the previous one is acked
 * const [downloadId, transcodeId, publishId] = await broker.groups.enqueueChain(chain);
 * ```
 */
export class TaskChain {
  readonly #links: readonly ChainLink[];
  readonly #delayMs: number;

  private constructor(links: readonly ChainLink[], delayMs: number) {
    this.#links = links;
    this.#delayMs = delayMs;
  }

  /** An empty chain. */
  static new(): TaskChain {
    return new TaskChain([], 0);
  }

  /**
   * Appends a task; `options.delayMs` overrides the chain's delay for this link. Named as in the seed; because
   * it makes a chain look like a promise, do not `await` a chain or return one from an async function (that
   * fails with a clear `INVALID_ARGUMENT`); {@link TaskChain.add} is the same method under a safe name.
   */
  // biome-ignore lint/suspicious/noThenProperty: the seed's builder API is `TaskChain::new().then(task)`
  then(task: SerializedTask, options: { delayMs?: number } = {}): TaskChain {
    if (typeof task === 'function') {
      throw CelersError.invalidArgument(
        'task',
        'a TaskChain is not a promise: do not await it or return it from an async function',
      );
    }
    return this.add(task, options);
  }

  /** Appends a task (same as {@link TaskChain.then}). */
  add(task: SerializedTask, options: { delayMs?: number } = {}): TaskChain {
    const t = assertSerializedTask(task);
    const delayMs =
      options.delayMs === undefined ? undefined : assertDurationMs(options.delayMs, 'options.delayMs');
    if (this.#links.length >= MAX_CHAIN_LENGTH)
      throw CelersError.invalidArgument('task', `a chain holds at most ${MAX_CHAIN_LENGTH} links`);
    if (this.#links.some((l) => l.task.metadata.id === t.metadata.id)) {
      throw CelersError.invalidArgument('task.metadata.id', 'this task is already in the chain');
    }
    return new TaskChain([...this.#links, { task: t, delayMs }], this.#delayMs);
  }

  /** Sets the delay between a link's ack and the next link becoming due (the seed's `with_delay`). */
  withDelay(delayMs: number): TaskChain {
    return new TaskChain(this.#links, assertDurationMs(delayMs, 'delayMs'));
  }

  /** The links, in order. */
  get links(): readonly ChainLink[] {
    return this.#links;
  }

  /** The default delay between links, in ms. */
  get delayMs(): number {
    return this.#delayMs;
  }

  /** Number of links. */
  get length(): number {
    return this.#links.length;
  }

  /** True for a TaskChain built by this package. */
  static isTaskChain(value: unknown): value is TaskChain {
    return value instanceof TaskChain;
  }
}
