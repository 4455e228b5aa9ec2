import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker, TASK_EXPORT_FORMAT, type TaskExportDocument } from '../src/index.js';

let source: TestDatabase;
let target: TestDatabase;
let a: MysqlBroker;
let b: MysqlBroker;

beforeAll(async () => {
  source = await createTestDatabase();
  target = await createTestDatabase();
  a = await MysqlBroker.connect({ url: source.url, queue: 'xfer', migrate: true });
  b = await MysqlBroker.connect({ url: target.url, queue: 'xfer', migrate: true });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await source?.drop();
  await target?.drop();
});

const STORED = [
  'id',
  'queue_name',
  'task_name',
  'payload',
  'content_type',
  'content_encoding',
  'state',
  'priority',
  'retry_count',
  'max_retries',
  'timeout_ms',
  'retry_policy',
  'created_at',
  'scheduled_at',
  'started_at',
  'completed_at',
  'lease_expires_at',
  'receipt_handle',
  'worker_id',
  'error_message',
  'progress_percent',
  'progress_step',
  'metadata',
  'group_id',
  'parent_task_id',
  'live_dedup_key',
] as const;

const rows = (broker: MysqlBroker) =>
  broker.database
    .selectFrom('celers_tasks')
    .select(STORED)
    .where('queue_name', '=', broker.queueName)
    .orderBy('id')
    .execute();

describe('broker.transfer', () => {
  it('export then import into an empty database reproduces the same rows', async () => {
    await a.enqueue(
      createTask(
        'x.json',
        { hello: 'wörld' },
        { priority: 3, timeoutMs: 5000, metadata: { group_id: 'g', dedup_key: 'k' } },
      ),
    );
    await a.enqueue(createTask('x.bin', new Uint8Array([0, 255, 1, 2]), { compression: true }));
    await a.enqueue(
      createTask('x.retry', 1, { retryPolicy: { kind: 'fixed', delayMs: 10 }, maxRetries: 0, priority: 2 }),
    );
    await a.enqueueAfter(createTask('x.later', 1), 60_000);
    const m = await a.dequeue({ workerId: 'w1' });
    await a.updateProgress(m!.task.metadata.id, 40, 'half');
    const f = await a.dequeue({ workerId: 'w2' });
    await a.reject(f!.task.metadata.id, f!.receiptHandle, { error: 'bad' });

    const json = await a.transfer.exportTasks();
    const doc = JSON.parse(json) as TaskExportDocument;
    expect(doc).toMatchObject({ format: TASK_EXPORT_FORMAT, queue: 'xfer', count: 4 });
    expect(await b.transfer.importTasks(json)).toBe(4);
    // Every column comes back, except the claim: a processing task is imported as pending (issue 14 item 8).
    const unclaimed = { state: 'pending', started_at: null, lease_expires_at: null, receipt_handle: null };
    const expected = (await rows(a)).map((r) =>
      r.state === 'processing' ? { ...r, ...unclaimed, worker_id: null } : r,
    );
    // The delayed task is stored 'scheduled' on both sides (pending in every public view).
    expect(expected.filter((r) => r.state === 'pending')).toHaveLength(2);
    expect(expected.filter((r) => r.state === 'scheduled').map((r) => r.task_name)).toEqual(['x.later']);
    expect(await rows(b)).toEqual(expected);

    // Importing again: duplicates fail as a whole, or are skipped.
    await expect(b.transfer.importTasks(json)).rejects.toMatchObject({ code: 'DUPLICATE_TASK' });
    expect(await b.transfer.importTasks(json, { skipExisting: true })).toBe(0);
    expect(await rows(b)).toHaveLength(4);
  });

  it('filters exports by state and limit; streams NDJSON by keyset pages', async () => {
    const pending = JSON.parse(await a.transfer.exportTasks({ state: 'pending' })) as TaskExportDocument;
    expect(pending.tasks.every((t) => t.state === 'pending')).toBe(true);
    expect(pending.tasks).toHaveLength(2);
    expect((JSON.parse(await a.transfer.exportTasks({ limit: 1 })) as TaskExportDocument).tasks).toHaveLength(
      1,
    );

    const q = await a.forQueue('xfer-ndjson');
    const ids = await q.enqueueBatch(Array.from({ length: 25 }, (_, i) => createTask('nd', i)));
    const lines: string[] = [];
    for await (const line of q.transfer.exportTasksNdjson({ pageSize: 7 })) lines.push(line);
    expect(lines).toHaveLength(25);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    expect(lines.map((l) => JSON.parse(l).id)).toEqual([...ids].sort());
    // The lines re-import as an array.
    const other = await b.forQueue('xfer-ndjson');
    expect(await other.transfer.importTasks(`[${lines.map((l) => l.trim()).join(',')}]`)).toBe(25);
    await other.close();
    await q.close();
    expect(() => a.transfer.exportTasksNdjson({ pageSize: 0 })).toThrow(
      expect.objectContaining({ argument: 'options.pageSize' }),
    );
  });

  it('exports the DLQ', async () => {
    const doc = JSON.parse(await a.transfer.exportDlq());
    expect(doc.count).toBe(1);
    expect(doc.entries[0]).toMatchObject({
      taskName: 'x.retry',
      errorMessage: 'bad',
      retryPolicy: { kind: 'fixed', delayMs: 10 },
    });
    expect(Buffer.from(doc.entries[0].payload, 'base64').toString()).toBe('1');
    await expect(a.transfer.exportDlq({ limit: 0 })).rejects.toMatchObject({ argument: 'options.limit' });
  });

  it('rejects invalid JSON or shapes with INVALID_ARGUMENT and imports nothing', async () => {
    const q = await b.forQueue('xfer-bad');
    const good = JSON.parse(await a.transfer.exportTasks({ limit: 1 })) as TaskExportDocument;
    const task = good.tasks[0]!;
    const cases: Array<[unknown, string]> = [
      ['{not json', 'json'],
      [42, 'json'],
      [JSON.stringify({ tasks: 'x' }), 'json'],
      [JSON.stringify({ tasks: [{ ...task, state: 'done' }] }), 'json.tasks[0].state'],
      [JSON.stringify({ tasks: [{ ...task, id: 'nope' }] }), 'json.tasks[0].id'],
      [JSON.stringify({ tasks: [{ ...task, payload: '***' }] }), 'json.tasks[0].payload'],
      [JSON.stringify({ tasks: [{ ...task, createdAt: 'yesterday' }] }), 'json.tasks[0].createdAt'],
      [JSON.stringify({ tasks: [{ ...task, priority: 1.5 }] }), 'json.tasks[0].priority'],
      [JSON.stringify([task, task]), 'json[1].id'],
    ];
    for (const [json, argument] of cases) {
      await expect(q.transfer.importTasks(json as string)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument,
      });
    }
    await expect(q.transfer.importTasks('[]', { skipExisting: 'yes' as never })).rejects.toMatchObject({
      argument: 'options.skipExisting',
    });
    await expect(q.transfer.exportTasks({ state: 'x' as never })).rejects.toMatchObject({
      argument: 'options.state',
    });
    expect(await rows(q)).toHaveLength(0);
    await q.close();
  });
});
