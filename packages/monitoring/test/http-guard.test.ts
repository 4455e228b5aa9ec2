import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  assertBindHost,
  bearerTokenMatches,
  checkExposure,
  DEFAULT_BIND_HOST,
  defaultAllowedHosts,
  hostNameOfAuthority,
  insecureExposureWarning,
  isHostAllowed,
  isLoopbackAddress,
  resolveAllowedHosts,
} from '../src/index.js';

const check = {
  service: 'metrics endpoint',
  argument: 'METRICS_HOST',
  authHint: 'set METRICS_TOKEN',
  optOutHint: 'METRICS_INSECURE_NO_AUTH=1',
};

describe('bind addresses', () => {
  it('defaults to loopback and tells loopback from everything else', () => {
    expect(DEFAULT_BIND_HOST).toBe('127.0.0.1');
    for (const host of [
      '127.0.0.1',
      '127.8.9.1',
      'localhost',
      'LOCALHOST.',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ])
      expect(isLoopbackAddress(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.0.2.2', '10.0.0.1', 'dashboard.example.com', '128.0.0.1'])
      expect(isLoopbackAddress(host), host).toBe(false);
  });

  it('refuses listen addresses that are not an IP or a host name', () => {
    expect(assertBindHost('[::1]', 'options.host')).toBe('::1');
    for (const bad of ['', 'http://x', 'a b', 'host:80', 'x/y', 42]) {
      expect(() => assertBindHost(bad, 'options.host'), String(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'options.host' }),
      );
    }
  });
});

describe('Host allow-list', () => {
  it('reads the host name of a Host header and refuses anything but host[:port]', () => {
    expect(hostNameOfAuthority('Example.COM:8080')).toBe('example.com');
    expect(hostNameOfAuthority('[::1]:9464')).toBe('::1');
    expect(hostNameOfAuthority('localhost')).toBe('localhost');
    for (const bad of [undefined, '', 'user@localhost', 'localhost/x', 'local host', 'localhost:', 'a:b:c'])
      expect(hostNameOfAuthority(bad), String(bad)).toBeNull();
  });

  it('allows loopback names and the bind address by default, never a rebinding name', () => {
    expect(defaultAllowedHosts('127.0.0.1')).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(defaultAllowedHosts('192.0.2.7')).toEqual(['localhost', '127.0.0.1', '::1', '192.0.2.7']);
    const list = resolveAllowedHosts('127.0.0.1', ['Dash.Example.com']);
    expect(isHostAllowed(list, 'localhost:8080')).toBe(true);
    expect(isHostAllowed(list, '127.0.0.1:8080')).toBe(true);
    expect(isHostAllowed(list, '[::1]:8080')).toBe(true);
    expect(isHostAllowed(list, 'dash.example.com')).toBe(true);
    expect(isHostAllowed(list, 'evil.example:8080')).toBe(false);
    expect(isHostAllowed(list, 'localhost.evil.example')).toBe(false);
    expect(isHostAllowed(list, undefined)).toBe(false);
  });

  it('for a wildcard bind, adds every interface address (not the wildcard itself)', () => {
    const list = defaultAllowedHosts('0.0.0.0');
    for (const addresses of Object.values(networkInterfaces()))
      for (const a of addresses ?? []) expect(list).toContain(a.address.toLowerCase());
    expect(list).not.toContain('0.0.0.0');
  });

  it('names the bad entry of a user-given list', () => {
    expect(() =>
      resolveAllowedHosts('127.0.0.1', ['ok.example', 'https://bad.example'], '--allowed-host'),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: '--allowed-host[1]' }));
  });
});

describe('checkExposure', () => {
  it('lets loopback through, and a wider bind only with credentials or the explicit opt-out', () => {
    expect(checkExposure({ ...check, host: '127.0.0.1', authenticated: false, insecureNoAuth: false })).toBe(
      'loopback',
    );
    expect(checkExposure({ ...check, host: '0.0.0.0', authenticated: true, insecureNoAuth: false })).toBe(
      'authenticated',
    );
    expect(checkExposure({ ...check, host: '0.0.0.0', authenticated: false, insecureNoAuth: true })).toBe(
      'insecure',
    );
  });

  it('refuses a wider bind without credentials, naming the way out', () => {
    let error: unknown;
    try {
      checkExposure({ ...check, host: '0.0.0.0', authenticated: false, insecureNoAuth: false });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'METRICS_HOST' });
    expect((error as Error).message).toMatch(
      /0\.0\.0\.0.*without authentication.*METRICS_TOKEN.*127\.0\.0\.1.*METRICS_INSECURE_NO_AUTH=1/,
    );
    expect(insecureExposureWarning('dashboard', '0.0.0.0', '--insecure-no-auth')).toMatch(
      /WARNING: the dashboard listens on 0\.0\.0\.0 WITHOUT AUTHENTICATION \(--insecure-no-auth\)/,
    );
  });
});

describe('bearerTokenMatches', () => {
  it('accepts exactly the token, as a Bearer credential', () => {
    expect(bearerTokenMatches('Bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(bearerTokenMatches('bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(bearerTokenMatches('Bearer s3cret-token2', 's3cret-token')).toBe(false);
    expect(bearerTokenMatches('Basic s3cret-token', 's3cret-token')).toBe(false);
    expect(bearerTokenMatches(undefined, 's3cret-token')).toBe(false);
  });
});
