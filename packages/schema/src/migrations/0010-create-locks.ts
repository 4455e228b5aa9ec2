import { TABLE_OPTIONS, TIME } from './ddl-fragments.js';
import { tableMigration } from './table-migration.js';

// Named leases with an expiry: unlike GET_LOCK, a lease survives connection churn and a crashed holder's
// lease simply runs out, so another host can take over.
export const createLocks = tableMigration(
  'celers_locks',
  `CREATE TABLE IF NOT EXISTS celers_locks (
  lock_name VARCHAR(191) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  owner VARCHAR(255) NOT NULL,
  acquired_at ${TIME} NOT NULL,
  expires_at ${TIME} NOT NULL,
  PRIMARY KEY (lock_name)
) ${TABLE_OPTIONS}`,
);
