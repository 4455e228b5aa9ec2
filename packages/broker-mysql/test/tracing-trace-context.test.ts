import { createTask, TraceContext } from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

// No OpenTelemetry SDK is registered in this file: the seed's trace-context methods must work without one.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

async function freshBroker(): Promise<MysqlBroker> {
  const b = await root.forQueue(`tctx-${++n}`);
  opened.push(b);
  return b;
}

async function stored(b: MysqlBroker, id: string) {
  const row = await b.database
    .selectFrom('celers_tasks')
    .select(['metadata', 'parent_task_id', 'queue_name'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { ...row, metadata: parseJsonColumn<Record<string, unknown>>(row.metadata) ?? {} };
}

async function count(b: MysqlBroker): Promise<number> {
  const rows = await b.database
    .selectFrom('celers_tasks')
    .select('id')
    .where('queue_name', '=', b.queueName)
    .execute();
  return rows.length;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'tctx-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('enqueueWithTraceContext', () => {
  it('stores a child span of the given context (same trace and flags, new span id, tracestate kept)', async () => {
    const b = await freshBroker();
    const incoming = TraceContext.fromTraceparent(`00-${TRACE}-${SPAN}-01`, 'vendor=abc');
    const task = createTask('t', 1, { metadata: { tenant: 'acme' } });
    const id = await b.tracing.enqueueWithTraceContext(task, incoming);
    const { metadata } = await stored(b, id);
    const child = TraceContext.fromMetadata(metadata)!;
    expect(child.traceId).toBe(TRACE);
    expect(child.spanId).not.toBe(SPAN);
    expect(child.isSampled()).toBe(true);
    expect(metadata).toMatchObject({ tenant: 'acme', tracestate: 'vendor=abc' });
    expect(task.metadata.custom).toEqual({ tenant: 'acme' });
    expect(await b.tracing.extractTraceContext(id)).toEqual(child);
  });

  it('runs the enqueue hooks, which see the stored trace context', async () => {
    const b = await freshBroker();
    const seen: unknown[] = [];
    b.hooks.add('beforeEnqueue', (ctx) => void seen.push(ctx.metadata.traceparent));
    b.hooks.add('afterEnqueue', (ctx) => void seen.push(ctx.metadata.traceparent));
    const id = await b.tracing.enqueueWithTraceContext(
      createTask('t', 1),
      TraceContext.fromTraceparent(`00-${TRACE}-${SPAN}-01`),
    );
    const stored = (await b.tracing.extractTraceContext(id))!.toTraceparent();
    expect(seen).toEqual([stored, stored]);
    b.hooks.add('beforeEnqueue', () => {
      throw new Error('no tracing today');
    });
    await expect(b.tracing.enqueueWithParentTrace(id, createTask('c', 1))).rejects.toMatchObject({
      code: 'HOOK_REJECTED',
    });
    expect(await count(b)).toBe(1);
  });

  it('keeps the not-sampled flag and replaces a stale traceparent/tracestate on the task', async () => {
    const b = await freshBroker();
    const incoming = TraceContext.fromTraceparent(`00-${TRACE}-${SPAN}-00`);
    const task = createTask('t', 1, {
      metadata: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'old=1',
      },
    });
    const id = await b.tracing.enqueueWithTraceContext(task, incoming);
    const { metadata } = await stored(b, id);
    expect(metadata.tracestate).toBeUndefined();
    const ctx = await b.tracing.extractTraceContext(id);
    expect(ctx?.traceId).toBe(TRACE);
    expect(ctx?.isSampled()).toBe(false);
  });

  it('accepts a TraceContext-like object from another copy of @celers/core, re-validating it', async () => {
    const b = await freshBroker();
    const foreign = { toTraceparent: () => `00-${TRACE}-${SPAN}-01`, traceState: undefined };
    const id = await b.tracing.enqueueWithTraceContext(
      createTask('t', 1),
      foreign as unknown as TraceContext,
    );
    expect((await b.tracing.extractTraceContext(id))?.traceId).toBe(TRACE);
    const forged = { toTraceparent: () => `00-${'0'.repeat(32)}-${SPAN}-01`, traceState: undefined };
    await expect(
      b.tracing.enqueueWithTraceContext(createTask('t', 1), forged as unknown as TraceContext),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'traceContext',
    });
  });

  it('bad arguments are INVALID_ARGUMENT and write nothing', async () => {
    const b = await freshBroker();
    const ok = TraceContext.fromTraceparent(`00-${TRACE}-${SPAN}-01`);
    const cases: Array<[() => Promise<unknown>, string]> = [
      [
        () => b.tracing.enqueueWithTraceContext(createTask('t', 1), `00-${TRACE}-${SPAN}-01` as never),
        'traceContext',
      ],
      [() => b.tracing.enqueueWithTraceContext(createTask('t', 1), null as never), 'traceContext'],
      [() => b.tracing.enqueueWithTraceContext(null as never, ok), 'task'],
      [() => b.tracing.enqueueWithTraceContext(createTask('t', 1), ok, 'tx' as never), 'options'],
    ];
    for (const [call, argument] of cases)
      await expect(call()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument });
    expect(await count(b)).toBe(0);
  });
});

describe('enqueueWithParentTrace', () => {
  it('links the child to the parent task and continues its trace with a new span', async () => {
    const b = await freshBroker();
    const parentCtx = TraceContext.fromTraceparent(`00-${TRACE}-${SPAN}-01`);
    const parentId = await b.tracing.enqueueWithTraceContext(createTask('parent', 1), parentCtx);
    const parentStored = (await b.tracing.extractTraceContext(parentId))!;
    const childId = await b.tracing.enqueueWithParentTrace(
      parentId,
      createTask('child', 2, { metadata: { step: 2 } }),
    );
    const child = await stored(b, childId);
    expect(child.parent_task_id).toBe(parentId); // the indexed generated column used by cascades and chains
    expect(child.metadata).toMatchObject({ parent_task_id: parentId, step: 2 });
    const childCtx = TraceContext.fromMetadata(child.metadata)!;
    expect(childCtx.traceId).toBe(TRACE);
    expect(childCtx.spanId).not.toBe(parentStored.spanId);
    // A grandchild continues the same trace.
    const grandchildId = await b.tracing.enqueueWithParentTrace(childId, createTask('grandchild', 3));
    expect((await b.tracing.extractTraceContext(grandchildId))?.traceId).toBe(TRACE);
    expect((await stored(b, grandchildId)).parent_task_id).toBe(childId);
  });

  it('a parent without trace context still links the child (no traceparent without an SDK)', async () => {
    const b = await freshBroker();
    const parentId = await b.enqueue(createTask('parent', 1));
    const childId = await b.tracing.enqueueWithParentTrace(parentId.toUpperCase(), createTask('child', 2));
    const child = await stored(b, childId);
    expect(child.parent_task_id).toBe(parentId);
    expect(child.metadata.traceparent).toBeUndefined();
    expect(await b.tracing.extractTraceContext(childId)).toBeNull();
  });

  it('inside the caller transaction, finds a parent enqueued in the same transaction; rollback removes both', async () => {
    const b = await freshBroker();
    const traced = TraceContext.fromTraceparent(`00-${TRACE}-${SPAN}-01`);
    const [parentId, childId] = await b.transaction(async (trx) => {
      const p = await b.tracing.enqueueWithTraceContext(createTask('p', 1), traced, { transaction: trx });
      const c = await b.tracing.enqueueWithParentTrace(p, createTask('c', 1), { transaction: trx });
      return [p, c];
    });
    expect((await stored(b, childId)).parent_task_id).toBe(parentId);
    expect((await b.tracing.extractTraceContext(childId))?.traceId).toBe(TRACE);
    await expect(
      b.transaction(async (trx) => {
        const p = await b.enqueue(createTask('p', 2), { transaction: trx });
        await b.tracing.enqueueWithParentTrace(p, createTask('c', 2), { transaction: trx });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await count(b)).toBe(2);
  });

  it('TASK_NOT_FOUND for a missing parent or one in another queue; nothing written', async () => {
    const b = await freshBroker();
    const other = await freshBroker();
    const foreignParent = await other.enqueue(createTask('p', 1));
    await expect(
      b.tracing.enqueueWithParentTrace('0190a3c2-8f5e-7cc1-9d3b-2a8e6f1d4c00', createTask('c', 1)),
    ).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
    await expect(b.tracing.enqueueWithParentTrace(foreignParent, createTask('c', 1))).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
    });
    expect(await count(b)).toBe(0);
  });

  it('validates before any I/O', async () => {
    const b = await freshBroker();
    const parentId = await b.enqueue(createTask('p', 1));
    await expect(b.tracing.enqueueWithParentTrace('nope', createTask('c', 1))).rejects.toMatchObject({
      argument: 'parentTaskId',
    });
    await expect(b.tracing.enqueueWithParentTrace(parentId, { metadata: {} } as never)).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
        argument: 'childTask.metadata.id',
      },
    );
    expect(await count(b)).toBe(1);
  });
});

describe('traceparent in task metadata at enqueue', () => {
  it('a malformed traceparent or tracestate is INVALID_ARGUMENT naming the entry; nothing written', async () => {
    const b = await freshBroker();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ traceparent: `00-${TRACE.toUpperCase()}-${SPAN}-01` }, 'task.metadata.custom.traceparent'],
      [{ traceparent: `00-${TRACE}-${SPAN}-01-extra` }, 'task.metadata.custom.traceparent'],
      [{ traceparent: ` 00-${TRACE}-${SPAN}-01` }, 'task.metadata.custom.traceparent'],
      [{ traceparent: 42 }, 'task.metadata.custom.traceparent'],
      [{ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: ['a=1'] }, 'task.metadata.custom.tracestate'],
    ];
    for (const [metadata, argument] of cases) {
      await expect(b.enqueue(createTask('t', 1, { metadata }))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument,
      });
    }
    await expect(
      b.enqueueBatch([createTask('t', 1), createTask('t', 2, { metadata: { traceparent: 'x' } })]),
    ).rejects.toMatchObject({
      argument: 'tasks[1].metadata.custom.traceparent',
    });
    expect(await count(b)).toBe(0);
  });
});

describe('extractTraceContext', () => {
  it('null for unknown tasks, tasks without context, and malformed stored values', async () => {
    const b = await freshBroker();
    expect(await b.tracing.extractTraceContext('0190a3c2-8f5e-7cc1-9d3b-2a8e6f1d4c00')).toBeNull();
    expect(await b.tracing.extractTraceContext(await b.enqueue(createTask('t', 1)))).toBeNull();
    // Malformed values cannot be enqueued; one written by hand (another producer, an old version) reads as null.
    const bad = await b.enqueue(createTask('t', 1));
    await b.database
      .updateTable('celers_live_tasks')
      .set({ metadata: JSON.stringify({ traceparent: `00-${TRACE.toUpperCase()}-${SPAN}-01` }) })
      .where('id', '=', bad)
      .execute();
    expect(await b.tracing.extractTraceContext(bad)).toBeNull();
    const good = await b.enqueue(
      createTask('t', 1, { metadata: { traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'a=1' } }),
    );
    expect(await b.tracing.extractTraceContext(good)).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: 1,
      traceState: 'a=1',
    });
  });

  it('only reads tasks of its own queue', async () => {
    const b = await freshBroker();
    const other = await freshBroker();
    const id = await other.enqueue(
      createTask('t', 1, { metadata: { traceparent: `00-${TRACE}-${SPAN}-01` } }),
    );
    expect(await other.tracing.extractTraceContext(id)).not.toBeNull();
    expect(await b.tracing.extractTraceContext(id)).toBeNull();
  });

  it('rejects a malformed id with INVALID_ARGUMENT', async () => {
    const b = await freshBroker();
    await expect(b.tracing.extractTraceContext("1' OR '1'='1")).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'taskId',
    });
  });
});
