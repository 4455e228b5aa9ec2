import { ensureCelerySchema } from '@celers/celery';
import { createDatabase } from '@celers/schema';
import { type PythonPool, pythonCeleryMissing } from '@celers/testing';
import { type KombuConsumer, startCelersConsumer, startPythonConsumer } from '../celery/kombu-consumers.js';
import { type KombuDrain, measureKombuDrain } from '../celery/kombu-drain.js';
import { CELERY_CONSUMER_CONCURRENCIES, PYTHON_PREFORK_CONCURRENCY } from '../cli/bench-sizes.js';
import type { WorkloadResult } from '../report/report-types.js';
import { evaluateWorkload } from '../report/targets.js';
import { describeCounters } from './drain-measure.js';
import type { Workload, WorkloadContext } from './workload-context.js';

/** The kombu queue W10 fills and drains. */
const QUEUE = 'w10';

/** Measures one case on the W10 queue with the consumer `start` returns. */
type Drain = (start: () => Promise<KombuConsumer>) => Promise<KombuDrain>;

/**
 * W10: the same N Celery messages (written by `sendCeleryTask`, untimed) drained from one kombu queue by an
 * unmodified Python `celery worker` (solo pool, then prefork) and by the celers Celery consumer (concurrency
 * 4 and 10), same tables and server, one run; one line per celers concurrency × Python pool. Skipped, with
 * the reason printed, when Debian's Python has no Celery. A Python pool that fails to drain is noted and
 * left out; the others still report.
 */
export const celeryDrainWorkload: Workload = async (ctx) => {
  const missing = await pythonCeleryMissing();
  if (missing) {
    ctx.log(`W10 skipped: ${missing}`);
    ctx.note(`**W10 skipped**: ${missing}.`);
    return {};
  }
  const n = ctx.sizes.celeryMessages;
  const db = createDatabase(ctx.bench.url);
  try {
    await ensureCelerySchema(db);
    const drain: Drain = (start) => measureKombuDrain(ctx, db, QUEUE, n, start);
    // Alternate the sides (python, celers, celers, python) so drifting load on a shared machine falls on both.
    const python = new Map<string, KombuDrain>();
    const celers = new Map<number, KombuDrain>();
    await drainPython(ctx, drain, 'solo', { kind: 'solo' }, python);
    for (const concurrency of CELERY_CONSUMER_CONCURRENCIES)
      celers.set(concurrency, await drain(() => startCelersConsumer(ctx.bench.url, QUEUE, concurrency)));
    const prefork: PythonPool = { kind: 'prefork', concurrency: PYTHON_PREFORK_CONCURRENCY };
    await drainPython(ctx, drain, 'prefork', prefork, python);
    for (const m of [...python.values(), ...celers.values()])
      ctx.log(
        `W10 ${m.label}: ${m.rate.toFixed(0)} msg/s (${m.processed} settled${m.capped ? ', capped' : ''})`,
      );
    ctx.note(
      `**W10** Celery-message drain of ${n} \`bench.noop\` messages, server counters per message: ${[...python.values(), ...celers.values()].map((m) => describeCounters(m.label, m.perJob)).join('; ')}.`,
    );
    return results(ctx, n, python, celers);
  } finally {
    await db.destroy();
  }
};

/** Runs one Python case; a failure (say, a pool that does not work here) is noted instead of thrown. */
async function drainPython(
  ctx: WorkloadContext,
  drain: Drain,
  id: string,
  pool: PythonPool,
  into: Map<string, KombuDrain>,
): Promise<void> {
  try {
    into.set(id, await drain(async () => startPythonConsumer(ctx.bench.url, QUEUE, pool)));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log(`W10 python ${id} failed: ${message}`);
    ctx.note(`**W10 python ${id} failed** (its lines are left out): \`${message.split('\n')[0]}\``);
  }
}

function results(
  ctx: WorkloadContext,
  n: number,
  python: Map<string, KombuDrain>,
  celers: Map<number, KombuDrain>,
): Record<string, WorkloadResult> {
  const out: Record<string, WorkloadResult> = {};
  for (const [poolId, py] of python)
    for (const [concurrency, own] of celers) {
      const capped = [py, own]
        .filter((m) => m.capped)
        .map((m) => `${m.label} capped at ${Math.round(ctx.drainCapMs / 1000)} s: ${m.processed} of ${n}`);
      const errors =
        own.errors > 0 ? `; ${own.errors} consumer errors survived (first: ${own.firstError})` : '';
      out[`W10.${poolId}.c${concurrency}`] = evaluateWorkload({
        celers: own.rate,
        raw: py.rate,
        baseline: py.label,
        unit: 'jobs/s',
        target: { kind: 'ratio-at-least', min: 1 },
        notes: `${n} messages written by sendCeleryTask, no-op task, SUCCESS rows in celery_taskmeta; celers concurrency ${concurrency}${capped.length > 0 ? ` (${capped.join('; ')})` : ''}${errors}`,
      });
    }
  return out;
}
