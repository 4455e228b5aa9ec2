// The peek claim (issue 17, W4): after a claim that came back short, the next one reads up to count + 1 due
// tasks with a plain SELECT and takes them with one UPDATE fenced on each row's delivery_count, so a few tasks
// cost 2 statements instead of 5 (also for several task names, whose peek reads only their index ranges), and a
// row claimed, released or paused in between is never taken. On MariaDB a backlog is claimed the same way (a plain
// read in claim order, then the fenced UPDATE, which fails at once on a row another transaction holds).
import { createTask } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { type KyselyPlugin, type RootOperationNode, sql } from 'kysely';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { claimPeekedTasks, peekDueTasks } from '../src/queue/claim.sql.js';
import { sessionQuestions } from './fixtures/session-status.js';

let tdb: TestDatabase;
const opened: MysqlBroker[] = [];
let n = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  opened.push(await MysqlBroker.connect({ url: tdb.url, queue: 'setup', migrate: true }));
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await tdb.drop();
});

async function broker(queue: string, maxConnections?: number): Promise<MysqlBroker> {
  const b = await MysqlBroker.connect({
    url: tdb.url,
    queue,
    ...(maxConnections === undefined ? {} : { pool: { maxConnections } }),
  });
  opened.push(b);
  return b;
}

/** Counts the scheduled-task promotions (at most one a second per broker, before a claim) sent through it. */
let promotions = 0;
const promotionCounter: KyselyPlugin = {
  transformQuery({ node }) {
    // promotion's range of the claim index is a fragment nested in the statement's raw node
    if (JSON.stringify(node).includes('claim_priority = 0')) promotions++;
    return node as RootOperationNode;
  },
  async transformResult({ result }) {
    return result;
  },
};

/** A broker on one connection, whose statements {@link statementsOf} counts. */
async function countedBroker(queue: string): Promise<MysqlBroker> {
  const database = createDatabase({ url: tdb.url, pool: { maxConnections: 1 } }).withPlugin(promotionCounter);
  const b = await MysqlBroker.connect({ database, queue });
  opened.push(b);
  return b;
}

/** Index and row reads (`Handler_read_*`) `fn` made on `b`'s one connection. */
async function readsOf(b: MysqlBroker, fn: () => Promise<unknown>): Promise<number> {
  const reads = async () => {
    const r = await sql<{ Value: string }>`SHOW SESSION STATUS LIKE 'Handler_read%'`.execute(b.database);
    return r.rows.reduce((sum, row) => sum + Number(row.Value), 0);
  };
  const before = await reads();
  await fn();
  return (await reads()) - before;
}

/**
 * Statements of the claim `fn` makes on `b`'s one connection: the `Questions` delta, less the SHOW STATUS that
 * reads it and the promotion the claim may have run first (an idle one is one statement).
 */
async function statementsOf(b: MysqlBroker, fn: () => Promise<unknown>): Promise<number> {
  const before = await sessionQuestions(b);
  const promotionsBefore = promotions;
  await fn();
  return (await sessionQuestions(b)) - before - 1 - (promotions - promotionsBefore);
}

async function stateOf(b: MysqlBroker, id: string): Promise<{ state: string; receipt: string | null }> {
  const r = await sql<{ state: string; receipt: string | null }>`SELECT state, receipt_handle AS receipt
    FROM celers_tasks WHERE id = ${id}`.execute(b.database);
  return r.rows[0] as { state: string; receipt: string | null };
}

const claimOf = (receiptHandle: string, claimedAt: Date) => ({
  receiptHandle,
  claimedAt,
  leaseExpiresAt: new Date(claimedAt.getTime() + 60_000),
  workerId: null,
});

describe('the peek claim', () => {
  it('polls an idle queue with 1 statement and takes a few due tasks with 2, in claim order', async () => {
    const b = await countedBroker(`peek-${++n}`);
    expect(await statementsOf(b, () => b.dequeueBatch(10))).toBe(1);
    const low = await b.enqueue(createTask('t', 'low', { priority: 1 }));
    const high = await b.enqueue(createTask('t', 'high', { priority: 9 }));
    let claimed: Awaited<ReturnType<MysqlBroker['dequeueBatch']>> = [];
    expect(await statementsOf(b, async () => (claimed = await b.dequeueBatch(10)))).toBe(2);
    expect(claimed.map((m) => m.task.metadata.id)).toEqual([high, low]);
    expect(claimed.map((m) => m.deliveryCount)).toEqual([1, 1]);
    for (const m of claimed) {
      expect(await stateOf(b, m.task.metadata.id)).toEqual({ state: 'processing', receipt: m.receiptHandle });
    }
    // the receipt is a real lease: the ack completes the task, a stale receipt does not
    await b.ack(high, claimed[0]!.receiptHandle);
    expect((await stateOf(b, high)).state).toBe('completed');
    await expect(b.ack(low, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'STALE_RECEIPT',
    });
  });

  it("claims several task names (a Worker's handlers) the same way, reading only those names' index ranges", async () => {
    const b = await countedBroker(`peek-${++n}`);
    const names = { taskNames: ['a', 'b'] };
    expect(await statementsOf(b, () => b.dequeueBatch(10, names))).toBe(1);
    // 5k tasks of another name in front, which a walk of the claim index would pass one by one
    await b.enqueueBatch(Array.from({ length: 5_000 }, (_, i) => createTask('other', i, { priority: 9 })));
    const aFirst = await b.enqueue(createTask('a', 1));
    const bTask = await b.enqueue(createTask('b', 2, { priority: 5 }));
    const aSecond = await b.enqueue(createTask('a', 3));
    let claimed: Awaited<ReturnType<MysqlBroker['dequeueBatch']>> = [];
    const walked = await readsOf(b, async () => {
      expect(await statementsOf(b, async () => (claimed = await b.dequeueBatch(10, names)))).toBe(2);
    });
    // in claim order across the names: priority, then due time, then id
    expect(claimed.map((m) => m.task.metadata.id)).toEqual([bTask, aFirst, aSecond]);
    expect(walked).toBeLessThan(100);
    expect(await b.queueSize()).toBe(5_000); // the other name's tasks are left alone
    // more of them due than asked: the locking claim takes the first in claim order
    const more = await b.enqueueBatch([
      createTask('a', 4, { priority: 1 }),
      createTask('b', 5),
      createTask('a', 6),
    ]);
    expect((await b.dequeueBatch(2, names)).map((m) => m.task.metadata.id)).toEqual([more[0], more[1]]);
  });

  it('claims a backlog (more due than asked) optimistically on MariaDB: a plain read in claim order, one fenced UPDATE', async () => {
    const b = await countedBroker(`peek-${++n}`);
    const optimistic = b.serverProfile.supportsNoWaitStatements;
    const ids = await b.enqueueBatch(
      Array.from({ length: 5 }, (_, i) => createTask('t', i, { priority: i })),
    );
    let claimed: Awaited<ReturnType<MysqlBroker['dequeueBatch']>> = [];
    // the peek (count + 1 rows found), then the backlog's plain read and fenced UPDATE; on MySQL, whose UPDATE
    // cannot refuse to wait for a held row, BEGIN, the locking SELECT, the UPDATE and COMMIT
    expect(await statementsOf(b, async () => (claimed = await b.dequeueBatch(2)))).toBe(optimistic ? 3 : 5);
    expect(claimed.map((m) => m.task.metadata.id)).toEqual([ids[4], ids[3]]);
    // that claim came back full: the next goes straight to the backlog claim
    expect(await statementsOf(b, async () => (claimed = await b.dequeueBatch(2)))).toBe(optimistic ? 2 : 4);
    expect(claimed.map((m) => m.task.metadata.id)).toEqual([ids[2], ids[1]]);
  });

  it('a backlog claim that meets a row another transaction holds skips it at once, and the next claims lock', async () => {
    const b = await countedBroker(`peek-${++n}`);
    const optimistic = b.serverProfile.supportsNoWaitStatements;
    const ids = await b.enqueueBatch(
      Array.from({ length: 6 }, (_, i) => createTask('t', i, { priority: 10 - i })),
    );
    expect((await b.dequeueBatch(2)).map((m) => m.task.metadata.id)).toEqual([ids[0], ids[1]]);
    const locker = await mysql.createConnection(tdb.url);
    try {
      await locker.query('SET SESSION innodb_lock_wait_timeout = 30');
      await locker.beginTransaction();
      await locker.query('SELECT id FROM celers_live_tasks WHERE id = ? FOR UPDATE', [ids[2]]);
      let claimed: Awaited<ReturnType<MysqlBroker['dequeueBatch']>> = [];
      const started = Date.now();
      // the plain read and the UPDATE that fails at once on the held row, then the locking claim's four
      const statements = await statementsOf(b, async () => (claimed = await b.dequeueBatch(2)));
      expect(Date.now() - started).toBeLessThan(5_000); // no lock wait
      expect(statements).toBe(optimistic ? 6 : 4);
      expect(claimed.map((m) => m.task.metadata.id)).toEqual([ids[3], ids[4]]);
      // the next backlog claims lock with SKIP LOCKED: no attempt to take the held row
      expect(await statementsOf(b, async () => (claimed = await b.dequeueBatch(2)))).toBe(4);
      expect(claimed.map((m) => m.task.metadata.id)).toEqual([ids[5]]);
      await locker.rollback();
      expect((await b.dequeueBatch(2)).map((m) => m.task.metadata.id)).toEqual([ids[2]]);
    } finally {
      await locker.end();
    }
  });

  it('takes only rows still as peeked: not one claimed since, nor one released back to pending since', async () => {
    const queue = `peek-${++n}`;
    const b = await broker(queue);
    const other = await broker(queue);
    const [kept, takenAway, releasedInBetween] = await b.enqueueBatch([
      createTask('t', 1, { priority: 3 }),
      createTask('t', 2, { priority: 2 }),
      createTask('t', 3, { priority: 1 }),
    ]);
    const peek = await peekDueTasks(b.database, queue, 10);
    expect(peek.rows.map((r) => r.id)).toEqual([kept, takenAway, releasedInBetween]);
    // Between the peek and the UPDATE: another consumer claims two, and gives one of them straight back.
    const [first, second] = await other.dequeueBatch(2, { taskNames: ['t'] });
    expect([first?.task.metadata.id, second?.task.metadata.id]).toEqual([kept, takenAway]);
    await other.release(kept as string, first!.receiptHandle);
    expect((await stateOf(b, kept as string)).state).toBe('pending');

    const receipt = '11111111-1111-4111-8111-111111111111';
    const mine = await claimPeekedTasks(b.database, queue, peek.rows, claimOf(receipt, peek.claimedAt));
    expect(mine).toEqual([releasedInBetween]);
    expect(await stateOf(b, releasedInBetween as string)).toEqual({ state: 'processing', receipt });
    expect(await stateOf(b, kept as string)).toEqual({ state: 'pending', receipt: null });
    expect(await stateOf(b, takenAway as string)).toEqual({
      state: 'processing',
      receipt: second!.receiptHandle,
    });
  });

  it('takes nothing once the queue was paused after the peek', async () => {
    const queue = `peek-${++n}`;
    const b = await broker(queue);
    const id = await b.enqueue(createTask('t', 1));
    const peek = await peekDueTasks(b.database, queue, 10);
    await b.pause();
    const receipt = '22222222-2222-4222-8222-222222222222';
    expect(await claimPeekedTasks(b.database, queue, peek.rows, claimOf(receipt, peek.claimedAt))).toEqual(
      [],
    );
    expect(await stateOf(b, id)).toEqual({ state: 'pending', receipt: null });
    await b.resume();
  });

  it('under 6 polling consumers (3 claiming by task names) and a trickling producer, claims every task exactly once', async () => {
    const queue = `peek-${++n}`;
    const producer = await broker(queue);
    const consumers = await Promise.all(Array.from({ length: 6 }, () => broker(queue, 2)));
    const TOTAL = 400;
    const seen = new Map<string, number>();
    let produced = false;
    // half of them claim by task names, as a Worker does
    const consume = async (c: MysqlBroker, i: number) => {
      for (;;) {
        const batch = await c.dequeueBatch(5, i % 2 === 0 ? undefined : { taskNames: ['t', 'u'] });
        for (const m of batch) seen.set(m.task.metadata.id, (seen.get(m.task.metadata.id) ?? 0) + 1);
        if (batch.length > 0) {
          const acked = await c.ackBatch(
            batch.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
          );
          expect(acked.outcomes.filter((o) => o !== 'acked')).toEqual([]);
        } else if (produced && (await c.queueSize()) === 0) return;
        else await new Promise((r) => setTimeout(r, 1));
      }
    };
    const running = consumers.map((c, i) => consume(c, i));
    const ids: string[] = [];
    for (let i = 0; i < TOTAL; i++) {
      ids.push(await producer.enqueue(createTask('t', i)));
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    produced = true;
    await Promise.all(running);
    expect(seen.size).toBe(TOTAL);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(ids)).toEqual(new Set(seen.keys()));
  });
});
