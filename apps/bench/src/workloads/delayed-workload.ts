import { explainClaim } from '../celers/claim-explain.js';
import { fillTasks } from '../celers/task-filler.js';
import { evaluateWorkload } from '../report/targets.js';
import { describeCounters } from './drain-measure.js';
import { drainInRounds } from './scaling-workloads.js';
import type { Workload } from './workload-context.js';

/** Delayed rows are due this far ahead: none becomes due during the run. */
const DELAY_MS = 3_600_000;
/**
 * Delayed rows outrank the due ones, so the claim index (priority DESC first) reaches them before any due
 * row: the worst case for a claim that filters `scheduled_at <= now` row by row.
 */
const DELAYED_PRIORITY = 1_000;

/**
 * W9: drain rate of due tasks with 100k delayed tasks of a higher priority waiting in the same queue, against
 * the same drain with no delayed tasks (issue 17: delayed tasks must not slow the claim of due ones).
 */
export const delayedBacklogWorkload: Workload = async (ctx) => {
  const { delayedTasks, scalingDrain } = ctx.sizes;
  await ctx.reset();
  const none = await drainInRounds(ctx, 'w9', 1, scalingDrain, scalingDrain);
  await ctx.reset();
  const broker = await ctx.broker('w9');
  ctx.log(`W9 filling ${delayedTasks} delayed tasks`);
  await fillTasks(broker.database, {
    queue: 'w9',
    count: delayedTasks,
    state: 'pending',
    delayMs: DELAY_MS,
    priority: DELAYED_PRIORITY,
  });
  await ctx.bench.admin.query('ANALYZE TABLE celers_live_tasks, celers_finished_tasks');
  const plan = await explainClaim(ctx.bench.admin, broker, 'w9');
  const withDelayed = await drainInRounds(ctx, 'w9', 1, scalingDrain, scalingDrain);
  const left = await broker.queueSize();
  if (left !== delayedTasks) throw new Error(`W9: ${left} pending after the drain, expected ${delayedTasks}`);
  ctx.log(
    `W9 delayed: none ${none.rate.toFixed(0)} jobs/s, ${delayedTasks} delayed ${withDelayed.rate.toFixed(0)} jobs/s`,
  );
  ctx.note(
    `**W9** claim plan with ${delayedTasks} delayed tasks of a higher priority:\n\n${plan}\n\n${describeCounters('no delayed', none.perJob)}; ${describeCounters(`${delayedTasks} delayed`, withDelayed.perJob)}.`,
  );
  return {
    W9: evaluateWorkload({
      celers: withDelayed.rate,
      raw: none.rate,
      baseline: 'celers, no delayed tasks',
      unit: 'jobs/s',
      target: { kind: 'ratio-at-least', min: 0.8 },
      notes: `drain of ${scalingDrain} due tasks (Worker consumer) with ${delayedTasks} delayed tasks (due in 1 h, priority ${DELAYED_PRIORITY} above the due ones) vs none (${none.processed} and ${withDelayed.processed} drained${none.capped || withDelayed.capped ? ', a drain hit the time cap' : ''})`,
    }),
  };
};
