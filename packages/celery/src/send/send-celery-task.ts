import { randomUUID } from 'node:crypto';
import { CelersError } from '@celers/core';
import type { PickleValue } from '../pickle/pickle-value.js';
import { encodeCeleryMessage } from '../protocol/encode-message.js';
import { insertKombuMessage } from '../sql/insert-message.sql.js';
import { type AnyDb, ensureCelerySchema, queueIdFor } from '../sql/kombu-schema.sql.js';
import {
  assertArgs,
  assertDate,
  assertDuration,
  assertKwargs,
  assertName,
  assertTaskId,
} from '../validate.js';

/** The default queue of Celery (`task_default_queue`). */
export const DEFAULT_CELERY_QUEUE = 'celery';

/** Options of {@link sendCeleryTask}, named after `apply_async`'s. */
export interface SendCeleryTaskOptions {
  /** The kombu queue (routing key). @defaultValue 'celery' */
  queue?: string;
  /** Run no sooner than this many milliseconds from now (Celery's `countdown`, in ms). */
  countdownMs?: number;
  /** Run no sooner than this time. Exclusive with `countdownMs`. */
  eta?: Date;
  /** Revoke instead of running after this time (a Date) or this many ms from now (a number). */
  expires?: Date | number;
  /** The task id. @defaultValue a random UUID */
  taskId?: string;
  /** `headers.retries`. @defaultValue 0 */
  retries?: number;
  /** `properties.priority` (0–255; kombu's SQL transport does not order by it). @defaultValue 0 */
  priority?: number;
  /** `headers.root_id` for a task started by another. @defaultValue the task id */
  rootId?: string;
  /** `headers.parent_id`. @defaultValue null */
  parentId?: string;
}

/**
 * Publishes a Celery protocol-v2 task message to a kombu SQLAlchemy-transport queue, where an unmodified
 * Python `celery worker` (broker `sqla+mysql+pymysql://…` on the same database) executes it. Creates the
 * kombu tables and the queue row when missing. Returns the task id (read its outcome with
 * `getCeleryResult`). Bad input throws `INVALID_ARGUMENT` naming the argument before anything is written.
 *
 * @example
 * ```ts
 * const id = await sendCeleryTask(db, 'tasks.add', [2, 3], {}, { queue: 'math', countdownMs: 5_000 });
 * ```
 */
export async function sendCeleryTask(
  db: AnyDb,
  name: string,
  args: readonly unknown[] = [],
  kwargs: Readonly<Record<string, unknown>> = {},
  options: SendCeleryTaskOptions = {},
): Promise<string> {
  assertName(name, 'name', 155);
  assertArgs(args, 'args');
  assertKwargs(kwargs, 'kwargs');
  if (typeof options !== 'object' || options === null)
    throw CelersError.invalidArgument('options', 'must be an object');
  const queue = options.queue ?? DEFAULT_CELERY_QUEUE;
  assertName(queue, 'options.queue', 200);
  const taskId = options.taskId ?? randomUUID();
  assertTaskId(taskId, 'options.taskId');
  if (options.countdownMs !== undefined && options.eta !== undefined)
    throw CelersError.invalidArgument('options.eta', 'cannot be combined with options.countdownMs');
  if (options.countdownMs !== undefined) assertDuration(options.countdownMs, 'options.countdownMs');
  if (options.eta !== undefined) assertDate(options.eta, 'options.eta');
  const retries = options.retries ?? 0;
  if (!Number.isSafeInteger(retries) || retries < 0)
    throw CelersError.invalidArgument('options.retries', 'must be a non-negative integer');
  const priority = options.priority ?? 0;
  if (!Number.isSafeInteger(priority) || priority < 0 || priority > 255)
    throw CelersError.invalidArgument('options.priority', 'must be an integer from 0 to 255');
  const now = Date.now();
  const eta = options.eta ?? (options.countdownMs !== undefined ? new Date(now + options.countdownMs) : null);
  let expires: Date | null = null;
  if (typeof options.expires === 'number') {
    assertDuration(options.expires, 'options.expires');
    expires = new Date(now + options.expires);
  } else if (options.expires !== undefined) {
    assertDate(options.expires, 'options.expires');
    expires = options.expires;
  }
  for (const [key, id] of [
    ['options.rootId', options.rootId],
    ['options.parentId', options.parentId],
  ] as const)
    if (id !== undefined) assertTaskId(id, key);
  // Encoding validates the values (JSON-only) before the first statement runs.
  const payload = encodeCeleryMessage({
    name,
    id: taskId,
    args: args as PickleValue[],
    kwargs: kwargs as Record<string, PickleValue>,
    queue,
    eta,
    expires,
    retries,
    priority,
    rootId: options.rootId ?? null,
    parentId: options.parentId ?? null,
  });
  const schema = await ensureCelerySchema(db);
  const queueId = await queueIdFor(db, schema, queue);
  await insertKombuMessage(db, schema, queueId, payload);
  return taskId;
}
