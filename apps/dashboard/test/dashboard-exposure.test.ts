// Where the dashboard listens: loopback by default; beyond loopback only with credentials or an explicit
// --insecure-no-auth. Real servers on free ports (in-process and as `pnpm dashboard` child processes).
import { MysqlBroker } from '@celers/broker-mysql';
import { createTestDatabase, rawHttpRequest, type TestDatabase } from '@celers/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startDashboardServer } from '../src/index.js';
import { freePort, OTHER_LOOPBACK, runDashboard } from './fixtures/dashboard-process.js';
import { HttpSession } from './fixtures/http-session.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
const servers: DashboardServer[] = [];

async function start(options: Omit<Parameters<typeof startDashboardServer>[0], 'database'>) {
  const server = await startDashboardServer({ database: broker.database, port: 0, ...options });
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
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'exposed', migrate: true });
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('bind address', () => {
  it('listens on 127.0.0.1 by default: served there, refused on another loopback address', async () => {
    const server = await start({});
    expect(server).toMatchObject({ host: '127.0.0.1', exposure: 'loopback' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const res = await new HttpSession(server.url).open();
    expect(res.status).toBe(200);
    expect(await refusesConnection(`http://${OTHER_LOOPBACK}:${server.port}/api/config`)).toBe(true);
  });

  it('refuses to listen beyond loopback without authentication, and leaves the port closed', async () => {
    const port = await freePort();
    await expect(
      startDashboardServer({ database: broker.database, host: '0.0.0.0', port }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'host',
      message: expect.stringMatching(
        /0\.0\.0\.0.*without authentication.*CELERS_DASHBOARD_TOKEN.*--insecure-no-auth/,
      ),
    });
    expect(await refusesConnection(`http://127.0.0.1:${port}/`)).toBe(true);
    // Read-only is no authentication: the data would still be public.
    await expect(
      startDashboardServer({ database: broker.database, host: '0.0.0.0', port, readOnly: true }),
    ).rejects.toMatchObject({ argument: 'host' });
  });

  it('beyond loopback with a token: serves every interface, 401 without the token', async () => {
    const server = await start({
      host: '0.0.0.0',
      auth: { kind: 'token', token: 'exposed-token-1' },
      allowedHosts: [OTHER_LOOPBACK],
    });
    expect(server.exposure).toBe('authenticated');
    const url = `http://${OTHER_LOOPBACK}:${server.port}`;
    expect((await rawHttpRequest(`${url}/api/queues`)).status).toBe(401);
    const ok = await rawHttpRequest(`${url}/api/queues`, {
      headers: { authorization: 'Bearer exposed-token-1' },
    });
    expect(ok.status).toBe(200);
  });

  it('with insecureNoAuth, serves every interface without credentials and warns loudly', async () => {
    const warnings: string[] = [];
    const server = await start({
      host: '0.0.0.0',
      insecureNoAuth: true,
      allowedHosts: [OTHER_LOOPBACK],
      warn: (m) => warnings.push(m),
    });
    expect(server.exposure).toBe('insecure');
    expect(warnings.join('\n')).toMatch(
      /WARNING: the dashboard listens on 0\.0\.0\.0 WITHOUT AUTHENTICATION/,
    );
    const res = await new HttpSession(`http://${OTHER_LOOPBACK}:${server.port}`).open();
    expect(res.status).toBe(200);
  });
});

describe('pnpm dashboard', () => {
  it('exits 2 with the reason when --host is beyond loopback and no credentials are set', async () => {
    const run = runDashboard(['--host', '0.0.0.0', '--port', String(await freePort())], {
      CELERS_DATABASE_URL: tdb.url,
    });
    expect(await run.exited, run.stderr()).toBe(2);
    expect(run.stderr()).toMatch(
      /celers-dashboard: Invalid argument "host": refusing to serve the dashboard on 0\.0\.0\.0 \(beyond loopback\) without authentication/,
    );
    expect(run.stdout()).not.toContain('celers dashboard on');
  }, 60_000);

  it('starts beyond loopback with --insecure-no-auth, warns on stderr, serves, and stops on SIGTERM', async () => {
    const port = await freePort();
    const run = runDashboard(
      ['--host', '0.0.0.0', '--port', String(port), '--allowed-host', OTHER_LOOPBACK, '--insecure-no-auth'],
      {
        CELERS_DATABASE_URL: tdb.url,
      },
    );
    try {
      await run.waitForStdout(/celers dashboard on http:\/\/0\.0\.0\.0:\d+/);
      expect(run.stderr()).toMatch(/WARNING: the dashboard listens on 0\.0\.0\.0 WITHOUT AUTHENTICATION/);
      const res = await new HttpSession(`http://${OTHER_LOOPBACK}:${port}`).open();
      expect(res.status).toBe(200);
      const rebound = await rawHttpRequest(`http://127.0.0.1:${port}/api/config`, {
        headers: { host: `evil.example:${port}` },
      });
      expect(rebound.status).toBe(421);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('listens on loopback by default', async () => {
    const port = await freePort();
    const run = runDashboard(['--port', String(port)], { CELERS_DATABASE_URL: tdb.url });
    try {
      await run.waitForStdout(/celers dashboard on http:\/\/127\.0\.0\.1:\d+/);
      expect((await rawHttpRequest(`http://127.0.0.1:${port}/api/config`)).status).toBe(200);
      expect(await refusesConnection(`http://${OTHER_LOOPBACK}:${port}/api/config`)).toBe(true);
      expect(run.stderr()).not.toContain('WARNING');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
  }, 60_000);
});
