import { type Kysely, sql } from 'kysely';

/** A kysely handle over any schema: these tables belong to kombu and Celery, not to celers's typed schema. */
// biome-ignore lint/suspicious/noExplicitAny: the Celery tables are addressed with raw SQL only
export type AnyDb = Kysely<any>;

/**
 * How ids are made for the three Celery tables. SQLAlchemy declares `Sequence(...)` on their ids: on
 * MariaDB (which has sequences) it creates `message_id_sequence` & co and inserts `NEXTVAL(...)`; on MySQL
 * it falls back to AUTO_INCREMENT. celers must do the same, or Python and celers would hand out the same ids.
 */
export interface CelerySchema {
  readonly messageId: ReturnType<typeof sql.raw>;
  readonly queueId: ReturnType<typeof sql.raw>;
  readonly taskMetaId: ReturnType<typeof sql.raw>;
}

const ensured = new WeakMap<object, Promise<CelerySchema>>();

/**
 * Creates kombu's `kombu_queue`/`kombu_message`, Celery's `celery_taskmeta` (same DDL as SQLAlchemy emits,
 * so Python works on them unchanged) and celers's lease side table, when missing. Once per `db`.
 */
export function ensureCelerySchema(db: AnyDb): Promise<CelerySchema> {
  let pending = ensured.get(db);
  if (!pending) {
    pending = createSchema(db);
    pending.catch(() => ensured.delete(db));
    ensured.set(db, pending);
  }
  return pending;
}

async function createSchema(db: AnyDb): Promise<CelerySchema> {
  const version = await sql<{ v: string }>`SELECT VERSION() AS v`.execute(db);
  const mariadb = /mariadb/i.test(version.rows[0]?.v ?? '');
  const idColumn = mariadb ? 'id INT NOT NULL' : 'id INT NOT NULL AUTO_INCREMENT';
  if (mariadb)
    for (const seq of ['queue_id_sequence', 'message_id_sequence', 'task_id_sequence'])
      await sql.raw(`CREATE SEQUENCE IF NOT EXISTS ${seq}`).execute(db);
  await sql
    .raw(`CREATE TABLE IF NOT EXISTS kombu_queue (
      ${idColumn}, name VARCHAR(200) NULL, PRIMARY KEY (id), UNIQUE KEY name (name)
    ) ENGINE=InnoDB`)
    .execute(db);
  await sql
    .raw(`CREATE TABLE IF NOT EXISTS kombu_message (
      ${idColumn}, visible TINYINT(1) NULL, timestamp DATETIME NULL, payload TEXT NOT NULL,
      version SMALLINT NOT NULL, queue_id INT NULL, PRIMARY KEY (id),
      KEY ix_kombu_message_visible (visible), KEY ix_kombu_message_timestamp (timestamp),
      KEY ix_kombu_message_timestamp_id (timestamp, id),
      CONSTRAINT FK_kombu_message_queue FOREIGN KEY (queue_id) REFERENCES kombu_queue (id)
    ) ENGINE=InnoDB`)
    .execute(db);
  await sql
    .raw(`CREATE TABLE IF NOT EXISTS celery_taskmeta (
      ${idColumn}, task_id VARCHAR(155) NULL, status VARCHAR(50) NULL, result BLOB NULL,
      date_done DATETIME NULL, traceback TEXT NULL, name VARCHAR(155) NULL, args BLOB NULL,
      kwargs BLOB NULL, worker VARCHAR(155) NULL, retries INT NULL, queue VARCHAR(155) NULL,
      PRIMARY KEY (id), UNIQUE KEY task_id (task_id)
    ) ENGINE=InnoDB`)
    .execute(db);
  // celers's own side table: kombu's transport has no lease, so a claim records one here. SQLAlchemy never
  // sees this table, so Python keeps working on kombu_message unchanged.
  await sql
    .raw(`CREATE TABLE IF NOT EXISTS celers_celery_leases (
      message_id INT NOT NULL PRIMARY KEY,
      receipt CHAR(36) NULL,
      lease_expires_at DATETIME(3) NULL,
      delivery_count INT NOT NULL DEFAULT 0,
      KEY idx_celery_leases_receipt (receipt),
      KEY idx_celery_leases_expires (lease_expires_at)
    ) ENGINE=InnoDB`)
    .execute(db);
  const sequences = mariadb
    ? await sql<{ name: string }>`SELECT TABLE_NAME AS name FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE'`.execute(db)
    : { rows: [] };
  const has = new Set(sequences.rows.map((r) => r.name));
  const id = (seq: string) => sql.raw(has.has(seq) ? `NEXTVAL(${seq})` : 'NULL');
  return Object.freeze({
    messageId: id('message_id_sequence'),
    queueId: id('queue_id_sequence'),
    taskMetaId: id('task_id_sequence'),
  });
}

/** The `kombu_queue.id` of `name`, inserting the row (as kombu's `_get_or_create` does) when missing. */
export async function queueIdFor(db: AnyDb, schema: CelerySchema, name: string): Promise<number> {
  const found = await sql<{ id: number }>`SELECT id FROM kombu_queue WHERE name = ${name}`.execute(db);
  if (found.rows[0]) return found.rows[0].id;
  await sql`INSERT IGNORE INTO kombu_queue (id, name) VALUES (${schema.queueId}, ${name})`.execute(db);
  const created = await sql<{ id: number }>`SELECT id FROM kombu_queue WHERE name = ${name}`.execute(db);
  const row = created.rows[0];
  if (!row) throw new Error(`kombu_queue row for ${name} vanished after insert`);
  return row.id;
}
