// Issue 14 (items 5, 7, 9): validators that match the columns, capped inflation, CelersError for every bad value.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  assertJsonSerializable,
  assertName,
  CelersError,
  characterLength,
  createTask,
  decodePayload,
  decodePayloadBytes,
  decompressPayload,
  MAX_JSON_DEPTH,
  MAX_PAYLOAD_BYTES,
} from '../src/index.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (!CelersError.isInstance(error)) return `foreign ${(error as Error)?.name}`;
    return error.code;
  }
  return 'no error';
}

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

describe('capped inflation', () => {
  it('a 65 KB deflate bomb (64 MiB of zeros) fails with PAYLOAD_TOO_LARGE instead of allocating', () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(70_000);
    expect(codeOf(() => decompressPayload(bomb))).toBe('PAYLOAD_TOO_LARGE');
    expect(codeOf(() => decodePayloadBytes(bomb, 'application/octet-stream', 'deflate'))).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    const task = createTask('bomb', null);
    const bombTask = {
      ...task,
      payload: bomb,
      metadata: { ...task.metadata, contentEncoding: 'deflate' as const },
    };
    expect(codeOf(() => decodePayload(bombTask))).toBe('PAYLOAD_TOO_LARGE');
  });

  it('inflates exactly up to the cap, and honours a smaller cap', () => {
    const atLimit = deflateRawSync(Buffer.alloc(MAX_PAYLOAD_BYTES, 7));
    expect(decompressPayload(atLimit).length).toBe(MAX_PAYLOAD_BYTES);
    const small = deflateRawSync(Buffer.alloc(100));
    expect(decompressPayload(small, 100).length).toBe(100);
    expect(codeOf(() => decompressPayload(small, 99))).toBe('PAYLOAD_TOO_LARGE');
    expect(codeOf(() => decompressPayload(Buffer.from('not deflate at all')))).toBe('INVALID_ARGUMENT');
  });

  it('unknown encodings and content types are INVALID_ARGUMENT, not a silent misread', () => {
    expect(codeOf(() => decodePayloadBytes(new Uint8Array(1), 'application/json', 'gzip' as never))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => decodePayloadBytes(new Uint8Array(1), 'text/plain' as never, 'identity'))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => decodePayload(null as never))).toBe('INVALID_ARGUMENT');
  });
});

describe('names match the VARCHAR(255) utf8mb4 columns', () => {
  it('counts characters (code points), not UTF-16 units', () => {
    const emoji = '😀'.repeat(255); // 510 UTF-16 units, 255 characters: fits VARCHAR(255)
    expect(characterLength(emoji)).toBe(255);
    expect(assertName(emoji, 'name')).toBe(emoji);
    expect(codeOf(() => assertName(`${emoji}x`, 'name'))).toBe('INVALID_ARGUMENT');
  });

  it('rejects lone surrogates (utf8mb4 would store U+FFFD)', () => {
    expect(codeOf(() => assertName('a\uD800b', 'name'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertName('\uDC00', 'name'))).toBe('INVALID_ARGUMENT');
    expect(assertName('a😀b', 'name')).toBe('a😀b');
  });

  it('rejects leading and trailing whitespace (PAD SPACE collations equate "a" and "a ")', () => {
    for (const bad of ['key ', ' key', 'key\u00a0', '\u2003key']) {
      let caught: unknown;
      try {
        assertName(bad, 'key');
      } catch (error) {
        caught = error;
      }
      expect(CelersError.isInstance(caught) && caught.argument).toBe('key');
      expect((caught as Error).message).toMatch(/whitespace/);
    }
    expect(assertName('a key', 'key')).toBe('a key');
  });
});

describe('JSON values match the JSON columns', () => {
  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels (MariaDB's limit) and rejects one more`, () => {
    expect(() => assertJsonSerializable(nested(MAX_JSON_DEPTH), 'metadata')).not.toThrow();
    expect(codeOf(() => assertJsonSerializable(nested(MAX_JSON_DEPTH + 1), 'metadata'))).toBe(
      'INVALID_ARGUMENT',
    );
    // brackets inside strings are not nesting
    expect(() =>
      assertJsonSerializable({ s: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{' }, 'm'),
    ).not.toThrow();
  });

  it('rejects lone surrogates in strings and keys, keeps pairs and escaped backslashes', () => {
    expect(codeOf(() => assertJsonSerializable({ s: 'x\uD83D' }, 'm'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertJsonSerializable({ '\uDE00': 1 }, 'm'))).toBe('INVALID_ARGUMENT');
    expect(assertJsonSerializable({ s: '😀', t: '\\ud800' }, 'm')).toBe('{"s":"😀","t":"\\\\ud800"}');
  });

  it('BigInt, cycles, throwing toJSON and deep recursion are INVALID_ARGUMENT naming the argument', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const throwing = {
      toJSON() {
        throw 'not even an Error';
      },
    };
    for (const value of [{ n: 1n }, cyclic, throwing, nested(20_000), () => 1, undefined]) {
      let caught: unknown;
      try {
        assertJsonSerializable(value, 'options.metadata');
      } catch (error) {
        caught = error;
      }
      expect(CelersError.isInstance(caught), String(caught)).toBe(true);
      expect((caught as CelersError).argument).toBe('options.metadata');
    }
  });

  it('object columns take only values that serialize to an object', () => {
    expect(codeOf(() => assertJsonSerializable(new Date(), 'capabilities', { object: true }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => assertJsonSerializable([1], 'capabilities', { object: true }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(assertJsonSerializable({ at: new Date(0) }, 'c', { object: true })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it('createTask rejects bad metadata with CelersError', () => {
    expect(codeOf(() => createTask('t', 1, { metadata: { n: 1n } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createTask('t', 1, { metadata: nested(40) as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createTask('t ', 1))).toBe('INVALID_ARGUMENT');
  });
});
