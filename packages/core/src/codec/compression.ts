import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CelersError } from '../errors/celers-error.js';

/** Payloads at least this large are compressed when compression is `'auto'`. */
export const DEFAULT_COMPRESSION_THRESHOLD_BYTES = 1024;

/** Compresses bytes with raw DEFLATE (RFC 1951), the seed's payload compression. */
export function compressPayload(bytes: Uint8Array): Uint8Array {
  return deflateRawSync(bytes);
}

/** Inflates bytes produced by {@link compressPayload}; corrupt input is an `INVALID_ARGUMENT`. */
export function decompressPayload(bytes: Uint8Array): Uint8Array {
  try {
    return inflateRawSync(bytes);
  } catch (cause) {
    throw new CelersError('INVALID_ARGUMENT', 'Invalid argument "payload": not valid DEFLATE data', {
      argument: 'payload',
      cause,
    });
  }
}
