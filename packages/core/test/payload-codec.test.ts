import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompressionMode,
  compressPayload,
  createTask,
  DEFAULT_COMPRESSION_THRESHOLD_BYTES,
  decodePayload,
  decodePayloadBytes,
  decompressPayload,
  encodePayload,
  MAX_PAYLOAD_BYTES,
} from '../src/index.js';

const modes: CompressionMode[] = [false, true, 'auto', { thresholdBytes: 0 }, { thresholdBytes: 64 }];

/** JSON values that survive a JSON round trip unchanged (-0 becomes 0 in JSON, so it is excluded). */
const jsonValue = fc.jsonValue().filter((v) => !Object.is(v, -0));

describe('payload codec round trips', () => {
  it.each(modes.map((m) => [m]))('any JSON value round-trips (compression %j)', (mode) => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const encoded = encodePayload(value, mode);
        expect(encoded.contentType).toBe('application/json');
        const decoded = decodePayloadBytes(encoded.bytes, encoded.contentType, encoded.contentEncoding);
        expect(decoded).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it.each(modes.map((m) => [m]))('any Uint8Array round-trips as octet-stream (compression %j)', (mode) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const encoded = encodePayload(bytes, mode);
        expect(encoded.contentType).toBe('application/octet-stream');
        const decoded = decodePayloadBytes(
          encoded.bytes,
          encoded.contentType,
          encoded.contentEncoding,
        ) as Uint8Array;
        expect(decoded).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(decoded).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('compressPayload/decompressPayload round-trip any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8192 }), (bytes) => {
        expect(Buffer.from(decompressPayload(compressPayload(bytes))).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('decodePayload reads a task made by createTask, compressed or not', () => {
    const value = { to: 'ana@example.com', lines: Array.from({ length: 200 }, (_, i) => `line ${i}`) };
    for (const compression of [false, true, 'auto'] as const) {
      const task = createTask('emails.send', value as never, { compression });
      expect(decodePayload(task)).toEqual(value);
    }
  });

  it('undefined encodes as JSON null', () => {
    const encoded = encodePayload(undefined);
    expect(new TextDecoder().decode(encoded.bytes)).toBe('null');
  });
});

describe('compression', () => {
  const compressible = {
    rows: Array.from({ length: 500 }, () => ({ status: 'ok', region: 'eu-west-1', retries: 0 })),
  };

  it('wins on compressible payloads', () => {
    const plain = encodePayload(compressible, false);
    const packed = encodePayload(compressible, true);
    expect(packed.contentEncoding).toBe('deflate');
    expect(plain.contentEncoding).toBe('identity');
    expect(packed.bytes.length).toBeLessThan(plain.bytes.length / 5);
  });

  it("'auto' compresses large compressible data", () => {
    const auto = encodePayload(compressible, 'auto');
    expect(auto.contentEncoding).toBe('deflate');
  });

  it("'auto' keeps incompressible data uncompressed", () => {
    const noise = new Uint8Array(randomBytes(64 * 1024));
    const auto = encodePayload(noise, 'auto');
    expect(auto.contentEncoding).toBe('identity');
    expect(Buffer.from(auto.bytes).equals(Buffer.from(noise))).toBe(true);
  });

  it("'auto' leaves payloads under the threshold alone; a custom threshold moves the line", () => {
    const small = 'a'.repeat(DEFAULT_COMPRESSION_THRESHOLD_BYTES - 10);
    expect(encodePayload(small, 'auto').contentEncoding).toBe('identity');
    expect(encodePayload(small, { thresholdBytes: 100 }).contentEncoding).toBe('deflate');
  });

  it('true compresses even when it does not help (explicit choice)', () => {
    const noise = new Uint8Array(randomBytes(256));
    expect(encodePayload(noise, true).contentEncoding).toBe('deflate');
  });

  it('corrupt DEFLATE data is INVALID_ARGUMENT', () => {
    expect(() => decompressPayload(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'payload' }),
    );
  });

  it('bytes that are not UTF-8 JSON are INVALID_ARGUMENT', () => {
    expect(() => decodePayloadBytes(new Uint8Array([0x7b, 0x7b]), 'application/json', 'identity')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'payload' }),
    );
    expect(() => decodePayloadBytes(new Uint8Array([0xc3, 0x28]), 'application/json', 'identity')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('payload limits and bad values', () => {
  it('PAYLOAD_TOO_LARGE just over the 16 MiB column limit, accepted at the limit', () => {
    expect(() => encodePayload(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toThrow(
      expect.objectContaining({
        code: 'PAYLOAD_TOO_LARGE',
        details: { bytes: MAX_PAYLOAD_BYTES + 1, limit: MAX_PAYLOAD_BYTES },
      }),
    );
    expect(encodePayload(new Uint8Array(MAX_PAYLOAD_BYTES)).bytes.length).toBe(MAX_PAYLOAD_BYTES);
  });

  it('a large payload that compresses under the limit is accepted', () => {
    const big = new Uint8Array(MAX_PAYLOAD_BYTES + 1024); // zeros: compresses to almost nothing
    const encoded = encodePayload(big, true);
    expect(encoded.bytes.length).toBeLessThan(1024 * 1024);
    expect(() => createTask('big', big as never)).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
  });

  it('values JSON cannot represent are INVALID_ARGUMENT naming the payload', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [cyclic, { n: 10n }]) {
      expect(() => encodePayload(value)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'payload' }),
      );
    }
  });
});
