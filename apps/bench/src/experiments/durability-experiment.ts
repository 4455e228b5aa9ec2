import type { BenchArgs } from '../cli/bench-args.js';
import type { BenchDatabase } from '../env/bench-database.js';
import { runBench } from '../run-bench.js';
import { type ExperimentResult, markdownTable } from './experiment-output.js';

const VARIABLE = 'innodb_flush_log_at_trx_commit';

async function readSetting(bench: BenchDatabase): Promise<string> {
  const [rows] = await bench.admin.query(`SELECT @@GLOBAL.${VARIABLE} AS v`);
  return String((rows as Array<{ v: unknown }>)[0]?.v);
}

/**
 * Runs W1 and W2 with `innodb_flush_log_at_trx_commit = 1` (flush and sync the redo log at every commit) and
 * `= 2` (write at commit, sync once a second), then restores the server's original value, also when a run
 * fails. Needs the SUPER / SYSTEM_VARIABLES_ADMIN privilege. The setting is server-wide: other clients of
 * the server run under it during the experiment.
 */
export async function durabilityExperiment(
  bench: BenchDatabase,
  args: BenchArgs,
  log: (m: string) => void,
): Promise<ExperimentResult> {
  const original = await readSetting(bench);
  const data: Array<{
    setting: string;
    id: string;
    celers: number;
    raw: number | null;
    ratio: number | null;
  }> = [];
  try {
    for (const value of ['1', '2', '1', '2']) {
      await bench.admin.query(`SET GLOBAL ${VARIABLE} = ?`, [Number(value)]);
      log(`durability: ${VARIABLE} = ${await readSetting(bench)}`);
      const report = await runBench({ ...args, only: ['W1', 'W2'], experiment: null }, log);
      for (const [id, w] of Object.entries(report.workloads))
        data.push({ setting: value, id, celers: w.celers, raw: w.raw, ratio: w.ratio });
    }
  } finally {
    await bench.admin.query(`SET GLOBAL ${VARIABLE} = ?`, [Number(original)]);
    log(`durability: restored ${VARIABLE} = ${await readSetting(bench)}`);
  }
  const rows = data.map((d) => [
    d.id,
    d.setting,
    Math.round(d.celers),
    d.raw === null ? '—' : Math.round(d.raw),
    d.ratio === null ? '—' : d.ratio.toFixed(2),
  ]);
  return {
    title: `Experiment: ${VARIABLE} = 1 vs 2 on W1 and W2`,
    markdown: `Each setting ran twice, alternating (1, 2, 1, 2), at scale ${args.scale}. Figures are jobs/s.\n\n${markdownTable(
      ['workload', VARIABLE, 'celers jobs/s', 'raw jobs/s', 'celers/raw'],
      rows,
    )}`,
    data,
  };
}
