import {
  assertDurationMs,
  assertMaxRetries,
  assertName,
  assertOneOf,
  assertOptionalObject,
  assertPayloadSize,
  assertPriority,
  assertRetryPolicySpec,
  assertTaskId,
  CelersError,
  type SerializedTask,
} from '@celers/core';
import { assertTaskMetadata } from './validate-metadata.js';

/**
 * Checks a task handed to an enqueue method (it may not come from `createTask`), so a malformed one is an
 * `INVALID_ARGUMENT` naming the field and nothing is written.
 * @internal
 */
export function assertSerializedTask(task: unknown, argument = 'task'): SerializedTask {
  if (typeof task !== 'object' || task === null)
    throw CelersError.invalidArgument(argument, 'expected a task (use createTask)');
  const t = task as SerializedTask;
  if (typeof t.metadata !== 'object' || t.metadata === null)
    throw CelersError.invalidArgument(`${argument}.metadata`, 'missing');
  const m = t.metadata;
  assertTaskId(m.id, `${argument}.metadata.id`);
  assertName(m.name, `${argument}.metadata.name`);
  assertPriority(m.priority, `${argument}.metadata.priority`);
  assertMaxRetries(m.maxRetries, `${argument}.metadata.maxRetries`);
  if (m.timeoutMs !== undefined && m.timeoutMs !== null)
    assertDurationMs(m.timeoutMs, `${argument}.metadata.timeoutMs`, 1);
  assertOneOf(
    m.contentType,
    ['application/json', 'application/octet-stream'],
    `${argument}.metadata.contentType`,
  );
  assertOneOf(m.contentEncoding, ['identity', 'deflate'], `${argument}.metadata.contentEncoding`);
  if (m.retryPolicy !== undefined) assertRetryPolicySpec(m.retryPolicy, `${argument}.metadata.retryPolicy`);
  assertOptionalObject(m.custom, `${argument}.metadata.custom`);
  assertTaskMetadata(m.custom, `${argument}.metadata.custom`);
  if (!(t.payload instanceof Uint8Array))
    throw CelersError.invalidArgument(`${argument}.payload`, 'expected a Uint8Array');
  assertPayloadSize(t.payload);
  return t;
}

/** Checks a batch of tasks (non-empty array, at most `max`, unique ids). @internal */
export function assertSerializedTasks(tasks: unknown, argument = 'tasks', max = 100_000): SerializedTask[] {
  if (!Array.isArray(tasks)) throw CelersError.invalidArgument(argument, 'expected an array of tasks');
  if (tasks.length > max)
    throw CelersError.invalidArgument(argument, `at most ${max} tasks per call, got ${tasks.length}`);
  const ids = new Set<string>();
  return tasks.map((task, i) => {
    const checked = assertSerializedTask(task, `${argument}[${i}]`);
    if (ids.has(checked.metadata.id))
      throw CelersError.invalidArgument(`${argument}[${i}].metadata.id`, 'duplicate id in batch');
    ids.add(checked.metadata.id);
    return checked;
  });
}

/**
 * Checks the options of an enqueue method: an object (or undefined) whose `transaction`, when given, is a
 * Kysely transaction or instance (the caller's own `broker.transaction(...)` or `db.transaction()`).
 * @internal
 */
export function assertEnqueueOptions<T extends { transaction?: unknown }>(
  options: unknown,
  argument = 'options',
): T {
  const o = assertOptionalObject(options, argument) ?? {};
  const trx = (o as { transaction?: unknown }).transaction;
  if (
    trx !== undefined &&
    (typeof trx !== 'object' ||
      trx === null ||
      typeof (trx as { isTransaction?: unknown }).isTransaction !== 'boolean')
  ) {
    throw CelersError.invalidArgument(`${argument}.transaction`, 'expected a Kysely transaction');
  }
  return o as T;
}
