import type { Kysely, Migration } from 'kysely';
import { DEFAULTS_ADDED_BY_0018, LIVE_TASK_DEFAULTS } from '../live-task-defaults.js';
import { alterLiveTable } from './table-migration.js';

/**
 * Issue 17: `state`, `content_type` and `content_encoding` of the live table get the defaults a plain task holds
 * ('pending', 'application/json', 'identity'), so the broker's INSERTs can leave them out (see
 * live-task-defaults.ts). A default is table metadata: `ALGORITHM=INSTANT` refuses anything that would copy or
 * rebuild the table, on MariaDB and on MySQL. Setting a default twice changes nothing, so both steps are idempotent.
 */
export const liveTaskDefaults: Migration = {
  async up(db: Kysely<unknown>) {
    await alterLiveTable(db, [
      ...DEFAULTS_ADDED_BY_0018.map((c) => `ALTER COLUMN ${c} SET DEFAULT '${LIVE_TASK_DEFAULTS[c]}'`),
      'ALGORITHM=INSTANT',
    ]);
  },
  async down(db: Kysely<unknown>) {
    await alterLiveTable(db, [
      ...DEFAULTS_ADDED_BY_0018.map((c) => `ALTER COLUMN ${c} DROP DEFAULT`),
      'ALGORITHM=INSTANT',
    ]);
  },
};
