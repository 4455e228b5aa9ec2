import { type BrokerEventMap, createTask } from '@celers/core';
import { type PrivateServer, startPrivateServer } from '@celers/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

// Retries the broker makes on its own are visible as `operation:retried` events. A private server with a 1 s
// lock wait timeout makes a 1205 cheap to provoke; KILL of the broker's connection mid-statement provokes a
// reconnect.
let server: PrivateServer;
let broker: MysqlBroker;
let admin: mysql.Connection;

beforeAll(async () => {
  server = await startPrivateServer({ args: ['--innodb-lock-wait-timeout=1'] });
  broker = await MysqlBroker.connect({ url: server.url, queue: 'retries', migrate: true });
  admin = await mysql.createConnection(server.url);
});
afterAll(async () => {
  await admin?.end();
  await broker?.close();
  await server?.destroy();
});

/** A broker on a queue of its own (closed with the file's broker pool) and the retries it reports. */
async function queueWithRetries(queue: string) {
  const b = await broker.forQueue(queue);
  const retries: BrokerEventMap['operation:retried'][] = [];
  b.on('operation:retried', (e) => retries.push(e));
  return { b, retries };
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Locks a task row from another session until the returned function is called. */
async function holdRowLock(taskId: string): Promise<() => Promise<void>> {
  const holder = await mysql.createConnection(server.url);
  await holder.query('START TRANSACTION');
  await holder.query('SELECT id FROM celers_live_tasks WHERE id = ? FOR UPDATE', [taskId]);
  return async () => {
    await holder.query('ROLLBACK');
    await holder.end();
  };
}

describe('internal retries are reported as operation:retried', () => {
  it('a reject that waits past innodb_lock_wait_timeout (1205) is retried and succeeds, reported once per retry', async () => {
    const { b, retries } = await queueWithRetries('retries-lock-wait');
    const id = await b.enqueue(createTask('slow-lock', 1));
    const msg = await b.dequeue();
    const release = await holdRowLock(id);
    const rejecting = b.reject(id, msg!.receiptHandle, { error: 'boom', delayMs: 0 });
    await waitUntil(() => retries.length >= 1);
    await release();
    await expect(rejecting).resolves.toMatchObject({ outcome: 'retried', retryCount: 1 });
    expect(retries[0]).toMatchObject({
      queue: 'retries-lock-wait',
      operation: 'reject',
      reason: 'lock-wait-timeout',
      attempt: 1,
    });
    expect(retries[0]?.error).toBeInstanceOf(Error);
    expect(retries.map((r) => r.attempt)).toEqual(retries.map((_, i) => i + 1));
    const row = await b.tasks.get(id);
    expect(row?.state).toBe('pending');
    await b.close();
  });

  it('an extendLease whose connection is killed mid-statement runs again once on a fresh connection (reconnect)', async () => {
    const { b, retries } = await queueWithRetries('retries-reconnect');
    const id = await b.enqueue(createTask('killed', 1));
    const msg = await b.dequeue();
    const release = await holdRowLock(id);
    const extending = b.extendLease(id, msg!.receiptHandle, 60_000);
    // Find the broker's session waiting on the lock, and kill it.
    let victim: number | undefined;
    await waitUntil(async () => {
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'update `celers_live_tasks` set `lease_expires_at`%'",
      );
      victim = rows[0]?.ID as number | undefined;
      return victim !== undefined;
    });
    await admin.query(`KILL CONNECTION ${Number(victim)}`);
    await waitUntil(() => retries.length >= 1);
    await release();
    const expiry = await extending;
    expect(expiry.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({
      operation: 'extendLease',
      reason: 'reconnect',
      attempt: 1,
      delayMs: 0,
    });
    expect(b.circuitBreaker?.stats().state).toBe('closed');
    await b.close();
  });
});
