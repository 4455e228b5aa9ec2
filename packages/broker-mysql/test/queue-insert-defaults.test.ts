import { createTask, type SerializedTask } from '@celers/core';
import { LIVE_TASK_DEFAULTS } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { toInsertValues } from '../src/internal/task-row-mapper.js';
import { insertShape } from '../src/queue/task-insert-shape.js';

// Issue 17: an INSERT of new tasks names only the columns some of its rows set to a value other than the table's
// default (migration 0018). These tests check which columns a statement names, and that every value still arrives,
// whatever mix of plain and non-default tasks shares one statement.

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'insert-defaults', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

/** One task of each kind that sets a defaulted column, and a plain one. */
function mixedTasks(): SerializedTask[] {
  return [
    createTask('plain', { n: 0 }),
    createTask('prio', { n: 1 }, { priority: 7 }),
    createTask('no-retries', { n: 2 }, { maxRetries: 0 }),
    createTask('timed', { n: 3 }, { timeoutMs: 1500 }),
    createTask('policy', { n: 4 }, { retryPolicy: { kind: 'fixed', delayMs: 250 } }),
    createTask('bytes', new Uint8Array([0, 1, 2, 255])),
    createTask('deflated', { text: 'x'.repeat(4096) }, { compression: true }),
  ];
}

const ROW_COLUMNS = [
  'id',
  'task_name',
  'state',
  'content_type',
  'content_encoding',
  'priority',
  'retry_count',
  'max_retries',
  'timeout_ms',
  'retry_policy',
] as const;

/** The stored defaulted columns of `ids`, by id. */
async function storedRows(ids: readonly string[]) {
  const rows = await broker.database
    .selectFrom('celers_live_tasks')
    .select(ROW_COLUMNS)
    .where('id', 'in', ids)
    .execute();
  // MariaDB returns a JSON column as text, MySQL as a parsed value.
  const parsed = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return new Map(rows.map((r) => [r.id, { ...r, retry_policy: parsed(r.retry_policy) }]));
}

/** What the row of `task` must hold: its own values, the defaults where it has none. */
function expectedRow(task: SerializedTask) {
  const m = task.metadata;
  return {
    id: m.id,
    task_name: m.name,
    state: 'pending',
    content_type: m.contentType,
    content_encoding: m.contentEncoding,
    priority: m.priority,
    retry_count: 0,
    max_retries: m.maxRetries,
    timeout_ms: m.timeoutMs ?? null,
    retry_policy: m.retryPolicy ?? null,
  };
}

describe('insertShape', () => {
  const values = (task: SerializedTask) => toInsertValues('q', task);

  it('names only the columns without a default for plain tasks', () => {
    const shape = insertShape([values(createTask('a', 1)), values(createTask('b', 2))]);
    expect(shape.columns).toEqual(['id', 'queue_name', 'task_name', 'payload', 'metadata']);
    expect(shape.into).toBe(
      'INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, metadata, created_at, scheduled_at) ',
    );
  });

  it('adds each defaulted column that one row of the statement sets otherwise', () => {
    const shape = insertShape(mixedTasks().map(values));
    expect(shape.columns).toEqual([
      'id',
      'queue_name',
      'task_name',
      'payload',
      'content_type',
      'content_encoding',
      'priority',
      'max_retries',
      'timeout_ms',
      'retry_policy',
      'metadata',
    ]);
    // A scheduled row names the state; retry_count is 0 for every new task.
    expect(insertShape([toInsertValues('q', createTask('later', 1), 'scheduled')]).columns).toContain(
      'state',
    );
  });

  it('defaults exactly the columns the live table has a default for', () => {
    const plain = values(createTask('a', 1));
    for (const [column, value] of Object.entries(LIVE_TASK_DEFAULTS))
      expect(plain[column as keyof typeof plain]).toBe(value);
  });
});

describe('new rows that rely on the table defaults', () => {
  it('stores every value of a mixed batch, defaulted or not', async () => {
    const tasks = mixedTasks();
    const ids = await broker.enqueueBatch(tasks);
    const rows = await storedRows(ids);
    for (const t of tasks) expect(rows.get(t.metadata.id)).toEqual(expectedRow(t));
  });

  it('stores every value of single enqueues, each statement shaped by its own task', async () => {
    const tasks = mixedTasks();
    for (const t of tasks) await broker.enqueue(t);
    const rows = await storedRows(tasks.map((t) => t.metadata.id));
    for (const t of tasks) expect(rows.get(t.metadata.id)).toEqual(expectedRow(t));
  });

  it('delivers each task as it was enqueued, payload and options included', async () => {
    await broker.maintenance.purgeAllTasks();
    const tasks = mixedTasks();
    await broker.enqueueBatch(tasks);
    const byId = new Map(tasks.map((t) => [t.metadata.id, t]));
    const claimed = await broker.dequeueBatch(tasks.length);
    expect(claimed).toHaveLength(tasks.length);
    for (const msg of claimed) {
      const sent = byId.get(msg.task.metadata.id)!;
      expect(msg.task.metadata).toMatchObject({
        name: sent.metadata.name,
        priority: sent.metadata.priority,
        maxRetries: sent.metadata.maxRetries,
        timeoutMs: sent.metadata.timeoutMs,
        retryPolicy: sent.metadata.retryPolicy,
        contentType: sent.metadata.contentType,
        contentEncoding: sent.metadata.contentEncoding,
      });
      expect(Buffer.from(msg.task.payload)).toEqual(Buffer.from(sent.payload));
    }
  });

  it('names the state of a delayed task, which its default does not hold', async () => {
    const later = createTask('later', 1);
    const now = createTask('now', 2);
    await broker.enqueueAfter(later, 60_000);
    await broker.enqueueBatch([now]);
    const rows = await storedRows([later.metadata.id, now.metadata.id]);
    expect(rows.get(later.metadata.id)?.state).toBe('scheduled');
    expect(rows.get(now.metadata.id)?.state).toBe('pending');
  });
});
