import { CelersError } from '@celers/core';

/** Celery task names and queue names: non-empty, at most 155 / 200 characters (the column widths). */
export function assertName(value: unknown, argument: string, max: number): asserts value is string {
  if (typeof value !== 'string' || value.length === 0)
    throw CelersError.invalidArgument(argument, 'must be a non-empty string');
  if (value.length > max) throw CelersError.invalidArgument(argument, `must be at most ${max} characters`);
}

/** A task id fits `celery_taskmeta.task_id` (VARCHAR(155)). */
export function assertTaskId(value: unknown, argument: string): asserts value is string {
  assertName(value, argument, 155);
}

/** A positional-arguments list. */
export function assertArgs(value: unknown, argument: string): asserts value is unknown[] {
  if (!Array.isArray(value)) throw CelersError.invalidArgument(argument, 'must be an array');
}

/** A keyword-arguments object (a plain object, not an array or null). */
export function assertKwargs(value: unknown, argument: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw CelersError.invalidArgument(argument, 'must be a plain object');
}

/** A finite, non-negative number of milliseconds. */
export function assertDuration(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw CelersError.invalidArgument(argument, 'must be a non-negative finite number');
}

/** A positive integer. */
export function assertPositiveInt(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw CelersError.invalidArgument(argument, 'must be a positive integer');
}

/** A valid Date. */
export function assertDate(value: unknown, argument: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw CelersError.invalidArgument(argument, 'must be a valid Date');
}
