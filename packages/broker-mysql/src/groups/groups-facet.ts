import type { SerializedTask, TaskId } from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import { cancelCascade } from './cascade-cancel.js';
import { promoteReadyLinks } from './chain-links.sql.js';
import type { TaskChain } from './chain-operations.js';
import { enqueueChain, enqueueGroup, groupStatus } from './group-operations.js';
import type { ChainEnqueueOptions, GroupEnqueueOptions, GroupStatus } from './groups-types.js';

/**
 * `broker.groups`: task groups (the seed's Task Group Operations), chains (`TaskChain`) and cascade cancel.
 *
 * @example
 * ```ts
 * const rows = [{ sku: 'a-1', qty: 3 }, { sku: 'b-2', qty: 1 }]; // e.g. parsed from a.csv
 * await broker.groups.enqueue('import-42', rows.map((r) => createTask('import.row', r)), { metadata: { file: 'a.csv' } });
 * const s = await broker.groups.status('import-42'); // { total, pending, completed, completedPercent, ... }
 * ```
 */
export class GroupsFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /** Enqueues tasks as a group (one transaction); returns their ids. */
  async enqueue(
    groupId: string,
    tasks: readonly SerializedTask[],
    options?: GroupEnqueueOptions,
  ): Promise<TaskId[]> {
    return enqueueGroup(this.#ctx, groupId, tasks, options);
  }

  /** Counts per state, total and completion percentage of a group; `null` for an unknown group. */
  async status(groupId: string): Promise<GroupStatus | null> {
    return groupStatus(this.#ctx, groupId);
  }

  /** Enqueues a chain whose links run one after another, each after the previous one's ack. */
  async enqueueChain(chain: TaskChain, options?: ChainEnqueueOptions): Promise<TaskId[]> {
    return enqueueChain(this.#ctx, chain, options);
  }

  /** Cancels a task and all its dependents (transitively); returns how many were cancelled. */
  async cancelCascade(taskId: TaskId): Promise<number> {
    return cancelCascade(this.#ctx, taskId);
  }

  /**
   * Makes due every waiting chain link whose parent is completed; returns how many. The ack path already does
   * this; run it after completing tasks by other means (imports, `tasks.updateBatchState`).
   */
  async promoteReadyLinks(): Promise<number> {
    return this.#ctx.run('groups.promoteReadyLinks', () => promoteReadyLinks(this.#ctx.db, this.#ctx.queue));
  }
}
