import type { SerializedTask, TaskId, TraceContext } from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import type { EnqueueOptions } from '../queue/enqueue-operations.js';
import {
  enqueueWithParentTrace,
  enqueueWithTraceContext,
  extractTraceContext,
} from './trace-context-operations.js';

/**
 * `broker.tracing`: W3C trace context on stored tasks (the seed's Distributed Tracing): enqueue inside a trace
 * or under a parent task's trace, and read a task's stored context.
 *
 * @example
 * ```ts
 * const incoming = TraceContext.fromTraceparent(traceparent);
 * await broker.tracing.enqueueWithTraceContext(createTask('reports.build', { id: 7 }), incoming);
 * ```
 */
export class TracingFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /**
   * Enqueues a task inside the trace `traceContext`: the task stores a child span of it as its `traceparent`
   * (the seed's `enqueue_with_trace_context`).
   */
  async enqueueWithTraceContext(
    task: SerializedTask,
    traceContext: TraceContext,
    options?: EnqueueOptions,
  ): Promise<TaskId> {
    return enqueueWithTraceContext(this.#ctx, task, traceContext, options);
  }

  /**
   * Enqueues `childTask` with `parent_task_id` and a child span of the parent task's stored trace context
   * (the seed's `enqueue_with_parent_trace`); `TASK_NOT_FOUND` when the parent is not in this queue.
   */
  async enqueueWithParentTrace(
    parentTaskId: TaskId,
    childTask: SerializedTask,
    options?: EnqueueOptions,
  ): Promise<TaskId> {
    return enqueueWithParentTrace(this.#ctx, parentTaskId, childTask, options);
  }

  /** The trace context stored with a task, or `null` (the seed's `extract_trace_context`). */
  async extractTraceContext(taskId: TaskId): Promise<TraceContext | null> {
    return extractTraceContext(this.#ctx, taskId);
  }
}
