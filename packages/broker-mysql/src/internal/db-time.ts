import { type RawBuilder, sql } from 'kysely';

// Due times are compared with the database clock, never the app's: hosts' clocks drift, the server's is one.

/** The SQL text of {@link dbNow}. */
export const DB_NOW_SQL = 'UTC_TIMESTAMP(6)';

// One shared builder: a RawBuilder is immutable, and building one per call cost a compile per enqueue.
const DB_NOW = sql.raw<Date>(DB_NOW_SQL);

/** `UTC_TIMESTAMP(6)`: the database's current UTC time with microseconds. */
export function dbNow(): RawBuilder<Date> {
  return DB_NOW;
}

/** True for the builder {@link dbNow} returns, whose SQL text is the constant {@link DB_NOW_SQL}. */
export function isDbNow(value: unknown): boolean {
  return value === DB_NOW;
}

/** The database's current UTC time plus `ms` milliseconds (may be negative). */
export function dbNowPlusMs(ms: number): RawBuilder<Date> {
  return sql<Date>`DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ${Math.round(ms * 1000)} MICROSECOND)`;
}

/** `when` plus `ms` milliseconds, computed in the app (for a database time read in the same transaction). */
export function addMs(when: Date, ms: number): Date {
  return new Date(when.getTime() + ms);
}
