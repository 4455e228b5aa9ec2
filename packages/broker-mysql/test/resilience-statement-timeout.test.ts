import { createTask } from '@celers/core';
import { type PrivateServer, startPrivateServer } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

// A silent partition (the server frozen with SIGSTOP): broker calls fail with DATABASE_TIMEOUT after
// pool.statementTimeoutMs instead of hanging, the breaker counts them, and after thaw the broker works again.

let server: PrivateServer;
let broker: MysqlBroker;

beforeAll(async () => {
  server = await startPrivateServer();
  broker = await MysqlBroker.connect({
    url: server.url,
    queue: 'frozen',
    migrate: true,
    pool: { maxConnections: 2, statementTimeoutMs: 1_000 },
    circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 60_000 },
  });
});
afterAll(async () => {
  server?.thaw();
  await broker?.close();
  await server?.destroy();
});

describe('statement timeout on a frozen server', () => {
  it('rejects with DATABASE_TIMEOUT within about the timeout, counts for the breaker, works after thaw', async () => {
    await broker.enqueue(createTask('before.freeze', 1));
    await server.freeze();
    let error: unknown;
    const started = Date.now();
    try {
      error = await broker.queueSize().catch((e: unknown) => e);
    } finally {
      server.thaw();
    }
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'DATABASE_TIMEOUT' });
    expect((error as Error).message).toMatch(/queueSize: Statement timed out after 1000 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
    expect(broker.circuitBreaker?.stats()).toMatchObject({ state: 'closed', consecutiveFailures: 1 });

    expect(await broker.queueSize()).toBe(1);
    const msg = await broker.dequeue();
    expect(msg?.task.metadata.name).toBe('before.freeze');
    await broker.ack(msg!.task.metadata.id, msg!.receiptHandle);
    expect(await broker.queueSize()).toBe(0);
  });
});
