import { randomUUID as uuidv7 } from 'node:crypto';
import type { TaskState } from '@celers/core';
import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';

/** The database's current UTC time, truncated to milliseconds (so JS Dates built from it are exact). */
export async function dbNow(db: Kysely<CelersDatabase>): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`SELECT UTC_TIMESTAMP(3) AS now`.execute(db);
  return rows[0]!.now;
}

/** `base` shifted by `ms` (negative = earlier). */
export function at(base: Date, ms: number): Date {
  return new Date(base.getTime() + ms);
}

/** A task row with controlled timestamps; unspecified fields get neutral values. */
export interface SeedTask {
  queue: string;
  taskName?: string;
  state: TaskState;
  priority?: number;
  retryCount?: number;
  createdAt: Date;
  scheduledAt?: Date;
  startedAt?: Date | null;
  completedAt?: Date | null;
  workerId?: string | null;
  id?: string;
}

/** Inserts task rows directly (no broker), returning their ids in order. */
export async function insertTasks(db: Kysely<CelersDatabase>, tasks: readonly SeedTask[]): Promise<string[]> {
  const ids = tasks.map((t) => t.id ?? uuidv7());
  if (tasks.length === 0) return ids;
  const rows = tasks.map((t, i) => ({
    id: ids[i]!,
    queue_name: t.queue,
    task_name: t.taskName ?? 'seeded',
    payload: Buffer.from('{}'),
    content_type: 'application/json',
    content_encoding: 'utf-8',
    state: t.state,
    priority: t.priority ?? 0,
    retry_count: t.retryCount ?? 0,
    max_retries: 3,
    timeout_ms: null,
    retry_policy: null,
    created_at: t.createdAt,
    scheduled_at: t.scheduledAt ?? t.createdAt,
    started_at: t.startedAt ?? null,
    completed_at: t.completedAt ?? null,
    lease_expires_at: null,
    receipt_handle: null,
    worker_id: t.workerId ?? null,
    error_message: null,
    progress_percent: null,
    progress_step: null,
    metadata: '{}',
  }));
  // A task lives in the live table while pending/processing and in the finished table afterwards.
  const live = rows.filter((r) => r.state === 'pending' || r.state === 'processing');
  const finished = rows.filter((r) => r.state !== 'pending' && r.state !== 'processing');
  if (live.length > 0) await db.insertInto('celers_live_tasks').values(live).execute();
  if (finished.length > 0) await db.insertInto('celers_finished_tasks').values(finished).execute();
  return ids;
}

/** Inserts dead-letter rows. */
export async function insertDlq(
  db: Kysely<CelersDatabase>,
  rows: ReadonlyArray<{ queue: string; taskName: string; retryCount: number; failedAt: Date }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('celers_dead_letter_queue')
    .values(
      rows.map((r) => ({
        id: uuidv7(),
        task_id: uuidv7(),
        queue_name: r.queue,
        task_name: r.taskName,
        payload: Buffer.from('{}'),
        content_type: 'application/json',
        content_encoding: 'utf-8',
        priority: 0,
        retry_count: r.retryCount,
        max_retries: 3,
        retry_policy: null,
        error_message: 'boom',
        metadata: '{}',
        created_at: r.failedAt,
        failed_at: r.failedAt,
      })),
    )
    .execute();
}

/** Nearest-rank percentile, written independently of the library for cross-checking. */
export function referencePercentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1]!;
}

/** Population mean and standard deviation. */
export function meanAndStddev(values: readonly number[]): { mean: number; stddev: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, stddev: Math.sqrt(variance) };
}
