import {
  assertOptionalObject,
  assertTaskId,
  CelersError,
  type SerializedTask,
  type TaskId,
  TelemetryAttributes,
  TRACEPARENT_KEY,
  TRACESTATE_KEY,
  TraceContext,
} from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { context, trace } from '@opentelemetry/api';
import type { BrokerContext, Executor } from '../broker-context.js';
import { readStoredTraceContext } from '../internal/trace-propagation.js';
import { assertSerializedTask } from '../internal/validate-task.js';
import { type EnqueueOptions, enqueueOne } from '../queue/enqueue-operations.js';

/** Metadata key linking a child task to its parent (copied into the child's `celers_task_links` row). */
export const PARENT_TASK_ID_KEY = 'parent_task_id';

function assertTraceContext(value: unknown, argument: string): TraceContext {
  if (value instanceof TraceContext) return value;
  // A TraceContext from another copy of @celers/core: rebuild it, which re-validates every field.
  const v = value as Partial<TraceContext> | null;
  if (typeof v !== 'object' || v === null || typeof v.toTraceparent !== 'function') {
    throw CelersError.invalidArgument(
      argument,
      'expected a TraceContext (e.g. TraceContext.fromTraceparent(header))',
    );
  }
  try {
    return TraceContext.fromTraceparent(v.toTraceparent(), v.traceState);
  } catch (cause) {
    throw new CelersError('INVALID_ARGUMENT', `Invalid argument "${argument}": ${(cause as Error).message}`, {
      argument,
      cause,
    });
  }
}

/** Copies `task` with `entries` merged into its custom metadata (the caller's object is never mutated). */
function withCustom(task: SerializedTask, entries: Record<string, unknown>): SerializedTask {
  const custom = { ...task.metadata.custom };
  // A stale tracestate must not ride along with a new traceparent.
  if (TRACEPARENT_KEY in entries) delete custom[TRACESTATE_KEY];
  return { metadata: { ...task.metadata, custom: { ...custom, ...entries } }, payload: task.payload };
}

/** Runs `fn` with `parent` as the active remote parent, so the broker's enqueue span joins that trace. */
function withParent<T>(parent: TraceContext, fn: () => Promise<T>): Promise<T> {
  return context.with(trace.setSpanContext(context.active(), parent.toSpanContext()), fn);
}

/**
 * Enqueues `task` as part of the trace `traceContext` (the seed's `enqueue_with_trace_context`): the task
 * stores a child span of it (same trace id, new span id, same flags and tracestate) as its `traceparent`,
 * and the broker's `celers.enqueue` span (with an SDK) is a child of `traceContext` too. Works without any
 * OpenTelemetry SDK installed.
 * @internal
 */
export async function enqueueWithTraceContext(
  ctx: BrokerContext,
  task: SerializedTask,
  traceContext: TraceContext,
  options?: EnqueueOptions,
): Promise<TaskId> {
  assertSerializedTask(task);
  const parent = assertTraceContext(traceContext, 'traceContext');
  assertOptionalObject(options, 'options');
  const traced = withCustom(task, parent.createChildSpan().toMetadata());
  return withParent(parent, () => enqueueOne(ctx, 'enqueueWithTraceContext', traced, {}, options));
}

/**
 * Enqueues `childTask` as a child of the stored task `parentTaskId` (the seed's `enqueue_with_parent_trace`):
 * the child gets `parent_task_id` and, when the parent carries a trace context, a child span of it as
 * `traceparent`. A parent without a trace context falls back to the active context (normal injection).
 * `TASK_NOT_FOUND` when the parent is not in this queue.
 * @internal
 */
export async function enqueueWithParentTrace(
  ctx: BrokerContext,
  parentTaskId: TaskId,
  childTask: SerializedTask,
  options?: EnqueueOptions,
): Promise<TaskId> {
  const parentId = assertTaskId(parentTaskId, 'parentTaskId');
  assertSerializedTask(childTask, 'childTask');
  assertOptionalObject(options, 'options');
  // Inside the caller's transaction, a parent enqueued earlier in that same transaction is visible.
  const executor = (options?.transaction ?? ctx.db) as Executor;
  const parentMetadata = await loadTaskMetadata(ctx, 'enqueueWithParentTrace.lookup', parentId, executor);
  if (parentMetadata === undefined) {
    throw new CelersError('TASK_NOT_FOUND', `Parent task ${parentId} does not exist in this queue`, {
      details: { taskId: parentId },
    });
  }
  const parentTrace = readStoredTraceContext(parentMetadata);
  const entries: Record<string, unknown> = { [PARENT_TASK_ID_KEY]: parentId };
  if (parentTrace) Object.assign(entries, parentTrace.createChildSpan().toMetadata());
  const child = withCustom(childTask, entries);
  const enqueue = () => enqueueOne(ctx, 'enqueueWithParentTrace', child, {}, options);
  return parentTrace ? withParent(parentTrace, enqueue) : enqueue();
}

/**
 * The trace context stored with a task (the seed's `extract_trace_context`), or `null` when the task is not
 * in this queue or carries no valid context.
 * @internal
 */
export async function extractTraceContext(ctx: BrokerContext, taskId: TaskId): Promise<TraceContext | null> {
  const id = assertTaskId(taskId, 'taskId');
  const metadata = await loadTaskMetadata(ctx, 'extractTraceContext', id);
  return metadata === undefined ? null : readStoredTraceContext(metadata);
}

async function loadTaskMetadata(
  ctx: BrokerContext,
  operation: string,
  id: string,
  executor: Executor = ctx.db,
): Promise<Record<string, unknown> | undefined> {
  const row = await ctx.run(
    operation,
    () =>
      executor
        .selectFrom('celers_tasks')
        .select('metadata')
        .where('id', '=', id)
        .where('queue_name', '=', ctx.queue)
        .executeTakeFirst(),
    { [TelemetryAttributes.TaskId]: id },
  );
  return row === undefined ? undefined : (parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {});
}
