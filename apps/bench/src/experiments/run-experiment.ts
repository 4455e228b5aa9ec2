import { MysqlBroker } from '@celers/broker-mysql';
import type { BenchArgs, ExperimentId } from '../cli/bench-args.js';
import { createBenchDatabase } from '../env/bench-database.js';
import { serverInfo } from '../env/server-info.js';
import { durabilityExperiment } from './durability-experiment.js';
import { type ExperimentResult, writeExperiment } from './experiment-output.js';
import { idStorageExperiment } from './id-storage-experiment.js';
import { indexCostExperiment } from './index-cost-experiment.js';
import { insertValuesExperiment } from './insert-values-experiment.js';
import { partitioningExperiment } from './partitioning-experiment.js';
import { queryPathExperiment } from './query-path-experiment.js';

/**
 * Runs one docs/performance experiment in its own `celers_bench_<random>` database (dropped at the end) and
 * writes `apps/bench/results/experiments/<id>.{md,json}`.
 */
export async function runExperiment(
  id: ExperimentId,
  args: BenchArgs,
  log: (message: string) => void,
): Promise<string> {
  const bench = await createBenchDatabase(args.url);
  try {
    const server = await serverInfo(bench.admin);
    let result: ExperimentResult;
    if (id === 'id-storage') result = await idStorageExperiment(bench, log, args.scale);
    else if (id === 'durability') result = await durabilityExperiment(bench, args, log);
    else {
      // These need celers' schema: partitioning tries to partition celers_tasks, the others copy task tables.
      const broker = await MysqlBroker.connect({ url: bench.url, queue: 'experiment', migrate: true });
      try {
        if (id === 'partitioning') result = await partitioningExperiment(bench, log, args.scale);
        else if (id === 'insert-values') result = await insertValuesExperiment(bench, log, args.scale);
        else if (id === 'query-path') result = await queryPathExperiment(bench, log, args.scale);
        else result = await indexCostExperiment(bench, log, args.scale);
      } finally {
        await broker.close();
      }
    }
    const path = await writeExperiment(args.outDir, id, server, result);
    log(`wrote ${path}`);
    return path;
  } finally {
    await bench.drop();
  }
}
