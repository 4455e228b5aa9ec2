import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTask, decodePayload } from '@celers/core';
import {
  CELERS_TABLES,
  CELERS_VIEWS,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
} from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { REPO_ROOT, readOpsPage, runBash, taggedBlocks, writeOptionFile } from './ops-doc-snippets.js';

// Runs the tested command blocks of docs/operations/backup-restore.md and scripts/backup/celers-backup.sh
// against the test server, and checks that restored tasks are the same tasks and can be claimed.

const ALL_TABLES = [
  ...CELERS_TABLES,
  ...CELERS_VIEWS,
  DEFAULT_MIGRATION_TABLE,
  DEFAULT_MIGRATION_LOCK_TABLE,
].sort();
const blocks = taggedBlocks(readOpsPage('backup-restore.md'));
const databases: TestDatabase[] = [];
let src: TestDatabase;
let broker: MysqlBroker;
let work: string;
let cnf: string;
const payloads = new Map<string, unknown>();
let pendingIds: string[] = [];
let processingId: string;
let delayedId: string;

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

function block(name: string): string {
  const text = blocks.get(name);
  if (!text) throw new Error(`docs/operations/backup-restore.md has no block tagged ${name}`);
  return text;
}

function docCommand(name: string, database: string, extra: Record<string, string> = {}) {
  return runBash(block(name), work, { CELERS_CNF: cnf, CELERS_DB: database, ...extra });
}

/** Everything restorable about the celers rows, payload bytes included (as hex). */
async function snapshot(b: MysqlBroker) {
  const db = b.database;
  const tasks = await sql<Record<string, unknown>>`
    SELECT id, queue_name, task_name, HEX(payload) AS payload, content_encoding, state, priority, retry_count,
           max_retries, scheduled_at, started_at, completed_at, lease_expires_at, receipt_handle, worker_id,
           error_message, metadata
      FROM celers_tasks ORDER BY id`.execute(db);
  const dlq =
    await sql`SELECT id, task_id, HEX(payload) AS payload, error_message, failed_at FROM celers_dead_letter_queue ORDER BY id`.execute(
      db,
    );
  const results =
    await sql`SELECT task_id, status, result, completed_at FROM celers_task_results ORDER BY task_id`.execute(
      db,
    );
  const migrations = await sql`SELECT name FROM celers_migrations ORDER BY name`.execute(db);
  return { tasks: tasks.rows, dlq: dlq.rows, results: results.rows, migrations: migrations.rows };
}

beforeAll(async () => {
  src = await freshDatabase();
  broker = await MysqlBroker.connect({ url: src.url, queue: 'backup', migrate: true });
  work = mkdtempSync(join(tmpdir(), 'celers-backup-'));
  cnf = writeOptionFile(src.url, join(work, 'celers-backup.cnf'));

  // processing: claimed by a worker that will be "gone" after the restore (its lease already ran out)
  const claimed = createTask('report.render', { report: 42 }, { priority: 9 });
  processingId = await broker.enqueue(claimed);
  payloads.set(processingId, { report: 42 });
  const msg = await broker.dequeue({ workerId: 'old-host' });
  expect(msg?.task.metadata.id).toBe(processingId);
  await broker.database
    .updateTable('celers_live_tasks')
    .set({ lease_expires_at: sql`UTC_TIMESTAMP(6) - INTERVAL 1 SECOND` })
    .where('id', '=', processingId)
    .execute();

  // completed, with a result
  const done = await broker.enqueue(createTask('emails.send', { to: 'ana@example.com' }, { priority: 8 }));
  const m2 = await broker.dequeue();
  expect(m2?.task.metadata.id).toBe(done);
  await broker.ackBatch([
    { taskId: done, receiptHandle: m2!.receiptHandle, result: { result: { sent: true } } },
  ]);

  // dead-lettered
  const dead = await broker.enqueue(createTask('flaky', { n: 1 }, { priority: 7, maxRetries: 0 }));
  const m3 = await broker.dequeue();
  expect(m3?.task.metadata.id).toBe(dead);
  expect((await broker.reject(dead, m3!.receiptHandle, { error: 'gave up' })).outcome).toBe('dead-lettered');

  // pending: small, unicode, binary-compressed (a large payload is DEFLATEd) and delayed
  const big = { text: 'celers '.repeat(5_000), bytes: Array.from({ length: 300 }, (_, i) => (i * 37) % 256) };
  const values: unknown[] = [{ to: 'zoë@example.com', emoji: '📬' }, big, null, [1, 2, 3]];
  for (const value of values) {
    const id = await broker.enqueue(
      createTask('pending.work', value, { compression: value === big ? true : 'auto' }),
    );
    payloads.set(id, value);
    pendingIds.push(id);
  }
  delayedId = await broker.enqueueAfter(createTask('later', { at: 'tomorrow' }), 3_600_000);
  payloads.set(delayedId, { at: 'tomorrow' });
  pendingIds.push(delayedId);
  pendingIds = pendingIds.sort();
  expect(await broker.results.get(done)).toMatchObject({ status: 'SUCCESS', result: { sent: true } });
  const encodings = await broker.database
    .selectFrom('celers_tasks')
    .select('content_encoding')
    .where('content_encoding', '=', 'deflate')
    .execute();
  expect(encodings.length).toBeGreaterThan(0); // the binary case is really exercised

  for (const name of ['backup-full', 'backup-compressed', 'backup-selective', 'backup-dlq-results']) {
    await docCommand(name, src.name);
  }
});

afterAll(async () => {
  await broker?.close();
  for (const db of databases) await db.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('docs/operations/backup-restore.md', () => {
  it('documents every celers table, in the dump commands and in the backup script', () => {
    for (const name of ['backup-full', 'backup-compressed']) {
      const tables = [...new Set(block(name).match(/\bcelers_[a-z_]+\b/g))]
        .filter((t) => t !== 'celers_backup')
        .sort();
      expect(tables).toEqual(ALL_TABLES);
    }
    const script = readFileSync(join(REPO_ROOT, 'scripts/backup/celers-backup.sh'), 'utf8');
    const array = /TABLES=\(\n([\s\S]*?)\n\)/.exec(script)?.[1] ?? '';
    expect(array.split(/\s+/).filter(Boolean).sort()).toEqual(ALL_TABLES);
    expect(readFileSync(join(work, 'celers_backup.sql'), 'utf8')).toMatch(/-- Dump completed/);
  });

  it('restores a full dump into a new database: same ids, states and payload bytes, and a broker claims them', async () => {
    const target = await freshDatabase();
    await docCommand('restore', target.name);
    const restored = await MysqlBroker.connect({ url: target.url, queue: 'backup' }); // no MIGRATION_REQUIRED
    try {
      expect(await snapshot(restored)).toEqual(await snapshot(broker));
      // the orphaned processing task comes back through lease recovery, as the page says
      expect(await restored.recoverTimedOutTasks()).toBe(1);
      const claimed = await restored.dequeueBatch(10, { workerId: 'new-host' });
      const due = [processingId, ...pendingIds.filter((id) => id !== delayedId)].sort();
      expect(claimed.map((m) => m.task.metadata.id).sort()).toEqual(due); // the delayed task stays invisible
      for (const m of claimed) expect(decodePayload(m.task)).toEqual(payloads.get(m.task.metadata.id));
      for (const m of claimed) await restored.ack(m.task.metadata.id, m.receiptHandle);
    } finally {
      await restored.close();
    }
  });

  it('restores a compressed dump in place after the tables were dropped', async () => {
    const before = await snapshot(broker);
    const db = await freshDatabase();
    await docCommand('restore', db.name); // a copy to destroy, so the source stays intact for other tests
    const copy = await MysqlBroker.connect({ url: db.url, queue: 'backup' });
    try {
      for (const view of CELERS_VIEWS) await sql.raw(`DROP VIEW ${view}`).execute(copy.database);
      for (const table of ALL_TABLES.filter((t) => !(CELERS_VIEWS as readonly string[]).includes(t)))
        await sql.raw(`DROP TABLE ${table}`).execute(copy.database);
      await expect(MysqlBroker.connect({ url: db.url, queue: 'backup' })).rejects.toMatchObject({
        code: 'MIGRATION_REQUIRED',
      });
      await docCommand('restore-compressed', db.name);
      expect(await snapshot(copy)).toEqual(before);
      const msg = await copy.dequeue();
      expect(msg).not.toBeNull();
      expect(decodePayload(msg!.task)).toEqual(payloads.get(msg!.task.metadata.id));
    } finally {
      await copy.close();
    }
  });

  it('moves only pending and processing tasks with the selective dump, into a migrated database, repeatably', async () => {
    const target = await freshDatabase();
    const staging = await MysqlBroker.connect({ url: target.url, queue: 'backup', migrate: true });
    try {
      await docCommand('restore-selective', src.name, { CELERS_TARGET_DB: target.name });
      await docCommand('restore-selective', src.name, { CELERS_TARGET_DB: target.name }); // --insert-ignore: no duplicates, no error
      const rows = await staging.database
        .selectFrom('celers_tasks')
        .select(['id', 'state'])
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.id)).toEqual([processingId, ...pendingIds].sort());
      // The delayed task is stored 'scheduled' (pending, not yet due).
      expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['pending', 'scheduled', 'processing']));
      const msg = await staging.dequeue();
      expect(decodePayload(msg!.task)).toEqual(payloads.get(msg!.task.metadata.id));
    } finally {
      await staging.close();
    }
    expect(readFileSync(join(work, 'celers_dlq.sql'), 'utf8')).toMatch(
      /INSERT INTO `celers_dead_letter_queue`/,
    );
    expect(readFileSync(join(work, 'celers_results.sql'), 'utf8')).toMatch(
      /INSERT INTO `celers_task_results`/,
    );
  });

  it("celers-backup.sh writes a verified backup, deletes only this database's old backups, and restores", async () => {
    const dir = join(work, 'backups');
    const cmd = block('backup-script').replace('/var/backups/celers', dir);
    await runBash(`mkdir -p '${dir}'`, work, {});
    const oldOwn = join(dir, `celers_${src.name}_20200101T000000Z.sql.gz`);
    const oldOther = join(dir, 'celers_otherdb_20200101T000000Z.sql.gz');
    const unrelated = join(dir, 'notes.txt');
    for (const f of [oldOwn, oldOther, unrelated]) {
      writeFileSync(f, 'x');
      const old = new Date(Date.now() - 20 * 24 * 3600_000);
      utimesSync(f, old, old);
    }
    const { stdout } = await runBash(cmd, REPO_ROOT, { CELERS_CNF: cnf, CELERS_DB: src.name });
    const file = stdout.trim();
    expect(file).toMatch(new RegExp(`/celers_${src.name}_\\d{8}T\\d{6}Z\\.sql\\.gz$`));
    expect(existsSync(file)).toBe(true);
    expect(existsSync(oldOwn)).toBe(false);
    expect(existsSync(oldOther)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
    expect(readdirSync(dir).some((f) => f.endsWith('.partial'))).toBe(false);

    const target = await freshDatabase();
    await runBash(`gunzip < '${file}' | mysql --defaults-extra-file="$CELERS_CNF" "$CELERS_DB"`, work, {
      CELERS_CNF: cnf,
      CELERS_DB: target.name,
    });
    const restored = await MysqlBroker.connect({ url: target.url, queue: 'backup' });
    try {
      const mine = await snapshot(broker);
      expect((await snapshot(restored)).tasks.map((t) => t.id)).toEqual(mine.tasks.map((t) => t.id));
    } finally {
      await restored.close();
    }
  });

  it('celers-backup.sh fails loudly and leaves no file when the dump fails', async () => {
    const dir = join(work, 'failing');
    await expect(
      runBash(join(REPO_ROOT, 'scripts/backup/celers-backup.sh'), work, {
        CELERS_DB_NAME: 'celers_no_such_database',
        CELERS_DB_DEFAULTS_FILE: cnf,
        CELERS_BACKUP_DIR: dir,
      }),
    ).rejects.toMatchObject({ code: expect.any(Number) });
    expect(readdirSync(dir)).toEqual([]);
    await expect(
      runBash(join(REPO_ROOT, 'scripts/backup/celers-backup.sh'), work, {
        CELERS_DB_NAME: src.name,
        CELERS_BACKUP_RETENTION_DAYS: 'soon',
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('whole number') });
  });
});
