// The column defaults of celers_live_tasks that new rows rely on (migration 0018, issue 17).
//
// MariaDB and MySQL parse every value of a multi-row INSERT: for 500 rows that is most of the statement's server
// time, more than the row's width (measured in docs/design.md, "New rows leave out their default values"). An
// INSERT that names only the columns whose value differs from the default sends 6 values per plain task instead of
// 15. The broker (enqueue.sql.ts) leaves out a column when every row of the statement holds its default here, so
// these values and the table's DEFAULT clauses must agree: schema/test/migrations.test.ts compares them.

/** A column of the live table with a default a new task row may rely on, and that default. */
export const LIVE_TASK_DEFAULTS = {
  state: 'pending',
  content_type: 'application/json',
  content_encoding: 'identity',
  priority: 0,
  retry_count: 0,
  max_retries: 3,
  timeout_ms: null,
  retry_policy: null,
} as const satisfies Record<string, string | number | null>;

/** A live-table column with a default in {@link LIVE_TASK_DEFAULTS}. */
export type DefaultedLiveTaskColumn = keyof typeof LIVE_TASK_DEFAULTS;
