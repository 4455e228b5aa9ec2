import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueRouter } from '../src/index.js';

// docs/operations/scaling.md: splitting queues across primaries. Two test databases stand in for two primaries.

let dbA: TestDatabase;
let dbB: TestDatabase;

beforeAll(async () => {
  dbA = await createTestDatabase();
  dbB = await createTestDatabase();
});
afterAll(async () => {
  await dbA?.drop();
  await dbB?.drop();
});

async function countTasks(url: string, queue: string): Promise<number> {
  const conn = await mysql.createConnection(url);
  try {
    const [rows] = await conn.query('SELECT COUNT(*) AS n FROM celers_tasks WHERE queue_name = ?', [queue]);
    return Number((rows as Array<{ n: number }>)[0]?.n);
  } finally {
    await conn.end();
  }
}

describe('QueueRouter', () => {
  it('routes each queue to its primary, shares one pool per primary, and closes everything', async () => {
    const router = new QueueRouter({
      routes: { emails: dbA.url, reports: dbB.url },
      default: dbA.url,
      migrate: true,
    });
    expect(router.routedQueues).toEqual(['emails', 'reports']);
    expect(router.targetCount).toBe(2);
    const [emails, reports, misc] = await Promise.all([
      router.broker('emails'),
      router.broker('reports'),
      router.broker('misc'),
    ]);
    expect(await router.broker('emails')).toBe(emails); // cached
    expect(misc.database).toBe(emails.database); // same primary → same pool
    expect(reports.database).not.toBe(emails.database);

    await emails.enqueue(createTask('send', { to: 'ana@example.com' }));
    await reports.enqueueBatch([createTask('render', 1), createTask('render', 2)]);
    await misc.enqueue(createTask('misc', null));
    expect(await countTasks(dbA.url, 'emails')).toBe(1);
    expect(await countTasks(dbB.url, 'emails')).toBe(0);
    expect(await countTasks(dbB.url, 'reports')).toBe(2);
    expect(await countTasks(dbA.url, 'reports')).toBe(0);
    expect(await countTasks(dbA.url, 'misc')).toBe(1);

    // a broker from the router works like any other
    const msg = await reports.dequeue({ workerId: 'w' });
    expect(msg?.task.metadata.name).toBe('render');
    await reports.ack(msg!.task.metadata.id, msg!.receiptHandle);

    await router.closeAll();
    await router.closeAll(); // idempotent
    await expect(router.broker('emails')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(emails.queueSize()).rejects.toBeDefined(); // its pool is gone
  });

  it('refuses unrouted queues without a default and bad routes, before any connection', async () => {
    const router = new QueueRouter({ routes: { emails: dbA.url } });
    await expect(router.broker('reports')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'queue',
    });
    await expect(router.broker('bad queue')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'queue',
    });
    await router.closeAll();
    expect(() => new QueueRouter({ routes: { emails: 'http://nope/x' } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'options.routes.emails' }),
    );
    expect(() => new QueueRouter({ routes: { 'bad queue': dbA.url } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => new QueueRouter({ routes: {} })).toThrow(
      expect.objectContaining({ argument: 'options.routes' }),
    );
    expect(
      () => new QueueRouter({ routes: { emails: { url: dbA.url, pool: { maxConnections: 0 } } } }),
    ).toThrow(expect.objectContaining({ argument: 'options.routes.emails.pool.maxConnections' }));
    expect(() => new QueueRouter(undefined as never)).toThrow(
      expect.objectContaining({ argument: 'options' }),
    );
  });

  it('retries a primary that was unreachable at first use', async () => {
    const router = new QueueRouter({
      routes: { jobs: 'mysql://root@127.0.0.1:1/nowhere' },
      default: dbB.url,
    });
    await expect(router.broker('jobs')).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    await expect(router.broker('jobs')).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' }); // not a cached failure
    const fallback = await router.broker('other');
    expect(await fallback.queueSize()).toBe(0);
    await router.closeAll();
  });
});
