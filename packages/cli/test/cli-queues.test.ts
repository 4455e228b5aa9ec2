import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from './helpers/build-packages.js';
import { jsonOf, runCelers } from './helpers/run-celers.js';

let tdb: TestDatabase;
let mail: MysqlBroker;
let reports: MysqlBroker;

function celers(...args: string[]) {
  return runCelers(args, { CELERS_DATABASE_URL: tdb.url });
}

beforeAll(async () => {
  buildPackages(['cli']);
  tdb = await createTestDatabase();
  mail = await MysqlBroker.connect({ url: tdb.url, queue: 'mail', migrate: true });
  reports = await mail.forQueue('reports');
  await mail.enqueueBatch([createTask('send', {}), createTask('send', {}), createTask('send', {})]);
  const claimed = await mail.dequeue({ workerId: 'w' });
  if (!claimed) throw new Error('expected to claim a task');
  await mail.ack(claimed.task.metadata.id, claimed.receiptHandle);
  await reports.pause();
}, 600_000);

afterAll(async () => {
  await reports?.close();
  await mail?.close();
  await tdb?.drop();
});

describe('celers queues', () => {
  it('lists every queue with tasks or settings and its counts per state', async () => {
    const run = await celers('queues', '--json');
    expect(run.code, run.stderr).toBe(0);
    const queues = jsonOf<Array<Record<string, unknown>>>(run);
    expect(queues.map((q) => q.queue)).toEqual(['mail', 'reports']);
    expect(queues[0]).toMatchObject({
      queue: 'mail',
      pending: 2,
      completed: 1,
      processing: 0,
      dlq: 0,
      total: 3,
    });
    expect(queues[1]).toMatchObject({ queue: 'reports', pending: 0, total: 0 });
    const table = await celers('queues');
    expect(table.stdout).toMatch(/QUEUE\s+PENDING/);
    expect(table.stdout).toMatch(/mail\s+2\s+0\s+1/);
  });
});

describe('unknown queue warning', () => {
  it('status, tasks list and dlq list warn on stderr for a queue with no rows, and keep stdout clean', async () => {
    for (const args of [['status'], ['tasks', 'list'], ['dlq', 'list']]) {
      const run = await celers(...args, '--queue', 'mial', '--json');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('warning: queue "mial" has no tasks');
      expect(() => JSON.parse(run.stdout)).not.toThrow();
    }
  });

  it('says nothing for a known queue, even one with only settings', async () => {
    for (const queue of ['mail', 'reports']) {
      const run = await celers('status', '--queue', queue, '--json');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
    }
  });
});
