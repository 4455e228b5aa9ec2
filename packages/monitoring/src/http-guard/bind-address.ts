import { isIP } from 'node:net';
import { CelersError } from '@celers/core';

/** Address HTTP endpoints (dashboard, metrics) listen on unless told otherwise: loopback only. */
export const DEFAULT_BIND_HOST = '127.0.0.1';

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** `host` without IPv6 brackets, in lower case, without a trailing dot (`[::1]` → `::1`, `Localhost.` → `localhost`). */
export function normalizeHostName(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

/** True for a literal IP address or a DNS host name (what `server.listen(port, host)` accepts). */
export function isValidHostName(host: string): boolean {
  const name = normalizeHostName(host);
  return isIP(name) !== 0 || HOST_NAME.test(name);
}

/** True when `host` only accepts connections from this machine: `localhost`, `127.0.0.0/8`, `::1`. */
export function isLoopbackAddress(host: string): boolean {
  const name = normalizeHostName(host);
  if (name === 'localhost' || name === '::1') return true;
  const v4 = name.startsWith('::ffff:') ? name.slice(7) : name;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** True for the "every interface" addresses `0.0.0.0` and `::`. */
export function isWildcardAddress(host: string): boolean {
  const name = normalizeHostName(host);
  return name === '0.0.0.0' || name === '::' || name === '::0';
}

/** Validates a listen address (`INVALID_ARGUMENT` naming `argument`); returns it normalized. */
export function assertBindHost(host: unknown, argument: string): string {
  if (typeof host !== 'string' || !isValidHostName(host)) {
    throw CelersError.invalidArgument(
      argument,
      `expected an IP address or host name, got ${JSON.stringify(host)}`,
    );
  }
  return normalizeHostName(host);
}
