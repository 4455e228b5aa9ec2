import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';

/** Where a list page starts and how long it is (validated by the request parsers). */
export interface PageWindow {
  limit: number;
  offset: number;
}

/**
 * `error_message` contains `text`: INSTR, not LIKE, so the text is matched literally (no wildcards to escape);
 * the columns are utf8mb4_bin, so both sides are lower-cased for a case-insensitive match.
 */
export function errorMessageContains(text: string): Expression<SqlBool> {
  return sql<SqlBool>`INSTR(LOWER(${sql.ref('error_message')}), LOWER(${text})) > 0`;
}

/**
 * One page of a filtered list and the number of rows matching the filters, read together: `rows` selects,
 * orders and returns the page's columns from `filtered`, the count runs on `filtered` as it is.
 */
export async function readPage<DB, TB extends keyof DB, Row>(
  filtered: SelectQueryBuilder<DB, TB, object>,
  rows: (q: SelectQueryBuilder<DB, TB, object>) => SelectQueryBuilder<DB, TB, Row>,
  page: PageWindow,
): Promise<{ rows: Row[]; total: number; limit: number; offset: number }> {
  const [found, count] = await Promise.all([
    rows(filtered).limit(page.limit).offset(page.offset).execute(),
    filtered.select(sql<number>`COUNT(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: found, total: Number((count as { n: unknown }).n), limit: page.limit, offset: page.offset };
}
