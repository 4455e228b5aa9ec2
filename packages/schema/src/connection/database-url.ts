import { CelersError } from '@celers/core';

/** Driver settings a `mysql://` URL may carry in its query string (everything else is refused). */
export interface UrlConnectionOptions {
  /** TLS: `?ssl=true` (verify the server), `?ssl=false`, or a JSON object of Node TLS options. */
  ssl?: Record<string, unknown>;
  /** A `utf8mb4` collation, e.g. `?charset=utf8mb4_0900_ai_ci`. @defaultValue utf8mb4_unicode_ci */
  charset?: string;
  /** A Unix socket to connect through instead of TCP. */
  socketPath?: string;
}

/** A validated URL: the address of each host without the query string, and the options the query string carried. */
export interface ResolvedDatabaseUrl {
  /** `mysql://user:password@host:port/database` of the first host, no query string. */
  readonly uri: string;
  /**
   * One such address per host of the URL's host list, in failover order (`uris[0]` is `uri`); a single
   * entry for an ordinary URL.
   */
  readonly uris: readonly string[];
  readonly options: Readonly<UrlConnectionOptions>;
}

type OptionParser = (value: string, fail: (message: string) => never) => unknown;

// The query options celers passes on, each parsed here so mysql2 never sees a value it would throw a
// TypeError on (`?ssl=bogus`). mysql2 accepts ~50 options in a URL; most would change what celers relies on
// (result types, time zone, statement batching), so the list is short and deliberate.
const ACCEPTED_OPTIONS: Record<keyof UrlConnectionOptions, OptionParser> = {
  ssl: (value, fail) => {
    if (value === 'true') return {};
    if (value === 'false') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      fail('option "ssl" must be true, false or a JSON object of TLS options, e.g. {"ca":"..."}');
    return parsed;
  },
  charset: (value, fail) => {
    // Client-side escaping is only safe in a charset where a backslash or quote byte is never part of a
    // multi-byte character (GBK, SJIS and Big5 are not), and the columns are utf8mb4.
    if (!/^utf8mb4(_[a-z0-9]+)*$/i.test(value))
      fail(`option "charset" must be a utf8mb4 collation (got "${value}")`);
    return value;
  },
  socketPath: (value, fail) => {
    if (!value.startsWith('/')) fail('option "socketPath" must be an absolute path');
    return value;
  },
};

// Options people reach for, with the reason they are refused and what to use instead.
const REFUSED_OPTIONS: Record<string, string> = {
  multipleStatements:
    'it lets one string run several statements, which turns any injection into arbitrary SQL',
  flags: 'client flags can enable multiple statements; celers sets its own',
  connectTimeout: 'use options.pool.connectTimeoutMs',
  connectionLimit: 'use options.pool.maxConnections',
  idleTimeout: 'use options.pool.idleTimeoutMs',
  timezone: 'celers runs every session in UTC',
  dateStrings: 'celers maps DATETIME columns to Date itself',
};

/**
 * Validates a `mysql://` (or `mariadb://`) URL and its query options. Refuses `multipleStatements` and any
 * option not in the accepted list (`ssl`, `charset`, `socketPath`) with `INVALID_ARGUMENT` naming `argument`.
 *
 * The authority may list several hosts, comma-separated, for failover:
 * `mysql://user:password@db1:3306,db2:3306,db3:3306/celers`. Every host shares the credentials, database and
 * options; each entry must be a valid `host[:port]`, none may repeat, and `socketPath` cannot go with a list.
 */
export function resolveDatabaseUrl(value: unknown, argument = 'url'): ResolvedDatabaseUrl {
  const fail = (message: string): never => {
    throw CelersError.invalidArgument(argument, message);
  };
  if (typeof value !== 'string' || value.length === 0) fail('expected a mysql:// URL');
  const addresses = splitHostList(value as string, fail);
  const parsedHosts = addresses.map((address, i) =>
    parseAddress(address, addresses.length > 1 ? i : -1, fail),
  );
  const parsed = parsedHosts[0] as URL;
  const options = parseQueryOptions(parsed.searchParams, fail);
  if (addresses.length > 1) {
    if (options.socketPath) fail('option "socketPath" cannot be combined with a list of hosts');
    const seen = new Set<string>();
    for (const [i, host] of parsedHosts.entries()) {
      // mysql2 connects to 3306 when the port is left out, so `db1` and `db1:3306` are the same server
      const key = `${host.hostname.toLowerCase()}:${host.port || '3306'}`;
      if (seen.has(key)) fail(`host ${i + 1} of the host list (${host.host}) repeats an earlier host`);
      seen.add(key);
    }
  }
  const uris = parsedHosts.map((host) => {
    host.search = '';
    host.hash = '';
    // mysql2 reads only mysql://; mariadb:// is accepted as a synonym.
    return host.toString().replace(/^mariadb:/, 'mysql:');
  });
  return Object.freeze({
    uri: uris[0] as string,
    uris: Object.freeze(uris),
    options: Object.freeze(options) as UrlConnectionOptions,
  });
}

// scheme, authority (userinfo and host list), and the rest (path, query, fragment), as WHATWG URL splits them
const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is;

/**
 * One single-host URL per entry of the authority's comma-separated host list (WHATWG `URL` rejects the list
 * itself); the URL unchanged when it names one host.
 */
function splitHostList(value: string, fail: (message: string) => never): string[] {
  const parts = URL_PARTS.exec(value);
  if (!parts) return [value];
  const [, scheme = '', authority = '', rest = ''] = parts;
  // the host list follows the last `@`, as in WHATWG URL (a password may hold an encoded `@`)
  const at = authority.lastIndexOf('@');
  const userinfo = authority.slice(0, at + 1);
  const hostList = authority.slice(at + 1);
  if (!hostList.includes(',')) return [value];
  const entries = hostList.split(',');
  for (const [i, entry] of entries.entries()) {
    if (entry.length === 0)
      fail(`host ${i + 1} of the host list is empty (expected host[:port],host[:port],...)`);
  }
  return entries.map((entry) => `${scheme}${userinfo}${entry}${rest}`);
}

/** Parses one single-host URL; `index` is its place in a host list, -1 for a lone host. */
function parseAddress(address: string, index: number, fail: (message: string) => never): URL {
  const entry = index < 0 ? '' : `host ${index + 1} of the host list`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(address);
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    return fail(
      index < 0
        ? 'not a valid URL (expected mysql://user:password@host:port/database)'
        : `${entry} is not a valid host[:port] (a port is 1 to 65535)`,
    );
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:')
    fail(`unsupported protocol "${parsed.protocol}" (use mysql://)`);
  if (parsed.pathname.length <= 1) fail('the URL must name a database');
  if (index >= 0 && (parsed.hostname.length === 0 || parsed.port === '0'))
    fail(`${entry} (${parsed.host}) is not a valid host[:port] (a port is 1 to 65535)`);
  return parsed;
}

function parseQueryOptions(params: URLSearchParams, fail: (message: string) => never): UrlConnectionOptions {
  const options: Record<string, unknown> = {};
  for (const [key, raw] of params) {
    const parse = Object.hasOwn(ACCEPTED_OPTIONS, key)
      ? ACCEPTED_OPTIONS[key as keyof UrlConnectionOptions]
      : undefined;
    if (!parse) {
      const reason = Object.hasOwn(REFUSED_OPTIONS, key) ? REFUSED_OPTIONS[key] : undefined;
      fail(
        reason
          ? `URL option "${key}" is not allowed: ${reason}`
          : `unknown URL option "${key}" (accepted: ${Object.keys(ACCEPTED_OPTIONS).join(', ')})`,
      );
    }
    if (Object.hasOwn(options, key)) fail(`URL option "${key}" is given twice`);
    const result = parse?.(raw, fail);
    if (result !== undefined) options[key] = result;
  }
  return options as UrlConnectionOptions;
}

/** Validates a `mysql://` URL (see {@link resolveDatabaseUrl}) and returns it unchanged. */
export function parseDatabaseUrl(value: unknown, argument = 'url'): string {
  resolveDatabaseUrl(value, argument);
  return (value as string).replace(/^mariadb:/, 'mysql:');
}
