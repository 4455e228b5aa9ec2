// The demo worker's /metrics endpoint: loopback by default, refused beyond loopback without a token unless
// opted out, bearer token and Host allow-list enforced over real HTTP; metrics come from the test database.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createMetricsRegistry, type MetricsRegistry, registerBrokerMetrics } from '@celers/monitoring';
import { createTestDatabase, rawHttpRequest, type TestDatabase } from '@celers/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsServer, startMetricsServer } from '../src/metrics-server.js';
import { workerConfigFromEnv } from '../src/worker-config.js';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = 'metrics-token-42';

let tdb: TestDatabase;
let broker: MysqlBroker;
let registry: MetricsRegistry;
let unregister: () => void;
const servers: MetricsServer[] = [];

/**
 * A loopback address the metrics server is not bound to (every 127.0.0.0/8 address is on `lo`): the 127.0.0.1
 * default bind refuses connections to it, a 0.0.0.0 bind serves it. Tests never send traffic beyond loopback.
 * Not in the default Host allow-list: a test expecting an answer through it passes it as an allowed host.
 */
const OTHER_LOOPBACK = '127.0.0.2';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function start(
  options: Omit<Parameters<typeof startMetricsServer>[1], 'port'>,
): Promise<MetricsServer> {
  const server = await startMetricsServer(registry, { port: 0, ...options });
  servers.push(server);
  return server;
}

async function refusesConnection(url: string): Promise<boolean> {
  try {
    await rawHttpRequest(url);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'demo', migrate: true });
  registry = createMetricsRegistry();
  unregister = registerBrokerMetrics(broker, { registry });
  await broker.enqueue(createTask('metrics.probe', {}));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(async () => {
  unregister?.();
  await broker?.close();
  await tdb?.drop();
});

describe('demo worker /metrics', () => {
  it('listens on 127.0.0.1 by default: reachable there, refused on another loopback address', async () => {
    const server = await start({});
    expect(server).toMatchObject({ host: '127.0.0.1', exposure: 'loopback' });
    const res = await rawHttpRequest(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/celers_queue_size\{queue="demo"\} 1/);
    expect(await refusesConnection(`http://${OTHER_LOOPBACK}:${server.port}/metrics`)).toBe(true);
  });

  it('refuses to listen beyond loopback without a token, and leaves the port closed', async () => {
    const port = await freePort();
    await expect(startMetricsServer(registry, { port, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'METRICS_HOST',
      message: expect.stringMatching(/without authentication.*METRICS_TOKEN.*METRICS_INSECURE_NO_AUTH=1/),
    });
    expect(await refusesConnection(`http://127.0.0.1:${port}/metrics`)).toBe(true);
  });

  it('with METRICS_INSECURE_NO_AUTH, serves every interface without a token and warns loudly', async () => {
    const warnings: string[] = [];
    const server = await start({
      host: '0.0.0.0',
      insecureNoAuth: true,
      allowedHosts: [OTHER_LOOPBACK],
      warn: (m) => warnings.push(m),
    });
    expect(server.exposure).toBe('insecure');
    expect(warnings.join('\n')).toMatch(
      /WARNING: the metrics endpoint listens on 0\.0\.0\.0 WITHOUT AUTHENTICATION/,
    );
    const res = await rawHttpRequest(`http://${OTHER_LOOPBACK}:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('celers_queue_size{queue="demo"}');
  });

  it('beyond loopback with a token: 401 without it, 200 with it, 421 for a foreign Host', async () => {
    const server = await start({
      host: '0.0.0.0',
      token: TOKEN,
      allowedHosts: ['metrics.internal', OTHER_LOOPBACK],
    });
    expect(server.exposure).toBe('authenticated');
    const url = `http://${OTHER_LOOPBACK}:${server.port}/metrics`;
    const anonymous = await rawHttpRequest(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).not.toContain('celers_');
    const wrong = await rawHttpRequest(url, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const scraped = await rawHttpRequest(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('celers_queue_size{queue="demo"} 1');
    const named = await rawHttpRequest(url, {
      headers: { host: `metrics.internal:${server.port}`, authorization: `Bearer ${TOKEN}` },
    });
    expect(named.status).toBe(200);
    const rebound = await rawHttpRequest(url, {
      headers: { host: `evil.example:${server.port}`, authorization: `Bearer ${TOKEN}` },
    });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('celers_');
  });

  it('reads METRICS_HOST, METRICS_TOKEN, METRICS_INSECURE_NO_AUTH and METRICS_ALLOWED_HOSTS', () => {
    const url = { CELERS_DATABASE_URL: tdb.url };
    expect(workerConfigFromEnv(url)).toMatchObject({
      metricsHost: '127.0.0.1',
      metricsToken: undefined,
      metricsInsecureNoAuth: false,
      metricsAllowedHosts: [],
    });
    expect(
      workerConfigFromEnv({
        ...url,
        METRICS_HOST: '0.0.0.0',
        METRICS_TOKEN: TOKEN,
        METRICS_INSECURE_NO_AUTH: '1',
        METRICS_ALLOWED_HOSTS: 'worker, metrics.internal',
      }),
    ).toMatchObject({
      metricsHost: '0.0.0.0',
      metricsToken: TOKEN,
      metricsInsecureNoAuth: true,
      metricsAllowedHosts: ['worker', 'metrics.internal'],
    });
    expect(() => workerConfigFromEnv({ ...url, METRICS_TOKEN: 'short' })).toThrow(
      expect.objectContaining({ argument: 'METRICS_TOKEN' }),
    );
    expect(() => workerConfigFromEnv({ ...url, METRICS_INSECURE_NO_AUTH: 'maybe' })).toThrow(
      expect.objectContaining({ argument: 'METRICS_INSECURE_NO_AUTH' }),
    );
    expect(() => workerConfigFromEnv({ ...url, METRICS_HOST: 'http://0.0.0.0' })).toThrow(
      expect.objectContaining({ argument: 'METRICS_HOST' }),
    );
  });

  it('the worker process exits 2 with the reason when METRICS_HOST is wide and no token is set', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: APP_DIR,
      env: { ...process.env, CELERS_DATABASE_URL: tdb.url, METRICS_HOST: '0.0.0.0', METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(
      /\[worker\] Invalid argument "METRICS_HOST": refusing to serve the metrics endpoint on 0\.0\.0\.0/,
    );
  }, 60_000);
});
