import { createTask } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { taskRow } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'trx', migrate: true });
  await sql`CREATE TABLE app_orders (id INT PRIMARY KEY, note VARCHAR(50) NOT NULL) ENGINE=InnoDB`.execute(
    broker.database,
  );
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('broker.transaction (with_transaction)', () => {
  it('a thrown error rolls back the enqueue: the task does not exist', async () => {
    const task = createTask('t', 1);
    await expect(
      broker.transaction(async (trx) => {
        await broker.enqueue(task, { transaction: trx });
        expect(await taskRow(trx as never, task.metadata.id)).toBeDefined(); // visible inside
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await taskRow(broker.database, task.metadata.id)).toBeUndefined();
    expect(await broker.queueSize()).toBe(0);
  });

  it('a committed transaction stores exactly one task (and batches too)', async () => {
    const task = createTask('t', 2);
    const batch = [createTask('t', 3), createTask('t', 4)];
    const ids = await broker.transaction(async (trx) => {
      const id = await broker.enqueue(task, { transaction: trx });
      const more = await broker.enqueueBatch(batch, { transaction: trx });
      return [id, ...more];
    });
    const rows = await broker.database
      .selectFrom('celers_tasks')
      .select('id')
      .where('id', 'in', ids)
      .execute();
    expect(rows).toHaveLength(3);
    expect(ids[0]).toBe(task.metadata.id);
  });

  it('task:enqueued fires only after the commit (the task is visible to the listener), never for a rollback', async () => {
    const seen: Array<{ ids: string[]; visible: boolean }> = [];
    const listener = ({ taskIds }: { taskIds: string[] }) => {
      // Read on another connection, as a worker woken by the event would.
      seen.push({ ids: taskIds, visible: false });
      const entry = seen[seen.length - 1]!;
      void taskRow(broker.database, taskIds[0]!).then((row) => {
        entry.visible = row !== undefined;
      });
    };
    broker.on('task:enqueued', listener);
    try {
      const committed = createTask('t', 'commit');
      const batch = [createTask('t', 'b1'), createTask('t', 'b2')];
      await broker.transaction(async (trx) => {
        await broker.enqueue(committed, { transaction: trx });
        await broker.enqueueBatch(batch, { transaction: trx });
        expect(seen).toEqual([]); // nothing announced while the transaction is open
      });
      expect(seen.map((s) => s.ids)).toEqual([[committed.metadata.id], batch.map((t) => t.metadata.id)]);

      const rolledBack = createTask('t', 'rollback');
      await expect(
        broker.transaction(async (trx) => {
          await broker.enqueue(rolledBack, { transaction: trx });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(seen.flatMap((s) => s.ids)).not.toContain(rolledBack.metadata.id);

      await new Promise((resolve) => setTimeout(resolve, 100)); // let the listener's reads finish
      expect(seen.every((s) => s.visible)).toBe(true);
    } finally {
      broker.off('task:enqueued', listener);
    }
  });

  it('a rolled-back enqueueBatch writes none of its tasks', async () => {
    const before = await broker.queueSize();
    const batch = Array.from({ length: 600 }, (_, i) => createTask('rb', i));
    await expect(
      broker.transaction(async (trx) => {
        await broker.enqueueBatch(batch, { transaction: trx });
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect(await broker.queueSize()).toBe(before);
  });
});

describe("the caller's own transaction (outbox)", () => {
  it("the task commits or rolls back with the caller's own writes, on their own Kysely instance", async () => {
    interface AppDb {
      app_orders: { id: number; note: string };
    }
    const appDb = new Kysely<AppDb>({
      dialect: new MysqlDialect({ pool: createPool({ uri: tdb.url, connectionLimit: 2 }) }),
    });
    try {
      const lost = createTask('order.created', { id: 1 });
      await expect(
        appDb.transaction().execute(async (trx) => {
          await trx.insertInto('app_orders').values({ id: 1, note: 'rolled back' }).execute();
          await broker.enqueue(lost, { transaction: trx });
          throw new Error('payment declined');
        }),
      ).rejects.toThrow('payment declined');
      expect(await taskRow(broker.database, lost.metadata.id)).toBeUndefined();
      expect(await appDb.selectFrom('app_orders').selectAll().execute()).toEqual([]);

      const kept = createTask('order.created', { id: 2 });
      await appDb.transaction().execute(async (trx) => {
        await trx.insertInto('app_orders').values({ id: 2, note: 'committed' }).execute();
        await broker.enqueue(kept, { transaction: trx });
      });
      const rows = await broker.database
        .selectFrom('celers_tasks')
        .select('id')
        .where('id', '=', kept.metadata.id)
        .execute();
      expect(rows).toHaveLength(1);
      expect(await appDb.selectFrom('app_orders').selectAll().execute()).toEqual([
        { id: 2, note: 'committed' },
      ]);
    } finally {
      await appDb.destroy();
    }
  });

  it("a transaction on the broker's database from createDatabase works the same way", async () => {
    const db = createDatabase(tdb.url);
    try {
      const t = createTask('x', 1);
      await expect(
        db.transaction().execute(async (trx) => {
          await broker.enqueue(t, { transaction: trx });
          throw new Error('x');
        }),
      ).rejects.toThrow('x');
      expect(await taskRow(db, t.metadata.id)).toBeUndefined();
    } finally {
      await db.destroy();
    }
  });
});
