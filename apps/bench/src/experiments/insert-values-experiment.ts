import { performance } from 'node:perf_hooks';
import { createTask } from '@celers/core';
import type { BenchDatabase } from '../env/bench-database.js';
import { type ExperimentResult, markdownTable } from './experiment-output.js';

/** One table and row layout under test. */
interface InsertVariant {
  name: string;
  /** Statements that create `table` (the migrated `celers_live_tasks` is there to copy). */
  ddl: (table: string) => string[];
  /** The column list of the INSERT. */
  columns: string;
  /** Row `i` as SQL text, values escaped with `quote`. */
  row: (i: number, quote: (v: unknown) => string) => string;
}

/** A UUIDv7 as celers makes them, as text and as a hex literal of its 16 bytes. */
const newId = () => createTask('bench.id', null).metadata.id;
const hexId = () => `X'${newId().replace(/-/g, '')}'`;
const payload = (i: number) => Buffer.from(JSON.stringify({ i }));

const EVERY_COLUMN =
  '(id, queue_name, task_name, payload, content_type, content_encoding, state, priority, retry_count, max_retries, timeout_ms, retry_policy, metadata, created_at, scheduled_at)';
const everyValue = (id: string, i: number, e: (v: unknown) => string) =>
  `(${id}, 'w2', 'bench.noop', ${e(payload(i))}, 'application/json', 'identity', 'pending', 0, 0, 3, NULL, NULL, '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))`;
const DEFAULTS_LEFT_OUT = '(id, queue_name, task_name, payload, metadata, created_at, scheduled_at)';
const fewValues = (id: string, i: number, e: (v: unknown) => string) =>
  `(${id}, 'w2', 'bench.noop', ${e(payload(i))}, '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))`;
const like = (table: string, ...alter: string[]) => [
  `CREATE TABLE ${table} LIKE celers_live_tasks`,
  ...alter.map((a) => `ALTER TABLE ${table} ${a}`),
];

const VARIANTS: InsertVariant[] = [
  {
    name: "the raw loop's raw_jobs (BIGINT key, 5 values, one secondary index)",
    ddl: (t) => [
      `CREATE TABLE ${t} (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, queue VARCHAR(255) NOT NULL, state VARCHAR(16) NOT NULL, priority INT NOT NULL DEFAULT 0, run_at DATETIME(6) NOT NULL, payload JSON NOT NULL, KEY idx_raw_claim (queue, state, priority, run_at, id))`,
    ],
    columns: '(queue, state, priority, run_at, payload)',
    row: (i, e) => `('w2', 'pending', 0, UTC_TIMESTAMP(6), ${e(JSON.stringify({ i }))})`,
  },
  {
    name: 'celers_live_tasks, every column named (before 0018: 15 values)',
    ddl: (t) => like(t),
    columns: EVERY_COLUMN,
    row: (i, e) => everyValue(e(newId()), i, e),
  },
  {
    name: 'celers_live_tasks, defaults left out (since 0018: 7 values)',
    ddl: (t) => like(t),
    columns: DEFAULTS_LEFT_OUT,
    row: (i, e) => fewValues(e(newId()), i, e),
  },
  {
    name: 'celers_live_tasks, BINARY(16) id, every column named',
    ddl: (t) => like(t, 'MODIFY id BINARY(16) NOT NULL'),
    columns: EVERY_COLUMN,
    row: (i, e) => everyValue(hexId(), i, e),
  },
  {
    name: 'celers_live_tasks, BINARY(16) id, defaults left out',
    ddl: (t) => like(t, 'MODIFY id BINARY(16) NOT NULL'),
    columns: DEFAULTS_LEFT_OUT,
    row: (i, e) => fewValues(hexId(), i, e),
  },
  {
    name: 'celers_live_tasks, defaults left out, no secondary index',
    ddl: (t) => like(t, 'DROP INDEX idx_tasks_task_name_state, DROP INDEX idx_tasks_dequeue'),
    columns: DEFAULTS_LEFT_OUT,
    row: (i, e) => fewValues(e(newId()), i, e),
  },
];

/** Statements per variant and round, rows per statement. */
const STATEMENTS = 50;
const ROWS = 500;

/**
 * What the server spends on one multi-row INSERT of 500 new tasks, by row layout and by how many values the
 * statement carries: the statements are built before the clock starts, so Node does almost nothing while it runs.
 * Needs a migrated database (it copies `celers_live_tasks`). Four rounds, variants in turn.
 */
export async function insertValuesExperiment(
  bench: BenchDatabase,
  log: (m: string) => void,
  scale: number,
): Promise<ExperimentResult> {
  const statements = Math.max(10, Math.round(STATEMENTS * scale));
  const quote = (v: unknown) => bench.admin.escape(v);
  const msPerStatement = new Map<string, number[]>();
  for (const [i, v] of VARIANTS.entries())
    for (const s of v.ddl(`insert_values_${i}`)) await bench.admin.query(s);
  try {
    for (let round = 0; round < 4; round++) {
      for (const [i, v] of VARIANTS.entries()) {
        const table = `insert_values_${i}`;
        const texts = Array.from(
          { length: statements },
          () =>
            `INSERT INTO ${table} ${v.columns} VALUES ${Array.from({ length: ROWS }, (_, r) => v.row(r, quote)).join(', ')}`,
        );
        const start = performance.now();
        for (const text of texts) await bench.admin.query(text);
        const ms = (performance.now() - start) / statements;
        log(`insert-values round ${round + 1} ${v.name}: ${ms.toFixed(2)} ms per ${ROWS} rows`);
        msPerStatement.set(v.name, [...(msPerStatement.get(v.name) ?? []), Math.round(ms * 100) / 100]);
      }
    }
  } finally {
    for (const i of VARIANTS.keys()) await bench.admin.query(`DROP TABLE IF EXISTS insert_values_${i}`);
  }
  return {
    title: 'Experiment: server time of a 500-row INSERT by row layout and values sent',
    markdown: `${statements} prebuilt INSERTs of ${ROWS} rows per variant and round (autocommit), four rounds, variants in turn.\n\n${markdownTable(
      ['table and values', 'ms per statement, rounds 1–4'],
      [...msPerStatement].map(([name, ms]) => [name, ms.join(', ')]),
    )}`,
    data: [...msPerStatement].map(([variant, ms]) => ({ variant, msPerStatement: ms })),
  };
}
