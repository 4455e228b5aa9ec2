import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { createTask } from '@celers/core';
import { createDatabase, MIGRATION_NAMES, migrateUpTo } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'health', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

/**
 * A TCP proxy in front of the real server, so a test can make the database unreachable: `forward` pipes to
 * the server, `blackhole` accepts connections and never answers, `stop()` closes the port (connection refused).
 */
class FlakyProxy {
  mode: 'forward' | 'blackhole' = 'forward';
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #target: URL;

  constructor(target: string) {
    this.#target = new URL(target);
    this.#server = createServer((client) => {
      this.#track(client);
      if (this.mode === 'blackhole') return;
      const upstream = new Socket();
      this.#track(upstream);
      upstream.connect(Number(this.#target.port || 3306), this.#target.hostname);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
  }

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const url = new URL(this.#target);
    url.hostname = '127.0.0.1';
    url.port = String((this.#server.address() as { port: number }).port);
    return url.toString();
  }

  /** Cuts every open connection (pooled connections die). */
  cut(): void {
    for (const s of this.#sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
  }
}

describe('broker.health.check', () => {
  it('reports server, schema, queue depth, pool and latency', async () => {
    const q = await broker.forQueue('health-check');
    try {
      await q.enqueueBatch([createTask('h', 1), createTask('h', 2), createTask('h', 3)]);
      await q.dequeue();
      const h = await q.health.check();
      expect(h).toMatchObject({
        healthy: true,
        serverFlavour: q.serverProfile.flavour,
        databaseName: tdb.name,
        missingMigrations: [],
        pendingTasks: 2,
        processingTasks: 1,
      });
      expect(h.serverVersion).toBe(q.serverProfile.version);
      expect(h.latencyMs).toBeGreaterThanOrEqual(0);
      expect(Math.abs(h.checkedAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(h.pool).toMatchObject({ max: 20 });
      expect(h.pool!.size).toBeGreaterThanOrEqual(1);
    } finally {
      await q.close();
    }
  });

  it('is unhealthy when the database lacks a migration this code knows', async () => {
    const last = MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!;
    const db = broker.database;
    const saved = await sql<{
      timestamp: string;
    }>`SELECT timestamp FROM celers_migrations WHERE name = ${last}`.execute(db);
    await sql`DELETE FROM celers_migrations WHERE name = ${last}`.execute(db);
    try {
      const h = await broker.health.check();
      expect(h.healthy).toBe(false);
      expect(h.missingMigrations).toEqual([last]);
    } finally {
      await sql`INSERT INTO celers_migrations (name, timestamp) VALUES (${last}, ${saved.rows[0]!.timestamp})`.execute(
        db,
      );
    }
    expect((await broker.health.check()).healthy).toBe(true);
  });
});

describe('broker.health.isReady', () => {
  it('is true for a reachable server and false (never a throw) when it goes away or hangs', async () => {
    const proxy = new FlakyProxy(tdb.url);
    const url = await proxy.listen();
    const b = await MysqlBroker.connect({
      url,
      queue: 'health',
      circuitBreaker: false,
      pool: { connectTimeoutMs: 2_000, acquireTimeoutMs: 2_000, maxConnections: 2 },
    });
    try {
      expect(await b.health.isReady()).toBe(true);

      // A server that accepts connections but never answers: false once the timeout passes.
      proxy.mode = 'blackhole';
      proxy.cut();
      expect(await b.health.isReady({ timeoutMs: 300 })).toBe(false);

      // A closed port: connection refused.
      await proxy.stop();
      expect(await b.health.isReady({ timeoutMs: 5_000 })).toBe(false);
      await expect(b.health.check()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    } finally {
      await b.close();
    }
    // A closed broker is not ready either.
    expect(await b.health.isReady()).toBe(false);
  });
});

describe('connecting to an unmigrated database', () => {
  it('fails with MIGRATION_REQUIRED when empty or partly migrated, and works after migrate', async () => {
    const empty = await createTestDatabase();
    try {
      await expect(MysqlBroker.connect({ url: empty.url, queue: 'q' })).rejects.toMatchObject({
        code: 'MIGRATION_REQUIRED',
      });
      const db = createDatabase(empty.url);
      try {
        await migrateUpTo(db, '0003_create_task_results');
        await expect(MysqlBroker.connect({ database: db, queue: 'q' })).rejects.toMatchObject({
          code: 'MIGRATION_REQUIRED',
        });
      } finally {
        await db.destroy();
      }
      const migrated = await MysqlBroker.connect({ url: empty.url, queue: 'q', migrate: true });
      expect(await migrated.health.isReady()).toBe(true);
      await migrated.close();
      const plain = await MysqlBroker.connect({ url: empty.url, queue: 'q' });
      expect((await plain.health.check()).healthy).toBe(true);
      await plain.close();
    } finally {
      await empty.drop();
    }
  });
});
