import { createTask, type TaskState } from '@celers/core';
import { type CelersDatabase, pendingStateForDelay } from '@celers/schema';
import { type Kysely, sql } from 'kysely';

/** Rows per INSERT when filling: big statements keep a 1M fill to a minute. */
export const FILL_CHUNK = 2_000;

/** What {@link fillTasks} writes. */
export interface FillOptions {
  queue: string;
  count: number;
  /** `pending` rows are due now; finished rows get `started_at`/`completed_at` in the past. */
  state: TaskState;
  /** Task name of the rows. @defaultValue 'bench.noop' */
  taskName?: string;
  /** `pending` rows only: due this many ms from now instead of now (delayed tasks). */
  delayMs?: number;
  /** Priority of the rows. @defaultValue the task default */
  priority?: number;
  /** Called after each chunk with the rows written so far (progress logging). */
  onProgress?: (written: number) => void;
}

const day = 86_400_000;

/**
 * Writes `count` task rows straight into the task tables (`celers_live_tasks` or `celers_finished_tasks`) with multi-row INSERTs. It is how the backlog and
 * history workloads set up a large table quickly; the rows are shaped exactly like `enqueue`'s (UUIDv7 ids
 * from `createTask`, JSON payload, empty metadata), so the measured claim path sees realistic data. Filling is
 * never part of a timed figure.
 */
export async function fillTasks(db: Kysely<CelersDatabase>, options: FillOptions): Promise<void> {
  const name = options.taskName ?? 'bench.noop';
  const finished = options.state !== 'pending';
  // Stored as enqueue stores them: a pending row due later than the promotion margin is 'scheduled'.
  const state = finished ? options.state : pendingStateForDelay(options.delayMs ?? 0);
  for (let done = 0; done < options.count; done += FILL_CHUNK) {
    const n = Math.min(FILL_CHUNK, options.count - done);
    const past = new Date(Date.now() - day);
    const rows = Array.from({ length: n }, (_, i) => {
      const task = createTask(name, { i: done + i });
      const m = task.metadata;
      return {
        id: m.id,
        queue_name: options.queue,
        task_name: m.name,
        payload: Buffer.from(task.payload),
        content_type: m.contentType,
        content_encoding: m.contentEncoding,
        state,
        priority: options.priority ?? m.priority,
        retry_count: 0,
        max_retries: m.maxRetries,
        timeout_ms: null,
        retry_policy: null,
        metadata: '{}',
        created_at: finished ? past : sql<Date>`UTC_TIMESTAMP(6)`,
        scheduled_at: finished
          ? past
          : sql<Date>`UTC_TIMESTAMP(6) + INTERVAL ${(options.delayMs ?? 0) * 1000} MICROSECOND`,
        started_at: finished ? past : null,
        completed_at: finished ? past : null,
      };
    });
    await db
      .insertInto(finished ? 'celers_finished_tasks' : 'celers_live_tasks')
      .values(rows)
      .execute();
    options.onProgress?.(done + n);
  }
}

/** Writes `count` dead-letter rows for `queue` (retained DLQ history for W6). */
export async function fillDeadLetters(
  db: Kysely<CelersDatabase>,
  queue: string,
  count: number,
): Promise<void> {
  for (let done = 0; done < count; done += FILL_CHUNK) {
    const n = Math.min(FILL_CHUNK, count - done);
    const past = new Date(Date.now() - day);
    const rows = Array.from({ length: n }, (_, i) => {
      const task = createTask('bench.failing', { i: done + i });
      const dlq = createTask('bench.dlq', null);
      return {
        id: dlq.metadata.id,
        task_id: task.metadata.id,
        queue_name: queue,
        task_name: task.metadata.name,
        payload: Buffer.from(task.payload),
        content_type: task.metadata.contentType,
        content_encoding: task.metadata.contentEncoding,
        priority: 0,
        retry_count: 3,
        max_retries: 3,
        retry_policy: null,
        error_message: 'bench: retries exhausted',
        metadata: '{}',
        created_at: past,
        failed_at: past,
      };
    });
    await db.insertInto('celers_dead_letter_queue').values(rows).execute();
  }
}
