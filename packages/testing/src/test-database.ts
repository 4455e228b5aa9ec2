import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { NO_DATABASE_HELP, TEST_DATABASE_URL_ENV } from './resolve-database-url.js';
import './vitest-context.js';

/** A fresh, empty database created for one test file. */
export interface TestDatabase {
  /** Connection URL of the new database (same server and credentials as the base URL). */
  readonly url: string;
  /** The database's name, `celers_t_<random>`. */
  readonly name: string;
  /** Drops the database. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named, empty database on the test server so test files can run in parallel without
 * sharing tables. The base URL comes from vitest's `inject('celersDatabaseUrl')` (see the global setup) or,
 * outside vitest, from `CELERS_TEST_DATABASE_URL`.
 */
export async function createTestDatabase(baseUrl?: string): Promise<TestDatabase> {
  const base = baseUrl ?? (await injectedUrl()) ?? process.env[TEST_DATABASE_URL_ENV];
  if (!base) throw new Error(NO_DATABASE_HELP);
  const name = `celers_t_${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection(base);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      const conn = await mysql.createConnection(base);
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

async function injectedUrl(): Promise<string | undefined> {
  try {
    const { inject } = await import('vitest');
    return inject('celersDatabaseUrl');
  } catch {
    return undefined; // not running under vitest
  }
}
