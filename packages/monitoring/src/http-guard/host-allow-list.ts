import { networkInterfaces, hostname as osHostname } from 'node:os';
import { CelersError } from '@celers/core';
import { isValidHostName, isWildcardAddress, normalizeHostName } from './bind-address.js';

/** Names that always reach this machine's loopback: allowed in every Host allow-list. */
export const LOOPBACK_HOST_NAMES: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '::1']);

/** A host name (as in the `Host` header, without the port) or an IP literal, optionally `[bracketed]`. */
const AUTHORITY = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;

/**
 * The host name of a `Host` header value (`Example.com:8080` → `example.com`, `[::1]:80` → `::1`); `null`
 * when it is missing or not a plain `host[:port]` (user info, paths and spaces are refused, not parsed).
 */
export function hostNameOfAuthority(authority: string | undefined): string | null {
  if (authority === undefined) return null;
  const match = AUTHORITY.exec(authority.trim());
  if (!match?.[1]) return null;
  const name = normalizeHostName(match[1]);
  return isValidHostName(name) ? name : null;
}

/** Addresses a wildcard bind answers on: every interface address plus the machine's host name. */
function localNames(): string[] {
  const names = [osHostname()];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) names.push(a.address.replace(/%.*$/, ''));
  }
  return names;
}

/**
 * The Host names a server bound to `bindHost` accepts when the user names none: the loopback names, the bind
 * address itself, and for a wildcard bind (`0.0.0.0`, `::`) every interface address and the host name.
 * A name an attacker controls (DNS rebinding: `evil.example` resolving to this machine) is never among them.
 */
export function defaultAllowedHosts(bindHost: string): string[] {
  const names = [...LOOPBACK_HOST_NAMES, normalizeHostName(bindHost)];
  if (isWildcardAddress(bindHost)) names.push(...localNames());
  return [...new Set(names.map(normalizeHostName).filter((n) => n !== '' && !isWildcardAddress(n)))];
}

/**
 * The allow-list for a server bound to `bindHost`: {@link defaultAllowedHosts} plus `extra` (host names
 * without scheme or port, e.g. `dashboard.example.com`). A malformed entry is an `INVALID_ARGUMENT` naming
 * `argument`.
 */
export function resolveAllowedHosts(
  bindHost: string,
  extra: readonly string[] = [],
  argument = 'options.allowedHosts',
): readonly string[] {
  if (!Array.isArray(extra)) throw CelersError.invalidArgument(argument, 'expected an array of host names');
  for (const [i, name] of extra.entries()) {
    if (typeof name !== 'string' || !isValidHostName(name)) {
      throw CelersError.invalidArgument(
        `${argument}[${i}]`,
        `expected a host name without scheme or port (e.g. "dashboard.example.com"), got ${JSON.stringify(name)}`,
      );
    }
  }
  return Object.freeze([...new Set([...defaultAllowedHosts(bindHost), ...extra.map(normalizeHostName)])]);
}

/** True when the `Host` header value names one of `allowed` (normalized names, as from {@link resolveAllowedHosts}). */
export function isHostAllowed(
  allowed: ReadonlySet<string> | readonly string[],
  authority: string | undefined,
): boolean {
  const name = hostNameOfAuthority(authority);
  if (name === null) return false;
  return Array.isArray(allowed) ? allowed.includes(name) : (allowed as ReadonlySet<string>).has(name);
}
