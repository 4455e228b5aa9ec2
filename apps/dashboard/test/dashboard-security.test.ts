import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp, type Dashboard } from '../src/index.js';
import { apiClient } from './fixtures/api-client.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
const dashboards: Dashboard[] = [];

type ErrorBody = { error: { code: string; message: string } };

async function open(
  options: Omit<Parameters<typeof createDashboardApp>[0], 'database' | 'url'>,
): Promise<Dashboard> {
  const d = await createDashboardApp({ database: broker.database, ...options });
  dashboards.push(d);
  return d;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'sec', migrate: true });
  await broker.enqueue(createTask('t.one', {}));
});
afterAll(async () => {
  for (const d of dashboards) await d.close();
  await broker?.close();
  await tdb?.drop();
});

describe('read-only mode', () => {
  it('refuses every POST with 403 and changes nothing, while GETs work', async () => {
    const api = apiClient((await open({ readOnly: true })).app);
    await api.prime();
    expect((await api.get<{ readOnly: boolean }>('/api/config')).body.readOnly).toBe(true);
    for (const path of ['/api/queues/sec/pause', '/api/queues/sec/dlq/purge', '/api/queues/sec/drain']) {
      const res = await api.post<ErrorBody>(path, { confirm: true });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('READ_ONLY');
      expect(res.body.error.message).toMatch(/read-only/);
    }
    expect(await broker.isPaused()).toBe(false);
    expect(await broker.isDrainMode()).toBe(false);
    expect((await api.get('/api/queues/sec/stats')).status).toBe(200);
  });
});

describe('CSRF', () => {
  it('rejects a POST without the token, with a wrong token, or from another origin', async () => {
    const api = apiClient((await open({})).app);
    await api.prime();
    const missing = await api.post<ErrorBody>('/api/queues/sec/pause', undefined, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('CSRF_REJECTED');
    const wrong = await api.post<ErrorBody>('/api/queues/sec/pause', undefined, {
      csrf: false,
      headers: { 'x-csrf-token': 'forged' },
    });
    expect(wrong.status).toBe(403);
    const foreign = await api.post<ErrorBody>('/api/queues/sec/pause', undefined, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(await broker.isPaused()).toBe(false);
    const ok = await api.post('/api/queues/sec/pause', undefined, {
      headers: { origin: 'http://localhost' },
    });
    expect(ok.status).toBe(200);
    expect(await broker.isPaused()).toBe(true);
    await broker.resume();
  });

  it('sets an HttpOnly SameSite=Strict session cookie on the page, and hands its token only to /api/config', async () => {
    const res = await (await open({})).app.request('/');
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/celers_session=[^;]+;.*HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(await res.text()).not.toMatch(/csrf/i);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('authentication', () => {
  it('bearer token: rejects missing and wrong tokens, accepts the right one (and as a Basic password)', async () => {
    const d = await open({ auth: { kind: 'token', token: 's3cret-token' } });
    const none = await d.app.request('/api/queues');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(((await none.json()) as ErrorBody).error.code).toBe('UNAUTHORIZED');
    expect(
      (await d.app.request('/api/queues', { headers: { authorization: 'Bearer wrong-token' } })).status,
    ).toBe(401);
    expect((await d.app.request('/', { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    const ok = await d.app.request('/api/queues', { headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.status).toBe(200);
    expect(
      (await d.app.request('/', { headers: { authorization: basic('anyone', 's3cret-token') } })).status,
    ).toBe(200);
    // Bearer callers are scripts, not browsers: no CSRF token needed.
    const post = await d.app.request('/api/queues/sec/pause', {
      method: 'POST',
      headers: { authorization: 'Bearer s3cret-token' },
    });
    expect(post.status).toBe(200);
    await broker.resume();
  });

  it('basic auth: rejects a wrong user or password, accepts the right pair', async () => {
    const d = await open({ auth: { kind: 'basic', user: 'ops', password: 'pa55word' } });
    expect((await d.app.request('/api/queues')).status).toBe(401);
    expect(
      (await d.app.request('/api/queues', { headers: { authorization: basic('ops', 'nope') } })).status,
    ).toBe(401);
    expect(
      (await d.app.request('/api/queues', { headers: { authorization: basic('root', 'pa55word') } })).status,
    ).toBe(401);
    expect(
      (await d.app.request('/api/queues', { headers: { authorization: basic('ops', 'pa55word') } })).status,
    ).toBe(200);
    const api = apiClient(d.app, { authorization: basic('ops', 'pa55word') });
    await api.prime();
    const noCsrf = await api.post('/api/queues/sec/pause', undefined, { csrf: false });
    expect(noCsrf.status).toBe(403);
  });

  it('refuses options without a database and too-short tokens', async () => {
    await expect(createDashboardApp({})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'url' });
    await expect(
      createDashboardApp({ database: broker.database, auth: { kind: 'token', token: 'x' } }),
    ).rejects.toMatchObject({
      argument: 'auth.token',
    });
  });
});
