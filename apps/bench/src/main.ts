// `pnpm bench`: runs the celers benchmark workloads (or one experiment) and writes apps/bench/results/latest.{json,md}.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_USAGE, parseBenchArgs } from './cli/bench-args.js';
import { runExperiment } from './experiments/run-experiment.js';
import { rerenderReport, writeReport } from './report/write-report.js';
import { runBench } from './run-bench.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2), process.env, resolve(repoRoot, 'apps/bench/results'));
  if (args.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return;
  }
  if (args.render) {
    log(`re-rendered ${await rerenderReport(args.outDir)}`);
    return;
  }
  if (args.experiment) {
    await runExperiment(args.experiment, args, log);
    return;
  }
  const report = await runBench(args, log);
  const paths = await writeReport(report, args.outDir);
  log(`wrote ${paths.json} and ${paths.markdown}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
