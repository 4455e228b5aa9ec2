import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, rawHttpRequest, type TestDatabase } from '@celers/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsHandler, registerBrokerMetrics, resolveAllowedHosts } from '../src/index.js';
import { sampleValue } from './helpers/prometheus-text.js';

const TOKEN = 'scrape-token-123';

let tdb: TestDatabase;
let broker: MysqlBroker;
let registry: Registry;
let unregister: () => void;
let server: Server;
let url: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'guarded', migrate: true });
  registry = new Registry();
  unregister = registerBrokerMetrics(broker, { registry });
  const handler = metricsHandler(registry, { token: TOKEN, allowedHosts: resolveAllowedHosts('127.0.0.1') });
  server = createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  await broker.enqueue(createTask('guarded.task', {}));
});
afterAll(async () => {
  server?.close();
  unregister?.();
  await broker?.close();
  await tdb?.drop();
});

describe('metricsHandler with a token and a Host allow-list', () => {
  it('serves the metrics to a scraper with the right bearer token', async () => {
    const res = await rawHttpRequest(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(sampleValue(res.body, 'celers_queue_size', { queue: 'guarded' })).toBe(await broker.queueSize());
  });

  it('answers 401 with a Bearer challenge to a missing or wrong token, and no metrics', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-1' },
      { authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of attempts) {
      const res = await rawHttpRequest(url, { headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="celers metrics"');
      expect(res.body).not.toContain('celers_');
    }
  });

  it('answers 421 to a rebinding-style Host, even with the token', async () => {
    const res = await rawHttpRequest(url, {
      headers: { host: 'evil.example', authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(421);
    expect(res.body).not.toContain('celers_');
    const loopbackName = await rawHttpRequest(url.replace('127.0.0.1', 'localhost'), {
      headers: { host: 'localhost', authorization: `Bearer ${TOKEN}` },
    });
    expect(loopbackName.status).toBe(200);
  });

  it('refuses a short token and a malformed allow-list when the handler is built', () => {
    expect(() => metricsHandler(registry, { token: 'short' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'options.token' }),
    );
    expect(() => metricsHandler(registry, { allowedHosts: ['ok', 'not a host'] })).toThrow(
      expect.objectContaining({ argument: 'options.allowedHosts[1]' }),
    );
  });
});
