import type { Kysely, Migration } from 'kysely';
import { type DefaultedLiveTaskColumn, LIVE_TASK_DEFAULTS } from '../live-task-defaults.js';
import { alterLiveTable } from './table-migration.js';

/** The columns this migration gives a default (0013 created the others of LIVE_TASK_DEFAULTS with theirs). */
const ADDED = [
  'state',
  'content_type',
  'content_encoding',
] as const satisfies readonly DefaultedLiveTaskColumn[];

/**
 * Issue 17: `state`, `content_type` and `content_encoding` of the live table get the defaults a plain task holds
 * ('pending', 'application/json', 'identity'), so the broker's INSERTs can leave them out (see
 * live-task-defaults.ts). A default is table metadata: `ALGORITHM=INSTANT` refuses anything that would copy or
 * rebuild the table, on MariaDB and on MySQL. Setting a default twice changes nothing, so both steps are idempotent.
 */
export const liveTaskDefaults: Migration = {
  async up(db: Kysely<unknown>) {
    await alterLiveTable(db, [
      ...ADDED.map((c) => `ALTER COLUMN ${c} SET DEFAULT '${LIVE_TASK_DEFAULTS[c]}'`),
      'ALGORITHM=INSTANT',
    ]);
  },
  async down(db: Kysely<unknown>) {
    await alterLiveTable(db, [...ADDED.map((c) => `ALTER COLUMN ${c} DROP DEFAULT`), 'ALGORITHM=INSTANT']);
  },
};
