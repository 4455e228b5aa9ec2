import { CelersError } from '@celers/core';
import type { ValueLimits } from '@celers/schema';
import type { TaskInsertValues } from './task-row-mapper.js';

// Size checks against the server's max_allowed_packet (see ValueLimits), run before any I/O: a statement
// over the packet limit would fail on the server with a dropped connection (DATABASE_UNAVAILABLE) instead.

function utf8Bytes(text: string | null | undefined): number {
  return text ? Buffer.byteLength(text, 'utf8') : 0;
}

/** An upper bound of {@link utf8Bytes} in O(1): a UTF-16 code unit takes at most 3 bytes of UTF-8. */
function utf8Bound(text: string | null | undefined): number {
  return text ? 3 * text.length : 0;
}

function tooLarge(argument: string, what: string, bytes: number, limit: number): CelersError {
  return new CelersError(
    'PAYLOAD_TOO_LARGE',
    `Invalid argument "${argument}": ${what} is ${bytes} bytes; this server's limit is ${limit} (max_allowed_packet)`,
    { argument, details: { bytes, limit } },
  );
}

/**
 * Throws `PAYLOAD_TOO_LARGE` when a row with a binary payload would not fit one statement: the payload alone
 * over `maxPayloadBytes` names `<argument>.payload`; payload and JSON texts (metadata, retry policy) together
 * over it name `<argument>.<metadataField>`. `argument` is built only on failure (batches check every row).
 * @internal
 */
export function assertPayloadRowFits(
  limits: ValueLimits,
  payload: Uint8Array,
  texts: ReadonlyArray<string | null | undefined>,
  argument: () => string,
  metadataField = 'metadata',
): void {
  const limit = limits.maxPayloadBytes;
  if (payload.length > limit) throw tooLarge(`${argument()}.payload`, 'the payload', payload.length, limit);
  let bound = payload.length;
  for (const text of texts) bound += utf8Bound(text);
  if (bound <= limit) return; // the common case, without scanning the strings
  let total = payload.length;
  for (const text of texts) total += utf8Bytes(text);
  if (total > limit)
    throw tooLarge(`${argument()}.${metadataField}`, 'payload and metadata together', total, limit);
}

/**
 * {@link assertPayloadRowFits} for a new task row: names `<argument>[<index>].payload` (or
 * `<argument>.payload` without an index) and `….metadata.custom`.
 * @internal
 */
export function assertTaskRowFits(
  limits: ValueLimits,
  row: TaskInsertValues,
  argument: string,
  index?: number,
): void {
  const texts = [row.metadata, row.retry_policy];
  const name = () => (index === undefined ? argument : `${argument}[${index}]`);
  assertPayloadRowFits(limits, row.payload, texts, name, 'metadata.custom');
}

/** {@link assertPayloadRowFits} for every row of an import, named `json[<i>].payload` / `json[<i>].metadata`. @internal */
export function assertImportRowsFit(
  limits: ValueLimits,
  rows: ReadonlyArray<{
    payload: Uint8Array;
    metadata: string;
    retry_policy?: string | null;
    error_message?: string | null;
  }>,
): void {
  for (const [i, r] of rows.entries()) {
    assertPayloadRowFits(
      limits,
      r.payload,
      [r.metadata, r.retry_policy, r.error_message],
      () => `json[${i}]`,
    );
  }
}

/**
 * Throws `PAYLOAD_TOO_LARGE` naming `argument` when JSON (or text) values written in one row are together
 * over `maxJsonBytes`.
 * @internal
 */
export function assertJsonFits(
  limits: ValueLimits,
  argument: string,
  ...texts: ReadonlyArray<string | null | undefined>
): void {
  let bound = 0;
  for (const text of texts) bound += utf8Bound(text);
  if (bound <= limits.maxJsonBytes) return;
  let total = 0;
  for (const text of texts) total += utf8Bytes(text);
  if (total > limits.maxJsonBytes) throw tooLarge(argument, 'the value', total, limits.maxJsonBytes);
}

/**
 * An upper bound of the bytes a row's values take inside a multi-row statement (hex payload, escaped UTF-8
 * text), in O(1) per value: chunks may come out smaller than needed for large text, never too large.
 * @internal
 */
export function escapedRowBytes(...values: ReadonlyArray<Uint8Array | string | null | undefined>): number {
  let total = ROW_FIXED_BYTES;
  for (const v of values) if (v) total += 2 * (typeof v === 'string' ? utf8Bound(v) : v.length);
  return total;
}

/** Placeholder text, ids, numbers and times of one row, rounded up. */
const ROW_FIXED_BYTES = 256;

/**
 * Splits rows into statements of at most `maxRows` rows and `maxStatementBytes` of escaped values (a row
 * over the byte budget on its own still gets a statement; the single-row checks above refuse those first).
 * @internal
 */
export function chunkByStatementSize<T>(
  rows: readonly T[],
  sizeOf: (row: T) => number,
  maxRows: number,
  maxStatementBytes: number,
): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > maxStatementBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
