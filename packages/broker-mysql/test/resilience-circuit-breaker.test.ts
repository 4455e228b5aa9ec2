import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { CelersError, createTask } from '@celers/core';
import { getPoolStats } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

/**
 * An in-process TCP proxy in front of the test server, so a test can take "the database" away and bring it
 * back on the same port. Modes: `forward` pipes to the server; `blackhole` accepts connections and never
 * answers (the client hits its connect timeout). `accepted` counts connection attempts.
 */
class TcpProxy {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  mode: 'forward' | 'blackhole' = 'forward';
  accepted = 0;
  port = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  async start(port = 0): Promise<number> {
    const server = createServer((client) => {
      this.accepted++;
      this.#track(client);
      if (this.mode === 'blackhole') return;
      const upstream = this.#track(tcpConnect(this.upstreamPort, this.upstreamHost));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  /** Destroys every open connection (client and upstream sides), keeping the listener. */
  dropConnections(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  /** Stops listening and destroys every open socket (the server "goes away"). */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #track(socket: Socket): Socket {
    this.#sockets.add(socket);
    const drop = () => {
      this.#sockets.delete(socket);
      socket.destroy();
    };
    socket.on('error', drop);
    socket.on('close', drop);
    return socket;
  }
}

let tdb: TestDatabase;
let upstream: URL;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  upstream = new URL(tdb.url);
  const migrator = await MysqlBroker.connect({ url: tdb.url, queue: 'cb-setup', migrate: true });
  await migrator.close();
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
afterAll(async () => {
  await tdb?.drop();
});

async function proxiedBroker(
  proxy: TcpProxy,
  queue: string,
  options: Parameters<typeof MysqlBroker.connect>[0] = {},
): Promise<MysqlBroker> {
  const url = new URL(tdb.url);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  const broker = await MysqlBroker.connect({ ...options, url: url.toString(), queue });
  cleanups.push(() => broker.close());
  return broker;
}

async function startProxy(): Promise<TcpProxy> {
  const proxy = new TcpProxy(upstream.hostname, Number(upstream.port || 3306));
  await proxy.start();
  cleanups.push(() => proxy.close());
  return proxy;
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes. */
async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `fn`, returning its error code (or 'ok') and how long it took. */
async function timed(fn: () => Promise<unknown>): Promise<{ code: string; ms: number }> {
  const started = performance.now();
  try {
    await fn();
    return { code: 'ok', ms: performance.now() - started };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? 'unknown', ms: performance.now() - started };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

describe('circuit breaker against a real server behind a TCP proxy', () => {
  it('server gone: DATABASE_UNAVAILABLE until the circuit opens, then fast CIRCUIT_OPEN; back on the same port: the SELECT 1 probe closes it at once', async () => {
    const proxy = await startProxy();
    const broker = await proxiedBroker(proxy, 'cb-close', {
      // A reset timeout of a minute: only the background probe can close the circuit within this test.
      circuitBreaker: { failureThreshold: 3, resetTimeoutMs: 60_000, successThreshold: 2 },
    });
    const changes: string[] = [];
    const probes: Array<{ ok: boolean; attempt: number }> = [];
    broker.on('circuit:changed', (e) => changes.push(`${e.from}->${e.to}`));
    broker.on('circuit:probed', (e) => probes.push({ ok: e.ok, attempt: e.attempt }));
    await broker.enqueue(createTask('before', 1));
    expect(await broker.queueSize()).toBe(1);
    expect(broker.circuitBreaker?.stats().state).toBe('closed');

    await proxy.close();
    // Let the pool notice its connections died, so every failure below is a connect failure.
    await waitUntil(() => (getPoolStats(broker.database)?.size ?? 0) === 0);

    const failing = [];
    for (let i = 0; i < 3; i++) failing.push(await timed(() => broker.queueSize()));
    expect(failing.map((f) => f.code)).toEqual([
      'DATABASE_UNAVAILABLE',
      'DATABASE_UNAVAILABLE',
      'DATABASE_UNAVAILABLE',
    ]);
    expect(broker.circuitBreaker?.stats()).toMatchObject({ state: 'open', consecutiveFailures: 3 });

    const open = [];
    for (let i = 0; i < 9; i++)
      open.push(await timed(() => (i % 2 ? broker.queueSize() : broker.enqueue(createTask('t', i)))));
    expect(new Set(open.map((o) => o.code))).toEqual(new Set(['CIRCUIT_OPEN']));
    // Failing fast: an open-circuit call is quicker than the calls that actually tried the network.
    expect(median(open.map((o) => o.ms))).toBeLessThan(median(failing.map((f) => f.ms)));
    expect(broker.circuitBreaker?.stats()).toMatchObject({ state: 'open', totalRejected: 9 });
    await waitUntil(() => probes.length >= 2); // probing while down: each probe fails

    await proxy.start(proxy.port); // the database is back, same address
    await waitUntil(() => broker.circuitBreaker?.state === 'closed', 5000);
    expect(probes.at(-1)?.ok).toBe(true);
    expect(probes.slice(0, -1).every((p) => !p.ok)).toBe(true);
    expect(probes.map((p) => p.attempt)).toEqual(probes.map((_, i) => i + 1));
    expect(changes).toEqual(['closed->open', 'open->closed']);
    expect(broker.circuitBreaker?.stats()).toMatchObject({ consecutiveFailures: 0, nextProbeAt: null });
    expect(await broker.queueSize()).toBe(1);
    await broker.enqueue(createTask('after', 2));
    expect(await broker.queueSize()).toBe(2);
  });

  it('open-circuit calls never reach the pool or the network, and return well under the connect timeout', async () => {
    const proxy = await startProxy();
    const connectTimeoutMs = 400;
    const broker = await proxiedBroker(proxy, 'cb-blackhole', {
      // No background probe here: this test counts every connection attempt the open circuit lets through.
      circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 60_000, probe: null },
      pool: { connectTimeoutMs, acquireTimeoutMs: 5000 },
    });
    expect(await broker.queueSize()).toBe(0);
    proxy.mode = 'blackhole';
    proxy.dropConnections();
    await waitUntil(() => (getPoolStats(broker.database)?.size ?? 0) === 0);

    const attemptsBefore = proxy.accepted;
    const failing = [await timed(() => broker.queueSize()), await timed(() => broker.queueSize())];
    expect(failing.map((f) => f.code)).toEqual(['DATABASE_UNAVAILABLE', 'DATABASE_UNAVAILABLE']);
    for (const f of failing) expect(f.ms).toBeGreaterThanOrEqual(connectTimeoutMs * 0.9);
    expect(proxy.accepted).toBeGreaterThan(attemptsBefore);

    const attemptsWhenOpened = proxy.accepted;
    const open = [];
    for (let i = 0; i < 20; i++) open.push(await timed(() => broker.dequeue()));
    expect(new Set(open.map((o) => o.code))).toEqual(new Set(['CIRCUIT_OPEN']));
    expect(proxy.accepted).toBe(attemptsWhenOpened); // no connection attempt while open
    expect(getPoolStats(broker.database)).toMatchObject({ size: 0, waiting: 0 });
    expect(Math.max(...open.map((o) => o.ms))).toBeLessThan(Math.min(...failing.map((f) => f.ms)));

    broker.circuitBreaker?.reset(); // the seed's reset_circuit_breaker
    proxy.mode = 'forward';
    expect(await broker.queueSize()).toBe(0);
    expect(broker.circuitBreaker?.stats().state).toBe('closed');
  });

  it('concurrent callers: an outage opens the circuit once; half-open lets one trial call through at a time', async () => {
    const proxy = await startProxy();
    const broker = await proxiedBroker(proxy, 'cb-concurrent', {
      // Without the probe, to see the half-open trial calls themselves.
      circuitBreaker: {
        failureThreshold: 4,
        resetTimeoutMs: 300,
        successThreshold: 1,
        halfOpenMaxCalls: 1,
        probe: null,
      },
      pool: { maxConnections: 10 },
    });
    // A second broker (its own pool) straight to the server: unaffected by the proxy outage.
    const direct = await MysqlBroker.connect({ url: tdb.url, queue: 'cb-concurrent' });
    cleanups.push(() => direct.close());
    await Promise.all(Array.from({ length: 8 }, (_, i) => broker.enqueue(createTask('t', i))));

    await proxy.close();
    await waitUntil(() => (getPoolStats(broker.database)?.size ?? 0) === 0);
    const burst = await Promise.all(Array.from({ length: 12 }, () => timed(() => broker.queueSize())));
    const codes = burst.map((r) => r.code);
    expect(new Set(codes).size).toBeLessThanOrEqual(2);
    for (const code of codes) expect(['DATABASE_UNAVAILABLE', 'CIRCUIT_OPEN']).toContain(code);
    expect(codes.filter((c) => c === 'DATABASE_UNAVAILABLE').length).toBeGreaterThanOrEqual(4);
    expect(broker.circuitBreaker?.stats().state).toBe('open');
    expect(await direct.queueSize()).toBe(8); // the server itself is fine; only this broker's path is cut

    await proxy.start(proxy.port);
    await waitUntil(() => broker.circuitBreaker?.state === 'half-open');
    const trial = await Promise.all(Array.from({ length: 6 }, () => timed(() => broker.queueSize())));
    expect(trial.filter((r) => r.code === 'ok')).toHaveLength(1);
    expect(trial.filter((r) => r.code === 'CIRCUIT_OPEN')).toHaveLength(5);
    expect(broker.circuitBreaker?.stats().state).toBe('closed');
    const after = await Promise.all(Array.from({ length: 6 }, () => broker.queueSize()));
    expect(after).toEqual(Array(6).fill(8));
  });

  it('errors that are not about availability never open the circuit', async () => {
    const proxy = await startProxy();
    const broker = await proxiedBroker(proxy, 'cb-logic', { circuitBreaker: { failureThreshold: 1 } });
    await broker.enableDrainMode();
    await expect(broker.enqueue(createTask('t', 1))).rejects.toMatchObject({ code: 'QUEUE_DRAINING' });
    await broker.disableDrainMode();
    const id = await broker.enqueue(createTask('t', 1));
    const msg = await broker.dequeue();
    await broker.ack(id, msg!.receiptHandle);
    // STALE_RECEIPT is thrown inside the breaker-wrapped call: the server answered, so it is a success.
    await expect(broker.ack(id, msg!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    await expect(broker.reject(id, msg!.receiptHandle)).rejects.toMatchObject({ code: 'STALE_RECEIPT' });
    await expect(broker.ack('not-a-uuid', msg!.receiptHandle)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(broker.transaction(async () => Promise.reject(new Error('caller bug')))).rejects.toThrow(
      'caller bug',
    );
    expect(broker.circuitBreaker?.stats()).toMatchObject({ state: 'closed', totalFailures: 0 });
  });

  it('circuitBreaker.run guards the caller’s own database work (the seed’s with_circuit_breaker)', async () => {
    const proxy = await startProxy();
    const broker = await proxiedBroker(proxy, 'cb-run', {
      circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 60_000 },
    });
    const breaker = broker.circuitBreaker!;
    const rows = await breaker.run(() =>
      broker.database.selectFrom('celers_tasks').select('id').where('queue_name', '=', 'cb-run').execute(),
    );
    expect(rows).toEqual([]);
    await proxy.close();
    await waitUntil(() => (getPoolStats(broker.database)?.size ?? 0) === 0);
    await expect(
      breaker.run(() => broker.database.selectFrom('celers_tasks').select('id').execute()),
    ).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    let ran = false;
    await expect(
      breaker.run(async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(ran).toBe(false);
    await expect(broker.queueSize()).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });

  it('connect validates the circuitBreaker options before touching the database', async () => {
    await expect(
      MysqlBroker.connect({
        url: 'mysql://root@127.0.0.1:1/never',
        queue: 'x',
        circuitBreaker: { failureThreshold: 0 },
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'options.circuitBreaker.failureThreshold',
    });
    await expect(
      MysqlBroker.connect({
        url: 'mysql://root@127.0.0.1:1/never',
        queue: 'x',
        circuitBreaker: { resetTimeoutMs: -5 },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'options.circuitBreaker.resetTimeoutMs' });
  });

  it('circuitBreaker: false disables the breaker', async () => {
    const proxy = await startProxy();
    const broker = await proxiedBroker(proxy, 'cb-off', { circuitBreaker: false });
    expect(broker.circuitBreaker).toBeNull();
    await proxy.close();
    await waitUntil(() => (getPoolStats(broker.database)?.size ?? 0) === 0);
    for (let i = 0; i < 6; i++)
      await expect(broker.queueSize()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    // README "Error Handling": one CelersError class, a stable code, the driver error kept as `cause`.
    const error = await broker.enqueue(createTask('t', 1)).catch((e: unknown) => e);
    expect(CelersError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', cause: { code: 'ECONNREFUSED' } });
  });
});
