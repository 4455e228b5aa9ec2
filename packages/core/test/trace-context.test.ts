import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRACEPARENT_KEY, TRACESTATE_KEY, TraceContext } from '../src/index.js';

const hex = (length: number) =>
  fc
    .array(fc.constantFrom(...'0123456789abcdef'), { minLength: length, maxLength: length })
    .map((chars) => chars.join(''))
    .filter((s) => !/^0+$/.test(s));
const traceId = hex(32);
const spanId = hex(16);
const flags = fc.integer({ min: 0, max: 255 });
const flagsHex = (n: number) => n.toString(16).padStart(2, '0');

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;
const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'traceparent' });

describe('TraceContext.fromTraceparent', () => {
  it('accepts every valid version-00 traceparent and round-trips it', () => {
    fc.assert(
      fc.property(traceId, spanId, flags, (t, s, f) => {
        const header = `00-${t}-${s}-${flagsHex(f)}`;
        const ctx = TraceContext.fromTraceparent(header);
        expect(ctx).toMatchObject({ traceId: t, spanId: s, traceFlags: f });
        expect(ctx.toTraceparent()).toBe(header);
      }),
    );
  });

  it('accepts future versions with extra fields (W3C forward compatibility)', () => {
    expect(TraceContext.fromTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-holds`).traceId).toBe(TRACE);
  });

  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['long trace id', `00-${TRACE}0-${SPAN}-01`],
    ['short span id', `00-${TRACE}-${SPAN.slice(1)}-01`],
    ['long span id', `00-${TRACE}-${SPAN}a-01`],
    ['one-digit flags', `00-${TRACE}-${SPAN}-1`],
    ['three-digit flags', `00-${TRACE}-${SPAN}-001`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['one-digit version', `0-${TRACE}-${SPAN}-01`],
    ['non-hex trace id', `00-${TRACE.slice(0, -1)}g-${SPAN}-01`],
    ['non-hex span id', `00-${TRACE}-${SPAN.slice(0, -1)}z-01`],
    ['non-hex flags', `00-${TRACE}-${SPAN}-0x`],
    ['upper-case trace id', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['upper-case span id', `00-${TRACE}-${SPAN.toUpperCase()}-01`],
    ['upper-case version', `0A-${TRACE}-${SPAN}-01`],
    ['extra field on version 00', `${VALID}-extra`],
    ['trailing dash on version 00', `${VALID}-`],
    ['leading space', ` ${VALID}`],
    ['trailing space', `${VALID} `],
    ['trailing newline', `${VALID}\n`],
    ['underscores', VALID.replaceAll('-', '_')],
    ['missing field', `00-${TRACE}-${SPAN}`],
  ];

  it.each(malformed)('rejects %s', (_label, header) => {
    expect(() => TraceContext.fromTraceparent(header)).toThrow(invalid);
  });

  it('rejects random garbage (fast-check): anything not matching the grammar', () => {
    const grammar = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}(-.*)?$/;
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const ok = grammar.test(s) && !(s.startsWith('00') && s.length > 55);
        if (ok) expect(TraceContext.fromTraceparent(s).traceId).toBe(s.slice(3, 35));
        else expect(() => TraceContext.fromTraceparent(s)).toThrow(invalid);
      }),
    );
  });

  it('rejects non-strings', () => {
    for (const bad of [undefined, null, 42, {}])
      expect(() => TraceContext.fromTraceparent(bad as never)).toThrow(invalid);
  });
});

describe('TraceContext', () => {
  it('the constructor validates ids and flags', () => {
    expect(() => new TraceContext('0'.repeat(32), SPAN)).toThrow(
      expect.objectContaining({ argument: 'traceId' }),
    );
    expect(() => new TraceContext(TRACE, '0'.repeat(16))).toThrow(
      expect.objectContaining({ argument: 'spanId' }),
    );
    expect(() => new TraceContext(TRACE, SPAN, { traceFlags: 256 })).toThrow(
      expect.objectContaining({ argument: 'traceFlags' }),
    );
    expect(() => new TraceContext(TRACE, SPAN, { traceFlags: 1.5 })).toThrow(
      expect.objectContaining({ argument: 'traceFlags' }),
    );
    expect(new TraceContext(TRACE, SPAN).traceFlags).toBe(1); // sampled by default
  });

  // Known bug, reported: OpenTelemetry's isValidTraceId/isValidSpanId are case-insensitive, so the constructor
  // accepts upper-case ids and toTraceparent() then emits a header that fromTraceparent rejects. The fix belongs
  // in core/src/tracing/trace-context.ts (owned elsewhere); this test flips to failing once it is fixed.
  it('the constructor rejects upper-case ids (W3C requires lower-case hex)', () => {
    expect(() => new TraceContext(TRACE.toUpperCase(), SPAN)).toThrow(
      expect.objectContaining({ argument: 'traceId' }),
    );
    expect(() => new TraceContext(TRACE, SPAN.toUpperCase())).toThrow(
      expect.objectContaining({ argument: 'spanId' }),
    );
  });

  it('createChildSpan keeps the trace id, flags and state, and changes the span id', () => {
    fc.assert(
      fc.property(traceId, spanId, flags, (t, s, f) => {
        const parent = new TraceContext(t, s, { traceFlags: f, traceState: 'vendor=abc' });
        const child = parent.createChildSpan();
        expect(child.traceId).toBe(t);
        expect(child.spanId).not.toBe(s);
        expect(child.spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
        expect(child.traceFlags).toBe(f);
        expect(child.traceState).toBe('vendor=abc');
      }),
    );
  });

  it('isSampled reads bit 0 of the flags', () => {
    fc.assert(
      fc.property(flags, (f) => {
        expect(new TraceContext(TRACE, SPAN, { traceFlags: f }).isSampled()).toBe((f & 1) === 1);
      }),
    );
    expect(TraceContext.fromTraceparent(`00-${TRACE}-${SPAN}-00`).isSampled()).toBe(false);
  });

  it('generate makes valid, distinct root contexts', () => {
    const a = TraceContext.generate();
    const b = TraceContext.generate(false);
    expect(TraceContext.fromTraceparent(a.toTraceparent())).toMatchObject({
      traceId: a.traceId,
      spanId: a.spanId,
    });
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.isSampled()).toBe(true);
    expect(b.isSampled()).toBe(false);
  });

  it('toMetadata/fromMetadata round-trip, with and without tracestate', () => {
    fc.assert(
      fc.property(traceId, spanId, flags, fc.boolean(), (t, s, f, withState) => {
        const ctx = new TraceContext(t, s, {
          traceFlags: f,
          ...(withState ? { traceState: 'congo=t61rcWkgMzE' } : {}),
        });
        const metadata = ctx.toMetadata();
        expect(metadata[TRACEPARENT_KEY]).toBe(`00-${t}-${s}-${flagsHex(f)}`);
        expect(TRACESTATE_KEY in metadata).toBe(withState);
        const back = TraceContext.fromMetadata({ ...metadata, unrelated: 1 });
        expect(back).toEqual(ctx);
      }),
    );
  });

  it('fromMetadata: absent is undefined, malformed is INVALID_ARGUMENT', () => {
    expect(TraceContext.fromMetadata({})).toBeUndefined();
    expect(TraceContext.fromMetadata({ tracestate: 'a=b' })).toBeUndefined();
    expect(() => TraceContext.fromMetadata({ traceparent: 'garbage' })).toThrow(invalid);
    expect(() => TraceContext.fromMetadata({ traceparent: 42 })).toThrow(invalid);
  });

  it('normalizes tracestate: trims members, drops invalid ones, empty becomes undefined', () => {
    const ctx = TraceContext.fromTraceparent(VALID, ' rojo=00f067aa0ba902b7 ,  congo=t61rcWkgMzE');
    expect(ctx.traceState).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(TraceContext.fromTraceparent(VALID, 'BAD KEY=1,ok=1').traceState).toBe('ok=1');
    expect(TraceContext.fromTraceparent(VALID, '').traceState).toBeUndefined();
    expect(TraceContext.fromTraceparent(VALID, 'no-equals-sign').traceState).toBeUndefined();
  });

  it('toSpanContext is a remote span context with the same ids', () => {
    const sc = TraceContext.fromTraceparent(VALID, 'a=1').toSpanContext();
    expect(sc).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(sc.traceState?.get('a')).toBe('1');
    expect(TraceContext.fromSpanContext(sc).toTraceparent()).toBe(VALID);
  });
});
