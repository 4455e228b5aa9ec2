import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createTask } from '@celers/core';
import type { BenchDatabase } from '../env/bench-database.js';
import { type ExperimentResult, markdownTable } from './experiment-output.js';

/** One id layout under test. */
interface IdVariant {
  name: string;
  /** Column definition of `id`. */
  column: string;
  /** Value to insert for row `i` (`null` lets AUTO_INCREMENT assign it). */
  value: (i: number) => string | Buffer | null;
}

/** A UUIDv7 as celers makes them (createTask assigns one). */
const uuidv7 = (): string => createTask('bench.id', null).metadata.id;

/** UUID text → 16 bytes (what `UUID_TO_BIN(id)` stores without swapping). */
function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

const VARIANTS: IdVariant[] = [
  {
    name: 'CHAR(36) ascii, UUIDv7 (celers)',
    column: 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL',
    value: () => uuidv7(),
  },
  { name: 'BINARY(16), UUIDv7', column: 'BINARY(16) NOT NULL', value: () => uuidBytes(uuidv7()) },
  { name: 'BIGINT AUTO_INCREMENT', column: 'BIGINT NOT NULL AUTO_INCREMENT', value: () => null },
  {
    name: 'CHAR(36) ascii, UUIDv4 (random)',
    column: 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL',
    value: () => randomUUID(),
  },
];

/** Rows per variant and per INSERT. */
const ROWS = 200_000;
const CHUNK = 1_000;

/** Sizes of a table's clustered (PRIMARY) and secondary indexes, from InnoDB's persistent statistics. */
async function indexSizes(
  bench: BenchDatabase,
  table: string,
): Promise<{ primaryMb: number; secondaryMb: number }> {
  await bench.admin.query(`ANALYZE TABLE ${table}`);
  const [rows] = await bench.admin.query(
    `SELECT index_name, stat_value * @@innodb_page_size AS bytes FROM mysql.innodb_index_stats
     WHERE database_name = DATABASE() AND table_name = ? AND stat_name = 'size'`,
    [table],
  );
  let primary = 0;
  let secondary = 0;
  for (const r of rows as Array<{ index_name: string; bytes: number }>) {
    if (r.index_name === 'PRIMARY') primary += Number(r.bytes);
    else secondary += Number(r.bytes);
  }
  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  return { primaryMb: mb(primary), secondaryMb: mb(secondary) };
}

/**
 * Inserts the same 200k task-like rows with each id layout (multi-row INSERTs of 1,000, then 2,000 single-row
 * INSERTs) and reports the insert rates and the PRIMARY and secondary index sizes. The secondary index is
 * celers' dequeue index, which carries the primary key in every entry, so the id width counts twice.
 */
export async function idStorageExperiment(
  bench: BenchDatabase,
  log: (m: string) => void,
  scale: number,
): Promise<ExperimentResult> {
  const rowsPerVariant = Math.max(CHUNK, Math.round(ROWS * scale));
  const data: Array<Record<string, string | number>> = [];
  for (const [index, v] of VARIANTS.entries()) {
    const table = `ids_${index}`;
    await bench.admin.query(`CREATE TABLE ${table} (
      id ${v.column}, queue_name VARCHAR(255) NOT NULL, state VARCHAR(16) NOT NULL, priority INT NOT NULL,
      scheduled_at DATETIME(6) NOT NULL, payload MEDIUMBLOB NOT NULL,
      PRIMARY KEY (id), KEY idx_dequeue (queue_name, state, priority, scheduled_at, id)) ENGINE=InnoDB`);
    const insert = async (count: number, base: number) => {
      const rows = Array.from({ length: count }, (_, i) => [
        v.value(base + i),
        'default',
        'pending',
        0,
        Buffer.from(`{"i":${base + i}}`),
      ]);
      const placeholders = rows.map(() => '(?, ?, ?, ?, UTC_TIMESTAMP(6), ?)').join(', ');
      await bench.admin.query(
        `INSERT INTO ${table} (id, queue_name, state, priority, scheduled_at, payload) VALUES ${placeholders}`,
        rows.flat(),
      );
    };
    let start = performance.now();
    for (let done = 0; done < rowsPerVariant; done += CHUNK)
      await insert(Math.min(CHUNK, rowsPerVariant - done), done);
    const batchRate = (rowsPerVariant * 1000) / (performance.now() - start);
    const singles = Math.max(200, Math.round(2_000 * scale));
    start = performance.now();
    for (let i = 0; i < singles; i++) await insert(1, rowsPerVariant + i);
    const singleRate = (singles * 1000) / (performance.now() - start);
    const sizes = await indexSizes(bench, table);
    log(
      `id-storage ${v.name}: ${batchRate.toFixed(0)} rows/s batched, ${singleRate.toFixed(0)} rows/s single, PK ${sizes.primaryMb} MB, secondary ${sizes.secondaryMb} MB`,
    );
    data.push({
      variant: v.name,
      rows: rowsPerVariant,
      batchRowsPerSec: Math.round(batchRate),
      singleRowsPerSec: Math.round(singleRate),
      ...sizes,
    });
    await bench.admin.query(`DROP TABLE ${table}`);
  }
  return {
    title: 'Experiment: id storage (CHAR(36) UUIDv7 vs BINARY(16) vs BIGINT)',
    markdown: markdownTable(
      [
        'id layout',
        'rows',
        'batched insert rows/s',
        'single insert rows/s',
        'PRIMARY MB',
        'dequeue index MB',
      ],
      data.map((d) => [
        d.variant as string,
        d.rows as number,
        d.batchRowsPerSec as number,
        d.singleRowsPerSec as number,
        d.primaryMb as number,
        d.secondaryMb as number,
      ]),
    ),
    data,
  };
}
