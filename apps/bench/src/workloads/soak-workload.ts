import { fillTasks } from '../celers/task-filler.js';
import { evaluateWorkload } from '../report/targets.js';
import { jobsPerSecond, timed } from '../stats/stopwatch.js';
import { exited, forkBenchScript, nextMessage } from './child-process.js';
import type { SoakConfig, SoakMessage } from './soak-worker.js';
import type { Workload } from './workload-context.js';

type RssMessage = Extract<SoakMessage, { type: 'rss' }>;

/**
 * W8 (full mode): a million tasks through one Worker process; its RSS at 10% and at 100% of the run must stay
 * within 10% of each other (no per-task leak).
 */
export const soakWorkload: Workload = async (ctx) => {
  const n = ctx.sizes.soakTasks;
  await ctx.reset();
  const broker = await ctx.broker('w8');
  ctx.log(`W8 filling ${n} pending`);
  await fillTasks(broker.database, {
    queue: 'w8',
    count: n,
    state: 'pending',
    onProgress: (w) => {
      if (w % 100_000 === 0) ctx.log(`W8 filled ${w}`);
    },
  });
  const config: SoakConfig = { url: ctx.bench.url, queue: 'w8', tasks: n };
  const child = forkBenchScript('src/workloads/soak-worker.ts', config);
  const samples: RssMessage[] = [];
  child.on('message', (m: SoakMessage) => {
    if (m.type === 'rss') {
      samples.push(m);
      ctx.log(
        `W8 ${Math.round(m.at * 100)}%: ${m.processed} tasks, RSS ${m.rssMb} MB, heap ${m.heapUsedMb} MB`,
      );
    }
  });
  const { elapsedMs } = await timed(async () => {
    await nextMessage(child, 'done');
    await exited(child);
  });
  const [at10, at100] = samples;
  if (!at10 || !at100) throw new Error('the soak worker did not report RSS at 10% and 100%');
  return {
    W8: evaluateWorkload({
      celers: at100.rssMb,
      raw: at10.rssMb,
      baseline: 'RSS at 10%',
      unit: 'MB',
      target: { kind: 'within-percent', percent: 10 },
      notes: `RSS at 100% of ${n} tasks through one Worker process (concurrency 10); heap ${at10.heapUsedMb} → ${at100.heapUsedMb} MB; ${jobsPerSecond(n, elapsedMs).toFixed(0)} jobs/s over the run`,
    }),
  };
};
