import type { CelersKysely } from '../dashboard-options.js';

/** Most queue names the dashboard lists (a guard against a table full of one-off queues). */
export const MAX_LISTED_QUEUES = 500;

/**
 * Distinct queue names found in `celers_tasks`, `celers_dead_letter_queue` and `celers_queue_config`, sorted.
 * Read-only; each branch is a DISTINCT over an index that starts with `queue_name` (a loose index scan).
 */
export async function selectQueueNames(db: CelersKysely): Promise<string[]> {
  const rows = await db
    .selectFrom('celers_tasks')
    .select('queue_name')
    .distinct()
    .union(db.selectFrom('celers_dead_letter_queue').select('queue_name').distinct())
    .union(db.selectFrom('celers_queue_config').select('queue_name').distinct())
    .orderBy('queue_name')
    .limit(MAX_LISTED_QUEUES)
    .execute();
  return rows.map((r) => r.queue_name);
}
