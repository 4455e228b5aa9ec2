import type { Connection } from 'mysql2/promise';
import { runConsumerLoops } from '../workloads/consumer-loops.js';
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
  const connections = await Promise.all(Array.from({ length: options.loops }, connect));
  return runConsumerLoops(
    options.loops,
    options.idlePollMs,
    async (index) => {
      const conn = connections[index] as Connection;
      const jobs = await rawClaim(conn, queue, options.claimBatch);
      if (jobs.length === 0) return null;
      for (const job of jobs) options.handler(job.payload);
      await rawDelete(
        conn,
        jobs.map((j) => j.id),
      );
      return jobs.length;
    },
    async () => {
      await Promise.all(connections.map((c) => c.end().catch(() => undefined)));
    },
  );
}
