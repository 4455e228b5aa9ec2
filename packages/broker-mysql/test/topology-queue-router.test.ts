// QueueRouter across two real primaries (two private servers): one is stopped mid-run; the other queue's work
// goes on, and the stopped one's queue resumes once its server is back.
import { CelersError, createTask } from '@celers/core';
import { type PrivateServer, queryOnce, startPrivateServer, waitUntil } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MysqlBroker, QueueRouter } from '../src/index.js';

let first: PrivateServer;
let second: PrivateServer;
let router: QueueRouter;

beforeAll(async () => {
  [first, second] = await Promise.all([startPrivateServer(), startPrivateServer()]);
  router = new QueueRouter({ routes: { emails: first.url, reports: second.url }, migrate: true });
}, 120_000);
afterAll(async () => {
  await router?.closeAll();
  await Promise.all([first?.destroy(), second?.destroy()]);
});

/** Claims and acks until `queue` is empty; returns how many it finished. */
async function drain(broker: MysqlBroker): Promise<number> {
  let done = 0;
  for (;;) {
    const claimed = await broker.dequeueBatch(10);
    if (claimed.length === 0) return done;
    done += (
      await broker.ackBatch(
        claimed.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
      )
    ).count;
  }
}

describe('QueueRouter with two primaries, one stopped mid-run', () => {
  it('keeps the other queue working while one primary is down, and resumes the stopped one after', async () => {
    const emails = await router.broker('emails');
    const reports = await router.broker('reports');
    await emails.enqueueBatch(Array.from({ length: 20 }, (_, i) => createTask('send', { i })));
    await reports.enqueueBatch(Array.from({ length: 20 }, (_, i) => createTask('render', { i })));
    expect(await drain(emails)).toBe(20);

    await second.stop();
    const down = await reports.dequeueBatch(5).catch((e: unknown) => e);
    expect(CelersError.isInstance(down) && ['DATABASE_UNAVAILABLE', 'CIRCUIT_OPEN'].includes(down.code)).toBe(
      true,
    );
    // the first primary does not notice
    await emails.enqueueBatch(Array.from({ length: 10 }, (_, i) => createTask('send', { i })));
    expect(await drain(emails)).toBe(10);

    await second.start();
    // the broker's circuit breaker lets a probe through after its cool-down; then work resumes
    let resumed = 0;
    await waitUntil(
      'the reports primary to answer again',
      async () => {
        const claimed = await reports.dequeueBatch(1);
        resumed += (
          await reports.ackBatch(
            claimed.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
          )
        ).count;
        return true;
      },
      60_000,
      500,
    );
    expect(resumed + (await drain(reports))).toBe(20);
    const rows = await queryOnce<{ state: string; n: number }>(
      second.url,
      "SELECT state, COUNT(*) AS n FROM celers_tasks WHERE queue_name = 'reports' GROUP BY state",
    );
    expect(rows.map((r) => [r.state, Number(r.n)])).toEqual([['completed', 20]]);
  }, 120_000);
});
