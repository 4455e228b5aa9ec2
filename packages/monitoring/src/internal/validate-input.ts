import { CelersError } from '@celers/core';

// Validators for the pure analysis functions: counts are non-negative integers, amounts are finite and
// non-negative. NaN, Infinity and negatives are INVALID_ARGUMENT naming the field.

function describe(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' || value == null
    ? String(value)
    : typeof value;
}

/** A finite number ≥ `min` (default 0). @internal */
export function assertNonNegative(value: unknown, argument: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw CelersError.invalidArgument(argument, `expected a finite number, got ${describe(value)}`);
  }
  if (value < min) throw CelersError.invalidArgument(argument, `must be ≥ ${min}, got ${value}`);
  return value;
}

/** A finite number > 0. @internal */
export function assertPositive(value: unknown, argument: string): number {
  assertNonNegative(value, argument);
  if ((value as number) <= 0) throw CelersError.invalidArgument(argument, `must be > 0, got ${value}`);
  return value as number;
}

/** A non-negative safe integer (a count). @internal */
export function assertCount(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw CelersError.invalidArgument(argument, `expected a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

/** A boolean. @internal */
export function assertBoolean(value: unknown, argument: string): boolean {
  if (typeof value !== 'boolean')
    throw CelersError.invalidArgument(argument, `expected a boolean, got ${describe(value)}`);
  return value;
}

/** A plain options object (required). @internal */
export function assertObject(value: unknown, argument: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw CelersError.invalidArgument(argument, `expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** An array of finite non-negative numbers (at most `max` entries). @internal */
export function assertSamples(value: unknown, argument: string, max = 10_000_000): number[] {
  if (!Array.isArray(value)) throw CelersError.invalidArgument(argument, 'expected an array of numbers');
  if (value.length > max)
    throw CelersError.invalidArgument(argument, `at most ${max} values, got ${value.length}`);
  for (const [i, v] of value.entries()) assertNonNegative(v, `${argument}[${i}]`);
  return value as number[];
}
