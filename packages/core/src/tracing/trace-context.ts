import { randomBytes } from 'node:crypto';
import { isValidSpanId, isValidTraceId, type SpanContext, TraceFlags } from '@opentelemetry/api';
import { parseTraceParent, TraceState } from '@opentelemetry/core';
import { CelersError } from '../errors/celers-error.js';

const LOWER_HEX = /^[0-9a-f]+$/;

/** Metadata keys under which a task carries its W3C trace context. */
export const TRACEPARENT_KEY = 'traceparent';
/** @see TRACEPARENT_KEY */
export const TRACESTATE_KEY = 'tracestate';

/**
 * A W3C Trace Context (the seed's `TraceContext`): trace id, span id, flags and an optional `tracestate`.
 * Validity is decided by OpenTelemetry's own parser and id checks, not a hand-rolled one.
 *
 * @example
 * ```ts
 * const parent = TraceContext.fromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * const child = parent.createChildSpan();   // same trace id, new span id
 * child.toTraceparent();                    // '00-4bf9…-<new span>-01'
 * ```
 */
export class TraceContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState: string | undefined;

  /** Creates a context from ids; throws `INVALID_ARGUMENT` for malformed or all-zero ids. */
  constructor(traceId: string, spanId: string, options: { traceFlags?: number; traceState?: string } = {}) {
    // OpenTelemetry's checks ignore case; W3C requires lower-case hex (and fromTraceparent enforces it).
    if (typeof traceId !== 'string' || !LOWER_HEX.test(traceId) || !isValidTraceId(traceId)) {
      throw CelersError.invalidArgument('traceId', 'expected 32 lower-case hex digits, not all zero');
    }
    if (typeof spanId !== 'string' || !LOWER_HEX.test(spanId) || !isValidSpanId(spanId)) {
      throw CelersError.invalidArgument('spanId', 'expected 16 lower-case hex digits, not all zero');
    }
    const flags = options.traceFlags ?? TraceFlags.SAMPLED;
    if (!Number.isInteger(flags) || flags < 0 || flags > 0xff) {
      throw CelersError.invalidArgument('traceFlags', 'expected an integer from 0 to 255');
    }
    this.traceId = traceId;
    this.spanId = spanId;
    this.traceFlags = flags;
    this.traceState = options.traceState === undefined ? undefined : normalizeTraceState(options.traceState);
  }

  /** A new root context with random ids. */
  static generate(sampled = true): TraceContext {
    return new TraceContext(randomHex(16), randomHex(8), {
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    });
  }

  /** Parses a `traceparent` header (and optional `tracestate`); malformed input is `INVALID_ARGUMENT`. */
  static fromTraceparent(traceparent: string, tracestate?: string): TraceContext {
    if (typeof traceparent !== 'string' || traceparent.trim() !== traceparent) {
      throw CelersError.invalidArgument('traceparent', 'expected a W3C traceparent header string');
    }
    const parsed = parseTraceParent(traceparent);
    // Version 00 has exactly four fields; future versions may append more, which W3C says to accept.
    if (parsed === null) {
      throw CelersError.invalidArgument('traceparent', `malformed traceparent "${traceparent.slice(0, 80)}"`);
    }
    return new TraceContext(parsed.traceId, parsed.spanId, {
      traceFlags: parsed.traceFlags,
      traceState: tracestate,
    });
  }

  /** Builds a context from an OpenTelemetry span context. */
  static fromSpanContext(spanContext: SpanContext): TraceContext {
    return new TraceContext(spanContext.traceId, spanContext.spanId, {
      traceFlags: spanContext.traceFlags,
      traceState: spanContext.traceState?.serialize() || undefined,
    });
  }

  /** The `traceparent` header value (version 00). */
  toTraceparent(): string {
    return `00-${this.traceId}-${this.spanId}-${this.traceFlags.toString(16).padStart(2, '0')}`;
  }

  /** A child context: the same trace id and flags, a new random span id. */
  createChildSpan(): TraceContext {
    return new TraceContext(this.traceId, randomHex(8), {
      traceFlags: this.traceFlags,
      traceState: this.traceState,
    });
  }

  /** Whether the sampled flag is set. */
  isSampled(): boolean {
    return (this.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  }

  /** The OpenTelemetry span context (marked remote), e.g. for `trace.setSpanContext`. */
  toSpanContext(): SpanContext {
    return {
      traceId: this.traceId,
      spanId: this.spanId,
      traceFlags: this.traceFlags,
      isRemote: true,
      ...(this.traceState ? { traceState: new TraceState(this.traceState) } : {}),
    };
  }

  /** The metadata entries stored with a task. */
  toMetadata(): Record<string, string> {
    return this.traceState
      ? { [TRACEPARENT_KEY]: this.toTraceparent(), [TRACESTATE_KEY]: this.traceState }
      : { [TRACEPARENT_KEY]: this.toTraceparent() };
  }

  /** Reads a context from task metadata; `undefined` when absent. Malformed values are `INVALID_ARGUMENT`. */
  static fromMetadata(metadata: Record<string, unknown>): TraceContext | undefined {
    const traceparent = metadata[TRACEPARENT_KEY];
    if (traceparent === undefined) return undefined;
    const tracestate = metadata[TRACESTATE_KEY];
    return TraceContext.fromTraceparent(
      String(traceparent),
      typeof tracestate === 'string' ? tracestate : undefined,
    );
  }
}

function randomHex(bytes: number): string {
  // Loop guards against the (astronomically unlikely) all-zero id, which W3C forbids.
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

function normalizeTraceState(value: string): string | undefined {
  if (typeof value !== 'string') throw CelersError.invalidArgument('tracestate', 'expected a string');
  // OpenTelemetry's TraceState drops invalid list members, as the W3C spec asks receivers to do.
  return new TraceState(value).serialize() || undefined;
}
