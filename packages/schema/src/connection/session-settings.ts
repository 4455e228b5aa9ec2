import { CompiledQuery } from 'kysely';

/**
 * The `sql_mode` every celers session runs in, whatever the server's default. Pinned whole rather than
 * edited: mysql2 escapes values on the client with backslashes, so `NO_BACKSLASH_ESCAPES` would turn
 * every quote in a value into an injection; `ANSI_QUOTES`, `PIPES_AS_CONCAT` or MariaDB's `ORACLE` would
 * change how celers's SQL parses; and without a strict mode an over-long or invalid value is silently
 * truncated instead of rejected. Every mode here exists on MySQL 8.0+ and MariaDB 10.6+ (MySQL 8 removed
 * `NO_AUTO_CREATE_USER`; `NO_ZERO_DATE` is deprecated there; celers never writes zero dates).
 */
export const CELERS_SQL_MODE = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/**
 * Run once per new connection, before any celers statement: sql_mode and UTC in one SET (one round trip),
 * then READ COMMITTED (MariaDB 10.11 has no `transaction_isolation` variable to fold into the SET). Nothing
 * is added per statement.
 * @internal
 */
export const SESSION_SETUP_STATEMENTS: readonly CompiledQuery[] = [
  CompiledQuery.raw(`SET SESSION sql_mode = '${CELERS_SQL_MODE}', SESSION time_zone = '+00:00'`),
  CompiledQuery.raw('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED'),
];
