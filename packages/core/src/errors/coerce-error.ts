import { CelersError } from './celers-error.js';

/** Turns anything thrown into an `Error`: a CelersError is kept, an Error is kept, anything else is wrapped. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error || CelersError.isInstance(value)) return value as Error;
  const text = typeof value === 'string' ? value : safeStringify(value);
  return new CelersError('INTERNAL', `Non-error thrown: ${text}`, { cause: value });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
