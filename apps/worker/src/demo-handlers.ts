import { setTimeout as delay } from 'node:timers/promises';
import type { MysqlBroker } from '@celers/broker-mysql';
import type { TaskHandlers } from '@celers/worker';

/** Simulated work: a few milliseconds that stop early when the worker aborts the task. */
function work(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal });
}

/**
 * Handlers for every task the demo producer enqueues. `payments.flaky` always throws, so after its one retry
 * it lands in the dead letter queue; `ops.queue-report` (the recurring task) logs the queue's statistics.
 */
export function demoHandlers(broker: MysqlBroker): TaskHandlers {
  return {
    'emails.send': async (payload, ctx) => {
      await work(20, ctx.signal);
      return { delivered: (payload as { to: string }).to };
    },
    'reports.generate': async (payload, ctx) => {
      for (const step of [25, 50, 75, 100]) {
        await work(10, ctx.signal);
        await ctx.progress(step, `section ${step / 25}`);
      }
      return { report: `round-${(payload as { round: number }).round}.pdf` };
    },
    'images.resize': async (payload, ctx) => {
      await work(15, ctx.signal);
      const { image, width } = payload as { image: string; width: number };
      return { thumbnail: image.replace('.png', `-${width}.png`) };
    },
    'orders.validate': async (payload) => ({ ...(payload as object), valid: true }),
    'orders.charge': async (payload, ctx) => {
      await work(10, ctx.signal);
      return { ...(payload as object), charged: true };
    },
    'orders.ship': async (payload) => ({ ...(payload as object), shipped: true }),
    'payments.flaky': async () => {
      throw new Error('payment gateway timeout (fails on purpose)');
    },
    'ops.queue-report': async () => {
      const stats = await broker.tasks.statistics();
      console.log(
        `[worker] queue report: pending=${stats.pending} processing=${stats.processing} completed=${stats.completed} dlq=${stats.dlq}`,
      );
      return stats;
    },
  };
}
