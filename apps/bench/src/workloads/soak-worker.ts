// Child process of W8: one Worker drains the soak queue and reports its RSS at 10% and at 100% of the tasks.
import { MysqlBroker } from '@celers/broker-mysql';
import { startWorkerConsumer } from '../celers/worker-consumer.js';
import { DRAIN_CONCURRENCY } from '../cli/bench-sizes.js';
import { runAsBenchChild } from './child-process.js';

/** Configuration passed as the child's first argument (JSON). */
export interface SoakConfig {
  url: string;
  queue: string;
  tasks: number;
}

/** Messages the soak worker sends to its parent. */
export type SoakMessage =
  | { type: 'rss'; at: number; processed: number; rssMb: number; heapUsedMb: number }
  | { type: 'done'; processed: number }
  | { type: 'error'; message: string };

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function soak(config: SoakConfig, send: (m: SoakMessage) => void): Promise<void> {
  const broker = await MysqlBroker.connect({ url: config.url, queue: config.queue });
  const run = await startWorkerConsumer(broker, {
    concurrency: DRAIN_CONCURRENCY,
    storeResults: false,
    handler: () => undefined,
  });
  try {
    for (const fraction of [0.1, 1]) {
      await run.reached(Math.ceil(config.tasks * fraction));
      const usage = process.memoryUsage();
      send({
        type: 'rss',
        at: fraction,
        processed: run.processed(),
        rssMb: mb(usage.rss),
        heapUsedMb: mb(usage.heapUsed),
      });
    }
  } finally {
    await run.stop();
    await broker.close();
  }
  send({ type: 'done', processed: run.processed() });
}

runAsBenchChild<SoakConfig, SoakMessage>(soak);
