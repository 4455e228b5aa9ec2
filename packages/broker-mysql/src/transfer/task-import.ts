import {
  assertInteger,
  assertJsonSerializable,
  assertMaxRetries,
  assertName,
  assertNumber,
  assertOneOf,
  assertOptionalObject,
  assertPayloadSize,
  assertPriority,
  assertTaskId,
  CelersError,
  MAX_DURATION_MS,
  MAX_RETRIES_LIMIT,
  TASK_STATES,
} from '@celers/core';
import { isDuplicateKeyError, type NewTaskRow } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { assertImportRowsFit } from '../internal/assert-fits.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
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

function time(value: unknown, argument: string, nullable: boolean): Date | null {
  if (value === null && nullable) return null;
  const d = typeof value === 'string' ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw bad(argument, 'expected an ISO 8601 time');
  return d;
}

function optionalText(value: unknown, argument: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw bad(argument, 'expected a string or null');
  return value;
}

/** Validates one exported record and maps it to a row of the importing broker's queue. */
function toRow(value: unknown, queue: string, at: string): ImportRow {
  const r = assertOptionalObject(value, at);
  if (!r) throw bad(at, 'expected a task record');
  if (typeof r.payload !== 'string' || !BASE64.test(r.payload))
    throw bad(`${at}.payload`, 'expected base64 text');
  const payload = Buffer.from(r.payload, 'base64');
  assertPayloadSize(payload);
  const metadata = assertOptionalObject(r.metadata, `${at}.metadata`) ?? {};
  const retryPolicy =
    r.retryPolicy === null || r.retryPolicy === undefined
      ? null
      : assertJsonSerializable(r.retryPolicy, `${at}.retryPolicy`);
  const createdAt = time(r.createdAt, `${at}.createdAt`, false) as Date;
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
    state: assertOneOf(r.state, TASK_STATES, `${at}.state`),
    priority: assertPriority(r.priority, `${at}.priority`),
    retry_count: assertInteger(r.retryCount, `${at}.retryCount`, 0, MAX_RETRIES_LIMIT),
    delivery_count:
      r.deliveryCount === undefined
        ? 0
        : assertInteger(r.deliveryCount, `${at}.deliveryCount`, 0, 2_147_483_647),
    max_retries: assertMaxRetries(r.maxRetries, `${at}.maxRetries`),
    timeout_ms:
      r.timeoutMs === null || r.timeoutMs === undefined
        ? null
        : assertInteger(r.timeoutMs, `${at}.timeoutMs`, 1, MAX_DURATION_MS),
    retry_policy: retryPolicy,
    created_at: createdAt,
    scheduled_at: time(r.scheduledAt ?? r.createdAt, `${at}.scheduledAt`, false) as Date,
    started_at: time(r.startedAt ?? null, `${at}.startedAt`, true),
    completed_at: time(r.completedAt ?? null, `${at}.completedAt`, true),
    lease_expires_at: time(r.leaseExpiresAt ?? null, `${at}.leaseExpiresAt`, true),
    receipt_handle:
      r.receiptHandle === null || r.receiptHandle === undefined
        ? null
        : assertTaskId(r.receiptHandle, `${at}.receiptHandle`),
    worker_id:
      r.workerId === null || r.workerId === undefined ? null : assertName(r.workerId, `${at}.workerId`),
    error_message: optionalText(r.errorMessage, `${at}.errorMessage`),
    progress_percent:
      r.progressPercent === null || r.progressPercent === undefined
        ? null
        : assertNumber(r.progressPercent, `${at}.progressPercent`, 0, 100),
    progress_step:
      r.progressStep === null || r.progressStep === undefined
        ? null
        : assertName(r.progressStep, `${at}.progressStep`),
    metadata: assertJsonSerializable(metadata, `${at}.metadata`),
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
 * retries), in ONE transaction (the seed's `import_tasks`). With `skipExisting`, ids already present are
 * skipped; otherwise an existing id fails the whole import with `DUPLICATE_TASK`. Returns tasks imported.
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
            await trx.insertInto('celers_tasks').values(chunk).execute();
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
