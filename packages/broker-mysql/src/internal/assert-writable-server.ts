import { CelersError } from '@celers/core';
import type { CelersDatabase } from '@celers/schema';
import { type Kysely, sql } from 'kysely';

/** Server flags that make a server refuse (or, for privileged users, merely discourage) writes. */
const READ_ONLY_FLAGS = ['read_only', 'super_read_only', 'innodb_read_only'] as const;

/**
 * Fails with `UNSUPPORTED` when the server is read-only (a replica, or a demoted primary): a broker claims,
 * acks and enqueues, which are writes, and a privileged user's writes to a replica would even succeed and
 * fork it from its primary. SHOW VARIABLES works on MariaDB (no `super_read_only`) and MySQL alike.
 * @internal
 */
export async function assertWritableServer(db: Kysely<CelersDatabase>): Promise<void> {
  const { rows } = await sql<{ Variable_name: string; Value: string }>`
    SHOW GLOBAL VARIABLES WHERE Variable_name IN (${sql.join(READ_ONLY_FLAGS.map((f) => sql.lit(f)))})`.execute(
    db,
  );
  const set = rows.filter((r) => !['OFF', '0', ''].includes(String(r.Value).toUpperCase()));
  if (set.length === 0) return;
  const flags = set.map((r) => `${r.Variable_name}=${r.Value}`).join(', ');
  throw new CelersError(
    'UNSUPPORTED',
    `connect: the server is read-only (${flags}); a broker needs the primary (point readers such as QueueMonitor at replicas instead)`,
  );
}
