import type { PayloadContentType, PayloadEncoding } from '@celers/core';
import type { RecurringSchedule } from './recurring-schedule.js';

/** What `broker.schedules.register` takes (the seed's `RecurringTaskConfig`). */
export interface RecurringTaskOptions {
  /** Unique name of the schedule within the queue; registering the same name again updates it. */
  name: string;
  /** The task name each run enqueues. */
  taskName: string;
  /** The payload of every enqueued task (JSON value, or a `Uint8Array` for raw bytes). */
  payload: unknown;
  /** When it runs. */
  schedule: RecurringSchedule;
  /** IANA time zone for wall-clock schedules. @defaultValue 'UTC' */
  timezone?: string;
  /** Priority of the enqueued tasks. @defaultValue 0 */
  priority?: number;
  /** `maxRetries` of the enqueued tasks. @defaultValue 3 */
  maxRetries?: number;
  /** Metadata copied into every enqueued task. */
  metadata?: Record<string, unknown>;
  /** Disabled schedules are kept but never run. @defaultValue true */
  enabled?: boolean;
}

/** A stored recurring task. */
export interface RecurringTask {
  id: string;
  queueName: string;
  name: string;
  taskName: string;
  /** The decoded payload. */
  payload: unknown;
  contentType: PayloadContentType;
  contentEncoding: PayloadEncoding;
  schedule: RecurringSchedule;
  timezone: string;
  priority: number;
  maxRetries: number;
  metadata: Record<string, unknown>;
  enabled: boolean;
  nextRunAt: Date;
  lastRunAt: Date | null;
  /** The id of the task the last run enqueued. */
  lastTaskId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Metadata keys set on every task a schedule enqueues. */
export const RecurringMetadataKey = {
  /** The schedule's id. */
  RecurringId: 'recurring_id',
  /** The schedule's name. */
  RecurringName: 'recurring_name',
  /** The scheduled time of the run (ISO 8601), which may be a little earlier than the enqueue. */
  ScheduledFor: 'scheduled_for',
} as const;
