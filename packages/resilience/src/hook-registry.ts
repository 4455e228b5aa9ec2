import { CelersError, coerceError } from '@celers/core';

/** The eight lifecycle points of the seed's `TaskHook`. */
export const HOOK_POINTS = [
  'beforeEnqueue',
  'afterEnqueue',
  'beforeDequeue',
  'afterDequeue',
  'beforeAck',
  'afterAck',
  'beforeReject',
  'afterReject',
] as const;
/** One of {@link HOOK_POINTS}. */
export type HookPoint = (typeof HOOK_POINTS)[number];

/** What a hook sees (the seed's `HookContext`). */
export interface HookContext {
  readonly point: HookPoint;
  readonly queue: string;
  /** The task concerned; `null` for `beforeDequeue` (nothing claimed yet). */
  readonly taskId: string | null;
  readonly taskName: string | null;
  readonly timestamp: Date;
  /**
   * The task's metadata. In `beforeEnqueue` hooks it is the live object that will be stored, so a hook can
   * enrich it (`ctx.metadata.tenant = 'acme'`); elsewhere it is a copy. The property itself is read-only:
   * mutate the object, do not replace it.
   */
  readonly metadata: Record<string, unknown>;
}

/** A lifecycle hook. Throwing from a `before*` hook cancels the operation with `HOOK_REJECTED`. */
export type HookFn = (context: HookContext) => void | Promise<void>;

/**
 * Registered lifecycle hooks, run in registration order. A `before*` hook that throws stops the operation
 * before anything is written; `after*` hooks run after the commit, and their errors go to `onError` instead
 * of failing an operation that already happened.
 *
 * @example
 * ```ts
 * broker.hooks.add('beforeEnqueue', (ctx) => { if (!ctx.metadata.tenant) throw new Error('tenant required'); });
 * ```
 */
export class HookRegistry {
  readonly #hooks = new Map<HookPoint, HookFn[]>();

  /** Adds a hook; returns a function that removes it. */
  add(point: HookPoint, hook: HookFn): () => void {
    if (!(HOOK_POINTS as readonly string[]).includes(point)) {
      throw CelersError.invalidArgument('point', `expected one of ${HOOK_POINTS.join(', ')}`);
    }
    if (typeof hook !== 'function') throw CelersError.invalidArgument('hook', 'expected a function');
    const list = this.#hooks.get(point) ?? [];
    list.push(hook);
    this.#hooks.set(point, list);
    return () => {
      const current = this.#hooks.get(point);
      const index = current?.indexOf(hook) ?? -1;
      if (current && index >= 0) current.splice(index, 1);
    };
  }

  /** Removes every hook of `point`, or every hook when `point` is omitted. */
  clear(point?: HookPoint): void {
    if (point === undefined) this.#hooks.clear();
    else this.#hooks.delete(point);
  }

  /** Whether any hook is registered for `point` (callers skip building contexts when not: zero cost). */
  has(point: HookPoint): boolean {
    return (this.#hooks.get(point)?.length ?? 0) > 0;
  }

  /** Number of hooks registered for `point`, or in total. */
  count(point?: HookPoint): number {
    if (point !== undefined) return this.#hooks.get(point)?.length ?? 0;
    let n = 0;
    for (const list of this.#hooks.values()) n += list.length;
    return n;
  }

  /** Runs `before*` hooks in order; the first throw becomes a `HOOK_REJECTED` CelersError. */
  async runBefore(context: HookContext): Promise<void> {
    for (const hook of [...(this.#hooks.get(context.point) ?? [])]) {
      try {
        await hook(context);
      } catch (error) {
        const cause = coerceError(error);
        throw new CelersError(
          'HOOK_REJECTED',
          `${context.point} hook rejected the operation: ${cause.message}`,
          {
            cause,
            details: { point: context.point, taskId: context.taskId },
          },
        );
      }
    }
  }

  /** Runs `after*` hooks in order; a throw is reported to `onError` and the remaining hooks still run. */
  async runAfter(context: HookContext, onError: (error: Error) => void): Promise<void> {
    for (const hook of [...(this.#hooks.get(context.point) ?? [])]) {
      try {
        await hook(context);
      } catch (error) {
        onError(coerceError(error));
      }
    }
  }
}

/** Builds a hook context. */
export function hookContext(
  point: HookPoint,
  queue: string,
  task: { taskId?: string | null; taskName?: string | null; metadata?: Record<string, unknown> } = {},
): HookContext {
  return {
    point,
    queue,
    taskId: task.taskId ?? null,
    taskName: task.taskName ?? null,
    timestamp: new Date(),
    metadata: task.metadata ?? {},
  };
}
