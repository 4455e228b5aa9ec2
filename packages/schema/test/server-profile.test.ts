import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, detectServerProfile, profileFromVersion } from '../src/index.js';

describe('server profile', () => {
  it('offers no-wait statements on MariaDB only, and not on a Galera node', () => {
    const maria = profileFromVersion('10.11.19-MariaDB-0+deb12u1', 16 << 20);
    expect(maria).toMatchObject({ flavour: 'mariadb', galera: false, supportsNoWaitStatements: true });
    expect(profileFromVersion('10.11.6-MariaDB-log', 16 << 20, true)).toMatchObject({
      galera: true,
      supportsNoWaitStatements: false,
    });
    expect(profileFromVersion('8.4.3', 64 << 20)).toMatchObject({
      flavour: 'mysql',
      galera: false,
      supportsNoWaitStatements: false,
    });
  });

  describe('detected on the test server', () => {
    let tdb: TestDatabase;
    beforeAll(async () => {
      tdb = await createTestDatabase();
    });
    afterAll(async () => {
      await tdb?.drop();
    });

    it('reads the flavour and whether wsrep is on', async () => {
      const db = createDatabase({ url: tdb.url, pool: { maxConnections: 1 } });
      try {
        const profile = await detectServerProfile(db);
        const version = (await sql<{ v: string }>`SELECT VERSION() AS v`.execute(db)).rows[0]?.v ?? '';
        expect(profile.flavour).toBe(/mariadb/i.test(version) ? 'mariadb' : 'mysql');
        expect(profile.galera).toBe(false); // a standalone server
      } finally {
        await db.destroy();
      }
    });
  });
});
