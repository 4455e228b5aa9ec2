import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertMigrated,
  CELERS_TABLES,
  type CelersDatabase,
  createDatabase,
  LIVE_TASK_DEFAULTS,
  listMigrations,
  MIGRATION_NAMES,
  migrate,
  migrateDown,
  migrateUpTo,
  verifyMigrations,
} from '../src/index.js';

let tdb: TestDatabase;
let db: Kysely<CelersDatabase>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
});
afterAll(async () => {
  await db.destroy();
  await tdb.drop();
});

async function tables(): Promise<string[]> {
  const r = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_name LIKE 'celers\\_%' ORDER BY table_name`.execute(db);
  return r.rows.map((x) => x.name);
}

async function indexes(table: string): Promise<string[]> {
  const r = await sql<{ name: string }>`SELECT DISTINCT index_name AS name FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = ${table} ORDER BY index_name`.execute(db);
  return r.rows.map((x) => x.name);
}

/** `first` and every migration after it, in the order they run (what `migrate` applies when `first` is missing). */
function namesFrom(first: (typeof MIGRATION_NAMES)[number]): string[] {
  return MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf(first));
}

describe('migrations', () => {
  it('reports an unmigrated database as MIGRATION_REQUIRED', async () => {
    const v = await verifyMigrations(db);
    expect(v.appliedCount).toBe(0);
    expect(v.missingMigrations).toEqual(MIGRATION_NAMES);
    await expect(assertMigrated(db)).rejects.toMatchObject({ code: 'MIGRATION_REQUIRED' });
  });

  it('creates every table and index on an empty database', async () => {
    const applied = await migrate(db);
    expect(applied).toEqual(MIGRATION_NAMES);
    const names = await tables();
    for (const t of CELERS_TABLES) expect(names).toContain(t);
    expect(names).toContain('celers_migrations');
    expect((await indexes('celers_finished_tasks')).sort()).toEqual([
      'PRIMARY',
      'idx_tasks_completed_at',
      'idx_tasks_created_at',
      'idx_tasks_dequeue',
      'idx_tasks_group',
      'idx_tasks_parent',
      'idx_tasks_task_name_state',
      'idx_tasks_worker',
    ]);
    // The hot table carries only what claims and promotion read (0015 moved the group, parent and dedup
    // lookups to celers_task_links; 0017 folded promotion into idx_tasks_dequeue).
    expect((await indexes('celers_live_tasks')).sort()).toEqual([
      'PRIMARY',
      'idx_tasks_dequeue',
      'idx_tasks_task_name_state',
    ]);
    expect((await indexes('celers_task_links')).sort()).toEqual([
      'PRIMARY',
      'idx_task_links_group',
      'idx_task_links_parent',
      'uq_task_links_dedup',
    ]);
    const view = await sql<{ t: string }>`SELECT table_type AS t FROM information_schema.tables
      WHERE table_schema = DATABASE() AND table_name = 'celers_tasks'`.execute(db);
    expect(view.rows[0]?.t).toBe('VIEW');
    // Results are read by id and purged by age; 0019 dropped the by-name and by-status indexes nothing read.
    expect((await indexes('celers_task_results')).sort()).toEqual(['PRIMARY', 'idx_results_completed_at']);
    expect(await indexes('celers_worker_heartbeat')).toEqual(
      expect.arrayContaining([
        'idx_worker_heartbeat_last',
        'idx_worker_heartbeat_status',
        'idx_worker_heartbeat_queue',
      ]),
    );
    const v = await verifyMigrations(db);
    expect(v).toMatchObject({
      isComplete: true,
      missingCount: 0,
      schemaValid: true,
      appliedCount: MIGRATION_NAMES.length,
    });
    await assertMigrated(db);
  });

  it('is idempotent: a second migrate applies nothing and changes nothing', async () => {
    const before = await sql`SELECT table_name, column_name, column_type FROM information_schema.columns
      WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`.execute(db);
    expect(await migrate(db)).toEqual([]);
    const after = await sql`SELECT table_name, column_name, column_type FROM information_schema.columns
      WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`.execute(db);
    expect(after.rows).toEqual(before.rows);
    const list = await listMigrations(db);
    expect(list.map((m) => m.name)).toEqual(MIGRATION_NAMES);
    expect(list.every((m) => m.appliedAt instanceof Date)).toBe(true);
  });

  it('goes down to zero and up again', async () => {
    const undone = await migrateDown(db, { to: 'zero' });
    expect(undone).toHaveLength(MIGRATION_NAMES.length);
    expect((await tables()).filter((t) => (CELERS_TABLES as readonly string[]).includes(t))).toEqual([]);
    expect(await migrate(db)).toEqual(MIGRATION_NAMES);
    await assertMigrated(db);
  });

  it('reports missing migrations on a partially migrated database', async () => {
    await migrateDown(db, { to: 'zero' });
    await migrateUpTo(db, '0003_create_task_results');
    const v = await verifyMigrations(db);
    expect(v.appliedMigrations).toEqual([
      '0001_create_tasks',
      '0002_create_dead_letter_queue',
      '0003_create_task_results',
    ]);
    expect(v.missingMigrations).toEqual(MIGRATION_NAMES.slice(3));
    expect(v.isComplete).toBe(false);
    expect(v.schemaValid).toBe(true);
    await expect(assertMigrated(db)).rejects.toMatchObject({ code: 'MIGRATION_REQUIRED' });
    await migrate(db);
  });

  it('refuses a database that is ahead of the code', async () => {
    await sql`INSERT INTO celers_migrations (name, timestamp) VALUES ('9999_future', '2030-01-01T00:00:00.000Z')`.execute(
      db,
    );
    const v = await verifyMigrations(db);
    expect(v.unknownMigrations).toEqual(['9999_future']);
    await expect(assertMigrated(db)).rejects.toMatchObject({
      code: 'MIGRATION_REQUIRED',
      message: expect.stringContaining('ahead'),
    });
    await sql`DELETE FROM celers_migrations WHERE name = '9999_future'`.execute(db);
  });

  it('rejects an unknown migration target', async () => {
    await expect(migrateDown(db, { to: 'nope' as never })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'options.to',
    });
  });
});

describe('0011_add_task_delivery_count', () => {
  async function deliveryColumn(): Promise<{ type: string; nullable: string; defaultValue: unknown } | null> {
    const r = await sql<{ type: string; nullable: string; defaultValue: unknown }>`SELECT column_type AS type,
      is_nullable AS nullable, column_default AS defaultValue FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = 'celers_tasks' AND column_name = 'delivery_count'`.execute(
      db,
    );
    return r.rows[0] ?? null;
  }

  async function instantAlterCount(): Promise<number | null> {
    // MariaDB counts metadata-only (INSTANT) column changes; MySQL has no such counter.
    const r = await sql<{ Value: string }>`SHOW GLOBAL STATUS LIKE 'Innodb_instant_alter_column'`.execute(db);
    return r.rows[0] ? Number(r.rows[0].Value) : null;
  }

  it('adds delivery_count = 0 to existing rows, instantly where the server reports it, and drops it going down', async () => {
    await migrateDown(db, { to: 'zero' });
    await migrateUpTo(db, '0010_create_locks');
    expect(await deliveryColumn()).toBeNull();
    await sql`INSERT INTO celers_tasks (id, queue_name, task_name, payload, content_type, content_encoding, state,
      created_at, scheduled_at, metadata) VALUES ('0190c0de-0000-7000-8000-000000000001', 'q', 't', '', 'application/json',
      'identity', 'completed', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), '{}')`.execute(db);

    const instantBefore = await instantAlterCount();
    expect(await migrateUpTo(db, '0011_add_task_delivery_count')).toEqual(['0011_add_task_delivery_count']);
    expect(await deliveryColumn()).toMatchObject({ type: 'int(11)', nullable: 'NO' });
    expect(String((await deliveryColumn())?.defaultValue)).toBe('0');
    const rows = await sql<{ n: number }>`SELECT delivery_count AS n FROM celers_tasks`.execute(db);
    expect(rows.rows.map((r) => Number(r.n))).toEqual([0]);
    // Other test files share the server, so the global counter may grow by more than our one change.
    if (instantBefore !== null) expect(await instantAlterCount()).toBeGreaterThan(instantBefore);
    expect(await indexes('celers_tasks')).toEqual(
      expect.arrayContaining(['idx_tasks_group', 'idx_tasks_parent']),
    );

    expect(await migrateDown(db, { to: '0010_create_locks' })).toEqual(['0011_add_task_delivery_count']);
    expect(await deliveryColumn()).toBeNull();
    expect(await migrate(db)).toEqual(namesFrom('0011_add_task_delivery_count'));
    await sql`DELETE FROM celers_finished_tasks`.execute(db);
    await assertMigrated(db);
  });
});

/** Which of `columns` the live table has, each with its `extra` (upper-cased), in name order. */
async function liveColumnKinds(columns: readonly string[]): Promise<string[][]> {
  const r = await sql<{ c: string; extra: string }>`SELECT column_name AS c, extra
    FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'celers_live_tasks'
    AND column_name IN (${sql.join(columns)}) ORDER BY column_name`.execute(db);
  return r.rows.map((row) => [row.c, row.extra.toUpperCase()]);
}

/** The key of `index` on `table`, in order, descending parts marked ` DESC`. */
async function indexKey(index: string, table: string): Promise<string[]> {
  const r = await sql<{ name: string; collation: string | null }>`SELECT column_name AS name, collation
    FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ${table}
    AND index_name = ${index} ORDER BY seq_in_index`.execute(db);
  return r.rows.map((x) => (x.collation === 'D' ? `${x.name} DESC` : x.name));
}

describe('0012_extend_task_name_index', () => {
  it('extends idx_tasks_task_name_state to the claim order, and goes back down', async () => {
    await migrateUpTo(db, '0012_extend_task_name_index');
    expect(await indexKey('idx_tasks_task_name_state', 'celers_tasks')).toEqual([
      'queue_name',
      'task_name',
      'state',
      'priority DESC',
      'scheduled_at',
      'id',
    ]);
    expect(await migrateDown(db, { to: '0011_add_task_delivery_count' })).toEqual([
      '0012_extend_task_name_index',
    ]);
    expect(await indexKey('idx_tasks_task_name_state', 'celers_tasks')).toEqual([
      'queue_name',
      'task_name',
      'state',
    ]);
    expect(await migrate(db)).toEqual(namesFrom('0012_extend_task_name_index'));
    await assertMigrated(db);
  });
});

describe('0016_claim_stable_indexes', () => {
  it('keys the live per-name and promotion indexes on VIRTUAL claim-stable columns, and goes back down', async () => {
    await migrateUpTo(db, '0016_claim_stable_indexes');
    expect(await indexKey('idx_tasks_task_name_state', 'celers_live_tasks')).toEqual([
      'queue_name',
      'task_name',
      'run_phase',
      'priority DESC',
      'scheduled_at',
      'id',
    ]);
    expect(await indexKey('idx_tasks_promote', 'celers_live_tasks')).toEqual(['queue_name', 'promote_at']);
    // The finished table keeps its state-keyed index.
    expect(await indexKey('idx_tasks_task_name_state', 'celers_finished_tasks')).toContain('state');
    expect(await liveColumnKinds(['run_phase', 'promote_at'])).toEqual([
      ['promote_at', 'VIRTUAL GENERATED'],
      ['run_phase', 'VIRTUAL GENERATED'],
    ]);

    expect(await migrateDown(db, { to: '0015_task_links' })).toEqual(['0016_claim_stable_indexes']);
    expect(await indexKey('idx_tasks_task_name_state', 'celers_live_tasks')).toEqual([
      'queue_name',
      'task_name',
      'state',
      'priority DESC',
      'scheduled_at',
      'id',
    ]);
    expect(await indexKey('idx_tasks_promote', 'celers_live_tasks')).toEqual([
      'queue_name',
      'state',
      'scheduled_at',
    ]);
    expect(await liveColumnKinds(['run_phase', 'promote_at'])).toEqual([]);
    expect(await migrate(db)).toEqual(namesFrom('0016_claim_stable_indexes'));
    await assertMigrated(db);
  });
});

describe('0017_fold_promotion_index', () => {
  it('keys idx_tasks_dequeue on the VIRTUAL claim_priority, drops the promotion index, and goes back down', async () => {
    await migrate(db);
    expect(await indexKey('idx_tasks_dequeue', 'celers_live_tasks')).toEqual([
      'queue_name',
      'state',
      'claim_priority DESC',
      'scheduled_at',
      'id',
    ]);
    expect(await indexKey('idx_tasks_promote', 'celers_live_tasks')).toEqual([]);
    const columns = () => liveColumnKinds(['claim_priority', 'promote_at']);
    expect(await columns()).toEqual([['claim_priority', 'VIRTUAL GENERATED']]);
    // The finished table keeps its key.
    expect(await indexKey('idx_tasks_dequeue', 'celers_finished_tasks')).toContain('priority DESC');

    expect(await migrateDown(db, { to: '0016_claim_stable_indexes' })).toEqual(
      namesFrom('0017_fold_promotion_index').reverse(),
    );
    expect(await indexKey('idx_tasks_dequeue', 'celers_live_tasks')).toEqual([
      'queue_name',
      'state',
      'priority DESC',
      'scheduled_at',
      'id',
    ]);
    expect(await indexKey('idx_tasks_promote', 'celers_live_tasks')).toEqual(['queue_name', 'promote_at']);
    expect(await columns()).toEqual([['promote_at', 'VIRTUAL GENERATED']]);
    expect(await migrate(db)).toEqual(namesFrom('0017_fold_promotion_index'));
    await assertMigrated(db);
  });
});

/**
 * The live table's column defaults, as literals: MariaDB reports a string default quoted and no default as the text
 * `NULL`, MySQL unquoted and as SQL NULL; a column with no default and NOT NULL is `undefined` here.
 */
async function liveDefaults(
  columns: readonly string[],
): Promise<Record<string, string | number | null | undefined>> {
  const r = await sql<{ c: string; d: string | null; nullable: string }>`SELECT column_name AS c,
    column_default AS d, is_nullable AS nullable FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = 'celers_live_tasks' AND column_name IN (${sql.join(columns)})`.execute(
    db,
  );
  const out: Record<string, string | number | null | undefined> = {};
  for (const { c, d, nullable } of r.rows) {
    if (d === null || d === 'NULL') out[c] = nullable === 'YES' ? null : undefined;
    else if (/^-?\d+$/.test(d)) out[c] = Number(d);
    else out[c] = d.replace(/^'(.*)'$/, '$1');
  }
  return out;
}

describe('0018_live_task_defaults', () => {
  const columns = Object.keys(LIVE_TASK_DEFAULTS);

  it('gives the live table the defaults the broker leaves out of its INSERTs, and goes back down', async () => {
    await migrate(db);
    expect(await liveDefaults(columns)).toEqual(LIVE_TASK_DEFAULTS);
    // A row that names only what has no default holds every value of LIVE_TASK_DEFAULTS.
    const id = '01900000-0000-7000-8000-000000000018';
    await sql`INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, metadata, created_at, scheduled_at)
      VALUES (${id}, 'q18', 't', X'7B7D', '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))`.execute(db);
    const row = await sql<Record<string, unknown>>`SELECT ${sql.join(columns.map((c) => sql.ref(c)))}
      FROM celers_live_tasks WHERE id = ${id}`.execute(db);
    expect(row.rows[0]).toEqual(LIVE_TASK_DEFAULTS);
    await sql`DELETE FROM celers_live_tasks WHERE id = ${id}`.execute(db);

    expect(await migrateDown(db, { to: '0017_fold_promotion_index' })).toEqual(
      namesFrom('0018_live_task_defaults').reverse(),
    );
    expect(await liveDefaults(['state', 'content_type', 'content_encoding'])).toEqual({
      state: undefined,
      content_type: undefined,
      content_encoding: undefined,
    });
    expect(await migrate(db)).toEqual(namesFrom('0018_live_task_defaults'));
    expect(await liveDefaults(columns)).toEqual(LIVE_TASK_DEFAULTS);
    await assertMigrated(db);
  });
});

describe('0019_lean_result_indexes', () => {
  it('drops the results indexes nothing reads, keeps every stored result, and goes back down', async () => {
    await migrate(db);
    const taskId = '01900000-0000-7000-8000-000000000019';
    await sql`INSERT INTO celers_task_results (task_id, queue_name, task_name, status, result, created_at, completed_at)
      VALUES (${taskId}, 'q19', 't', 'completed', '{"ok":true}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))`.execute(
      db,
    );
    const stored = async () =>
      (
        await sql<{ status: string; result: string }>`SELECT status, result FROM celers_task_results
          WHERE task_id = ${taskId}`.execute(db)
      ).rows;
    expect((await indexes('celers_task_results')).sort()).toEqual(['PRIMARY', 'idx_results_completed_at']);

    expect(await migrateDown(db, { to: '0018_live_task_defaults' })).toEqual(
      namesFrom('0019_lean_result_indexes').reverse(),
    );
    expect((await indexes('celers_task_results')).sort()).toEqual([
      'PRIMARY',
      'idx_results_completed_at',
      'idx_results_status',
      'idx_results_task_name',
    ]);
    expect(await stored()).toEqual([{ status: 'completed', result: '{"ok":true}' }]);

    expect(await migrate(db)).toEqual(namesFrom('0019_lean_result_indexes'));
    expect((await indexes('celers_task_results')).sort()).toEqual(['PRIMARY', 'idx_results_completed_at']);
    expect(await stored()).toEqual([{ status: 'completed', result: '{"ok":true}' }]);
    await sql`DELETE FROM celers_task_results WHERE task_id = ${taskId}`.execute(db);
    await assertMigrated(db);
  });
});
