import { type CompressionMode, encodePayload } from '../codec/payload-codec.js';
import { assertRetryPolicySpec } from '../validation/retry-policy-validator.js';
import {
  assertDurationMs,
  assertJsonSerializable,
  assertMaxRetries,
  assertName,
  assertOptionalObject,
  assertPriority,
  assertTaskId,
} from '../validation/validators.js';
import type { RetryPolicySpec } from './retry-policy-spec.js';
import type { SerializedTask } from './serialized-task.js';
import { newTaskId } from './task-id.js';
import type { TaskName, TaskPayload } from './task-registry.js';

/** Default `maxRetries` for new tasks. */
export const DEFAULT_MAX_RETRIES = 3;
/** Default priority for new tasks. */
export const DEFAULT_PRIORITY = 0;

/** Options for {@link createTask}; every field is optional. */
export interface CreateTaskOptions {
  /** Task id; a new UUIDv7 when omitted. */
  id?: string;
  /** Higher runs first. @defaultValue {@link DEFAULT_PRIORITY} */
  priority?: number;
  /** Retries after the first attempt before dead-lettering. @defaultValue {@link DEFAULT_MAX_RETRIES} */
  maxRetries?: number;
  /** Per-attempt time limit in ms. */
  timeoutMs?: number;
  /** Retry schedule stored with the task. */
  retryPolicy?: RetryPolicySpec;
  /** Free-form JSON metadata. */
  metadata?: Record<string, unknown>;
  /** DEFLATE the payload: `true`, `false`, `'auto'` (≥ 1 KiB and smaller after), or a threshold. @defaultValue false */
  compression?: CompressionMode;
}

/**
 * Creates a task: validates the options, encodes the payload (JSON, or raw bytes for a `Uint8Array`) and
 * assigns a time-ordered UUIDv7 id.
 *
 * The type parameter `N` is the task *name*, not the payload: the payload type is looked up in
 * `TaskRegistry` for that name (`unknown` when it is not registered), so `createTask<{ to: string }>(...)` does
 * not compile. For a payload type without augmenting the registry, use `defineTask`.
 *
 * @example
 * ```ts
 * const task = createTask('emails.send', { to: 'ana@example.com' }, { priority: 5, maxRetries: 5 });
 * await broker.enqueue(task);
 * ```
 */
export function createTask<N extends TaskName>(
  name: N,
  payload: TaskPayload<N>,
  options: CreateTaskOptions = {},
): SerializedTask {
  assertName(name, 'name');
  assertOptionalObject(options, 'options');
  const custom = assertOptionalObject(options.metadata, 'options.metadata') ?? {};
  assertJsonSerializable(custom, 'options.metadata', { object: true });
  const encoded = encodePayload(payload, options.compression ?? false);
  return {
    metadata: {
      id: options.id === undefined ? newTaskId() : assertTaskId(options.id, 'options.id'),
      name,
      priority:
        options.priority === undefined
          ? DEFAULT_PRIORITY
          : assertPriority(options.priority, 'options.priority'),
      maxRetries:
        options.maxRetries === undefined
          ? DEFAULT_MAX_RETRIES
          : assertMaxRetries(options.maxRetries, 'options.maxRetries'),
      timeoutMs:
        options.timeoutMs === undefined
          ? undefined
          : assertDurationMs(options.timeoutMs, 'options.timeoutMs', 1),
      createdAt: new Date(),
      contentType: encoded.contentType,
      contentEncoding: encoded.contentEncoding,
      retryPolicy:
        options.retryPolicy === undefined
          ? undefined
          : assertRetryPolicySpec(options.retryPolicy, 'options.retryPolicy'),
      custom: { ...custom },
    },
    payload: encoded.bytes,
  };
}

/** Returns a copy of `task` with a fresh id (e.g. to enqueue the same work again). */
export function withNewTaskId(task: SerializedTask): SerializedTask {
  return {
    metadata: { ...task.metadata, id: newTaskId(), custom: { ...task.metadata.custom } },
    payload: task.payload,
  };
}
