import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, parseCliConfig } from '../src/cli-args.js';

const URL_ENV = { CELERS_DATABASE_URL: 'mysql://u:p@db:3306/celers' };

describe('pnpm dashboard flags and environment', () => {
  it('defaults to port 8080, all interfaces, read-write and no auth', () => {
    expect(parseCliConfig([], URL_ENV)).toEqual({
      url: URL_ENV.CELERS_DATABASE_URL,
      port: DEFAULT_PORT,
      host: '0.0.0.0',
      readOnly: false,
      auth: undefined,
    });
    expect(DEFAULT_PORT).toBe(8080);
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
