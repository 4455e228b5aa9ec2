import { createServer, type Server, type Socket } from 'node:net';
import { freePort, type PrivateServer, startPrivateServer } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CelersDatabase, createDatabase, getPoolStats, warmupPool } from '../src/index.js';

// A URL with a list of hosts, on two private servers: new connections go to the first reachable host, a host
// that fails to connect is skipped for the cool-down and then used again, open connections on a stopped host
// fail once and are dropped.

let first: PrivateServer;
let second: PrivateServer;
const opened: Kysely<CelersDatabase>[] = [];

beforeAll(async () => {
  [first, second] = await Promise.all([startPrivateServer(), startPrivateServer()]);
}, 120_000);
afterAll(async () => {
  await Promise.all(opened.map((db) => db.destroy()));
  await Promise.all([first?.destroy(), second?.destroy()]);
});

function open(hosts: readonly number[], hostCoolDownMs?: number): Kysely<CelersDatabase> {
  const list = hosts.map((port) => `127.0.0.1:${port}`).join(',');
  const db = createDatabase({
    url: `mysql://root@${list}/celers`,
    pool: { connectTimeoutMs: 2_000, ...(hostCoolDownMs ? { hostCoolDownMs } : {}) },
  });
  opened.push(db);
  return db;
}

/** The port of the server that answers `db`'s next statement. */
async function servedBy(db: Kysely<CelersDatabase>): Promise<number> {
  const { rows } = await sql<{ port: number }>`SELECT @@port AS port`.execute(db);
  return Number(rows[0]?.port);
}

/** A TCP listener that accepts and at once closes every connection, as a host whose server is going away. */
async function hangingUp(): Promise<{ server: Server; port: number; accepted: () => number }> {
  const port = await freePort();
  let accepted = 0;
  const server = createServer((socket: Socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port, accepted: () => accepted };
}

describe('createDatabase with a list of hosts', () => {
  it('uses the first host; when it stops, statements continue on the next one', async () => {
    const db = open([first.port, second.port]);
    expect(await servedBy(db)).toBe(first.port);
    await warmupPool(db, 1);
    expect(getPoolStats(db)).toMatchObject({ size: 1 });

    await first.stop();
    try {
      // the connection opened on the stopped host fails at most once (if its close was not seen yet) and is
      // dropped; the next connection goes to the second host
      const answer = await servedBy(db).catch((error: unknown) => error);
      if (typeof answer !== 'number') expect(answer).toMatchObject({ code: expect.any(String) });
      expect(await servedBy(db)).toBe(second.port);
      expect(await servedBy(db)).toBe(second.port);
      // the dead host's connection is gone: one connection, on the second host
      expect(getPoolStats(db)).toMatchObject({ size: 1, idle: 1, active: 0, waiting: 0 });
    } finally {
      await first.start();
    }
  }, 60_000);

  it('skips a host that failed to connect for the cool-down, then tries it first again', async () => {
    const dead = await hangingUp();
    try {
      const db = open([dead.port, second.port], 1_000);
      expect(await servedBy(db)).toBe(second.port);
      expect(dead.accepted()).toBe(1);
      // during the cool-down, new connections do not try the failed host
      const busy = await Promise.all([1, 2, 3].map(() => db.connection().execute(servedBy)));
      expect(busy).toEqual([second.port, second.port, second.port]);
      expect(dead.accepted()).toBe(1);
      // after it, the first host is tried first again (and fails again here)
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await Promise.all([1, 2].map(() => db.connection().execute(servedBy)))).toEqual([
        second.port,
        second.port,
      ]);
      expect(dead.accepted()).toBeGreaterThan(1);
    } finally {
      await new Promise((r) => dead.server.close(r));
    }
  }, 30_000);

  it('goes back to the first host once it is up again and its cool-down is over', async () => {
    const db = open([first.port, second.port], 500);
    await first.stop();
    try {
      expect(await servedBy(db)).toBe(second.port);
    } finally {
      await first.start();
    }
    await new Promise((r) => setTimeout(r, 600));
    // the first host's pool has no connection yet: the new one goes to the first host again, while the
    // second host's connection stays idle in its own pool
    expect(await servedBy(db)).toBe(first.port);
    expect(getPoolStats(db)).toMatchObject({ size: 2, idle: 2 });
  }, 60_000);

  it('fails with the last error when no host answers, and recovers when one comes back', async () => {
    const db = open([first.port, second.port], 60_000);
    await Promise.all([first.stop(), second.stop()]);
    try {
      await expect(servedBy(db)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // both hosts are cooling down for a minute: they are tried again anyway rather than failing untried
      await second.start();
      expect(await servedBy(db)).toBe(second.port);
    } finally {
      await Promise.all([first.start(), second.start()]);
    }
  }, 60_000);
});
