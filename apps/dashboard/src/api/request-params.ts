import {
  assertInteger,
  assertJsonPath,
  assertName,
  assertOneOf,
  assertTaskId,
  assertTaskIds,
  assertTime,
  CelersError,
  TASK_STATES,
} from '@celers/core';
import type { DlqFilters } from '../data/dlq-search.sql.js';
import type { TaskFilters } from '../data/task-search.sql.js';
import { DashboardError } from './api-error.js';

/** Largest page the task and DLQ lists return. */
export const MAX_API_PAGE = 500;
/** Page size when `limit` is not given. */
export const DEFAULT_API_PAGE = 50;

type Query = Record<string, string | undefined>;

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** Parses an integer query parameter in `[min, max]`; `INVALID_ARGUMENT` naming `name` otherwise. */
export function intParam(query: Query, name: string, fallback: number, min: number, max: number): number {
  const raw = query[name];
  if (!present(raw)) return fallback;
  if (!/^-?\d+$/.test(raw))
    throw CelersError.invalidArgument(name, `expected an integer, got "${raw.slice(0, 40)}"`);
  return assertInteger(Number(raw), name, min, max);
}

/** Parses a time given as ISO 8601 text or epoch milliseconds. */
export function timeParam(query: Query, name: string): Date | undefined {
  const raw = query[name];
  if (!present(raw)) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (Number.isNaN(value))
    throw CelersError.invalidArgument(name, 'expected an ISO 8601 date or epoch milliseconds');
  return assertTime(value, name);
}

/** Validates the task-list filters of `GET /api/queues/:queue/tasks`. */
export function parseTaskFilters(query: Query): TaskFilters {
  const f: TaskFilters = {
    limit: intParam(query, 'limit', DEFAULT_API_PAGE, 1, MAX_API_PAGE),
    offset: intParam(query, 'offset', 0, 0, 10_000_000),
  };
  if (present(query.state)) f.state = assertOneOf(query.state, TASK_STATES, 'state');
  if (present(query.name)) f.name = assertName(query.name, 'name');
  if (present(query.error)) f.error = errorText(query.error);
  const from = timeParam(query, 'from');
  const to = timeParam(query, 'to');
  if (from) f.from = from;
  if (to) f.to = to;
  if (from && to && from.getTime() > to.getTime())
    throw CelersError.invalidArgument('to', 'must not be before "from"');
  if (present(query.metaPath) !== present(query.metaValue)) {
    throw CelersError.invalidArgument(
      present(query.metaPath) ? 'metaValue' : 'metaPath',
      'give metaPath and metaValue together',
    );
  }
  if (present(query.metaPath) && present(query.metaValue)) {
    f.metaPath = assertJsonPath(query.metaPath, 'metaPath');
    f.metaValue = assertName(query.metaValue, 'metaValue');
  }
  return f;
}

/** Most characters of an error-text filter. */
export const MAX_ERROR_FILTER_CHARS = 200;

function errorText(raw: string): string {
  if (raw.length > MAX_ERROR_FILTER_CHARS)
    throw CelersError.invalidArgument('error', `at most ${MAX_ERROR_FILTER_CHARS} characters`);
  return raw;
}

/** Validates the filters of `GET /api/queues/:queue/dlq`. */
export function parseDlqFilters(query: Query): DlqFilters {
  const f: DlqFilters = {
    limit: intParam(query, 'limit', DEFAULT_API_PAGE, 1, MAX_API_PAGE),
    offset: intParam(query, 'offset', 0, 0, 10_000_000),
  };
  if (present(query.name)) f.taskName = assertName(query.name, 'name');
  if (present(query.error)) f.error = errorText(query.error);
  if (present(query.taskId)) f.taskId = assertTaskId(query.taskId, 'taskId');
  return f;
}

/** The `ids` of a bulk action's body: 1 to {@link MAX_API_PAGE} task or DLQ ids, duplicates dropped. */
export function bulkIds(body: Record<string, unknown>): string[] {
  const ids = assertTaskIds(body.ids, 'ids', MAX_API_PAGE);
  if (ids.length === 0) throw CelersError.invalidArgument('ids', 'select at least one id');
  return ids;
}

/** Reads a JSON object body; `INVALID_ARGUMENT` naming `body` when it is not one. Empty bodies give `{}`. */
export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw CelersError.invalidArgument('body', 'expected a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw CelersError.invalidArgument('body', 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Refuses a destructive action unless the body says `confirm: true`. */
export function requireConfirmation(body: Record<string, unknown>, action: string): void {
  if (body.confirm !== true) {
    throw new DashboardError(
      400,
      'CONFIRMATION_REQUIRED',
      `${action} is destructive: send { "confirm": true }`,
      'confirm',
    );
  }
}
