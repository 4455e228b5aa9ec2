import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CelersError } from '../errors/celers-error.js';
import { MAX_PAYLOAD_BYTES } from '../validation/limits.js';

/** Payloads at least this large are compressed when compression is `'auto'`. */
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 1024;

/** Compresses bytes with raw DEFLATE (RFC 1951), the seed's payload compression. */
export function compressPayload(bytes: Uint8Array): Uint8Array {
  return deflateRawSync(bytes);
}

/**
 * Inflates bytes produced by {@link compressPayload}, never producing more than `maxBytes` (default: the
 * payload limit, {@link MAX_PAYLOAD_BYTES}). zlib stops at the cap, so a decompression bomb (65 KB that
 * inflates to 64 MiB) fails with `PAYLOAD_TOO_LARGE` without allocating its output; corrupt input is an
 * `INVALID_ARGUMENT`.
 */
export function decompressPayload(bytes: Uint8Array, maxBytes = MAX_PAYLOAD_BYTES): Uint8Array {
  try {
    return inflateRawSync(bytes, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CelersError(
        'PAYLOAD_TOO_LARGE',
        `Payload inflates to more than ${maxBytes} bytes (the payload limit)`,
        { argument: 'payload', cause, details: { limit: maxBytes, compressedBytes: bytes.length } },
      );
    }
    throw new CelersError('INVALID_ARGUMENT', 'Invalid argument "payload": not valid DEFLATE data', {
      argument: 'payload',
      cause,
    });
  }
}
