import {
  createTestDatabase,
  type PrivateServer,
  startPrivateServer,
  type TestDatabase,
} from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELERS_SQL_MODE, type CelersDatabase, createDatabase } from '../src/index.js';

// Every pooled connection runs in celers's own session: its sql_mode (whatever the server's default), UTC
// and READ COMMITTED.

async function session(db: Kysely<CelersDatabase>) {
  const r = await sql<{ mode: string; tz: string; iso: string }>`SELECT @@SESSION.sql_mode AS mode,
    @@SESSION.time_zone AS tz, @@SESSION.tx_isolation AS iso`.execute(db);
  return r.rows[0];
}

let tdb: TestDatabase;
let hostile: PrivateServer;
const opened: Kysely<CelersDatabase>[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  hostile = await startPrivateServer({
    args: ['--sql-mode=NO_BACKSLASH_ESCAPES,ANSI_QUOTES,PIPES_AS_CONCAT'],
  });
});
afterAll(async () => {
  await Promise.all(opened.map((db) => db.destroy()));
  await tdb?.drop();
  await hostile?.destroy();
});

describe('session settings', () => {
  it('pin sql_mode, UTC and READ COMMITTED on the default server and on a hostile one', async () => {
    for (const url of [tdb.url, hostile.url]) {
      const db = createDatabase({ url, pool: { maxConnections: 2 } });
      opened.push(db);
      // Two connections at once: each new connection is set up, not just the first.
      const both = await Promise.all([
        db.connection().execute(async (c) => {
          const s = await session(c);
          await sql`SELECT SLEEP(0.1)`.execute(c);
          return s;
        }),
        db.connection().execute((c) => session(c)),
      ]);
      for (const s of both) expect(s).toEqual({ mode: CELERS_SQL_MODE, tz: '+00:00', iso: 'READ-COMMITTED' });
    }
  });

  it('a backslash-quote value stays one string literal on a NO_BACKSLASH_ESCAPES server', async () => {
    const db = createDatabase(hostile.url);
    opened.push(db);
    const hostileValue = "\\' OR 1=1 -- ";
    const r = await sql<{
      v: string;
      n: number;
    }>`SELECT ${hostileValue} AS v, (SELECT COUNT(*) FROM (SELECT 1 AS x) t
      WHERE ${hostileValue} = 'nothing') AS n`.execute(db);
    expect(r.rows[0]).toEqual({ v: hostileValue, n: 0 });
  });
});
