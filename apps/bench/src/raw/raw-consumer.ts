import type { Connection } from 'mysql2/promise';
import { pause } from '../stats/stopwatch.js';
import { ConsumerProgress } from '../workloads/consumer-progress.js';
import type { ConsumerOptions, ConsumerRun } from '../workloads/consumer-types.js';
import { rawClaim, rawDelete } from './raw-queue.sql.js';

/**
 * Starts the raw baseline consumer: `loops` loops, one connection each; each claims `claimBatch` jobs
 * (SELECT … FOR UPDATE SKIP LOCKED + UPDATE in one transaction), runs the handler, deletes the batch, and
 * sleeps `idlePollMs` after an empty claim.
 */
export async function startRawConsumer(
  connect: () => Promise<Connection>,
  queue: string,
  options: ConsumerOptions,
): Promise<ConsumerRun> {
  const progress = new ConsumerProgress();
  const connections = await Promise.all(Array.from({ length: options.loops }, connect));
  let stopping = false;
  const loop = async (conn: Connection) => {
    while (!stopping) {
      const jobs = await rawClaim(conn, queue, options.claimBatch);
      if (jobs.length === 0) {
        await pause(options.idlePollMs);
        continue;
      }
      for (const job of jobs) options.handler(job.payload);
      await rawDelete(
        conn,
        jobs.map((j) => j.id),
      );
      progress.add(jobs.length);
    }
  };
  const loops = connections.map((c) =>
    loop(c).catch((error: unknown) => {
      progress.fail(error instanceof Error ? error : new Error(String(error)));
    }),
  );
  let stopped: Promise<void> | undefined;
  return {
    processed: () => progress.count,
    reached: (target) => progress.reached(target),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await Promise.all(loops);
        await Promise.all(connections.map((c) => c.end().catch(() => undefined)));
      })();
      return stopped;
    },
  };
}
