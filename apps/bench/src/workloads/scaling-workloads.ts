import { explainClaim } from '../celers/claim-explain.js';
import { probeClaimLocking } from '../celers/claim-lock-probe.js';
import { fillDeadLetters, fillTasks } from '../celers/task-filler.js';
import { evaluateWorkload } from '../report/targets.js';
import { type DrainMeasurement, describeCounters, measureDrain } from './drain-measure.js';
import { noopHandler, type Workload, type WorkloadContext } from './workload-context.js';

/** Drains `target` jobs from `queue` with the celers consumer, in `rounds` equal parts (fill before each). */
export async function drainInRounds(
  ctx: WorkloadContext,
  queue: string,
  rounds: number,
  perRound: number,
  fillEachRound: number,
): Promise<DrainMeasurement> {
  const broker = await ctx.broker(queue);
  let elapsedMs = 0;
  let processed = 0;
  let capped = false;
  let last: DrainMeasurement | undefined;
  for (let r = 0; r < rounds; r++) {
    if (fillEachRound > 0)
      await fillTasks(broker.database, { queue, count: fillEachRound, state: 'pending' });
    last = await measureDrain(
      ctx,
      () => ctx.startCelersConsumer(broker, { storeResults: false, handler: noopHandler }),
      perRound,
    );
    elapsedMs += last.elapsedMs;
    processed += last.processed;
    capped ||= last.capped;
    // A refilled queue must start each round empty: a capped round leaves tasks behind, so stop there.
    if (last.capped) break;
  }
  if (!last) throw new Error('no drain rounds');
  return { rate: (processed * 1000) / elapsedMs, elapsedMs, processed, capped, perJob: last.perJob };
}

/**
 * W5: drain rate with a small backlog (1k pending, refilled per round) against a large one (200k quick, 1M
 * full). Both cases drain the same number of jobs in the same number of consumer starts, so only the backlog
 * size differs.
 */
export const backlogScalingWorkload: Workload = async (ctx) => {
  const { backlogSmall, backlogLarge, scalingDrain } = ctx.sizes;
  const rounds = Math.max(1, Math.round(scalingDrain / backlogSmall));
  await ctx.reset();
  const probeBroker = await ctx.broker('w5probe');
  await fillTasks(probeBroker.database, { queue: 'w5probe', count: 200, state: 'pending' });
  const probe = await probeClaimLocking(ctx.bench, probeBroker, 'w5probe');
  ctx.note(
    `**Claim on a small table** (200 pending, fresh table): plan type without the index hint \`${probe.planTypeWithoutHint}\`. With one claim of ${probe.first} held open, a second claimer got **${probe.secondAsIs}** tasks with celers' statement as it runs (\`FORCE INDEX\`) and **${probe.secondWithoutHint}** with the hint taken out. A full scan + filesort under FOR UPDATE locks every pending row it reads, so concurrent workers see an empty queue until the first commits.`,
  );
  await ctx.reset();
  const small = await drainInRounds(ctx, 'w5small', rounds, backlogSmall, backlogSmall);
  await ctx.reset();
  const large = await ctx.broker('w5large');
  ctx.log(`W5 filling ${backlogLarge} pending`);
  await fillTasks(large.database, { queue: 'w5large', count: backlogLarge, state: 'pending' });
  await ctx.bench.admin.query('ANALYZE TABLE celers_live_tasks, celers_finished_tasks');
  const plan = await explainClaim(ctx.bench.admin, large, 'w5large');
  const big = await drainInRounds(ctx, 'w5large', rounds, backlogSmall, 0);
  ctx.log(
    `W5 backlog: ${backlogSmall} pending ${small.rate.toFixed(0)} jobs/s, ${backlogLarge} pending ${big.rate.toFixed(0)} jobs/s`,
  );
  ctx.note(
    `**W5** claim plan with ${backlogLarge} pending:\n\n${plan}\n\n${describeCounters(`${backlogSmall} pending`, small.perJob)}; ${describeCounters(`${backlogLarge} pending`, big.perJob)}.`,
  );
  return {
    W5: evaluateWorkload({
      celers: big.rate,
      raw: small.rate,
      baseline: `celers, ${backlogSmall} pending`,
      unit: 'jobs/s',
      target: { kind: 'ratio-at-least', min: 0.8 },
      notes: `drain rate with ${backlogLarge} pending vs ${backlogSmall} pending, celers Worker consumer; up to ${rounds} × ${backlogSmall} jobs drained in each case (small ${small.processed}, large ${big.processed}${small.capped || big.capped ? ', a round hit the time cap' : ''})`,
    }),
  };
};

/**
 * W6: drain rate with a large retained history (finished tasks in `celers_tasks` plus DLQ rows) against an
 * empty one: the claim index must not degrade as finished rows pile up.
 */
export const historyScalingWorkload: Workload = async (ctx) => {
  const { historyTasks, historyDlq, scalingDrain } = ctx.sizes;
  await ctx.reset();
  const empty = await drainInRounds(ctx, 'w6', 1, scalingDrain, scalingDrain);
  await ctx.reset();
  const broker = await ctx.broker('w6');
  ctx.log(`W6 filling ${historyTasks} finished tasks and ${historyDlq} DLQ rows`);
  const completed = Math.round(historyTasks * 0.9);
  const failed = Math.round(historyTasks * 0.05);
  await fillTasks(broker.database, { queue: 'w6', count: completed, state: 'completed' });
  await fillTasks(broker.database, { queue: 'w6', count: failed, state: 'failed' });
  await fillTasks(broker.database, {
    queue: 'w6',
    count: historyTasks - completed - failed,
    state: 'cancelled',
  });
  await fillDeadLetters(broker.database, 'w6', historyDlq);
  await ctx.bench.admin.query(
    'ANALYZE TABLE celers_live_tasks, celers_finished_tasks, celers_dead_letter_queue',
  );
  const full = await drainInRounds(ctx, 'w6', 1, scalingDrain, scalingDrain);
  const plan = await explainClaim(ctx.bench.admin, broker, 'w6');
  ctx.log(
    `W6 history: empty ${empty.rate.toFixed(0)} jobs/s, ${historyTasks} finished ${full.rate.toFixed(0)} jobs/s`,
  );
  ctx.note(
    `**W6** claim plan with ${historyTasks} finished tasks retained:\n\n${plan}\n\n${describeCounters('empty history', empty.perJob)}; ${describeCounters('large history', full.perJob)}.`,
  );
  return {
    W6: evaluateWorkload({
      celers: full.rate,
      raw: empty.rate,
      baseline: 'celers, empty history',
      unit: 'jobs/s',
      target: { kind: 'ratio-at-least', min: 0.8 },
      notes: `drain of ${scalingDrain} jobs (empty ${empty.processed}, large ${full.processed}${empty.capped || full.capped ? ', capped' : ''}), celers Worker consumer, with ${historyTasks} finished tasks (90% completed, 5% failed, 5% cancelled) and ${historyDlq} DLQ rows retained vs none`,
    }),
  };
};
