import type { Connection } from 'mysql2/promise';
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
