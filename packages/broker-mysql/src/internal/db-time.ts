import { type RawBuilder, sql } from 'kysely';

// Due times are compared with the database clock, never the app's: hosts' clocks drift, the server's is one.

/** `UTC_TIMESTAMP(6)`: the database's current UTC time with microseconds. */
export function dbNow(): RawBuilder<Date> {
  return sql<Date>`UTC_TIMESTAMP(6)`;
}

/** The database's current UTC time plus `ms` milliseconds (may be negative). */
export function dbNowPlusMs(ms: number): RawBuilder<Date> {
  return sql<Date>`DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ${Math.round(ms * 1000)} MICROSECOND)`;
}

/** `when` plus `ms` milliseconds, computed in the app (for a database time read in the same transaction). */
export function addMs(when: Date, ms: number): Date {
  return new Date(when.getTime() + ms);
}
