import { type RawBuilder, sql } from 'kysely';

// Shared SQL expressions. Durations are computed in microseconds by the server (TIMESTAMPDIFF) and divided
// by 1000 to milliseconds, so DATETIME(6) precision is kept and the app's clock never enters the math.

/** `UTC_TIMESTAMP(6)`: the database clock. @internal */
export const DB_NOW: RawBuilder<Date> = sql<Date>`UTC_TIMESTAMP(6)`;

/** Milliseconds from column `from` to column `to` (a DECIMAL expression). @internal */
export function msBetween(from: RawBuilder<unknown>, to: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`(TIMESTAMPDIFF(MICROSECOND, ${from}, ${to}) / 1000)`;
}

/** `UTC_TIMESTAMP(6)` minus `ms` milliseconds. @internal */
export function dbNowMinusMs(ms: number): RawBuilder<Date> {
  return sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ${Math.round(ms * 1000)} MICROSECOND)`;
}

/** A column reference by (constant) name. @internal */
export function col(name: string): RawBuilder<unknown> {
  return sql.ref(name);
}

/**
 * The nearest-rank percentile `p` over a derived table with columns `v` (value), `rn`
 * (`ROW_NUMBER() OVER (ORDER BY v)`) and `cnt` (`COUNT(*) OVER ()`): the value whose rank is
 * `GREATEST(1, CEIL(cnt × p / 100))`. Window functions exist on MySQL 8.0+ and MariaDB 10.2+, unlike
 * MariaDB-only `PERCENTILE_CONT`. `p` is a constant from code (validated), never user text.
 * @internal
 */
export function percentileColumn(p: number): RawBuilder<number | null> {
  if (!Number.isFinite(p) || p <= 0 || p > 100) throw new RangeError(`percentile out of range: ${p}`);
  return sql<number | null>`MIN(CASE WHEN rn = GREATEST(1, CEIL(cnt * ${sql.lit(p)} / 100)) THEN v END)`;
}

/** `ROW_NUMBER() OVER (ORDER BY expr)`. @internal */
export function rowNumberBy(expr: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`ROW_NUMBER() OVER (ORDER BY ${expr})`;
}

/** `COUNT(*) OVER ()`: the row count of the whole result, on every row. @internal */
export const COUNT_OVER_ALL: RawBuilder<number> = sql<number>`COUNT(*) OVER ()`;
