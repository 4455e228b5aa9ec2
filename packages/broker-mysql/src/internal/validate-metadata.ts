import { assertJsonSerializable, assertName, CelersError, MAX_JSON_DEPTH } from '@celers/core';
import { validate as isUuid } from 'uuid';
import { assertTraceMetadata } from './trace-propagation.js';

// Metadata keys that generated columns of the task tables read (migration 0001) and that celers_task_links copies
// (migration 0015): their values must fit the column, or the server rejects or truncates the row. Kept here, next to the checks, as plain strings so the advanced/
// and tracing/ modules (which define the public constants) need not be imported.
const GROUP_ID = 'group_id'; // group_id VARCHAR(255), indexed in celers_task_links and the finished table
const DEDUP_KEY = 'dedup_key'; // celers_task_links.dedup_key VARCHAR(255), UNIQUE per queue
const PARENT_TASK_ID = 'parent_task_id'; // parent_task_id CHAR(36) ascii, indexed like group_id

/**
 * Validates one value stored at a metadata key that a generated column reads: `group_id` and `dedup_key` must be
 * names (1–255 characters, no edge whitespace; see `assertName`), `parent_task_id` a lower-case canonical UUID.
 * @internal
 */
export function assertIndexedMetadataValue(key: string, value: unknown, argument: string): void {
  if (value === undefined || value === null) return;
  if (key === GROUP_ID || key === DEDUP_KEY) assertName(value, argument);
  else if (key === PARENT_TASK_ID) {
    if (typeof value !== 'string' || !isUuid(value) || value !== value.toLowerCase())
      throw CelersError.invalidArgument(argument, 'expected a lower-case UUID string');
  }
}

/**
 * Validates the custom metadata of a task before it is written (enqueue, import): a plain JSON object that
 * fits the JSON column (depth, lone surrogates), whose indexed keys fit their generated columns and whose
 * trace context is well formed. Returns the JSON text to store.
 * @internal
 */
export function assertTaskMetadata(value: unknown, argument: string): string {
  const json = assertJsonSerializable(value ?? {}, argument, { object: true });
  const parsed = JSON.parse(json) as Record<string, unknown>;
  for (const key of [GROUP_ID, DEDUP_KEY, PARENT_TASK_ID])
    assertIndexedMetadataValue(key, parsed[key], `${argument}.${key}`);
  assertTraceMetadata(parsed, argument); // issue 4: malformed traceparent
  return json;
}

/**
 * Validates a value written at `path` (`$.a.b`) of a task's metadata: the value's nesting plus the path's
 * depth must fit the JSON column, and a top-level indexed key must fit its column. Returns the JSON text.
 * @internal
 */
export function assertMetadataPathValue(path: string, value: unknown, argument: string): string {
  const segments = path.split('.').slice(1);
  const json = assertJsonSerializable(value, argument, {
    maxDepth: Math.max(0, MAX_JSON_DEPTH - segments.length),
  });
  if (segments.length === 1) assertIndexedMetadataValue(segments[0] as string, JSON.parse(json), argument);
  return json;
}
