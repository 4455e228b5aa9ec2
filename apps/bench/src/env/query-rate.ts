import type { Connection } from 'mysql2/promise';
import { percentile } from '../stats/percentiles.js';
import { pause } from '../stats/stopwatch.js';
import { readStatus } from './server-status.js';

/**
 * Statements per second the whole server received over `seconds`, from the global `Questions` counter
 * delta (the second `SHOW GLOBAL STATUS` itself is subtracted). Server-wide: measure a background window
 * too and subtract it when other clients share the server.
 */
export async function serverQueriesPerSecond(admin: Connection, seconds: number): Promise<number> {
  const before = await readStatus(admin);
  await pause(seconds * 1000);
  const after = await readStatus(admin);
  const delta = (after.Questions ?? 0) - (before.Questions ?? 0) - 1;
  return Math.max(0, delta) / seconds;
}

/**
 * The median of `windows` consecutive {@link serverQueriesPerSecond} windows of `seconds` each: a burst from
 * another client of a shared server lands in one window and does not move the median.
 */
export async function medianQueriesPerSecond(
  admin: Connection,
  seconds: number,
  windows = 3,
): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < windows; i++) rates.push(await serverQueriesPerSecond(admin, seconds));
  return percentile(
    rates.sort((a, b) => a - b),
    50,
  );
}
