// Issue 14 item 2: a stored row that cannot be decoded (a poison row) must never block a queue.
import { type BrokerEventMap, createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

async function freshQueue(): Promise<MysqlBroker> {
  const b = await root.forQueue(`poison-${++n}`);
  b.on('error', () => undefined); // poison rows are reported as error events
  opened.push(b);
  return b;
}

/** Enqueues a task at `priority` and then corrupts one column of its row with raw SQL (as a bad import would). */
async function poison(b: MysqlBroker, column: string, value: string, priority = 10): Promise<string> {
  const id = await b.enqueue(createTask('poison', 1, { priority }));
  await sql`UPDATE celers_live_tasks SET ${sql.ref(column)} = ${value} WHERE id = ${id}`.execute(b.database);
  return id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'poison-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('poison rows', () => {
  it('a task whose retry_policy is "abc" is dead-lettered with CORRUPT_DATA; the next task is claimed', async () => {
    const b = await freshQueue();
    const errors: BrokerEventMap['error'][] = [];
    b.on('error', (e) => errors.push(e));
    const bad = await poison(b, 'retry_policy', '"abc"');
    const good = await b.enqueue(createTask('good', 2, { priority: 1 }));
    // Every consumer's dequeue succeeds: the poison row comes first by priority but never reaches anyone.
    const msg = await b.dequeue();
    expect(msg?.task.metadata.id).toBe(good);
    expect(await b.dequeue()).toBeNull();
    expect((await b.tasks.get(bad))?.state).toBe('failed');
    const [entry] = await b.dlq.list();
    expect(entry?.taskId).toBe(bad);
    expect(entry?.errorMessage).toMatch(/^CORRUPT_DATA: Task .* retry_policy is not a retry policy/);
    expect(errors.map((e) => (e.error as { code?: string }).code)).toEqual(['CORRUPT_DATA']);
  });

  it('metadata that is not an object and an unknown content encoding are poison too', async () => {
    const b = await freshQueue();
    const bad1 = await poison(b, 'metadata', '[1]', 30);
    const bad2 = await poison(b, 'content_encoding', 'gzip', 20);
    const good = await b.enqueue(createTask('good', 2, { priority: 1 }));
    const batch = await b.dequeueBatch(10);
    expect(batch.map((m) => m.task.metadata.id)).toEqual([good]);
    expect((await b.dlq.list()).map((e) => e.taskId).sort()).toEqual([bad1, bad2].sort());
  });

  it('a dequeue that locks only poison rows retries, so valid tasks behind them still come out', async () => {
    const b = await freshQueue();
    for (let i = 0; i < 3; i++) await poison(b, 'retry_policy', '{"kind":"nope"}', 100 - i);
    const good = await b.enqueue(createTask('good', 2, { priority: 1 }));
    expect((await b.dequeue())?.task.metadata.id).toBe(good);
    expect(await b.dlq.list()).toHaveLength(3);
  });

  it('concurrent consumers never see the poison row throw', async () => {
    const b = await freshQueue();
    await poison(b, 'retry_policy', '"abc"');
    const results = await Promise.allSettled([b.dequeue(), b.dequeue(), b.dequeue()]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await b.dlq.list()).toHaveLength(1);
  });

  it('a schedule that cannot be decoded is disabled by process(); the other schedules still run', async () => {
    const b = await freshQueue();
    const errors: BrokerEventMap['error'][] = [];
    b.on('error', (e) => errors.push(e));
    const every = { kind: 'every', minutes: 1 } as const;
    const bad = await b.schedules.register({ name: 'bad', taskName: 'job', payload: 1, schedule: every });
    const good = await b.schedules.register({ name: 'good', taskName: 'job', payload: 2, schedule: every });
    await sql`UPDATE celers_recurring_tasks SET next_run_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND,
      schedule = CASE WHEN id = ${bad} THEN '"abc"' ELSE schedule END WHERE id IN (${bad}, ${good})`.execute(
      b.database,
    );
    expect(await b.schedules.process()).toBe(1);
    expect((await b.tasks.list()).map((t) => t.metadata.recurring_name)).toEqual(['good']);
    const [row] = await sql<{ enabled: number }>`SELECT enabled FROM celers_recurring_tasks WHERE id = ${bad}`
      .execute(b.database)
      .then((r) => r.rows);
    expect(Number(row?.enabled)).toBe(0);
    expect(errors.map((e) => (e.error as { code?: string }).code)).toEqual(['CORRUPT_DATA']);
    expect(await b.schedules.process()).toBe(0); // nothing due, nothing thrown
  });
});
