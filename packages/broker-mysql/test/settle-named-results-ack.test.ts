import { type AckItem, type BrokerMessage, createTask } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { sessionQuestions } from './fixtures/session-status.js';

// An ack batch that stores results reads and locks its rows first, to learn each task's name and outcome. When
// every item names its task (`AckItem.taskName`, as the Worker's do), one statement per receipt settles the tasks,
// checking receipt, state and name, and the results take the names the items gave. A mismatch rolls that back and
// the batch takes the reading path, so a wrong name never reaches the results table and each item still gets its
// own outcome.

let tdb: TestDatabase;
const opened: MysqlBroker[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
});

afterAll(async () => {
  for (const b of opened) await b.close();
  await tdb.drop();
});

/** A broker on one connection, so `sessionQuestions` sees every statement it sends. */
async function oneConnectionBroker(queue: string, keepCompleted = false): Promise<MysqlBroker> {
  const b = await MysqlBroker.connect({
    database: createDatabase({ url: tdb.url, pool: { maxConnections: 1 } }),
    queue,
    migrate: true,
    keepCompleted,
  });
  opened.push(b);
  return b;
}

async function claimTasks(b: MysqlBroker, names: readonly string[]): Promise<BrokerMessage[]> {
  await b.enqueueBatch(names.map((name, i) => createTask(name, { i })));
  const claimed = await b.dequeueBatch(names.length);
  expect(claimed).toHaveLength(names.length);
  return claimed;
}

function resultItems(claimed: readonly BrokerMessage[], named: boolean): AckItem[] {
  return claimed.map((m) => ({
    taskId: m.task.metadata.id,
    receiptHandle: m.receiptHandle,
    result: { result: { done: m.task.metadata.id } },
    ...(named ? { taskName: m.task.metadata.name } : {}),
  }));
}

/** Statements the broker's one session received while `fn` ran. */
async function statementsDuring(b: MysqlBroker, fn: () => Promise<unknown>): Promise<number> {
  const before = await sessionQuestions(b);
  await fn();
  return (await sessionQuestions(b)) - before - 1; // the second SHOW counts itself
}

async function storedResults(queue: string): Promise<Array<{ task_id: string; task_name: string }>> {
  const db = opened[0]?.database;
  if (!db) throw new Error('no broker open');
  const r = await sql<{
    task_id: string;
    task_name: string;
  }>`SELECT task_id, task_name FROM celers_task_results
    WHERE queue_name = ${queue} ORDER BY task_id`.execute(db);
  return r.rows;
}

describe('ack batches with results and task names', () => {
  it('acks without reading the rows first: one statement fewer than the same batch without names', async () => {
    const b = await oneConnectionBroker('named');
    const unnamed = await claimTasks(b, ['n.a', 'n.b', 'n.c']);
    const withoutNames = await statementsDuring(b, async () => {
      expect(await b.ackBatch(resultItems(unnamed, false))).toEqual({
        count: 3,
        outcomes: ['acked', 'acked', 'acked'],
      });
    });
    const named = await claimTasks(b, ['n.a', 'n.b', 'n.c']);
    const withNames = await statementsDuring(b, async () => {
      expect(await b.ackBatch(resultItems(named, true))).toEqual({
        count: 3,
        outcomes: ['acked', 'acked', 'acked'],
      });
    });
    expect(withNames).toBe(withoutNames - 1);
    expect(await b.queueSize()).toBe(0);
    const expected = [...unnamed, ...named]
      .map((m) => ({ task_id: m.task.metadata.id, task_name: m.task.metadata.name }))
      .sort((x, y) => x.task_id.localeCompare(y.task_id));
    expect(await storedResults('named')).toEqual(expected);
    for (const m of named) {
      expect((await b.results.get(m.task.metadata.id))?.result).toEqual({ done: m.task.metadata.id });
    }
  });

  it('a wrong task name is never stored: the batch falls back to the rows and acks every task', async () => {
    const b = await oneConnectionBroker('misnamed');
    const claimed = await claimTasks(b, ['m.real', 'm.real']);
    const items = resultItems(claimed, true);
    items[1] = { ...(items[1] as AckItem), taskName: 'm.wrong' };
    expect(await b.ackBatch(items)).toEqual({ count: 2, outcomes: ['acked', 'acked'] });
    const names = (await storedResults('misnamed')).map((r) => r.task_name);
    expect(names).toEqual(['m.real', 'm.real']);
  });

  it('a stale receipt rolls the named ack back whole, then each item gets its own outcome', async () => {
    const b = await oneConnectionBroker('stale');
    const claimed = await claimTasks(b, ['s.task', 's.task']);
    const items = resultItems(claimed, true);
    const foreign = '01900000-0000-7000-8000-00000000beef';
    items[1] = { ...(items[1] as AckItem), receiptHandle: foreign };
    expect(await b.ackBatch(items)).toEqual({ count: 1, outcomes: ['acked', 'stale'] });
    expect((await storedResults('stale')).map((r) => r.task_id)).toEqual([claimed[0]?.task.metadata.id]);
    const still = await sql<{ state: string; receipt_handle: string }>`SELECT state, receipt_handle
      FROM celers_live_tasks WHERE id = ${claimed[1]?.task.metadata.id}`.execute(b.database);
    expect(still.rows).toEqual([{ state: 'processing', receipt_handle: claimed[1]?.receiptHandle }]);
  });

  it('with keepCompleted, completes the rows in place and stores the results', async () => {
    const b = await oneConnectionBroker('kept', true);
    const claimed = await claimTasks(b, ['k.a', 'k.b']);
    expect(await b.ackBatch(resultItems(claimed, true))).toEqual({ count: 2, outcomes: ['acked', 'acked'] });
    for (const m of claimed) {
      expect((await b.tasks.get(m.task.metadata.id))?.state).toBe('completed');
      expect((await b.results.get(m.task.metadata.id))?.taskName).toBe(m.task.metadata.name);
    }
  });

  it('a task name that is not a name is INVALID_ARGUMENT naming the item, and nothing is acked', async () => {
    const b = await oneConnectionBroker('bad-name');
    const claimed = await claimTasks(b, ['b.task']);
    const items = resultItems(claimed, true);
    for (const taskName of ['', ' padded', 42]) {
      await expect(
        b.ackBatch([{ ...(items[0] as AckItem), taskName: taskName as string }]),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'items[0].taskName' });
    }
    expect((await b.tasks.get(claimed[0]?.task.metadata.id as string))?.state).toBe('processing');
    expect(await storedResults('bad-name')).toEqual([]);
  });
});
