import { randomBytes } from 'node:crypto';
import mysql, { type Connection } from 'mysql2/promise';

/** A database created for one bench run on the target server. */
export interface BenchDatabase {
  /** `celers_bench_<random>` */
  readonly name: string;
  /** URL of the new database (same server and credentials as the base URL). */
  readonly url: string;
  /** A plain mysql2 connection to the new database for admin work (status counters, truncation). */
  readonly admin: Connection;
  /** Opens another plain connection to the new database (the raw baseline uses one per loop). */
  connect(): Promise<Connection>;
  /** Closes the admin connection and drops the database. Safe to call twice. */
  drop(): Promise<void>;
}

/** Creates `celers_bench_<random>` on the server `baseUrl` points at. */
export async function createBenchDatabase(baseUrl: string): Promise<BenchDatabase> {
  const name = `celers_bench_${randomBytes(5).toString('hex')}`;
  const bootstrap = await mysql.createConnection(baseUrl);
  try {
    await bootstrap.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await bootstrap.end();
  }
  const parsed = new URL(baseUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const connect = async () => {
    const conn = await mysql.createConnection({ uri: url, timezone: 'Z', supportBigNumbers: true });
    // Same session settings as celers' pool, so both sides run claims at READ COMMITTED in UTC.
    await conn.query("SET time_zone = '+00:00'");
    await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    return conn;
  };
  const admin = await connect();
  let dropped = false;
  return {
    name,
    url,
    admin,
    connect,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin.end().catch(() => undefined);
      const conn = await mysql.createConnection(baseUrl);
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}
