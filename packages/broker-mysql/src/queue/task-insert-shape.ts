import { type DefaultedLiveTaskColumn, LIVE_TASK_DEFAULTS } from '@celers/schema';
import { sqlLiteral } from '../internal/sql-literal.js';
import { TASK_INSERT_COLUMNS, type TaskInsertValues } from '../internal/task-row-mapper.js';

/** The insert columns that have a table default a statement may rely on, each with its bit in a column mask. */
const DEFAULTED = TASK_INSERT_COLUMNS.filter((c): c is DefaultedLiveTaskColumn => c in LIVE_TASK_DEFAULTS);

/** The columns an INSERT of new task rows names, and its text up to the rows. @internal */
export interface InsertShape {
  columns: readonly (keyof TaskInsertValues)[];
  /** `INSERT INTO celers_live_tasks (…) ` up to (not including) `VALUES` or `SELECT`. */
  into: string;
}
/** The shapes built so far, by column mask: at most 2^8, usually one or two. */
const shapes = new Map<number, InsertShape>();

/** Bit `i` set: some row holds a value other than the default of `DEFAULTED[i]`, so the statement names it. */
function columnMask(rows: readonly TaskInsertValues[]): number {
  let mask = 0;
  for (const row of rows) {
    for (let i = 0; i < DEFAULTED.length; i++) {
      const c = DEFAULTED[i]!;
      if (row[c] !== LIVE_TASK_DEFAULTS[c]) mask |= 1 << i;
    }
  }
  return mask;
}

/**
 * The shape of an INSERT of `rows`: every column without a default, and each defaulted one that some row sets to
 * another value. The server parses every value of a multi-row INSERT, which is most of its time for small rows, so a
 * plain task sends 6 values instead of 15 (issue 17; @celers/schema live-task-defaults.ts).
 * @internal
 */
export function insertShape(rows: readonly TaskInsertValues[]): InsertShape {
  const mask = columnMask(rows);
  let shape = shapes.get(mask);
  if (shape === undefined) {
    const columns = TASK_INSERT_COLUMNS.filter((c) => {
      const bit = DEFAULTED.indexOf(c as DefaultedLiveTaskColumn);
      return bit < 0 || (mask & (1 << bit)) !== 0;
    });
    shape = {
      columns,
      into: `INSERT INTO celers_live_tasks (${[...columns, 'created_at', 'scheduled_at'].join(', ')}) `,
    };
    shapes.set(mask, shape);
  }
  return shape;
}

/**
 * One row's values in the shape's column order as SQL literals ({@link sqlLiteral}), then `created_at` (the database
 * clock) and `scheduledSql`, without the parentheses. @internal
 */
export function rowLiterals(shape: InsertShape, values: TaskInsertValues, scheduledSql: string): string {
  let text = '';
  for (const c of shape.columns) text += `${sqlLiteral(values[c])}, `;
  return `${text}UTC_TIMESTAMP(6), ${scheduledSql}`;
}
