import { type Kysely, sql } from 'kysely';

// What the migrations ask information_schema before they change a table, so a rerun after an interruption
// skips the steps already done, and the one way they walk a large table.

/** `BASE TABLE`, `VIEW`, or null when `table` does not exist in the current database. */
export async function tableType(db: Kysely<unknown>, table: string): Promise<string | null> {
  const r = await sql<{ t: string }>`SELECT table_type AS t FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_name = ${table}`.execute(db);
  return r.rows[0]?.t ?? null;
}

/** Whether `table` has an index named `index`. */
export async function hasIndex(db: Kysely<unknown>, table: string, index: string): Promise<boolean> {
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = ${table} AND index_name = ${index}`.execute(db);
  return Number(r.rows[0]?.n ?? 0) > 0;
}

/** The generation expression of `column` of `table`; null when it is absent (or not generated). */
export async function generationExpression(
  db: Kysely<unknown>,
  table: string,
  column: string,
): Promise<string | null> {
  const r = await sql<{ e: string | null }>`SELECT generation_expression AS e FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = ${table} AND column_name = ${column}`.execute(db);
  return r.rows[0]?.e ?? null;
}

/** The columns of index `index` of `table`, in key order; empty when the index is absent. */
export async function indexColumns(db: Kysely<unknown>, table: string, index: string): Promise<string[]> {
  const r = await sql<{ c: string }>`SELECT column_name AS c FROM information_schema.statistics
    WHERE table_schema = DATABASE() AND table_name = ${table} AND index_name = ${index}
    ORDER BY seq_in_index`.execute(db);
  return r.rows.map((row) => row.c);
}

/** Whether `table` has a column named `column`. */
export async function hasColumn(db: Kysely<unknown>, table: string, column: string): Promise<boolean> {
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.columns
    WHERE table_schema = DATABASE() AND table_name = ${table} AND column_name = ${column}`.execute(db);
  return Number(r.rows[0]?.n ?? 0) > 0;
}

/**
 * Walks `table` once by primary key (`id`), `chunk` ids per read, and calls `visit` with each chunk's ids: short
 * statements that lock one chunk at a time, and no re-scan of rows already passed.
 */
export async function forEachIdChunk(
  db: Kysely<unknown>,
  table: string,
  chunk: number,
  visit: (ids: string[]) => Promise<unknown>,
): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await sql<{ id: string }>`SELECT id FROM ${sql.table(table)}
      WHERE id > ${after} ORDER BY id LIMIT ${chunk}`.execute(db);
    const last = rows.rows.at(-1);
    if (last === undefined) return;
    await visit(rows.rows.map((r) => r.id));
    if (rows.rows.length < chunk) return;
    after = last.id;
  }
}
