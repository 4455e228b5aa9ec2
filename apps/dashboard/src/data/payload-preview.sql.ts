import { decodePayloadBytes, type PayloadContentType, type PayloadEncoding } from '@celers/core';
import type { CelersKysely } from '../dashboard-options.js';

/** Most characters of a payload the task page shows. */
export const PAYLOAD_PREVIEW_CHARS = 16_384;

/** What the task page shows of a payload. */
export interface PayloadPreview {
  contentType: string;
  contentEncoding: string;
  /** Stored size (after compression). */
  storedBytes: number;
  /** Pretty JSON, or hex of the first bytes for binary payloads, cut at {@link PAYLOAD_PREVIEW_CHARS}. */
  text: string;
  truncated: boolean;
}

function preview(text: string): { text: string; truncated: boolean } {
  return text.length > PAYLOAD_PREVIEW_CHARS
    ? { text: text.slice(0, PAYLOAD_PREVIEW_CHARS), truncated: true }
    : { text, truncated: false };
}

/** Decodes a task's payload for display; `null` when the task is not in `queue`. */
export async function readPayloadPreview(
  db: CelersKysely,
  queue: string,
  taskId: string,
): Promise<PayloadPreview | null> {
  const row = await db
    .selectFrom('celers_tasks')
    .select(['payload', 'content_type', 'content_encoding'])
    .where('id', '=', taskId)
    .where('queue_name', '=', queue)
    .executeTakeFirst();
  if (!row) return null;
  const bytes = new Uint8Array(row.payload);
  let shown: { text: string; truncated: boolean };
  try {
    const value = decodePayloadBytes(
      bytes,
      row.content_type as PayloadContentType,
      row.content_encoding as PayloadEncoding,
    );
    shown =
      value instanceof Uint8Array
        ? preview(Buffer.from(value.subarray(0, PAYLOAD_PREVIEW_CHARS / 2)).toString('hex'))
        : preview(JSON.stringify(value, null, 2) ?? 'undefined');
    if (value instanceof Uint8Array && value.length > PAYLOAD_PREVIEW_CHARS / 2) shown.truncated = true;
  } catch {
    // A payload that does not decode is still worth seeing: show its raw bytes.
    shown = preview(Buffer.from(bytes.subarray(0, PAYLOAD_PREVIEW_CHARS / 2)).toString('hex'));
  }
  return {
    contentType: row.content_type,
    contentEncoding: row.content_encoding,
    storedBytes: bytes.length,
    ...shown,
  };
}
