import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let producer: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  producer = await MysqlBroker.connect({ url: tdb.url, queue: 'conc', migrate: true });
});
afterAll(async () => {
  await producer?.close();
  await tdb?.drop();
});

/** Rejects when `promise` takes longer than `ms` (a guard against a hang, not a performance assertion). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

describe('concurrent consumers', () => {
  it('8 consumers with their own pools drain 5,000 tasks: every task claimed exactly once, none missing', async () => {
    const total = 5_000;
    const ids = await producer.enqueueBatch(
      Array.from({ length: total }, (_, i) => createTask('drain', { i })),
    );
    const consumers = await Promise.all(
      Array.from({ length: 8 }, () =>
        MysqlBroker.connect({ url: tdb.url, queue: 'conc', pool: { maxConnections: 2 } }),
      ),
    );
    const claims: string[][] = consumers.map(() => []);
    let acked = 0;
    try {
      await Promise.all(
        consumers.map(async (c, i) => {
          for (;;) {
            const batch = await c.dequeueBatch(37, { workerId: `c${i}` });
            if (batch.length === 0) return;
            for (const m of batch) claims[i]!.push(m.task.metadata.id);
            const { count: n } = await c.ackBatch(
              batch.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
            );
            acked += n; // not `acked += await …`: that reads `acked` before the await and loses concurrent updates
          }
        }),
      );
    } finally {
      await Promise.all(consumers.map((c) => c.close()));
    }
    const all = claims.flat();
    expect(all).toHaveLength(total); // no task claimed twice
    expect(new Set(all)).toEqual(new Set(ids)); // none missing
    expect(acked).toBe(total);
    expect(claims.filter((c) => c.length > 0).length).toBeGreaterThan(1); // the work really was shared
    expect(await producer.tasks.statistics()).toMatchObject({
      pending: 0,
      processing: 0,
      completed: total,
      total,
    });
    const rows = await producer.database
      .selectFrom('celers_tasks')
      .select(['worker_id'])
      .where('queue_name', '=', 'conc')
      .where('state', '=', 'completed')
      .execute();
    expect(rows).toHaveLength(total);
    // Each row's worker is the consumer that recorded the claim.
    const byWorker = new Map<string, number>();
    for (const r of rows) byWorker.set(r.worker_id ?? '', (byWorker.get(r.worker_id ?? '') ?? 0) + 1);
    expect(claims.map((_, i) => byWorker.get(`c${i}`) ?? 0)).toEqual(claims.map((c) => c.length));
  });

  it('a row locked by another open transaction is skipped, not waited on', async () => {
    const q = await producer.forQueue('locked');
    const conn = await mysql.createConnection(tdb.url);
    try {
      const [first, second] = await q.enqueueBatch([createTask('l', 1), createTask('l', 2)]);
      await conn.query('SET SESSION innodb_lock_wait_timeout = 30');
      await conn.beginTransaction();
      await conn.query('SELECT id FROM celers_live_tasks WHERE id = ? FOR UPDATE', [first]);
      const msg = await within(q.dequeue(), 10_000, 'dequeue past a locked row');
      expect(msg?.task.metadata.id).toBe(second);
      expect(await within(q.dequeue(), 10_000, 'dequeue with only a locked row')).toBeNull();
      await conn.rollback();
      expect((await q.dequeue())?.task.metadata.id).toBe(first);
    } finally {
      await conn.end();
      await q.close();
    }
  });

  it('enqueues are not blocked by an open claim transaction (READ COMMITTED, no gap lock)', async () => {
    const q = await producer.forQueue('gap');
    const conn = await mysql.createConnection(tdb.url);
    try {
      await q.enqueue(createTask('g', 1));
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.beginTransaction();
      // The claim query a worker runs, held open.
      await conn.query(
        `SELECT id FROM celers_live_tasks WHERE queue_name = 'gap' AND state = 'pending' AND scheduled_at <= UTC_TIMESTAMP(6)
         ORDER BY priority DESC, scheduled_at, id LIMIT 10 FOR UPDATE SKIP LOCKED`,
      );
      const id = await within(q.enqueue(createTask('g', 2)), 10_000, 'enqueue during an open claim');
      expect(await q.tasks.get(id)).not.toBeNull();
      await conn.rollback();
    } finally {
      await conn.end();
      await q.close();
    }
  });
});
