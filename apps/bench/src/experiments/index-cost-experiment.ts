import { performance } from 'node:perf_hooks';
import { createTask } from '@celers/core';
import type { BenchDatabase } from '../env/bench-database.js';
import { type ExperimentResult, markdownTable } from './experiment-output.js';

/** Table variants: celers_tasks as migrated, then with groups of secondary indexes dropped. */
const VARIANTS: Array<{ name: string; drop: string[] }> = [
  { name: 'celers_finished_tasks as migrated (7 secondary indexes)', drop: [] },
  {
    name: 'without idx_tasks_group, idx_tasks_parent (virtual JSON columns)',
    drop: ['idx_tasks_group', 'idx_tasks_parent'],
  },
  {
    name: 'also without idx_tasks_created_at, idx_tasks_completed_at, idx_tasks_task_name_state, idx_tasks_worker',
    drop: [
      'idx_tasks_group',
      'idx_tasks_parent',
      'idx_tasks_created_at',
      'idx_tasks_completed_at',
      'idx_tasks_task_name_state',
      'idx_tasks_worker',
    ],
  },
  {
    name: 'only PRIMARY + idx_tasks_dequeue',
    drop: [
      'idx_tasks_group',
      'idx_tasks_parent',
      'idx_tasks_created_at',
      'idx_tasks_completed_at',
      'idx_tasks_task_name_state',
      'idx_tasks_worker',
    ],
  },
];

/** Task rows shaped like `enqueue`'s, for `count` tasks. */
function taskRows(count: number): unknown[][] {
  return Array.from({ length: count }, (_, i) => {
    const t = createTask('bench.noop', { i });
    return [
      t.metadata.id,
      'default',
      t.metadata.name,
      Buffer.from(t.payload),
      t.metadata.contentType,
      t.metadata.contentEncoding,
      'pending',
      0,
      0,
      3,
      '{}',
    ];
  });
}

/**
 * What each secondary index of `celers_tasks` costs on insert: the same multi-row INSERTs of 500 tasks into
 * copies of the migrated table (`CREATE TABLE … LIKE`) with groups of indexes dropped. Needs a migrated
 * database. Explains most of the W2 gap to the raw baseline, whose table has one secondary index.
 */
export async function indexCostExperiment(
  bench: BenchDatabase,
  log: (m: string) => void,
  scale: number,
): Promise<ExperimentResult> {
  const total = Math.max(5_000, Math.round(100_000 * scale));
  const data: Array<{ variant: string; rowsPerSec: number }> = [];
  for (const round of [0, 1]) {
    for (const [i, v] of VARIANTS.entries()) {
      const table = `idx_cost_${i}`;
      await bench.admin.query(`CREATE TABLE ${table} LIKE celers_finished_tasks`);
      for (const index of v.drop) await bench.admin.query(`ALTER TABLE ${table} DROP INDEX ${index}`);
      const batches = Array.from({ length: Math.ceil(total / 500) }, () => taskRows(500));
      const start = performance.now();
      for (const rows of batches) {
        const ph = rows
          .map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))')
          .join(', ');
        await bench.admin.query(
          `INSERT INTO ${table} (id, queue_name, task_name, payload, content_type, content_encoding, state, priority, retry_count, max_retries, metadata, created_at, scheduled_at) VALUES ${ph}`,
          rows.flat(),
        );
      }
      const rate = (batches.length * 500 * 1000) / (performance.now() - start);
      log(`index-cost round ${round} ${v.name}: ${rate.toFixed(0)} rows/s`);
      data.push({ variant: v.name, rowsPerSec: Math.round(rate) });
      await bench.admin.query(`DROP TABLE ${table}`);
    }
  }
  const best = new Map<string, number[]>();
  for (const d of data) best.set(d.variant, [...(best.get(d.variant) ?? []), d.rowsPerSec]);
  return {
    title: 'Experiment: insert cost of celers_tasks secondary indexes',
    markdown: `${total} tasks per variant in multi-row INSERTs of 500 (autocommit), two rounds in turn.\n\n${markdownTable(
      ['table variant', 'round 1 rows/s', 'round 2 rows/s'],
      [...best].map(([variant, rates]) => [variant, ...rates]),
    )}`,
    data,
  };
}
