import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../src/index.js';

describe('createTestDatabase', () => {
  it('creates a fresh empty database and drops it', async () => {
    const db = await createTestDatabase();
    expect(db.name).toMatch(/^celers_t_[0-9a-f]{12}$/);
    const conn = await mysql.createConnection(db.url);
    const [rows] = await conn.query(
      'SELECT DATABASE() AS name, COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE()',
    );
    await conn.end();
    expect(rows).toEqual([{ name: db.name, n: 0 }]);
    await db.drop();
    await db.drop(); // idempotent
    const admin = await mysql.createConnection(db.url.replace(`/${db.name}`, '/'));
    const [left] = await admin.query(
      'SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = ?',
      [db.name],
    );
    await admin.end();
    expect(left).toEqual([{ n: 0 }]);
  });
});
