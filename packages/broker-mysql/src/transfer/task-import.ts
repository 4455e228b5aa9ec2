import {
  assertInteger,
  assertMaxRetries,
  assertName,
  assertNumber,
  assertOneOf,
  assertOptionalObject,
  assertPayloadSize,
  assertPriority,
  assertRetryPolicySpec,
  assertTaskId,
  assertTime,
  CelersError,
  hasLoneSurrogate,
  MAX_DURATION_MS,
  MAX_RETRIES_LIMIT,
  TASK_STATES,
} from '@celers/core';
import { isDuplicateKeyError, type NewTaskRow, pendingStateForTime } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { assertImportRowsFit } from '../internal/assert-fits.js';
import { assertText } from '../internal/assert-text.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { assertTaskMetadata } from '../internal/validate-metadata.js';
import { tableForState } from '../queue/queue-counts.sql.js';
import { linkLiveTasks } from '../queue/task-links.sql.js';
import type { ImportTasksOptions } from './export-format.js';

/** Rows per multi-row INSERT when importing. */
const IMPORT_CHUNK_SIZE = 500;
/** Most tasks one `importTasks` call takes. */
export const MAX_IMPORT_TASKS = 1_000_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type ImportRow = Omit<NewTaskRow, 'state'> & { state: NewTaskRow['state'] };

function bad(argument: string, message: string): CelersError {
  return CelersError.invalidArgument(argument, message);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 time (as exported) within the DATETIME range enqueue accepts (years 1970–9999). */
function time(value: unknown, argument: string, nullable: boolean): Date | null {
  if ((value === null || value === undefined) && nullable) return null;
  if (typeof value !== 'string' || !ISO_TIME.test(value))
    throw bad(argument, 'expected an ISO 8601 time such as 2026-01-31T12:00:00.000Z');
  return assertTime(Date.parse(value), argument);
}

/** Free text stored in a TEXT column: at most 65,535 UTF-8 bytes and no lone surrogates. */
function optionalText(value: unknown, argument: string): string | null {
  const text = assertText(value, argument);
  if (text !== null && hasLoneSurrogate(text)) throw bad(argument, 'must not contain lone UTF-16 surrogates');
  return text;
}

function optional<T>(value: unknown, check: (v: unknown) => T): T | null {
  return value === null || value === undefined ? null : check(value);
}

/**
 * Validates one exported record and maps it to a row of the importing broker's queue, with the same checks
 * enqueue applies (names, retry policy, metadata, payload size) plus the exported columns (state, times,
 * texts). A `processing` record comes in as `pending` with its retry count: the receipt and lease belonged
 * to a worker of the exporting system, so nothing here would ever ack it, and a lease-less `processing` row
 * would never be recovered.
 */
function toRow(value: unknown, queue: string, at: string): ImportRow {
  const r = assertOptionalObject(value, at);
  if (!r) throw bad(at, 'expected a task record');
  if (typeof r.payload !== 'string' || !BASE64.test(r.payload) || r.payload.length % 4 !== 0)
    throw bad(`${at}.payload`, 'expected base64 text');
  const payload = Buffer.from(r.payload, 'base64');
  assertPayloadSize(payload);
  const state = assertOneOf(r.state, TASK_STATES, `${at}.state`);
  const live = state === 'pending' || state === 'processing';
  const createdAt = time(r.createdAt, `${at}.createdAt`, false) as Date;
  const scheduledAt = time(r.scheduledAt ?? r.createdAt, `${at}.scheduledAt`, false) as Date;
  return {
    id: assertTaskId(r.id, `${at}.id`),
    queue_name: queue,
    task_name: assertName(r.taskName, `${at}.taskName`),
    payload,
    content_type: assertOneOf(
      r.contentType,
      ['application/json', 'application/octet-stream'],
      `${at}.contentType`,
    ),
    content_encoding: assertOneOf(r.contentEncoding, ['identity', 'deflate'], `${at}.contentEncoding`),
    // A live task is due at its scheduledAt here: stored 'scheduled' when that is further than the promotion margin.
    state: live ? pendingStateForTime(scheduledAt) : state,
    priority: assertPriority(r.priority, `${at}.priority`),
    retry_count: assertInteger(r.retryCount, `${at}.retryCount`, 0, MAX_RETRIES_LIMIT),
    delivery_count:
      r.deliveryCount === undefined
        ? 0
        : assertInteger(r.deliveryCount, `${at}.deliveryCount`, 0, 2_147_483_647),
    max_retries: assertMaxRetries(r.maxRetries, `${at}.maxRetries`),
    timeout_ms: optional(r.timeoutMs, (v) => assertInteger(v, `${at}.timeoutMs`, 1, MAX_DURATION_MS)),
    retry_policy: optional(r.retryPolicy, (v) =>
      JSON.stringify(assertRetryPolicySpec(v, `${at}.retryPolicy`)),
    ),
    created_at: createdAt,
    scheduled_at: scheduledAt,
    // A live task has no claim in this system: no start, lease, receipt or worker.
    started_at: live ? null : time(r.startedAt, `${at}.startedAt`, true),
    completed_at: live ? null : time(r.completedAt, `${at}.completedAt`, true),
    lease_expires_at: null,
    receipt_handle: null,
    worker_id: live ? null : optional(r.workerId, (v) => assertName(v, `${at}.workerId`)),
    error_message: optionalText(r.errorMessage, `${at}.errorMessage`),
    progress_percent: optional(r.progressPercent, (v) => assertNumber(v, `${at}.progressPercent`, 0, 100)),
    progress_step: optional(r.progressStep, (v) => assertName(v, `${at}.progressStep`)),
    metadata: assertTaskMetadata(assertOptionalObject(r.metadata, `${at}.metadata`), `${at}.metadata`),
  };
}

/** Parses an export (the `exportTasks` document, or a bare array of records) and validates every record. */
export function parseTaskImport(json: unknown, queue: string): ImportRow[] {
  if (typeof json !== 'string') throw bad('json', 'expected the JSON text of an export');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw bad('json', `not valid JSON (${(cause as Error).message})`);
  }
  const records = Array.isArray(parsed) ? parsed : (parsed as { tasks?: unknown } | null)?.tasks;
  if (!Array.isArray(records))
    throw bad('json', 'expected an export document with a "tasks" array, or an array of tasks');
  if (records.length > MAX_IMPORT_TASKS) throw bad('json', `at most ${MAX_IMPORT_TASKS} tasks per import`);
  const at = Array.isArray(parsed) ? 'json' : 'json.tasks';
  const rows = records.map((r, i) => toRow(r, queue, `${at}[${i}]`));
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    if (ids.has(row.id)) throw bad(`${at}[${i}].id`, 'duplicate id in the import');
    ids.add(row.id);
  });
  return rows;
}

/**
 * Imports tasks exported by `exportTasks` into this broker's queue, every column as exported (state, times,
 * retries) except claims (`processing` comes in as `pending`), in ONE transaction (the seed's `import_tasks`).
 * Every record is validated like an enqueue before anything is written: one bad record rejects the whole
 * file with an `INVALID_ARGUMENT` naming it (`json.tasks[3].retryPolicy`) and no row is written. With
 * `skipExisting`, ids already present are skipped; otherwise an existing id fails the whole import with
 * `DUPLICATE_TASK`. Returns tasks imported.
 * Waiting chain links keep their far-future `scheduled_at`; imported parents are not re-acked, so run
 * `broker.groups.promoteReadyLinks()` after importing partial chains.
 * @internal
 */
export async function importTasks(
  ctx: BrokerContext,
  json: string,
  options: ImportTasksOptions = {},
): Promise<number> {
  const o = assertOptionalObject(options, 'options') ?? {};
  if (o.skipExisting !== undefined && typeof o.skipExisting !== 'boolean')
    throw bad('options.skipExisting', 'expected a boolean');
  const rows = parseTaskImport(json, ctx.queue);
  assertImportRowsFit(ctx.limits, rows);
  if (rows.length === 0) return 0;
  return ctx.run('transfer.importTasks', async () => {
    try {
      return await withLockRetry(reportRetries(ctx, 'transfer.importTasks'), () =>
        ctx.db.transaction().execute(async (trx) => {
          let imported = 0;
          for (let i = 0; i < rows.length; i += IMPORT_CHUNK_SIZE) {
            let chunk = rows.slice(i, i + IMPORT_CHUNK_SIZE);
            const existing = await trx
              .selectFrom('celers_tasks')
              .select('id')
              .where(
                'id',
                'in',
                chunk.map((r) => r.id),
              )
              .execute();
            if (existing.length > 0 && !o.skipExisting) {
              throw new CelersError(
                'DUPLICATE_TASK',
                `Task ${existing[0]?.id} already exists (use skipExisting)`,
                {
                  details: { taskIds: existing.map((e) => e.id) },
                },
              );
            }
            const skip = new Set(existing.map((e) => e.id));
            chunk = chunk.filter((r) => !skip.has(r.id));
            if (chunk.length === 0) continue;
            const live = chunk.filter((r) => tableForState(r.state) === 'celers_live_tasks');
            const finished = chunk.filter((r) => tableForState(r.state) === 'celers_finished_tasks');
            if (live.length > 0) {
              await trx.insertInto('celers_live_tasks').values(live).execute();
              await linkLiveTasks(
                trx,
                live.map((r) => r.id),
              );
            }
            if (finished.length > 0) await trx.insertInto('celers_finished_tasks').values(finished).execute();
            imported += chunk.length;
          }
          return imported;
        }),
      );
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        throw new CelersError(
          'DUPLICATE_TASK',
          'An imported task collides with an existing task id or live dedup key',
          { cause: error },
        );
      }
      throw error;
    }
  });
}
