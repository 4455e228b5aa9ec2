import { formatValue, truncate } from './format-value.js';

/** One column of a human table. */
export interface TableColumn<Row> {
  /** Column heading. */
  header: string;
  /** Cell value for a row (formatted with `formatValue`). */
  value: (row: Row) => unknown;
  /** Longest cell text before truncation. @defaultValue 60 */
  maxWidth?: number;
}

/**
 * Formats rows as an aligned plain-text table (heading line, then one line per row), or `(none)` when
 * there are no rows.
 *
 * @example
 * ```ts
 * formatTable([{ id: 'a', n: 1 }], [{ header: 'ID', value: (r) => r.id }, { header: 'N', value: (r) => r.n }]);
 * // 'ID  N\na   1'
 * ```
 * @internal the CLI's own output; not exported from the package
 */
export function formatTable<Row>(rows: readonly Row[], columns: readonly TableColumn<Row>[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => truncate(formatValue(c.value(row)), c.maxWidth ?? 60)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (parts: readonly string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** Formats `label: value` pairs with aligned labels (for `show` commands). */
export function formatDetails(entries: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${formatValue(v)}`).join('\n');
}
