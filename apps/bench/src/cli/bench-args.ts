import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** The workloads `pnpm bench` knows, in run order. */
export const WORKLOAD_IDS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'W8', 'W9', 'W10'] as const;
/** One of {@link WORKLOAD_IDS}. */
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** The dedicated experiments behind `docs/performance/*.md`. */
export const EXPERIMENT_IDS = [
  'id-storage',
  'durability',
  'partitioning',
  'index-cost',
  'insert-values',
  'query-path',
] as const;
/** One of {@link EXPERIMENT_IDS}. */
export type ExperimentId = (typeof EXPERIMENT_IDS)[number];

/** The environment variable naming the server to benchmark. */
export const BENCH_DATABASE_URL_ENV = 'CELERS_BENCH_DATABASE_URL';
/** Used when {@link BENCH_DATABASE_URL_ENV} is unset. */
export const DEFAULT_BENCH_DATABASE_URL = 'mysql://root@127.0.0.1:3306/test';

/** Parsed command line of `pnpm bench`. */
export interface BenchArgs {
  mode: 'quick' | 'full';
  /** Multiplies every job count (0 < scale ≤ 10); 1 is the documented size. */
  scale: number;
  /** Workloads to run (all by default; W8 only in full mode unless named). */
  only: WorkloadId[];
  /** Server URL; a fresh `celers_bench_<random>` database is created on it. */
  url: string;
  /** Where latest.json and latest.md go. */
  outDir: string;
  /** Run one experiment instead of the workloads. */
  experiment: ExperimentId | null;
  /** Only re-render `latest.md` from `latest.json` (after editing the investigation notes). */
  render: boolean;
  help: boolean;
}

/** Text printed by `pnpm bench --help`. */
export const BENCH_USAGE = `usage: pnpm bench [--full] [--scale <n>] [--only W1,W3] [--url mysql://…] [--out <dir>]
       pnpm bench --experiment <${EXPERIMENT_IDS.join('|')}>

  --full          the documented full sizes (1M backlog/history, W8 soak); default is the quick run
  --scale <n>     multiply job counts by n (0 < n <= 10), e.g. 0.05 for a smoke run
  --only <ids>    comma-separated workloads (${WORKLOAD_IDS.join(', ')})
  --url <url>     server to use (default $${BENCH_DATABASE_URL_ENV} or ${DEFAULT_BENCH_DATABASE_URL})
  --out <dir>     output directory, relative to where pnpm was run (default <repo>/apps/bench/results)
  --experiment    run one docs/performance experiment instead of the workloads
  --render        only re-render latest.md from latest.json and investigation.md`;

/**
 * Parses `pnpm bench` arguments strictly: unknown flags, bad numbers and unknown workload ids throw with a
 * message naming the flag.
 *
 * @example
 * ```ts
 * parseBenchArgs(['--full', '--only', 'W1,W3'], {}, '/repo/apps/bench/results');
 * ```
 */
export function parseBenchArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaultOutDir: string,
): BenchArgs {
  // pnpm forwards a literal `--` before the script's own arguments.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      full: { type: 'boolean', default: false },
      scale: { type: 'string' },
      only: { type: 'string' },
      url: { type: 'string' },
      out: { type: 'string' },
      experiment: { type: 'string' },
      render: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const mode = values.full ? 'full' : 'quick';
  return {
    mode,
    scale: values.scale === undefined ? 1 : parseScale(values.scale),
    only: values.only === undefined ? defaultWorkloads(mode) : parseWorkloadList(values.only),
    url: parseUrl(values.url ?? env[BENCH_DATABASE_URL_ENV] ?? DEFAULT_BENCH_DATABASE_URL),
    // pnpm runs the script inside apps/bench; a relative --out means relative to where the user typed it.
    outDir: values.out === undefined ? defaultOutDir : resolve(env.INIT_CWD ?? process.cwd(), values.out),
    experiment: values.experiment === undefined ? null : parseExperiment(values.experiment),
    render: values.render ?? false,
    help: values.help ?? false,
  };
}

/** Every workload; the 1M-task soak (W8) only in full mode. */
export function defaultWorkloads(mode: 'quick' | 'full'): WorkloadId[] {
  return WORKLOAD_IDS.filter((id) => mode === 'full' || id !== 'W8');
}

function parseScale(text: string): number {
  const scale = Number(text);
  if (text.trim() === '' || !Number.isFinite(scale) || scale <= 0 || scale > 10) {
    throw new Error(`--scale: expected a number in (0, 10], got "${text}"`);
  }
  return scale;
}

function parseWorkloadList(text: string): WorkloadId[] {
  const ids = text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  if (ids.length === 0) throw new Error('--only: expected at least one workload id');
  for (const id of ids) {
    if (!(WORKLOAD_IDS as readonly string[]).includes(id)) {
      throw new Error(`--only: unknown workload "${id}" (known: ${WORKLOAD_IDS.join(', ')})`);
    }
  }
  // Keep the documented run order whatever order was typed.
  return WORKLOAD_IDS.filter((id) => ids.includes(id));
}

function parseExperiment(text: string): ExperimentId {
  if (!(EXPERIMENT_IDS as readonly string[]).includes(text)) {
    throw new Error(`--experiment: unknown experiment "${text}" (known: ${EXPERIMENT_IDS.join(', ')})`);
  }
  return text as ExperimentId;
}

function parseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--url: not a valid URL: "${text}"`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:')
    throw new Error(`--url: expected mysql://, got "${url.protocol}"`);
  return text;
}
