import { CelersError } from '../errors/celers-error.js';
import type { PayloadContentType, PayloadEncoding, SerializedTask } from '../task/serialized-task.js';
import { MAX_PAYLOAD_BYTES } from '../validation/limits.js';
import { compressPayload, DEFAULT_COMPRESSION_THRESHOLD_BYTES, decompressPayload } from './compression.js';

/** When to DEFLATE a payload: always, never, or when it is at least the threshold and compression helps. */
export type CompressionMode = boolean | 'auto' | { thresholdBytes: number };

/** An encoded payload with the metadata a reader needs to decode it. */
export interface EncodedPayload {
  bytes: Uint8Array;
  contentType: PayloadContentType;
  contentEncoding: PayloadEncoding;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes a payload: `Uint8Array` values are kept as raw bytes, anything else becomes UTF-8 JSON.
 * Throws `INVALID_ARGUMENT` for values JSON cannot represent and `PAYLOAD_TOO_LARGE` past the column limit.
 */
export function encodePayload(value: unknown, compression: CompressionMode = false): EncodedPayload {
  let bytes: Uint8Array;
  let contentType: PayloadContentType;
  if (value instanceof Uint8Array) {
    bytes = value;
    contentType = 'application/octet-stream';
  } else {
    let text: string | undefined;
    try {
      text = JSON.stringify(value === undefined ? null : value);
    } catch (cause) {
      throw new CelersError(
        'INVALID_ARGUMENT',
        `Invalid argument "payload": not JSON-serializable (${(cause as Error).message})`,
        {
          argument: 'payload',
          cause,
        },
      );
    }
    bytes = encoder.encode(text ?? 'null');
    contentType = 'application/json';
  }
  let contentEncoding: PayloadEncoding = 'identity';
  const threshold =
    compression === 'auto'
      ? DEFAULT_COMPRESSION_THRESHOLD_BYTES
      : typeof compression === 'object'
        ? compression.thresholdBytes
        : 0;
  if (compression !== false && bytes.length >= threshold) {
    const compressed = compressPayload(bytes);
    // 'auto'/threshold modes keep the original when DEFLATE does not help (already-compressed data).
    if (compression === true || compressed.length < bytes.length) {
      bytes = compressed;
      contentEncoding = 'deflate';
    }
  }
  assertPayloadSize(bytes);
  return { bytes, contentType, contentEncoding };
}

/** Throws `PAYLOAD_TOO_LARGE` when `bytes` does not fit the payload column. */
export function assertPayloadSize(bytes: Uint8Array): void {
  if (bytes.length > MAX_PAYLOAD_BYTES) {
    throw new CelersError(
      'PAYLOAD_TOO_LARGE',
      `Payload is ${bytes.length} bytes; the limit is ${MAX_PAYLOAD_BYTES}`,
      {
        argument: 'payload',
        details: { bytes: bytes.length, limit: MAX_PAYLOAD_BYTES },
      },
    );
  }
}

/**
 * Decodes raw payload bytes according to their content type and encoding. Compressed payloads are inflated
 * to at most `maxBytes` (default: the payload limit), so a decompression bomb is a `PAYLOAD_TOO_LARGE`
 * error, never a 64 MiB allocation; an unknown content type or encoding is an `INVALID_ARGUMENT`.
 */
export function decodePayloadBytes(
  bytes: Uint8Array,
  contentType: PayloadContentType,
  contentEncoding: PayloadEncoding,
  maxBytes: number = MAX_PAYLOAD_BYTES,
): unknown {
  if (contentEncoding !== 'deflate' && contentEncoding !== 'identity') {
    throw CelersError.invalidArgument(
      'contentEncoding',
      `unknown payload encoding "${String(contentEncoding)}"`,
    );
  }
  if (contentType !== 'application/json' && contentType !== 'application/octet-stream') {
    throw CelersError.invalidArgument('contentType', `unknown payload content type "${String(contentType)}"`);
  }
  const plain = contentEncoding === 'deflate' ? decompressPayload(bytes, maxBytes) : bytes;
  if (contentType === 'application/octet-stream') return plain;
  try {
    return JSON.parse(decoder.decode(plain));
  } catch (cause) {
    throw new CelersError('INVALID_ARGUMENT', 'Invalid argument "payload": not valid UTF-8 JSON', {
      argument: 'payload',
      cause,
    });
  }
}

/** Decodes a task's payload (inflating it first when it was compressed, capped at `maxBytes`). */
export function decodePayload<T = unknown>(task: SerializedTask, maxBytes: number = MAX_PAYLOAD_BYTES): T {
  if (typeof task !== 'object' || task === null || !(task.payload instanceof Uint8Array))
    throw CelersError.invalidArgument('task', 'expected a task with a Uint8Array payload');
  return decodePayloadBytes(
    task.payload,
    task.metadata?.contentType,
    task.metadata?.contentEncoding,
    maxBytes,
  ) as T;
}
