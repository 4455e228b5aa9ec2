import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateServer, startPrivateServer } from '../src/index.js';

async function queryOnce<T>(url: string, statement: string): Promise<T> {
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 2_000 });
  try {
    const [rows] = await conn.query(statement);
    return rows as T;
  } finally {
    await conn.end();
  }
}

describe('startPrivateServer', () => {
  let server: PrivateServer;
  beforeAll(async () => {
    server = await startPrivateServer({ args: ['--sql-mode=NO_BACKSLASH_ESCAPES'] });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('runs with the given options and keeps data across a restart and a crash', async () => {
    const [mode] = await queryOnce<{ m: string }[]>(server.url, 'SELECT @@GLOBAL.sql_mode AS m');
    expect(mode?.m).toBe('NO_BACKSLASH_ESCAPES');
    await queryOnce(server.url, 'CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB');
    await queryOnce(server.url, 'INSERT INTO t VALUES (1)');
    await server.restart(100);
    await server.kill();
    await expect(queryOnce(server.url, 'SELECT 1')).rejects.toThrow();
    await server.start();
    expect(await queryOnce(server.url, 'SELECT id FROM t')).toEqual([{ id: 1 }]);
  });

  it('freeze makes queries hang until thaw', async () => {
    await server.freeze();
    const pending = queryOnce(server.url, 'SELECT 1 AS one');
    const raced = await Promise.race([
      pending.then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('hung'), 300)),
    ]);
    expect(raced).toBe('hung');
    server.thaw();
    expect(await pending).toEqual([{ one: 1 }]);
  });
});
