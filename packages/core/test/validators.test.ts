import fc from 'fast-check';
import { validate as isUuid } from 'uuid';
import { describe, expect, it } from 'vitest';
import {
  assertDurationMs,
  assertInteger,
  assertJsonPath,
  assertJsonSerializable,
  assertLimit,
  assertName,
  assertNumber,
  assertOffset,
  assertOneOf,
  assertOptionalObject,
  assertPercent,
  assertQueueName,
  assertTaskId,
  assertTaskIds,
  assertTime,
  isTaskId,
  MAX_DURATION_MS,
  MAX_NAME_LENGTH,
  MAX_PAGE_SIZE,
} from '../src/index.js';

const invalid = (argument: string) => expect.objectContaining({ code: 'INVALID_ARGUMENT', argument });

describe('assertTaskId', () => {
  it('accepts any UUID, returning it lower-cased', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), (uuid, upper) => {
        expect(assertTaskId(upper ? uuid.toUpperCase() : uuid)).toBe(uuid.toLowerCase());
      }),
    );
  });

  it('rejects every non-UUID string and every non-string', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !isUuid(s)),
        (s) => {
          expect(() => assertTaskId(s, 'id')).toThrow(invalid('id'));
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.anything().filter((v) => typeof v !== 'string'),
        (v) => {
          expect(() => assertTaskId(v)).toThrow(invalid('taskId'));
        },
      ),
    );
  });

  it('is what isTaskId accepts, without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.string(), fc.anything()), (v) => {
        const accepted = (() => {
          try {
            assertTaskId(v);
            return true;
          } catch {
            return false;
          }
        })();
        expect(isTaskId(v)).toBe(accepted);
      }),
    );
  });

  it('rejects near-misses: surrounding spaces, braces, missing dashes, non-hex', () => {
    const good = '0190a3c2-8f5e-7cc1-9d3b-2a8e6f1d4c00';
    for (const bad of [
      ` ${good}`,
      `${good} `,
      `{${good}}`,
      good.replaceAll('-', ''),
      good.replace('0', 'g'),
      good.slice(1),
      '',
    ]) {
      expect(() => assertTaskId(bad)).toThrow(invalid('taskId'));
    }
  });

  it('assertTaskIds de-duplicates case-insensitively and names the bad index', () => {
    const id = '0190a3c2-8f5e-7cc1-9d3b-2a8e6f1d4c00';
    expect(assertTaskIds([id, id.toUpperCase()])).toEqual([id]);
    expect(() => assertTaskIds([id, 'nope'])).toThrow(invalid('taskIds[1]'));
    expect(() => assertTaskIds('nope')).toThrow(invalid('taskIds'));
    expect(() => assertTaskIds(new Array(3).fill(id), 'taskIds', 2)).toThrow(invalid('taskIds'));
  });
});

describe('assertName and assertQueueName', () => {
  it('accepts printable names of 1–255 characters without edge whitespace', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: MAX_NAME_LENGTH })
          .filter(
            (s) =>
              s.trim() === s &&
              s.length > 0 &&
              ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
          ),
        (name) => {
          expect(assertName(name, 'name')).toBe(name);
        },
      ),
    );
  });

  it('rejects names containing a control character', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 0x1f }), fc.string(), (a, code, b) => {
        expect(() => assertName(`x${a}${String.fromCharCode(code)}${b}`, 'name')).toThrow(invalid('name'));
      }),
    );
    expect(() => assertName('del\u007f', 'name')).toThrow(invalid('name'));
  });

  it('rejects names over 255 characters, blank names and non-strings', () => {
    fc.assert(
      fc.property(fc.string({ minLength: MAX_NAME_LENGTH + 1, maxLength: 2000 }), (name) => {
        expect(() => assertName(name, 'name')).toThrow(invalid('name'));
      }),
    );
    for (const bad of ['', '   ', '\t', null, undefined, 5, {}])
      expect(() => assertName(bad, 'task.name')).toThrow(invalid('task.name'));
  });

  it('queue names: letters, digits and _ . : - starting with a letter or digit', () => {
    for (const ok of ['default', 'emails.high', 'tenant:42', 'a_b-c', '9lives'])
      expect(assertQueueName(ok)).toBe(ok);
    for (const bad of ['-lead', '.dot', 'with space', 'semi;colon', "quote'", 'ünï', '']) {
      expect(() => assertQueueName(bad)).toThrow(invalid('queue'));
    }
  });
});

describe('numbers', () => {
  it('integers: NaN, ±Infinity, fractions and non-numbers are rejected', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
          fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
          fc.string(),
          fc.bigInt(),
          fc.constant(null),
        ),
        (value) => {
          expect(() => assertInteger(value, 'n', -1e15, 1e15)).toThrow(invalid('n'));
        },
      ),
    );
  });

  it('integers in range pass, out of range fail', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (n) => {
        if (n >= 0 && n <= 10) expect(assertInteger(n, 'n', 0, 10)).toBe(n);
        else expect(() => assertInteger(n, 'n', 0, 10)).toThrow(invalid('n'));
      }),
    );
  });

  it('limits, offsets, durations and percents', () => {
    expect(assertLimit(1)).toBe(1);
    expect(assertLimit(MAX_PAGE_SIZE)).toBe(MAX_PAGE_SIZE);
    for (const bad of [0, -1, MAX_PAGE_SIZE + 1, 2.5])
      expect(() => assertLimit(bad)).toThrow(invalid('limit'));
    expect(assertOffset(0)).toBe(0);
    expect(() => assertOffset(-1)).toThrow(invalid('offset'));
    expect(assertDurationMs(0, 'olderThanMs')).toBe(0);
    expect(() => assertDurationMs(-1, 'olderThanMs')).toThrow(invalid('olderThanMs'));
    expect(() => assertDurationMs(MAX_DURATION_MS + 1, 'olderThanMs')).toThrow(invalid('olderThanMs'));
    expect(() => assertDurationMs(0, 'leaseMs', 1)).toThrow(invalid('leaseMs'));
    expect(assertPercent(37.5)).toBe(37.5);
    for (const bad of [-0.1, 100.1, Number.NaN]) expect(() => assertPercent(bad)).toThrow(invalid('percent'));
    expect(assertNumber(0.25, 'ratio', 0, 1)).toBe(0.25);
    expect(() => assertNumber(Number.POSITIVE_INFINITY, 'ratio', 0, Number.POSITIVE_INFINITY)).toThrow(
      invalid('ratio'),
    );
  });
});

describe('other validators', () => {
  it('assertTime accepts Dates and epoch ms in 1970–9999, rejects invalid dates', () => {
    const now = new Date();
    expect(assertTime(now, 'when')).toBe(now);
    expect(assertTime(0, 'when').getTime()).toBe(0);
    for (const bad of [new Date('nope'), Number.NaN, '2024-01-01', -1, Date.UTC(10_000, 0, 1), null]) {
      expect(() => assertTime(bad, 'when')).toThrow(invalid('when'));
    }
  });

  it('assertJsonPath accepts plain $.a.b paths only', () => {
    for (const ok of ['$.a', '$.customer.id', '$._x.y9']) expect(assertJsonPath(ok)).toBe(ok);
    for (const bad of [
      '$',
      'a.b',
      '$.a[0]',
      '$.*',
      '$."a b"',
      "$.a') OR 1=1 --",
      '$.a..b',
      `$.${'a'.repeat(300)}`,
      7,
    ]) {
      expect(() => assertJsonPath(bad)).toThrow(invalid('path'));
    }
  });

  it('assertOneOf, assertOptionalObject, assertJsonSerializable', () => {
    expect(assertOneOf('pending', ['pending', 'failed'], 'state')).toBe('pending');
    expect(() => assertOneOf('PENDING', ['pending', 'failed'], 'state')).toThrow(invalid('state'));
    expect(assertOptionalObject(undefined, 'o')).toBeUndefined();
    for (const bad of [null, [], 'x', 1]) expect(() => assertOptionalObject(bad, 'o')).toThrow(invalid('o'));
    expect(assertJsonSerializable({ a: [1] }, 'v')).toBe('{"a":[1]}');
    expect(() => assertJsonSerializable(() => 1, 'v')).toThrow(invalid('v'));
    expect(() => assertJsonSerializable({ b: 1n }, 'v')).toThrow(invalid('v'));
  });
});
