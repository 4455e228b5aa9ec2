/** A stored idempotency key (the seed's `IdempotencyRecord`). */
export interface IdempotencyRecord {
  id: number;
  queueName: string;
  taskName: string;
  key: string;
  /** The task enqueued under this key. */
  taskId: string;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
  expiresAt: Date;
  /** True once `expiresAt` has passed (by the database clock): the key no longer blocks a new task. */
  expired: boolean;
}

/** Options for `broker.idempotency.enqueue`. */
export interface IdempotentEnqueueOptions {
  /** How long the key maps to its task. @defaultValue {@link DEFAULT_IDEMPOTENCY_TTL_MS} (24 h) */
  ttlMs?: number;
  /** Stored with the key (e.g. the request that produced it). */
  metadata?: Record<string, unknown>;
}

/** Key counts for one task name (the seed's `IdempotencyStats`). */
export interface IdempotencyStatistics {
  taskName: string;
  totalKeys: number;
  activeKeys: number;
  expiredKeys: number;
  oldestCreatedAt: Date | null;
  newestCreatedAt: Date | null;
}

/** Default idempotency key lifetime: 24 hours. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

/**
 * The `task_name` under which `enqueueDeduplicatedWindow` keeps its window keys in `celers_task_idempotency`,
 * so they never collide with idempotency keys of real task names.
 */
export const DEDUP_WINDOW_NAMESPACE = 'celers:dedup-window';

/** Metadata key holding the dedup key of `enqueueDeduplicated` (held in `celers_task_links` while the task is live). */
export const DEDUP_KEY_METADATA = 'dedup_key';
/** Metadata key recording the window key of `enqueueDeduplicatedWindow` (informational). */
export const DEDUP_WINDOW_KEY_METADATA = 'dedup_window_key';
