import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, parseCliConfig } from '../src/cli-args.js';

const URL_ENV = { CELERS_DATABASE_URL: 'mysql://u:p@db:3306/celers' };

describe('pnpm dashboard flags and environment', () => {
  it('defaults to port 8080 on 127.0.0.1 only, read-write, no auth, no extra hosts, no opt-out', () => {
    expect(parseCliConfig([], URL_ENV)).toEqual({
      url: URL_ENV.CELERS_DATABASE_URL,
      readUrl: undefined,
      port: DEFAULT_PORT,
      host: '127.0.0.1',
      readOnly: false,
      auth: undefined,
      allowedHosts: [],
      insecureNoAuth: false,
    });
    expect(DEFAULT_PORT).toBe(8080);
  });

  it('takes --host over CELERS_DASHBOARD_HOST, and --allowed-host (repeated) with CELERS_DASHBOARD_ALLOWED_HOSTS', () => {
    expect(parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_HOST: '0.0.0.0' })).toMatchObject({
      host: '0.0.0.0',
    });
    expect(
      parseCliConfig(['--host', '::', '--allowed-host', 'a.example', '--allowed-host', 'b.example'], {
        ...URL_ENV,
        CELERS_DASHBOARD_HOST: '0.0.0.0',
        CELERS_DASHBOARD_ALLOWED_HOSTS: 'proxy.internal, dash.example.com',
      }),
    ).toMatchObject({
      host: '::',
      allowedHosts: ['proxy.internal', 'dash.example.com', 'a.example', 'b.example'],
    });
  });

  it('opts out of authentication only when asked explicitly: --insecure-no-auth or CELERS_DASHBOARD_INSECURE_NO_AUTH=1', () => {
    expect(parseCliConfig(['--insecure-no-auth'], URL_ENV)).toMatchObject({ insecureNoAuth: true });
    expect(parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_INSECURE_NO_AUTH: '1' })).toMatchObject({
      insecureNoAuth: true,
    });
    expect(parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_INSECURE_NO_AUTH: '0' })).toMatchObject({
      insecureNoAuth: false,
    });
    expect(() => parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_INSECURE_NO_AUTH: 'sure' })).toThrow(
      /CELERS_DASHBOARD_INSECURE_NO_AUTH must be 1 or 0/,
    );
  });

  it('takes --read-url over CELERS_DASHBOARD_READ_URL, none by default', () => {
    const replica = 'mysql://ro:p@replica:3306/celers';
    expect(parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_READ_URL: replica })).toMatchObject({
      readUrl: replica,
    });
    expect(
      parseCliConfig(['--read-url', 'mysql://ro:p@other:3306/celers'], {
        ...URL_ENV,
        CELERS_DASHBOARD_READ_URL: replica,
      }),
    ).toMatchObject({ readUrl: 'mysql://ro:p@other:3306/celers' });
    expect(parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_READ_URL: '' })).toMatchObject({
      readUrl: undefined,
    });
  });

  it('takes --port over PORT, and --read-only', () => {
    expect(parseCliConfig(['--port', '9000', '--read-only'], { ...URL_ENV, PORT: '7000' })).toMatchObject({
      port: 9000,
      readOnly: true,
    });
    expect(parseCliConfig([], { ...URL_ENV, PORT: '7000' })).toMatchObject({ port: 7000 });
  });

  it('reads a bearer token or basic credentials from the environment', () => {
    expect(parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_TOKEN: 'tok-12345' }).valueOf()).toMatchObject({
      auth: { kind: 'token', token: 'tok-12345' },
    });
    expect(
      parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_USER: 'ops', CELERS_DASHBOARD_PASSWORD: 'pw' }),
    ).toMatchObject({
      auth: { kind: 'basic', user: 'ops', password: 'pw' },
    });
  });

  it('refuses a missing URL, bad ports, unknown flags and half-configured auth with a clear message', () => {
    expect(() => parseCliConfig([], {})).toThrow(/CELERS_DATABASE_URL is not set/);
    expect(() => parseCliConfig(['--port', '0'], URL_ENV)).toThrow(/--port must be a port number/);
    expect(() => parseCliConfig(['--port', '80a'], URL_ENV)).toThrow(/--port/);
    expect(() => parseCliConfig([], { ...URL_ENV, PORT: '70000' })).toThrow(/PORT must be/);
    expect(() => parseCliConfig(['--readonly'], URL_ENV)).toThrow(/Unknown option/);
    expect(() => parseCliConfig([], { ...URL_ENV, CELERS_DASHBOARD_USER: 'ops' })).toThrow(/go together/);
    expect(() =>
      parseCliConfig([], {
        ...URL_ENV,
        CELERS_DASHBOARD_TOKEN: 't',
        CELERS_DASHBOARD_USER: 'ops',
        CELERS_DASHBOARD_PASSWORD: 'x',
      }),
    ).toThrow(/not both/);
    expect(parseCliConfig(['--help'], {})).toBe('help');
  });
});
