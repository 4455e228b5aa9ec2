import { type PrivateServer, startPrivateServer } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementTimeoutFor } from '../src/connection/guarded-connection.js';
import {
  type CelersDatabase,
  createDatabase,
  DEFAULT_POOL_CONFIG,
  getPoolStats,
  isUnavailableError,
  resolvePoolConfig,
  STATEMENT_TIMEOUT_CODE,
  toCelersError,
} from '../src/index.js';

// pool.statementTimeoutMs bounds every statement: past it the call fails and the connection is destroyed,
// never handed back to the pool with the statement still running.

let server: PrivateServer;
const opened: Kysely<CelersDatabase>[] = [];

function open(statementTimeoutMs: number): Kysely<CelersDatabase> {
  const db = createDatabase({ url: server.url, pool: { maxConnections: 2, statementTimeoutMs } });
  opened.push(db);
  return db;
}

async function connectionId(db: Kysely<CelersDatabase>): Promise<number> {
  const r = await sql<{ id: number }>`SELECT CONNECTION_ID() AS id`.execute(db);
  return Number(r.rows[0]?.id);
}

beforeAll(async () => {
  server = await startPrivateServer();
});
afterAll(async () => {
  server?.thaw();
  await Promise.all(opened.map((db) => db.destroy().catch(() => undefined)));
  await server?.destroy();
});

describe('statement timeout', () => {
  it('a statement past the timeout fails, its connection is destroyed and the next call gets a fresh one', async () => {
    const db = open(300);
    const before = await connectionId(db);
    const error = await sql`SELECT SLEEP(5)`.execute(db).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: STATEMENT_TIMEOUT_CODE });
    expect(toCelersError(error, 'probe')).toMatchObject({ code: 'DATABASE_TIMEOUT' });
    expect(isUnavailableError(error)).toBe(true);
    expect(isUnavailableError(toCelersError(error, 'probe'))).toBe(true);
    expect(getPoolStats(db)?.size).toBe(0);
    expect(await connectionId(db)).not.toBe(before);
  });

  it('inside a transaction the timeout (not a failed ROLLBACK) reaches the caller and nothing is committed', async () => {
    const db = open(300);
    await sql`CREATE TABLE IF NOT EXISTS probe_rows (n INT NOT NULL)`.execute(db);
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO probe_rows (n) VALUES (1)`.execute(trx);
        await sql`SELECT SLEEP(5)`.execute(trx);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: STATEMENT_TIMEOUT_CODE });
    const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM probe_rows`.execute(db);
    expect(Number(r.rows[0]?.n)).toBe(0);
  });

  it('a frozen server: the call rejects within about the timeout; after thaw the next call works', async () => {
    const db = open(1_000);
    await connectionId(db); // an open, idle connection: the frozen server keeps its socket open
    await server.freeze();
    const started = Date.now();
    let error: unknown;
    try {
      error = await sql`SELECT 1`.execute(db).catch((e: unknown) => e);
    } finally {
      server.thaw();
    }
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: STATEMENT_TIMEOUT_CODE });
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
    expect(await connectionId(db)).toBeGreaterThan(0);
  });

  it('DDL, OPTIMIZE/ANALYZE and the migration lock get the maintenance timeout; everything else the ordinary one', () => {
    const timeouts = { statementTimeoutMs: 1, maintenanceStatementTimeoutMs: 2 };
    for (const text of [
      'OPTIMIZE TABLE celers_tasks',
      'analyze table celers_tasks',
      'create table t (n int)',
      ' ALTER TABLE t ADD INDEX i (n)',
      'drop table t',
      "select get_lock('kysely_migration_lock', 3600)",
    ])
      expect(statementTimeoutFor(text, timeouts)).toBe(2);
    for (const text of ['SELECT 1', 'DELETE FROM celers_tasks WHERE id IN (?)', 'INSERT INTO t VALUES (1)'])
      expect(statementTimeoutFor(text, timeouts)).toBe(1);
  });

  it('defaults to 30 s (1 h for maintenance) and refuses timeouts that are not positive integer ms', () => {
    expect(DEFAULT_POOL_CONFIG).toMatchObject({
      statementTimeoutMs: 30_000,
      maintenanceStatementTimeoutMs: 3_600_000,
    });
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31, '1000']) {
      for (const field of ['statementTimeoutMs', 'maintenanceStatementTimeoutMs']) {
        expect(() => resolvePoolConfig({ [field]: bad } as never)).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: `pool.${field}` }),
        );
      }
    }
  });
});
