import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { findTimedOutTaskIds, lockTimedOutTaskIds } from '../src/queue/lease.sql.js';

// Recovery must never lock live leases: with many workers acking, a recovery scan that locks every processing
// row (even briefly, even with SKIP LOCKED) makes acks wait on it. It finds expired leases with a plain read
// and locks only those, by primary key.
let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'recovery-locks', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

/** Row locks held by the current transaction (InnoDB's own count). */
async function rowsLockedHere(
  trx: Parameters<Parameters<MysqlBroker['transaction']>[0]>[0],
): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT trx_rows_locked AS n FROM information_schema.INNODB_TRX
    WHERE trx_mysql_thread_id = CONNECTION_ID()`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}

describe('lease recovery locking', () => {
  it('locks only the expired leases (by primary key), so acks of the live ones never wait on it', async () => {
    await broker.enqueueBatch(Array.from({ length: 60 }, (_, i) => createTask('live', i)));
    const claimed = await broker.dequeueBatch(60, { workerId: 'w-live', leaseMs: 600_000 });
    const expired = claimed.slice(0, 3).map((m) => m.task.metadata.id);
    await broker.database
      .updateTable('celers_live_tasks')
      .set({ lease_expires_at: new Date(Date.now() - 60_000) })
      .where('id', 'in', expired)
      .execute();

    const candidates = await findTimedOutTaskIds(broker.database, 'recovery-locks', 60_000, '', 500);
    expect(candidates).toEqual([...expired].sort());
    const live = claimed[10]!;
    await broker.database.transaction().execute(async (trx) => {
      const locked = await lockTimedOutTaskIds(trx, 'recovery-locks', 60_000, candidates);
      expect(locked).toEqual([...expired].sort());
      // A scan through idx_tasks_dequeue would have locked all 60 processing rows (and their index entries).
      expect(await rowsLockedHere(trx)).toBeLessThanOrEqual(2 * expired.length);
      // Meanwhile a live lease acks at once on another connection.
      await broker.ack(live.task.metadata.id, live.receiptHandle);
    });

    expect(await broker.recoverTimedOutTasks()).toBe(3);
    const states = await broker.database
      .selectFrom('celers_tasks')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('queue_name', '=', 'recovery-locks')
      .groupBy('state')
      .execute();
    expect(Object.fromEntries(states.map((r) => [r.state, Number(r.n)]))).toEqual({
      completed: 1,
      pending: 3,
      processing: 56,
    });
  });

  it('a chunk of candidates locked elsewhere is skipped, not waited for, and picked up by the next run', async () => {
    const id = await broker.enqueue(createTask('held', 1));
    await broker.database
      .updateTable('celers_live_tasks')
      .set({ priority: 1_000 })
      .where('id', '=', id)
      .execute();
    const [msg] = await broker.dequeueBatch(1, { workerId: 'w-held', leaseMs: 600_000 });
    expect(msg?.task.metadata.id).toBe(id);
    await broker.database
      .updateTable('celers_live_tasks')
      .set({ lease_expires_at: new Date(Date.now() - 60_000) })
      .where('id', '=', id)
      .execute();
    await broker.database.transaction().execute(async (trx) => {
      await trx.selectFrom('celers_live_tasks').select('id').where('id', '=', id).forUpdate().execute();
      expect(await broker.recoverTimedOutTasks()).toBe(0); // skipped (SKIP LOCKED), not blocked
    });
    expect(await broker.recoverTimedOutTasks()).toBe(1);
  });
});
