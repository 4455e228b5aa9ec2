import { compileClaimStatement } from '@celers/broker-mysql';
import type { CelersDatabase } from '@celers/schema';
import { CompiledQuery, type Kysely } from 'kysely';
import { toNullableNumber } from '../internal/numbers.js';
import type { ExplainParameter } from './read-only-statement.js';

/** One row of an EXPLAIN plan (the seed's `QueryPlan`), on MySQL and MariaDB alike. */
export interface QueryPlanRow {
  id: number | null;
  selectType: string | null;
  table: string | null;
  /** Access type: `ALL` (full scan), `index`, `range`, `ref`, `eq_ref`, `const`, ... */
  accessType: string | null;
  possibleKeys: string[];
  /** The index chosen, or `null` for none. */
  key: string | null;
  keyLength: string | null;
  ref: string | null;
  /** Estimated rows examined. */
  rows: number | null;
  /** Percentage of rows kept by the condition (MySQL only; `null` on MariaDB). */
  filtered: number | null;
  /** e.g. `Using where; Using index`, `Using filesort`. */
  extra: string | null;
}

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** Maps EXPLAIN's columns to {@link QueryPlanRow}. @internal */
export function toQueryPlanRow(row: Record<string, unknown>): QueryPlanRow {
  const possible = str(row.possible_keys);
  return {
    id: toNullableNumber(row.id),
    selectType: str(row.select_type),
    table: str(row.table),
    accessType: str(row.type),
    possibleKeys: possible ? possible.split(',') : [],
    key: str(row.key),
    keyLength: str(row.key_len),
    ref: str(row.ref),
    rows: toNullableNumber(row.rows),
    filtered: toNullableNumber(row.filtered),
    extra: str(row.Extra ?? row.extra),
  };
}

/**
 * EXPLAIN of the broker's claim statement exactly as it sends it (`compileClaimStatement`: the `FORCE INDEX`,
 * the pause-flag subquery; its table is aliased `t`). A hand copy without the hint would plan differently: the
 * optimizer may prefer another live index and sort (the promotion index of migrations 0014–0015 was one),
 * which the broker never does. EXPLAIN plans without executing or locking.
 * @internal
 */
export async function explainClaimQuery(
  db: Kysely<CelersDatabase>,
  queue: string,
  limit: number,
): Promise<QueryPlanRow[]> {
  const compiled = compileClaimStatement(db, queue, limit);
  const result = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]),
  );
  return result.rows.map(toQueryPlanRow);
}

/**
 * EXPLAIN of a statement already validated by `assertReadOnlySelect`, inside a READ ONLY transaction so that
 * nothing it could reach is written. The text is the caller's; values travel as parameters.
 * @internal
 */
export async function explainReadOnly(
  db: Kysely<CelersDatabase>,
  statement: string,
  parameters: readonly ExplainParameter[],
): Promise<QueryPlanRow[]> {
  return db
    .transaction()
    .setAccessMode('read only')
    .execute(async (trx) => {
      const result = await trx.executeQuery<Record<string, unknown>>(
        CompiledQuery.raw(`EXPLAIN ${statement}`, [...parameters]),
      );
      return result.rows.map(toQueryPlanRow);
    });
}
