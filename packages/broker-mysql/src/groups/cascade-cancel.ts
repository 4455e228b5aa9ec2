import { assertTaskId, CelersError } from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import { cancelTasks } from '../queue/control-operations.js';

/** Most tasks one cascade walks (root plus dependents), so a cyclic or runaway tree cannot loop forever. */
export const MAX_CASCADE_TASKS = 1_000_000;
/** Parent ids per lookup statement, and task ids per cancel statement. */
const CASCADE_CHUNK = 1_000;

/** The root and every task depending on it, transitively through `parent_task_id` (breadth first). */
async function collectDependents(ctx: BrokerContext, rootId: string): Promise<string[]> {
  const root = await ctx.db
    .selectFrom('celers_tasks')
    .select('id')
    .where('id', '=', rootId)
    .where('queue_name', '=', ctx.queue)
    .executeTakeFirst();
  if (!root) return [];
  const seen = new Set<string>([rootId]);
  let frontier = [rootId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (let i = 0; i < frontier.length; i += CASCADE_CHUNK) {
      const parents = frontier.slice(i, i + CASCADE_CHUNK);
      // Live children through celers_task_links, finished ones through the finished table's parent index.
      const linked = await ctx.db
        .selectFrom('celers_task_links')
        .select('task_id as id')
        .where('parent_task_id', 'in', parents)
        .where('queue_name', '=', ctx.queue)
        .execute();
      const finished = await ctx.db
        .selectFrom('celers_finished_tasks')
        .select('id')
        .where('parent_task_id', 'in', parents)
        .where('queue_name', '=', ctx.queue)
        .execute();
      for (const { id } of [...linked, ...finished]) {
        if (seen.has(id)) continue;
        if (seen.size >= MAX_CASCADE_TASKS) {
          throw new CelersError(
            'INVALID_STATE',
            `cancelCascade: more than ${MAX_CASCADE_TASKS} dependent tasks`,
            { details: { taskId: rootId } },
          );
        }
        seen.add(id);
        next.push(id);
      }
    }
    frontier = next;
  }
  return [...seen];
}

/**
 * Cancels a task and every pending/processing task depending on it through `metadata.parent_task_id`
 * (chain links and any task you tagged with a parent), walking through finished tasks too (the seed's
 * `cancel_cascade`). Returns how many tasks changed to `cancelled`; 0 when the task does not exist.
 * @internal
 */
export async function cancelCascade(ctx: BrokerContext, taskId: string): Promise<number> {
  const id = assertTaskId(taskId, 'taskId');
  const ids = await ctx.run('cancelCascade', () => collectDependents(ctx, id));
  let cancelled = 0;
  for (let i = 0; i < ids.length; i += CASCADE_CHUNK) {
    cancelled += await cancelTasks(ctx, ids.slice(i, i + CASCADE_CHUNK), 'cancelCascade');
  }
  return cancelled;
}
