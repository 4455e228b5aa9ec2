import { createTask } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import type { KyselyPlugin, OperationNode, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker, TaskChain } from '../src/index.js';
import { sessionQuestions } from './fixtures/session-status.js';

// An ack runs the completion hooks (the chain promotion UPDATE) only when a claimed task may need them: a claim
// without chain links is acked with one statement; chain links are still promoted, also when another broker,
// which never saw the claim, acks them.

let tdb: TestDatabase;
const opened: MysqlBroker[] = [];
let recording: string[] | null = null;

/** The statement kind of `node`, with the SQL text for raw statements. */
function describeNode(node: OperationNode): string {
  if (node.kind === 'RawNode') return (node as unknown as { sqlFragments: string[] }).sqlFragments.join('?');
  return node.kind;
}

/** Records every statement sent through the Kysely it is installed on while `recording` is set. */
const recorder: KyselyPlugin = {
  transformQuery({ node }) {
    recording?.push(describeNode(node));
    return node as RootOperationNode;
  },
  async transformResult({ result }) {
    return result;
  },
};

async function recordingBroker(queue: string, maxConnections?: number): Promise<MysqlBroker> {
  const database = createDatabase(
    maxConnections === undefined ? tdb.url : { url: tdb.url, pool: { maxConnections } },
  );
  const b = await MysqlBroker.connect({
    database: database.withPlugin(recorder),
    queue,
    migrate: true,
  });
  opened.push(b);
  return b;
}

async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  recording = [];
  try {
    await fn();
    return recording;
  } finally {
    recording = null;
  }
}

const promotes = (s: string) => /parent_task_id IN/.test(s);

beforeAll(async () => {
  tdb = await createTestDatabase();
});

afterAll(async () => {
  for (const b of opened) await b.close();
  await tdb.drop();
});

describe('acks skip the completion hooks for claims no hook concerns', () => {
  it('acks a claim without chain links with one statement and no promotion', async () => {
    // One connection, so the session counter sees every statement, also those sent as compiled raw SQL (which
    // bypass kysely plugins).
    const b = await recordingBroker('plain', 1);
    await b.enqueueBatch(Array.from({ length: 20 }, (_, i) => createTask('plain.task', { i })));
    const claimed = await b.dequeueBatch(20);
    expect(claimed).toHaveLength(20);
    const before = await sessionQuestions(b);
    const sent = await statementsOf(async () => {
      const r = await b.ackBatch(
        claimed.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
      );
      expect(r.count).toBe(20);
    });
    const statements = (await sessionQuestions(b)) - before - 1; // the second SHOW counts itself
    expect(sent.filter(promotes)).toEqual([]);
    expect(statements).toBe(1);
  });

  it('still promotes the next chain link, acked by the claiming broker or by another one', async () => {
    const claimer = await recordingBroker('chains');
    const other = await recordingBroker('chains');
    const ids = await claimer.groups.enqueueChain(
      TaskChain.new()
        .then(createTask('c.step', 1))
        .then(createTask('c.step', 2))
        .then(createTask('c.step', 3)),
    );
    const [first] = await claimer.dequeueBatch(10);
    expect(first?.task.metadata.id).toBe(ids[0]);
    const sent = await statementsOf(() =>
      claimer.ackBatch([{ taskId: ids[0] as string, receiptHandle: first?.receiptHandle as string }]),
    );
    expect(sent.filter(promotes)).toHaveLength(1);

    const [second] = await claimer.dequeueBatch(10);
    expect(second?.task.metadata.id).toBe(ids[1]);
    // A broker that never saw the claim cannot know it is hook-free, so it runs the hooks.
    await other.ack(ids[1] as string, second?.receiptHandle as string);
    const [third] = await other.dequeueBatch(10);
    expect(third?.task.metadata.id).toBe(ids[2]);
  });

  it('runs the hooks when an ack batch mixes a remembered claim with an unknown one', async () => {
    const claimer = await recordingBroker('mixed');
    const other = await recordingBroker('mixed');
    await claimer.enqueue(createTask('m.plain', 1));
    const ids = await claimer.groups.enqueueChain(
      TaskChain.new().then(createTask('m.link', 1)).then(createTask('m.link', 2)),
    );
    const mine = await claimer.dequeueBatch(1);
    const theirs = await other.dequeueBatch(1);
    expect(mine).toHaveLength(1);
    expect(theirs).toHaveLength(1);
    const items = [...mine, ...theirs].map((m) => ({
      taskId: m.task.metadata.id,
      receiptHandle: m.receiptHandle,
    }));
    const sent = await statementsOf(() => claimer.ackBatch(items));
    expect(sent.filter(promotes)).toHaveLength(1);
    const [next] = await claimer.dequeueBatch(10);
    expect(next?.task.metadata.id).toBe(ids[1]);
  });
});
