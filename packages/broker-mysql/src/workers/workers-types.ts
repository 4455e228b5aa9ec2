import type { WorkerStatus } from '@celers/core';

/** A worker's heartbeat row, as `broker.workers.heartbeats()` reports it (the seed's `WorkerHeartbeat`). */
export interface WorkerHeartbeat {
  workerId: string;
  queueName: string;
  /** `offline` for workers whose heartbeat is older than the threshold (persisted by `heartbeats()`). */
  status: WorkerStatus;
  taskCount: number;
  capabilities: Record<string, unknown> | null;
  lastHeartbeat: Date;
  registeredAt: Date;
  /** Time since the last heartbeat, by the database clock. */
  ageMs: number;
  /** True when `ageMs` exceeds the threshold given to `heartbeats()`. */
  stale: boolean;
}

/** Per-worker task counters (the seed's `WorkerStatistics`), from `celers_tasks` of this queue. */
export interface WorkerStatistics {
  workerId: string;
  tasksProcessing: number;
  tasksCompleted: number;
  tasksFailed: number;
  /** Mean `completed_at - started_at` of completed tasks, in ms (`null` without completed tasks). */
  avgRuntimeMs: number | null;
  /** Latest start or completion of a task of this worker. */
  lastActivity: Date | null;
}
