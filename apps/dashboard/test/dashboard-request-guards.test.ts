// Host allow-list (DNS rebinding), Origin/Referer checks and session-bound CSRF tokens, over real HTTP against
// a listening dashboard; every refused mutation is checked against the database.
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, rawHttpRequest, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DashboardServer, startDashboardServer } from '../src/index.js';
import { HttpSession } from './fixtures/http-session.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let open: DashboardServer;
let guarded: DashboardServer;
let other: DashboardServer;

type ErrorBody = { error: { code: string; message: string } };

const CREDENTIALS = `Basic ${Buffer.from('ops:pa55word-ops').toString('base64')}`;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'guard', migrate: true });
  await broker.enqueue(createTask('t.one', {}));
  const database = broker.database;
  open = await startDashboardServer({ database, port: 0, allowedHosts: ['dash.example.com'] });
  guarded = await startDashboardServer({
    database,
    port: 0,
    auth: { kind: 'basic', user: 'ops', password: 'pa55word-ops' },
  });
  other = await startDashboardServer({ database, port: 0 });
});
beforeEach(async () => {
  await broker.resume();
});
afterAll(async () => {
  for (const s of [open, guarded, other]) await s?.close();
  await broker?.close();
  await tdb?.drop();
});

describe('Host allow-list', () => {
  it('answers loopback names and --allowed-host names, 421 to any other Host', async () => {
    for (const host of [`127.0.0.1:${open.port}`, `localhost:${open.port}`, 'dash.example.com']) {
      expect((await rawHttpRequest(`${open.url}/api/config`, { headers: { host } })).status, host).toBe(200);
    }
    for (const path of ['/', '/api/config', '/api/queues']) {
      const res = await rawHttpRequest(`${open.url}${path}`, {
        headers: { host: `other.example:${open.port}` },
      });
      expect(res.status, path).toBe(421);
      expect((JSON.parse(res.body) as ErrorBody).error.code).toBe('HOST_NOT_ALLOWED');
    }
  });

  it('DNS rebinding: a page served as evil.example gets neither the page, a session nor a token, and cannot pause', async () => {
    const attacker = new HttpSession(open.url, { host: `evil.example:${open.port}` });
    const page = await attacker.get('/');
    expect(page.status).toBe(421);
    expect(page.body).not.toContain('<html');
    const config = await attacker.open();
    expect(config.status).toBe(421);
    expect(config.headers['set-cookie']).toBeUndefined();
    expect(config.json).not.toHaveProperty('csrfToken');
    const post = await attacker.post('/api/queues/guard/pause', {
      headers: { origin: `http://evil.example:${open.port}` },
    });
    expect(post.status).toBe(421);
    expect(await broker.isPaused()).toBe(false);
  });

  it('applies before authentication: credentials do not help a foreign Host', async () => {
    const res = await rawHttpRequest(`${guarded.url}/api/queues`, {
      headers: { host: 'evil.example', authorization: CREDENTIALS },
    });
    expect(res.status).toBe(421);
  });
});

describe('cross-origin POSTs', () => {
  it('are refused by Origin, Referer or fetch metadata even with a valid session and token', async () => {
    const browser = new HttpSession(open.url);
    await browser.open();
    const foreign: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: `http://localhost:${open.port + 1}` }, // another site on this machine (other port)
      { referer: 'https://evil.example/attack.html' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of foreign) {
      const res = await browser.post<ErrorBody>('/api/queues/guard/pause', { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.json.error.code).toBe('CSRF_REJECTED');
    }
    expect(await broker.isPaused()).toBe(false);
    const same = await browser.post('/api/queues/guard/pause', {
      headers: { origin: open.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(same.status).toBe(200);
    expect(await broker.isPaused()).toBe(true);
  });

  it('compare the Origin with the allow-list, not with the request Host', async () => {
    // Origin = Host = a name outside the allow-list is what a rebinding page sends; the Host check stops it
    // first, and the Origin check on its own refuses it too (here the Host is allowed, the Origin is not).
    const browser = new HttpSession(open.url);
    await browser.open();
    const res = await browser.post<ErrorBody>('/api/queues/guard/pause', {
      headers: { host: `127.0.0.1:${open.port}`, origin: `http://rebound.example:${open.port}` },
    });
    expect(res.status).toBe(403);
    const listed = await browser.post('/api/queues/guard/pause', {
      headers: { host: `127.0.0.1:${open.port}`, origin: 'https://dash.example.com' },
    });
    expect(listed.status).toBe(200);
    expect(await broker.isPaused()).toBe(true);
  });
});

describe('CSRF tokens', () => {
  it('with auth configured, an unauthenticated GET yields no session and no token', async () => {
    const anonymous = new HttpSession(guarded.url);
    for (const path of ['/', '/api/config']) {
      const res = await anonymous.get(path);
      expect(res.status, path).toBe(401);
      expect(res.headers['set-cookie'], path).toBeUndefined();
      expect(res.body).not.toMatch(/csrfToken/);
    }
    // Echoing a made-up cookie as the token (double-submit style) does not work with valid credentials.
    const forged = await anonymous.post<ErrorBody>('/api/queues/guard/pause', {
      headers: {
        authorization: CREDENTIALS,
        cookie: 'celers_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        'x-csrf-token': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      },
    });
    expect(forged.status).toBe(403);
    expect(forged.json.error.code).toBe('CSRF_REJECTED');
    expect(await broker.isPaused()).toBe(false);
  });

  it('a token works only with the session cookie it was issued for, on the dashboard that issued it', async () => {
    const victim = new HttpSession(guarded.url, { authorization: CREDENTIALS });
    const config = await victim.open();
    expect(config.status).toBe(200);
    expect(String(config.headers['set-cookie'])).toMatch(/celers_session=[^;]+;.*HttpOnly.*SameSite=Strict/i);
    expect(victim.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const attacker = new HttpSession(guarded.url, { authorization: CREDENTIALS });
    await attacker.open();
    const swapped = await attacker.post('/api/queues/guard/pause', {
      headers: { 'x-csrf-token': victim.csrfToken! },
    });
    expect(swapped.status).toBe(403);
    const noCookie = await victim.post('/api/queues/guard/pause', { headers: { cookie: '' } });
    expect(noCookie.status).toBe(403);

    // A token fetched (without credentials) from another dashboard is worthless here.
    const elsewhere = new HttpSession(other.url);
    await elsewhere.open();
    const foreign = await victim.post('/api/queues/guard/pause', {
      headers: { cookie: elsewhere.cookie!, 'x-csrf-token': elsewhere.csrfToken! },
    });
    expect(foreign.status).toBe(403);
    expect(await broker.isPaused()).toBe(false);

    const own = await victim.post('/api/queues/guard/pause');
    expect(own.status).toBe(200);
    expect(await broker.isPaused()).toBe(true);
  });
});
