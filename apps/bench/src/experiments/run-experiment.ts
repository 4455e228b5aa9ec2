import type { BenchArgs, ExperimentId } from '../cli/bench-args.js';

/** Runs one docs/performance experiment and prints its findings as markdown on stdout. */
export async function runExperiment(
  id: ExperimentId,
  _args: BenchArgs,
  log: (message: string) => void,
): Promise<void> {
  log(`experiment ${id}`);
  throw new Error(`experiment ${id} not implemented yet`);
}
