// The driver returns COUNT/SUM as numbers (decimalNumbers: true), but a pool configured otherwise may hand
// back strings or bigints; every aggregate goes through these.

/** A numeric column value as a number; `null`/`undefined` become `fallback`. @internal */
export function toNumber(value: unknown, fallback = 0): number {
  if (value === null || value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** A numeric column value, or `null` when the aggregate had no rows. @internal */
export function toNullableNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A DATETIME column value as a `Date` (or `null`). @internal */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  // Server DATETIME text is UTC without a zone ('2025-01-02 03:04:05.123456'); read it as UTC.
  const text =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2} \d/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `part / whole` as a percentage, 0 when `whole` is 0. @internal */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? (part / whole) * 100 : 0;
}
