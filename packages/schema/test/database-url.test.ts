import { CelersError } from '@celers/core';
import { describe, expect, it } from 'vitest';
import { createDatabase, parseDatabaseUrl, resolveDatabaseUrl } from '../src/index.js';

// What a mysql:// URL may carry: only ssl, charset (utf8mb4) and socketPath; everything else is refused with
// an INVALID_ARGUMENT naming the argument and the option, before any pool exists.

const BASE = 'mysql://u:p@127.0.0.1:3306/db';

function refusal(fn: () => unknown): CelersError {
  try {
    fn();
  } catch (error) {
    expect(CelersError.isInstance(error)).toBe(true);
    return error as CelersError;
  }
  throw new Error('expected a CelersError');
}

describe('URL query options', () => {
  it.each([
    ['multipleStatements=true', /"multipleStatements" is not allowed: .*several statements/],
    ['flags=MULTI_STATEMENTS', /"flags" is not allowed/],
    ['connectTimeout=5000', /"connectTimeout" is not allowed: use options\.pool\.connectTimeoutMs/],
    ['timezone=local', /"timezone" is not allowed/],
    ['typeCast=false', /unknown URL option "typeCast" \(accepted: ssl, charset, socketPath\)/],
    ['ssl=bogus', /option "ssl" must be true, false or a JSON object/],
    ['ssl=[1]', /option "ssl" must be/],
    ['charset=gbk', /option "charset" must be a utf8mb4 collation/],
    ['charset=utf8mb4&charset=utf8mb4', /"charset" is given twice/],
    ['socketPath=relative.sock', /"socketPath" must be an absolute path/],
  ])('?%s is refused with INVALID_ARGUMENT naming the argument and the option', (query, message) => {
    for (const [call, argument] of [
      [() => createDatabase(`${BASE}?${query}`), 'url'],
      [() => createDatabase({ url: `${BASE}?${query}` }), 'options.url'],
      [() => parseDatabaseUrl(`${BASE}?${query}`, '--url'), '--url'],
    ] as const) {
      const error = refusal(call);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', argument });
      expect(error.message).toMatch(message);
    }
  });

  it('an unknown utf8mb4 collation is an INVALID_ARGUMENT, not mysql2’s TypeError', () => {
    expect(refusal(() => createDatabase(`${BASE}?charset=utf8mb4_klingon_ci`))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'url',
    });
  });

  it('accepts ssl, a utf8mb4 charset and socketPath, and hands mysql2 a URL without a query string', () => {
    expect(
      resolveDatabaseUrl(`${BASE}?ssl=true&charset=utf8mb4_bin&socketPath=/run/mysqld/mysqld.sock`),
    ).toEqual({
      uri: BASE,
      uris: [BASE],
      options: { ssl: {}, charset: 'utf8mb4_bin', socketPath: '/run/mysqld/mysqld.sock' },
    });
    expect(
      resolveDatabaseUrl(`${BASE}?ssl=${encodeURIComponent('{"rejectUnauthorized":true}')}`).options,
    ).toEqual({
      ssl: { rejectUnauthorized: true },
    });
    expect(resolveDatabaseUrl(`${BASE}?ssl=false`).options).toEqual({});
    expect(resolveDatabaseUrl('mariadb://u:p@h:3306/db').uri).toBe('mysql://u:p@h:3306/db');
  });
});

describe('a list of hosts', () => {
  it('becomes one address per host, in order, sharing credentials, database and options', () => {
    expect(resolveDatabaseUrl('mariadb://u:p%40x@h1:3306,h2:3307,[::1]:3308/db?ssl=true')).toEqual({
      uri: 'mysql://u:p%40x@h1:3306/db',
      uris: ['mysql://u:p%40x@h1:3306/db', 'mysql://u:p%40x@h2:3307/db', 'mysql://u:p%40x@[::1]:3308/db'],
      options: { ssl: {} },
    });
    expect(parseDatabaseUrl('mysql://u@h1,h2:3307/db')).toBe('mysql://u@h1,h2:3307/db');
  });

  it.each([
    ['mysql://u@h1:3306,,h3:3306/db', /host 2 of the host list is empty/],
    ['mysql://u@h1:3306,/db', /host 2 of the host list is empty/],
    ['mysql://u@h1:3306,h2:99999/db', /host 2 of the host list is not a valid host\[:port\]/],
    ['mysql://u@h1:3306,h2:abc/db', /host 2 of the host list is not a valid host\[:port\]/],
    ['mysql://u@h1:0,h2/db', /host 1 of the host list \(h1:0\) is not a valid host\[:port\]/],
    ['mysql://u@h1:3306, h2:3306/db', /host 2 of the host list is not a valid host\[:port\]/],
    ['mysql://u@h1:3306,:3307/db', /host 2 of the host list is not a valid host\[:port\]/],
    ['mysql://u@h1:3306,H1/db', /host 2 of the host list \(H1\) repeats an earlier host/],
    ['mysql://u@h1,h2/db?socketPath=/run/mysqld/mysqld.sock', /"socketPath" cannot be combined/],
    ['mysql://u@h1,h2/', /must name a database/],
  ])('%s is refused with INVALID_ARGUMENT naming the argument', (url, message) => {
    for (const [call, argument] of [
      [() => createDatabase(url), 'url'],
      [() => createDatabase({ url }), 'options.url'],
      [() => parseDatabaseUrl(url, '--url'), '--url'],
    ] as const) {
      const error = refusal(call);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', argument });
      expect(error.message).toMatch(message);
    }
  });

  it('validates pool.hostCoolDownMs', () => {
    for (const hostCoolDownMs of [0, -1, Number.NaN, 1.5]) {
      expect(
        refusal(() => createDatabase({ url: 'mysql://u@h1,h2/db', pool: { hostCoolDownMs } })),
      ).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'options.pool.hostCoolDownMs' });
    }
  });
});
