import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

// Where a settled task is stored: kept tasks are completed in place by the ack and moved to
// celers_finished_tasks by the broker's archiver shortly after; keepCompleted: false deletes them at ack.

let tdb: TestDatabase;
const opened: MysqlBroker[] = [];

async function broker(queue: string, keepCompleted?: boolean): Promise<MysqlBroker> {
  const b = await MysqlBroker.connect({
    url: tdb.url,
    queue,
    migrate: true,
    ...(keepCompleted === undefined ? {} : { keepCompleted }),
  });
  opened.push(b);
  return b;
}

async function rows(b: MysqlBroker, table: 'celers_live_tasks' | 'celers_finished_tasks', state: string) {
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}
    WHERE queue_name = ${b.queueName} AND state = ${state}`.execute(b.database);
  return Number(r.rows[0]?.n);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function drain(b: MysqlBroker, count: number, withResults = false): Promise<string[]> {
  const ids = await b.enqueueBatch(Array.from({ length: count }, (_, i) => createTask('k', i)));
  for (;;) {
    const claimed = await b.dequeueBatch(500);
    if (claimed.length === 0) return ids;
    await b.ackBatch(
      claimed.map((m) => ({
        taskId: m.task.metadata.id,
        receiptHandle: m.receiptHandle,
        ...(withResults ? { result: { status: 'SUCCESS' as const, result: 1 } } : {}),
      })),
    );
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await tdb?.drop();
});

describe('keepCompleted', () => {
  it('keeps acked tasks by default: visible as completed at once, archived to the finished table soon after', async () => {
    const b = await broker('keep');
    const ids = await drain(b, 1_500); // more than one archive chunk (1,000)
    expect((await b.tasks.statistics()).completed).toBe(1_500);
    expect((await b.tasks.get(ids[0]!))?.state).toBe('completed');
    await eventually(async () => (await rows(b, 'celers_finished_tasks', 'completed')) === 1_500);
    expect(await rows(b, 'celers_live_tasks', 'completed')).toBe(0);
    expect((await b.tasks.statistics()).completed).toBe(1_500);
    expect(await b.tasks.countByState('completed')).toBe(1_500);
  });

  it('deletes acked tasks with keepCompleted: false, and still stores their results', async () => {
    const b = await broker('drop', false);
    const ids = await drain(b, 20, true);
    expect(await b.tasks.get(ids[0]!)).toBeNull();
    expect((await b.tasks.statistics()).total).toBe(0);
    expect((await b.results.get(ids[0]!))?.status).toBe('SUCCESS');
    // Failures are kept either way.
    await b.enqueue(createTask('k', 'fails', { maxRetries: 0 }));
    const msg = await b.dequeue();
    await b.reject(msg!.task.metadata.id, msg!.receiptHandle, { error: 'boom' });
    expect((await b.tasks.get(msg!.task.metadata.id))?.state).toBe('failed');
  });

  it('stops archiving at close and leaves nothing half-moved; another broker finishes the job', async () => {
    const a = await broker('handover');
    await drain(a, 300);
    await a.close();
    const b = await broker('handover');
    const live = await rows(b, 'celers_live_tasks', 'completed');
    const total = async () =>
      (await rows(b, 'celers_live_tasks', 'completed')) +
      (await rows(b, 'celers_finished_tasks', 'completed'));
    expect(await total()).toBe(300);
    if (live > 0) await drain(b, 1); // an ack tells b's archiver there is work
    await eventually(async () => (await rows(b, 'celers_live_tasks', 'completed')) === 0);
    expect(await rows(b, 'celers_finished_tasks', 'completed')).toBe(live > 0 ? 301 : 300);
  });

  it('rejects a keepCompleted that is not a boolean before connecting', async () => {
    await expect(
      MysqlBroker.connect({ url: tdb.url, queue: 'bad', keepCompleted: 'yes' as never }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'options.keepCompleted' });
  });
});
