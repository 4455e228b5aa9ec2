import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

// celers_task_links (migration 0015): the group, parent and live dedup key of the tasks that have any, written in
// the task's transaction. A row whose task is no longer live is stale: dedup takes its key, the archiver deletes
// the rows of the tasks it moves, and the archiveCompleted maintenance job sweeps rows whose task is gone.

let tdb: TestDatabase;
const opened: MysqlBroker[] = [];

async function broker(queue: string, keepCompleted?: boolean): Promise<MysqlBroker> {
  const b = await MysqlBroker.connect({
    url: tdb.url,
    queue,
    migrate: true,
    ...(keepCompleted === undefined ? {} : { keepCompleted }),
  });
  opened.push(b);
  return b;
}

interface LinkRow {
  task_id: string;
  group_id: string | null;
  parent_task_id: string | null;
  dedup_key: string | null;
}

async function links(b: MysqlBroker): Promise<LinkRow[]> {
  const r = await sql<LinkRow>`SELECT task_id, group_id, parent_task_id, dedup_key FROM celers_task_links
    WHERE queue_name = ${b.queueName} ORDER BY task_id`.execute(b.database);
  return r.rows;
}

async function liveCount(b: MysqlBroker): Promise<number> {
  const r = await sql<{
    n: number;
  }>`SELECT COUNT(*) AS n FROM celers_live_tasks WHERE queue_name = ${b.queueName}`.execute(b.database);
  return Number(r.rows[0]?.n);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function claimAndAck(b: MysqlBroker, taskId: string): Promise<void> {
  const claimed = await b.dequeueBatch(100);
  const m = claimed.find((c) => c.task.metadata.id === taskId);
  if (!m) throw new Error(`task ${taskId} was not claimed`);
  await b.ack(taskId, m.receiptHandle);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await tdb?.drop();
});

describe('celers_task_links writers', () => {
  it('writes no row for a plain task and one per task with a group, parent or dedup key (single and batch)', async () => {
    const b = await broker('links-write');
    await b.enqueue(createTask('t', 1));
    expect(await links(b)).toEqual([]);
    const grouped = await b.enqueue(createTask('t', 2, { metadata: { group_id: 'g' } }));
    const batch = await b.enqueueBatch([
      createTask('t', 3),
      createTask('t', 4, { metadata: { dedup_key: 'k' } }),
      createTask('t', 5, { metadata: { parent_task_id: grouped } }),
    ]);
    expect(await links(b)).toEqual(
      [
        { task_id: grouped, group_id: 'g', parent_task_id: null, dedup_key: null },
        { task_id: batch[1], group_id: null, parent_task_id: null, dedup_key: 'k' },
        { task_id: batch[2], group_id: null, parent_task_id: grouped, dedup_key: null },
      ].sort((x, y) => x.task_id!.localeCompare(y.task_id!)),
    );
  });

  it('rejects a batch holding a live key twice, writing neither its tasks nor its links', async () => {
    const b = await broker('links-batch-dup');
    const batch = [
      createTask('t', 1),
      createTask('t', 2, { metadata: { dedup_key: 'same' } }),
      createTask('t', 3, { metadata: { dedup_key: 'same' } }),
    ];
    await expect(b.enqueueBatch(batch)).rejects.toMatchObject({ code: 'DUPLICATE_TASK' });
    expect(await liveCount(b)).toBe(0);
    expect(await links(b)).toEqual([]);
  });
});

describe("celers_task_links in a caller's transaction", () => {
  it('a refused dedup key leaves no task behind when the caller catches the error and commits', async () => {
    const b = await broker('links-outbox');
    const holder = await b.enqueue(createTask('t', 1, { metadata: { dedup_key: 'o' } }));
    const refused = await b.database.transaction().execute(async (trx) => {
      const error = await b
        .enqueueBatch([createTask('t', 2), createTask('t', 3, { metadata: { dedup_key: 'o' } })], {
          transaction: trx,
        })
        .catch((e: unknown) => e);
      await b.enqueue(createTask('t', 4, { metadata: { group_id: 'kept' } }), { transaction: trx });
      return error;
    });
    expect(refused).toMatchObject({ code: 'DUPLICATE_TASK' });
    expect(await liveCount(b)).toBe(2);
    expect((await links(b)).map((l) => l.dedup_key ?? l.group_id).sort()).toEqual(['kept', 'o']);
    expect(await b.idempotency.enqueueDeduplicated(createTask('t', 5), 'o')).toBe(holder);
  });
});

describe('stale links rows', () => {
  it('a finished holder does not keep its key: the next enqueue deletes the stale row and takes the key', async () => {
    const b = await broker('links-stale', true);
    const first = await b.idempotency.enqueueDeduplicated(createTask('t', 1), 'k');
    expect(await b.idempotency.enqueueDeduplicated(createTask('t', 2), 'k')).toBe(first);
    await claimAndAck(b, first); // completed: its links row is stale now
    const second = await b.idempotency.enqueueDeduplicated(createTask('t', 3), 'k');
    expect(second).not.toBe(first);
    expect((await links(b)).filter((l) => l.dedup_key === 'k').map((l) => l.task_id)).toEqual([second]);
    // A failed holder (moved to the finished table at once) frees its key for a plain enqueue too.
    await b.tasks.updateBatchState([second], 'failed');
    const third = await b.enqueue(createTask('t', 4, { metadata: { dedup_key: 'k' } }));
    expect(await b.idempotency.enqueueDeduplicated(createTask('t', 5), 'k')).toBe(third);
  });

  it('a revived task re-takes its key, and is refused while another live task holds it', async () => {
    const b = await broker('links-revive');
    const old = await b.enqueue(createTask('t', 1, { metadata: { dedup_key: 'r' } }));
    await b.tasks.updateBatchState([old], 'failed');
    const holder = await b.idempotency.enqueueDeduplicated(createTask('t', 2), 'r');
    expect(holder).not.toBe(old);
    await expect(b.tasks.updateBatchState([old], 'pending')).rejects.toBeDefined();
    expect((await b.tasks.get(old))?.state).toBe('failed');
    await b.tasks.updateBatchState([holder], 'cancelled');
    expect(await b.tasks.updateBatchState([old], 'pending')).toBe(1);
    expect(await b.idempotency.enqueueDeduplicated(createTask('t', 3), 'r')).toBe(old);
    expect((await links(b)).filter((l) => l.dedup_key === 'r').map((l) => l.task_id)).toEqual([old]);
  });

  it('the archiver deletes the rows of the tasks it moves; group status still counts them', async () => {
    const b = await broker('links-archive', true);
    const member = await b.enqueue(createTask('t', 1, { metadata: { group_id: 'ga' } }));
    const waiting = await b.enqueueAfter(createTask('t', 2, { metadata: { group_id: 'ga' } }), 3_600_000);
    await claimAndAck(b, member);
    await eventually(async () => (await links(b)).length === 1);
    expect((await links(b)).map((l) => l.task_id)).toEqual([waiting]);
    expect(await b.groups.status('ga')).toMatchObject({ total: 2, completed: 1, pending: 1 });
  });

  it('archiveCompleted sweeps rows whose task is gone (keepCompleted: false) and keeps the others', async () => {
    const b = await broker('links-orphans', false);
    const gone = await b.enqueue(createTask('t', 1, { metadata: { group_id: 'gb' } }));
    const kept = await b.enqueueAfter(createTask('t', 2, { metadata: { group_id: 'gb' } }), 3_600_000);
    await claimAndAck(b, gone); // deleted at ack, no statement spent on its links row
    expect((await links(b)).map((l) => l.task_id).sort()).toEqual([gone, kept].sort());
    await b.maintenance.archiveCompleted({ olderThanMs: 3_600_000 });
    expect((await links(b)).map((l) => l.task_id)).toEqual([kept]);
  });
});

describe('celers_task_links readers', () => {
  it('cancelCascade walks live children through links and finished ones through the finished table', async () => {
    const b = await broker('links-cascade');
    const root = await b.enqueue(createTask('t', 1));
    const middle = await b.enqueue(createTask('t', 2, { metadata: { parent_task_id: root } }));
    const leaf = await b.enqueue(createTask('t', 3, { metadata: { parent_task_id: middle } }));
    await b.tasks.updateBatchState([middle], 'completed');
    // As after the archiver: the finished middle task has no links row any more.
    await sql`DELETE FROM celers_task_links WHERE task_id = ${middle}`.execute(b.database);
    expect(await b.groups.cancelCascade(root)).toBe(2);
    expect((await b.tasks.get(leaf))?.state).toBe('cancelled');
    expect((await b.tasks.get(middle))?.state).toBe('completed');
  });

  it('updateMetadata of a link key rewrites the links row, and refuses a key a live task holds', async () => {
    const b = await broker('links-metadata');
    const a = await b.enqueue(createTask('t', 1, { metadata: { dedup_key: 'a' } }));
    const other = await b.enqueue(createTask('t', 2));
    expect(await b.tasks.updateMetadata(other, '$.group_id', 'gm')).toBe(true);
    expect(await b.groups.status('gm')).toMatchObject({ total: 1, pending: 1 });
    await expect(b.tasks.updateMetadata(other, '$.dedup_key', 'a')).rejects.toMatchObject({
      code: 'DUPLICATE_TASK',
    });
    expect((await links(b)).find((l) => l.task_id === other)).toEqual({
      task_id: other,
      group_id: 'gm',
      parent_task_id: null,
      dedup_key: null,
    });
    expect(await b.idempotency.enqueueDeduplicated(createTask('t', 3), 'a')).toBe(a);
  });
});
