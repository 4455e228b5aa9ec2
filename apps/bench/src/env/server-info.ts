import type { Connection } from 'mysql2/promise';
import type { ServerInfo } from '../report/report-types.js';

/** Server variables that change the results; both isolation names, since MySQL and MariaDB differ. */
export const RECORDED_VARIABLES = [
  'innodb_flush_log_at_trx_commit',
  'sync_binlog',
  'innodb_buffer_pool_size',
  'transaction_isolation',
  'tx_isolation',
  'log_bin',
  'innodb_doublewrite',
  'innodb_flush_method',
  'max_connections',
] as const;

/** Reads the server flavour, version and {@link RECORDED_VARIABLES} (missing ones are `null`). */
export async function serverInfo(conn: Connection): Promise<ServerInfo> {
  const [versionRows] = await conn.query('SELECT VERSION() AS version');
  const version = String((versionRows as Array<{ version: string }>)[0]?.version ?? '');
  const [rows] = await conn.query('SHOW GLOBAL VARIABLES WHERE Variable_name IN (?)', [RECORDED_VARIABLES]);
  const found = new Map(
    (rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, r.Value]),
  );
  const settings: Record<string, string | null> = {};
  for (const name of RECORDED_VARIABLES) settings[name] = found.get(name) ?? null;
  return { flavour: /mariadb/i.test(version) ? 'mariadb' : 'mysql', version, settings };
}
