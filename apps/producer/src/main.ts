// Demo producer: migrates the schema, registers a recurring task once, then enqueues a realistic mix of
// tasks every PRODUCE_INTERVAL_MS until SIGTERM/SIGINT (or DEMO_DURATION_MS).
import { setTimeout as delay } from 'node:timers/promises';
import { MysqlBroker } from '@celers/broker-mysql';
import { producerConfigFromEnv } from './producer-config.js';
import { produceRound, registerRecurringReport } from './task-mix.js';

const config = producerConfigFromEnv();
const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
if (config.durationMs !== undefined) setTimeout(() => stop.abort(), config.durationMs).unref();

const broker = await MysqlBroker.connect({ url: config.url, queue: config.queue, migrate: true });
console.log(
  `[producer] connected to queue "${config.queue}" (${broker.serverProfile.flavour} ${broker.serverProfile.version})`,
);
await registerRecurringReport(broker);
console.log('[producer] recurring task "queue-report" registered (every 10 s)');

let round = 0;
let total = 0;
try {
  while (!stop.signal.aborted) {
    round += 1;
    try {
      const summary = await produceRound(broker, round);
      total += summary.enqueued;
      console.log(`[producer] round ${round}: enqueued ${summary.enqueued} tasks (total ${total})`);
    } catch (error) {
      // Keep producing through transient failures (a restarting database, drain mode during a deploy).
      console.error(`[producer] round ${round} failed: ${(error as Error).message}`);
    }
    await delay(config.intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
  }
} finally {
  await broker.close();
  console.log(`[producer] stopped after ${round} rounds, ${total} tasks`);
}
