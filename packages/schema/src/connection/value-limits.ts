import { MAX_PAYLOAD_BYTES } from '@celers/core';

/**
 * How large the values of one write may be on this server. Every statement travels as one packet of at most
 * the server's `max_allowed_packet`, and mysql2 sends values inside the statement text: a binary payload as
 * hex (2 bytes per byte), a JSON string escaped (at most 2 bytes per byte). A value over these limits would
 * fail on the server (and drop the connection), so celers refuses it before any I/O with `PAYLOAD_TOO_LARGE`.
 */
export interface ValueLimits {
  /** The server's `max_allowed_packet`, read once per pool at connect. */
  readonly maxAllowedPacket: number;
  /** Budget for the escaped values of one statement: `max_allowed_packet` minus the statement's own text. */
  readonly maxStatementBytes: number;
  /**
   * Largest payload of one task, together with its metadata JSON: half the statement budget (hex), and no
   * more than the MEDIUMBLOB column ({@link MAX_PAYLOAD_BYTES}).
   */
  readonly maxPayloadBytes: number;
  /** Largest JSON value (task metadata, a result): half the statement budget (escaping). */
  readonly maxJsonBytes: number;
}

/** Room left in every packet for the SQL text and one row's small columns (ids, names, numbers). */
export const STATEMENT_HEADROOM_BYTES = 64 * 1024;

/** Derives the {@link ValueLimits} of a server from its `max_allowed_packet`. */
export function valueLimitsFor(maxAllowedPacket: number): ValueLimits {
  // A tiny packet (the server's minimum is 1 KiB) keeps at least 7/8 of it for values.
  const headroom = Math.min(STATEMENT_HEADROOM_BYTES, Math.floor(maxAllowedPacket / 8));
  const maxStatementBytes = maxAllowedPacket - headroom;
  const maxJsonBytes = Math.floor(maxStatementBytes / 2);
  return Object.freeze({
    maxAllowedPacket,
    maxStatementBytes,
    maxPayloadBytes: Math.min(MAX_PAYLOAD_BYTES, maxJsonBytes),
    maxJsonBytes,
  });
}
