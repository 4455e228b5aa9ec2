import {
  assertDurationMs,
  assertJsonSerializable,
  assertOneOf,
  CelersError,
  TASK_RESULT_STATUSES,
  type TaskResultInput,
  type TaskResultStatus,
} from '@celers/core';
import type { ValueLimits } from '@celers/schema';
import { assertJsonFits } from './assert-fits.js';
import { assertText } from './assert-text.js';

/** A result's fields after validation (everything but the task id and name). @internal */
export interface CheckedResultFields {
  status: TaskResultStatus;
  result: unknown;
  error: string | null;
  traceback: string | null;
  runtimeMs: number | null;
}

/**
 * Validates a result given to an ack or to `broker.results`: `status` one of Celery's states (or
 * `defaultStatus` when omitted and one is given), `result` JSON-serializable, `error`/`traceback` strings that
 * fit TEXT, `runtimeMs` an integer ≥ 0. Throws `INVALID_ARGUMENT` naming the field, and `PAYLOAD_TOO_LARGE`
 * when the result (or result, error and traceback together) would not fit one statement on this server.
 * @internal
 */
export function assertResultFields(
  value: unknown,
  argument: string,
  limits: ValueLimits,
  defaultStatus?: TaskResultStatus,
): CheckedResultFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw CelersError.invalidArgument(argument, 'expected a result object');
  }
  const o = value as TaskResultInput;
  const status =
    o.status === undefined && defaultStatus !== undefined
      ? defaultStatus
      : assertOneOf(o.status, TASK_RESULT_STATUSES, `${argument}.status`);
  const json = o.result === undefined ? null : assertJsonSerializable(o.result, `${argument}.result`);
  const error = assertText(o.error, `${argument}.error`);
  const traceback = assertText(o.traceback, `${argument}.traceback`);
  assertJsonFits(limits, `${argument}.result`, json);
  assertJsonFits(limits, argument, json, error, traceback);
  return {
    status,
    result: o.result,
    error,
    traceback,
    runtimeMs: o.runtimeMs == null ? null : assertDurationMs(o.runtimeMs, `${argument}.runtimeMs`),
  };
}
