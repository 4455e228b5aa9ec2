import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPoolConfig } from '../src/connection/create-database.js';
import {
  ACQUIRE_TIMEOUT_CODE,
  type CelersDatabase,
  createDatabase,
  DEFAULT_POOL_CONFIG,
  getPoolStats,
  type PoolConfig,
  resolvePoolConfig,
  warmupPool,
} from '../src/index.js';

// The seed's PoolConfig (max/min connections, acquire timeout, max lifetime, idle timeout), each observed on
// a real pool against the real server.

let tdb: TestDatabase;
const opened: Kysely<CelersDatabase>[] = [];

function open(pool: PoolConfig): Kysely<CelersDatabase> {
  const db = createDatabase({ url: tdb.url, pool });
  opened.push(db);
  return db;
}

async function connectionId(db: Kysely<CelersDatabase>): Promise<number> {
  const r = await sql<{ id: number }>`SELECT CONNECTION_ID() AS id`.execute(db);
  return Number(r.rows[0]?.id);
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(opened.map((db) => db.destroy()));
  await tdb?.drop();
});

describe('PoolConfig', () => {
  it('defaults to 20 connections and a 5 s acquire timeout, and validates every field', () => {
    expect(resolvePoolConfig()).toEqual(DEFAULT_POOL_CONFIG);
    expect(DEFAULT_POOL_CONFIG).toMatchObject({ maxConnections: 20, acquireTimeoutMs: 5_000 });
    expect(() => resolvePoolConfig({ maxConnections: 0 })).toThrow(
      expect.objectContaining({ argument: 'pool.maxConnections' }),
    );
    expect(() => resolvePoolConfig({ minConnections: 5, maxConnections: 2 })).toThrow(
      expect.objectContaining({ argument: 'pool.minConnections' }),
    );
    expect(() => resolvePoolConfig({ acquireTimeoutMs: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'pool.acquireTimeoutMs' }),
    );
  });

  it('maxConnections caps the pool; acquireTimeoutMs fails a waiting caller instead of hanging', async () => {
    const db = open({ maxConnections: 1, acquireTimeoutMs: 300 });
    expect(getPoolConfig(db)).toMatchObject({ maxConnections: 1, acquireTimeoutMs: 300 });
    let release!: () => void;
    const held = db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      await new Promise<void>((r) => {
        release = r;
      });
    });
    await until(() => release !== undefined && getPoolStats(db)?.active === 1);
    const started = Date.now();
    await expect(sql`SELECT 1`.execute(db)).rejects.toMatchObject({ code: ACQUIRE_TIMEOUT_CODE });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(getPoolStats(db)).toMatchObject({ size: 1, max: 1 });
    release();
    await held;
    await expect(sql`SELECT 1 AS one`.execute(db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('minConnections is what warmupPool opens ahead of load', async () => {
    const db = open({ maxConnections: 5, minConnections: 3 });
    expect(getPoolStats(db)?.size).toBe(0);
    expect(await warmupPool(db)).toBe(3);
    expect(getPoolStats(db)).toMatchObject({ size: 3, idle: 3, min: 3 });
  });

  it('maxLifetimeMs retires an old connection: the next query runs on a new one', async () => {
    const db = open({ maxConnections: 1, maxLifetimeMs: 200 });
    const first = await connectionId(db);
    expect(await connectionId(db)).toBe(first); // young: reused
    await new Promise((r) => setTimeout(r, 300));
    expect(await connectionId(db)).not.toBe(first);
  });

  it('idleTimeoutMs closes idle connections above minConnections', async () => {
    const db = open({ maxConnections: 4, minConnections: 1, idleTimeoutMs: 200 });
    await warmupPool(db, 4);
    expect(getPoolStats(db)?.size).toBe(4);
    await until(() => (getPoolStats(db)?.size ?? 0) <= 1);
    expect(getPoolStats(db)?.size).toBeLessThanOrEqual(1);
  });
});
