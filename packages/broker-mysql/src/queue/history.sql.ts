import type { Executor } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';

/** One state change to record in `celers_task_history`. */
export interface Transition {
  taskId: string;
  from: string | null;
  to: string;
  workerId?: string | null;
  note?: string | null;
}

/** Appends transitions (only called when the broker's `recordHistory` option is on). @internal */
export async function recordTransitions(
  db: Executor,
  queue: string,
  transitions: readonly Transition[],
): Promise<void> {
  if (transitions.length === 0) return;
  await db
    .insertInto('celers_task_history')
    .values(
      transitions.map((t) => ({
        task_id: t.taskId,
        queue_name: queue,
        from_state: t.from,
        to_state: t.to,
        worker_id: t.workerId ?? null,
        note: t.note ?? null,
        created_at: dbNow(),
      })),
    )
    .execute();
}
