import { performance } from 'node:perf_hooks';
import type { Connection } from 'mysql2/promise';
import type { BenchDatabase } from '../env/bench-database.js';
import { type ExperimentResult, markdownTable } from './experiment-output.js';

const MONTHS = 12;

/** Upper bound of monthly partition `i` (p0 holds the oldest month). */
function partitionBound(i: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (MONTHS - 1) + i + 1, 1));
}

function tableDdl(name: string, partitioned: boolean): string {
  const bounds = Array.from(
    { length: MONTHS },
    (_, i) => `PARTITION p${i} VALUES LESS THAN ('${partitionBound(i).toISOString().slice(0, 10)}')`,
  );
  const partitions = partitioned
    ? ` PARTITION BY RANGE COLUMNS(created_at) (${bounds.join(', ')}, PARTITION pmax VALUES LESS THAN (MAXVALUE))`
    : '';
  return `CREATE TABLE ${name} (
    id BIGINT NOT NULL AUTO_INCREMENT, queue_name VARCHAR(255) NOT NULL, state VARCHAR(16) NOT NULL,
    priority INT NOT NULL DEFAULT 0, scheduled_at DATETIME(6) NOT NULL, created_at DATETIME(6) NOT NULL,
    payload MEDIUMBLOB NOT NULL,
    PRIMARY KEY (id, created_at), KEY idx_dequeue (queue_name, state, priority DESC, scheduled_at, id)) ENGINE=InnoDB${partitions}`;
}

/** Finished rows spread evenly over the past 12 months, then `pending` due rows created now. */
async function fill(conn: Connection, table: string, finished: number, pending: number): Promise<void> {
  const day = 86_400_000;
  const insert = async (rows: unknown[][]) => {
    const ph = rows.map(() => '(?, ?, 0, ?, ?, ?)').join(', ');
    await conn.query(
      `INSERT INTO ${table} (queue_name, state, priority, scheduled_at, created_at, payload) VALUES ${ph}`,
      rows.flat(),
    );
  };
  for (let done = 0; done < finished; done += 2_000) {
    const rows = Array.from({ length: Math.min(2_000, finished - done) }, (_, i) => {
      const at = new Date(Date.now() - (1 + ((done + i) % (MONTHS * 30 - 2))) * day);
      return ['default', 'completed', at, at, Buffer.from('{}')];
    });
    await insert(rows);
  }
  for (let done = 0; done < pending; done += 2_000) {
    const now = new Date(Date.now() - 1_000);
    await insert(
      Array.from({ length: Math.min(2_000, pending - done) }, () => [
        'default',
        'pending',
        now,
        now,
        Buffer.from('{}'),
      ]),
    );
  }
  await conn.query(`ANALYZE TABLE ${table}`);
}

/** Claims 50 with SKIP LOCKED and marks them completed, until nothing is due; returns jobs/s. */
async function drain(conn: Connection, table: string, pending: number): Promise<number> {
  const start = performance.now();
  let total = 0;
  for (;;) {
    await conn.query('START TRANSACTION');
    const [rows] = await conn.query(
      `SELECT id, created_at FROM ${table} WHERE queue_name = 'default' AND state = 'pending' AND scheduled_at <= UTC_TIMESTAMP(6)
       ORDER BY priority DESC, scheduled_at, id LIMIT 50 FOR UPDATE SKIP LOCKED`,
    );
    const ids = (rows as Array<{ id: number }>).map((r) => r.id);
    if (ids.length > 0) await conn.query(`UPDATE ${table} SET state = 'completed' WHERE id IN (?)`, [ids]);
    await conn.query('COMMIT');
    total += ids.length;
    if (ids.length === 0) break;
  }
  if (total !== pending) throw new Error(`drained ${total} of ${pending}`);
  return (total * 1000) / (performance.now() - start);
}

async function planPartitions(conn: Connection, table: string): Promise<string> {
  const [rows] = await conn
    .query(
      `EXPLAIN PARTITIONS SELECT id FROM ${table} WHERE queue_name = 'default' AND state = 'pending' AND scheduled_at <= UTC_TIMESTAMP(6)
     ORDER BY priority DESC, scheduled_at, id LIMIT 50 FOR UPDATE SKIP LOCKED`,
    )
    .catch(() =>
      conn.query(
        `EXPLAIN SELECT id FROM ${table} WHERE queue_name = 'default' AND state = 'pending' ORDER BY priority DESC, scheduled_at, id LIMIT 50`,
      ),
    );
  const r = (rows as Array<Record<string, unknown>>)[0] ?? {};
  return `type=${r.type}, key=${r.key}, partitions=${String(r.partitions ?? 'n/a').split(',').length} (${r.Extra})`;
}

/**
 * Compares an unpartitioned table with one partitioned by month on `created_at` (the seed's guide 004):
 * claim + complete rate of a pending backlog among a year of finished rows, and the cost of purging the
 * oldest month (DELETE vs DROP PARTITION). Also records what MySQL says when celers_tasks itself is
 * partitioned that way.
 */
export async function partitioningExperiment(
  bench: BenchDatabase,
  log: (m: string) => void,
  scale: number,
): Promise<ExperimentResult> {
  const finished = Math.max(12_000, Math.round(300_000 * scale));
  const pending = Math.max(500, Math.round(10_000 * scale));
  const conn = bench.admin;
  const data: Array<Record<string, string | number>> = [];
  for (const partitioned of [false, true]) {
    const table = partitioned ? 'part_tasks' : 'flat_tasks';
    await conn.query(tableDdl(table, partitioned));
    await fill(conn, table, finished, pending);
    const plan = await planPartitions(conn, table);
    const rate = await drain(conn, table, pending);
    const oldest = partitionBound(0); // the same rows p0 holds
    const start = performance.now();
    let removed: number;
    if (partitioned) {
      const [[count]] = (await conn.query(
        `SELECT COUNT(*) AS n FROM ${table} PARTITION (p0)`,
      )) as unknown as [[{ n: number }]];
      await conn.query(`ALTER TABLE ${table} DROP PARTITION p0`);
      removed = Number(count.n);
    } else {
      const [res] = await conn.query(`DELETE FROM ${table} WHERE created_at < ?`, [oldest]);
      removed = (res as { affectedRows: number }).affectedRows;
    }
    const purgeMs = performance.now() - start;
    log(
      `partitioning ${table}: drain ${rate.toFixed(0)} jobs/s, purge ${removed} rows in ${purgeMs.toFixed(0)} ms; ${plan}`,
    );
    data.push({
      table: partitioned ? 'monthly RANGE partitions on created_at' : 'not partitioned',
      drainJobsPerSec: Math.round(rate),
      purgedRows: removed,
      purgeMs: Math.round(purgeMs),
      plan,
    });
    await conn.query(`DROP TABLE ${table}`);
  }
  let celersError = '';
  try {
    await conn.query(
      `ALTER TABLE celers_finished_tasks PARTITION BY RANGE COLUMNS(created_at) (PARTITION p0 VALUES LESS THAN ('2030-01-01'), PARTITION pmax VALUES LESS THAN (MAXVALUE))`,
    );
    celersError = 'accepted (unexpected)';
  } catch (error) {
    celersError = error instanceof Error ? error.message : String(error);
  }
  return {
    title: 'Experiment: partitioning by created_at',
    markdown: `${finished} finished rows over 12 months plus ${pending} pending; one connection claims 50 with SKIP LOCKED and completes them; then the oldest month is purged.\n\n${markdownTable(
      ['table', 'claim+complete jobs/s', 'oldest month rows', 'purge ms', 'claim plan'],
      data.map((d) => [
        d.table as string,
        d.drainJobsPerSec as number,
        d.purgedRows as number,
        d.purgeMs as number,
        d.plan as string,
      ]),
    )}\n\nPartitioning celers_tasks as is: \`${celersError}\``,
    data: { rows: data, celersTasksError: celersError },
  };
}
