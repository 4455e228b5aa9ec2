import { PROMOTE_INTERVAL_MS } from '@celers/schema';
import { describe, expect, it } from 'vitest';
import { ScheduledPromoter } from '../src/queue/scheduled-promoter.js';

// The once-a-second gate in front of promotion (no database: the promotion itself is a counter here).

describe('ScheduledPromoter', () => {
  it('runs on the first ask, then at most once per interval', async () => {
    let now = 10_000;
    const promoter = new ScheduledPromoter(PROMOTE_INTERVAL_MS, () => now);
    let runs = 0;
    const promote = async () => {
      runs++;
    };
    await promoter.promoteIfDue(promote);
    expect(runs).toBe(1);
    now += PROMOTE_INTERVAL_MS - 1;
    await promoter.promoteIfDue(promote);
    expect(runs).toBe(1);
    now += 1;
    await promoter.promoteIfDue(promote);
    expect(runs).toBe(2);
  });

  it('lets concurrent askers wait for the run in flight instead of skipping it', async () => {
    const promoter = new ScheduledPromoter(PROMOTE_INTERVAL_MS, () => 0);
    let release!: () => void;
    let finished = false;
    const first = promoter.promoteIfDue(
      () =>
        new Promise<void>((resolve) => {
          release = () => {
            finished = true;
            resolve();
          };
        }),
    );
    let secondRan = false;
    const second = promoter.promoteIfDue(async () => {
      secondRan = true;
    });
    let secondDone = false;
    void second.then(() => {
      secondDone = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(secondDone).toBe(false); // still waiting for the first run
    release();
    await Promise.all([first, second]);
    expect(finished).toBe(true);
    expect(secondRan).toBe(false);
  });

  it('forgets a failed run, so the next ask runs again', async () => {
    const promoter = new ScheduledPromoter(PROMOTE_INTERVAL_MS, () => 0);
    await expect(
      promoter.promoteIfDue(async () => {
        throw new Error('deadlock');
      }),
    ).rejects.toThrow('deadlock');
    let ran = false;
    await promoter.promoteIfDue(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
