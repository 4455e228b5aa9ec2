import { pause } from '../stats/stopwatch.js';
import { ConsumerProgress } from './consumer-progress.js';
import type { ConsumerRun } from './consumer-types.js';

/**
 * Runs `loops` concurrent copies of `step` until stopped, the harness shared by the raw baseline and the
 * broker-level consumer. A step handles one claim: it returns how many jobs it settled, or `null` when
 * nothing was due (the loop then sleeps `idlePollMs`). A throwing step fails the run; `cleanup` runs once
 * every loop has ended.
 */
export function runConsumerLoops(
  loops: number,
  idlePollMs: number,
  step: (loop: number) => Promise<number | null>,
  cleanup: () => Promise<void> = async () => undefined,
): ConsumerRun {
  const progress = new ConsumerProgress();
  let stopping = false;
  const loop = async (index: number) => {
    while (!stopping) {
      const settled = await step(index);
      if (settled === null) await pause(idlePollMs);
      else progress.add(settled);
    }
  };
  const running = Array.from({ length: loops }, (_, i) =>
    loop(i).catch((error: unknown) => {
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
        await Promise.all(running);
        await cleanup();
      })();
      return stopped;
    },
  };
}
