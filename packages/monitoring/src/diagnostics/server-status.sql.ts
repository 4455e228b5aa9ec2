import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';

/**
 * The server variables `diagnostics.serverVariables(names?)` may read, and so the names it accepts: a
 * whitelist, bound as parameters and never spliced. Public so callers can offer or check names before a call.
 */
export const SERVER_VARIABLE_NAMES = [
  'version',
  'version_comment',
  'max_connections',
  'max_allowed_packet',
  'wait_timeout',
  'interactive_timeout',
  'innodb_buffer_pool_size',
  'innodb_lock_wait_timeout',
  'innodb_deadlock_detect',
  'innodb_flush_log_at_trx_commit',
  'innodb_io_capacity',
  'innodb_log_file_size',
  'innodb_file_per_table',
  'transaction_isolation',
  'tx_isolation',
  'sync_binlog',
  'binlog_format',
  'log_bin',
  'server_id',
  'read_only',
  'performance_schema',
  'slow_query_log',
  'long_query_time',
  'thread_cache_size',
  'table_open_cache',
  'tmp_table_size',
  'max_heap_table_size',
  'time_zone',
  'system_time_zone',
  'character_set_server',
  'collation_server',
  'sql_mode',
  'lower_case_table_names',
  'information_schema_stats_expiry',
] as const;

/** One of {@link SERVER_VARIABLE_NAMES}. */
export type ServerVariableName = (typeof SERVER_VARIABLE_NAMES)[number];

/** `SHOW GLOBAL VARIABLES` for the given names (absent ones are missing from the result). @internal */
export async function showGlobalVariables(
  db: Kysely<CelersDatabase>,
  names: readonly string[],
): Promise<Record<string, string>> {
  return showNameValue(db, 'VARIABLES', names);
}

/** `SHOW GLOBAL STATUS` for the given names. @internal */
export async function showGlobalStatus(
  db: Kysely<CelersDatabase>,
  names: readonly string[],
): Promise<Record<string, string>> {
  return showNameValue(db, 'STATUS', names);
}

async function showNameValue(
  db: Kysely<CelersDatabase>,
  what: 'VARIABLES' | 'STATUS',
  names: readonly string[],
): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  const keyword = what === 'VARIABLES' ? sql`VARIABLES` : sql`STATUS`;
  const { rows } = await sql<{ Variable_name: string; Value: unknown }>`
    SHOW GLOBAL ${keyword} WHERE Variable_name IN (${sql.join(names.map((n) => sql`${n}`))})`.execute(db);
  const out: Record<string, string> = {};
  for (const row of rows) out[row.Variable_name.toLowerCase()] = row.Value == null ? '' : String(row.Value);
  return out;
}
