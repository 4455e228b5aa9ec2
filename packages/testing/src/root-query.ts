// One statement on a private server as its root user, on a connection of its own: topology helpers use it to
// configure replication and read wsrep status without a pool to close.
import type { RowDataPacket } from 'mysql2';

/** Runs `statement` once against `url` (e.g. a {@link PrivateServer.url}) and returns its rows. */
export async function queryOnce<T extends object = Record<string, unknown>>(
  url: string,
  statement: string,
  values: unknown[] = [],
): Promise<T[]> {
  const mysql = await import('mysql2/promise');
  // several statements per call let a test set a session variable (wsrep_sync_wait) before its read
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 5_000, multipleStatements: true });
  try {
    const [rows] = await conn.query<RowDataPacket[]>(statement, values as (string | number | null)[]);
    return Array.isArray(rows) ? (rows as unknown as T[]) : [];
  } finally {
    await conn.end();
  }
}

/** Calls `check` every `intervalMs` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error; // a node that is still starting refuses queries: keep waiting
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}
