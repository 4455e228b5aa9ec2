// Typed handler registration: handlers bound to core `defineTask` definitions, merged with the by-name
// `handlers` map. The binding carries its task's name, so there is no name to misspell.
import { CelersError, type TaskBinding } from '@celers/core';
import type { TaskContext, TaskHandler, TaskHandlers } from './task-handler.js';

/**
 * A handler bound to its task definition: `sendEmail.handler(async (payload, ctx) => ...)`. Passed in a
 * Worker's `tasks` option, its `ctx` is typed as {@link TaskContext}.
 */
// biome-ignore lint/suspicious/noExplicitAny: each binding keeps its own payload and result types
export type WorkerTask = TaskBinding<string, any, any, TaskContext>;

/**
 * Merges `tasks` into `handlers` by definition name. A name registered twice, a binding for another queue
 * than the broker's, or a value that is not a binding throws `INVALID_ARGUMENT` naming `options.tasks[i]`.
 * @internal
 */
export function mergeTaskBindings(
  handlers: TaskHandlers | undefined,
  tasks: unknown,
  queueName: string,
): TaskHandlers | undefined {
  if (tasks === undefined) return handlers;
  if (!Array.isArray(tasks))
    throw CelersError.invalidArgument('options.tasks', 'expected an array of task.handler(fn) bindings');
  if (handlers !== undefined && (typeof handlers !== 'object' || handlers === null)) return handlers;
  const merged: Record<string, TaskHandler | undefined> = { ...handlers };
  tasks.forEach((binding: Partial<WorkerTask> | null, i) => {
    const argument = `options.tasks[${i}]`;
    const name = binding?.definition?.name;
    if (typeof name !== 'string' || typeof binding?.run !== 'function')
      throw CelersError.invalidArgument(argument, 'expected a binding made by defineTask(...).handler(fn)');
    if (Object.hasOwn(merged, name) && merged[name] !== undefined)
      throw CelersError.invalidArgument(argument, `a handler for "${name}" is already registered`);
    const queue = binding.definition?.queue;
    if (queue !== undefined && queue !== queueName)
      throw CelersError.invalidArgument(
        argument,
        `task "${name}" belongs to queue "${queue}", but this worker consumes "${queueName}"`,
      );
    merged[name] = binding.run as TaskHandler;
  });
  return merged;
}
