/** Options for `broker.groups.enqueue`. */
export interface GroupEnqueueOptions {
  /** Stored in the group's `celers_task_groups` row (replaces earlier metadata when given). */
  metadata?: Record<string, unknown>;
}

/** Options for `broker.groups.enqueueChain`. */
export interface ChainEnqueueOptions {
  /** Also put every link in this group, so `broker.groups.status(groupId)` tracks the chain. */
  groupId?: string;
}

/** Aggregated state of a group (the seed's `TaskGroupStatus`). */
export interface GroupStatus {
  groupId: string;
  /** Tasks of the group present in `celers_tasks`. */
  total: number;
  /** Pending and due or delayed (not waiting for a chain parent). */
  pending: number;
  /** Chain links waiting for their parent's ack (never run if the parent failed or was cancelled). */
  waiting: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** `completed / total × 100` (0 for an empty group). */
  completedPercent: number;
  /** Tasks enqueued into the group, as recorded in `celers_task_groups` (purged tasks still count). */
  recordedTaskCount: number;
  metadata: Record<string, unknown> | null;
  createdAt: Date | null;
}

/** Metadata key holding a task's group id (copied into `celers_task_links`; indexed there and in the finished table). */
export const GROUP_ID_METADATA = 'group_id';
