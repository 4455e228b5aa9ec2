import { describe, expect, it } from 'vitest';
import { CelersError, CelersErrorCode, coerceError, isCelersError } from '../src/index.js';

describe('CelersError', () => {
  it('carries code, argument, details and cause', () => {
    const cause = new Error('driver');
    const error = new CelersError('DATABASE_ERROR', 'boom', { cause, details: { table: 'celers_tasks' } });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'CelersError',
      code: 'DATABASE_ERROR',
      message: 'boom',
      cause,
      details: { table: 'celers_tasks' },
    });
    expect(CelersError.invalidArgument('limit', 'must be positive')).toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'limit',
      message: 'Invalid argument "limit": must be positive',
    });
  });

  it('isInstance recognizes an error from a second copy of the module (duplicate installs)', async () => {
    // A query string makes the module loader evaluate the file again: a distinct class, as a second install would be.
    const specifier = '../src/errors/celers-error.ts?second-copy';
    const copy = (await import(
      /* @vite-ignore */ specifier
    )) as typeof import('../src/errors/celers-error.js');
    expect(copy.CelersError).not.toBe(CelersError);
    const foreign = new copy.CelersError('STALE_RECEIPT', 'lease lost');
    expect(foreign instanceof CelersError).toBe(false);
    expect(CelersError.isInstance(foreign)).toBe(true);
    expect(isCelersError(foreign, 'STALE_RECEIPT')).toBe(true);
    expect(isCelersError(foreign, 'CIRCUIT_OPEN')).toBe(false);
    expect(copy.CelersError.isInstance(new CelersError('INTERNAL', 'x'))).toBe(true);
  });

  it('isInstance is false for look-alikes and non-objects', () => {
    for (const value of [new Error('x'), { code: 'INVALID_ARGUMENT' }, null, undefined, 'CelersError', 42]) {
      expect(CelersError.isInstance(value)).toBe(false);
    }
  });

  it('every code maps to itself (stable public contract)', () => {
    for (const [key, value] of Object.entries(CelersErrorCode)) expect(value).toBe(key);
    expect(Object.keys(CelersErrorCode)).toEqual(
      expect.arrayContaining([
        'INVALID_ARGUMENT',
        'STALE_RECEIPT',
        'CIRCUIT_OPEN',
        'HOOK_REJECTED',
        'DATABASE_UNAVAILABLE',
      ]),
    );
  });

  it('coerceError keeps errors and wraps anything else as INTERNAL with the value as cause', () => {
    const plain = new TypeError('t');
    expect(coerceError(plain)).toBe(plain);
    const celers = new CelersError('TIMEOUT', 'slow');
    expect(coerceError(celers)).toBe(celers);
    const wrapped = coerceError({ reason: 'weird' });
    expect(wrapped).toMatchObject({ code: 'INTERNAL', cause: { reason: 'weird' } });
    expect(wrapped.message).toContain('"reason":"weird"');
    expect(coerceError('text').message).toContain('text');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(coerceError(cyclic)).toMatchObject({ code: 'INTERNAL' });
  });
});
