import type { Migration } from 'kysely';
import { createTasks } from './0001-create-tasks.js';
import { createDeadLetterQueue } from './0002-create-dead-letter-queue.js';
import { createTaskResults } from './0003-create-task-results.js';
import { createTaskHistory } from './0004-create-task-history.js';
import { createTaskIdempotency } from './0005-create-task-idempotency.js';
import { createQueueConfig } from './0006-create-queue-config.js';
import { createWorkerHeartbeat } from './0007-create-worker-heartbeat.js';
import { createTaskGroups } from './0008-create-task-groups.js';
import { createRecurringTasks } from './0009-create-recurring-tasks.js';
import { createLocks } from './0010-create-locks.js';
import { addTaskDeliveryCount } from './0011-add-task-delivery-count.js';
import { extendTaskNameIndex } from './0012-extend-task-name-index.js';
import { splitLiveTasks } from './0013-split-live-tasks.js';
import { scheduledState } from './0014-scheduled-state.js';
import { taskLinks } from './0015-task-links.js';
import { claimStableIndexes } from './0016-claim-stable-indexes.js';
import { foldPromotionIndex } from './0017-fold-promotion-index.js';
import { liveTaskDefaults } from './0018-live-task-defaults.js';
import { leanResultIndexes } from './0019-lean-result-indexes.js';

/**
 * Every celers migration, by name. Kysely runs them in name order.
 * APPEND, NEVER EDIT OR REORDER: released migrations have run on users' databases.
 */
export const migrations = {
  '0001_create_tasks': createTasks,
  '0002_create_dead_letter_queue': createDeadLetterQueue,
  '0003_create_task_results': createTaskResults,
  '0004_create_task_history': createTaskHistory,
  '0005_create_task_idempotency': createTaskIdempotency,
  '0006_create_queue_config': createQueueConfig,
  '0007_create_worker_heartbeat': createWorkerHeartbeat,
  '0008_create_task_groups': createTaskGroups,
  '0009_create_recurring_tasks': createRecurringTasks,
  '0010_create_locks': createLocks,
  '0011_add_task_delivery_count': addTaskDeliveryCount,
  '0012_extend_task_name_index': extendTaskNameIndex,
  '0013_split_live_tasks': splitLiveTasks,
  '0014_scheduled_state': scheduledState,
  '0015_task_links': taskLinks,
  '0016_claim_stable_indexes': claimStableIndexes,
  '0017_fold_promotion_index': foldPromotionIndex,
  '0018_live_task_defaults': liveTaskDefaults,
  '0019_lean_result_indexes': leanResultIndexes,
} as const satisfies Record<string, Migration>;

/** The name of a celers migration. */
export type MigrationName = keyof typeof migrations;

/** Migration names in the order they run. */
export const MIGRATION_NAMES = Object.keys(migrations).sort() as MigrationName[];
