import { createTask } from '@celers/core';
import type { HookContext, HookPoint } from '@celers/resilience';
import { parseJsonColumn } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

/** A broker on a fresh queue: each test has its own hooks and rows. */
async function freshBroker(): Promise<MysqlBroker> {
  const b = await root.forQueue(`hooks-${++n}`);
  opened.push(b);
  return b;
}

async function rowCounts(b: MysqlBroker) {
  const tasks = await b.database
    .selectFrom('celers_tasks')
    .select(['id', 'state', 'retry_count', 'receipt_handle'])
    .where('queue_name', '=', b.queueName)
    .execute();
  const dlq = await b.database
    .selectFrom('celers_dead_letter_queue')
    .select('id')
    .where('queue_name', '=', b.queueName)
    .execute();
  return { tasks, dlq: dlq.length };
}

/** Records every hook call as `point:taskId`. */
function recordAll(b: MysqlBroker, points: readonly HookPoint[]): string[] {
  const calls: string[] = [];
  for (const p of points) b.hooks.add(p, (ctx) => void calls.push(`${p}:${ctx.taskId ?? '-'}`));
  return calls;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'hooks-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('lifecycle hooks on the broker', () => {
  it('runs all eight points over enqueue → dequeue → ack and enqueue → dequeue → reject', async () => {
    const b = await freshBroker();
    const calls = recordAll(b, [
      'beforeEnqueue',
      'afterEnqueue',
      'beforeDequeue',
      'afterDequeue',
      'beforeAck',
      'afterAck',
      'beforeReject',
      'afterReject',
    ]);
    const a = await b.enqueue(createTask('a', 1));
    const m1 = await b.dequeue();
    await b.ack(a, m1!.receiptHandle);
    const r = await b.enqueue(createTask('r', 1, { maxRetries: 0 }));
    const m2 = await b.dequeue();
    await b.reject(r, m2!.receiptHandle, { error: 'x' });
    expect(calls).toEqual([
      `beforeEnqueue:${a}`,
      `afterEnqueue:${a}`,
      'beforeDequeue:-',
      `afterDequeue:${a}`,
      `beforeAck:${a}`,
      `afterAck:${a}`,
      `beforeEnqueue:${r}`,
      `afterEnqueue:${r}`,
      'beforeDequeue:-',
      `afterDequeue:${r}`,
      `beforeReject:${r}`,
      `afterReject:${r}`,
    ]);
  });

  it('runs several hooks per point in registration order, awaiting async ones', async () => {
    const b = await freshBroker();
    const order: string[] = [];
    b.hooks.add('beforeEnqueue', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('slow first');
    });
    b.hooks.add('beforeEnqueue', () => void order.push('second'));
    b.hooks.add('beforeEnqueue', async () => void order.push('third'));
    await b.enqueue(createTask('t', 1));
    expect(order).toEqual(['slow first', 'second', 'third']);
  });

  it('hooks.add returns a remover and hooks.clear(point?) removes hooks', async () => {
    const b = await freshBroker();
    const calls: string[] = [];
    const remove = b.hooks.add('afterEnqueue', () => void calls.push('removed'));
    b.hooks.add('afterEnqueue', () => void calls.push('kept'));
    b.hooks.add('beforeEnqueue', () => void calls.push('before'));
    remove();
    await b.enqueue(createTask('t', 1));
    expect(calls).toEqual(['before', 'kept']);
    b.hooks.clear('afterEnqueue');
    await b.enqueue(createTask('t', 2));
    expect(calls).toEqual(['before', 'kept', 'before']);
    b.hooks.clear();
    await b.enqueue(createTask('t', 3));
    expect(calls).toHaveLength(3);
    expect(b.hooks.count()).toBe(0);
  });

  it('a rejecting beforeEnqueue hook gives HOOK_REJECTED and writes nothing (single and batch)', async () => {
    const b = await freshBroker();
    b.hooks.add('beforeEnqueue', (ctx) => {
      if (ctx.taskName === 'forbidden') throw new Error('tenant required');
    });
    const error = await b.enqueue(createTask('forbidden', 1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HOOK_REJECTED', details: { point: 'beforeEnqueue' } });
    expect((error as Error).message).toContain('tenant required');
    await expect(
      b.enqueueBatch([createTask('ok', 1), createTask('forbidden', 2), createTask('ok', 3)]),
    ).rejects.toMatchObject({
      code: 'HOOK_REJECTED',
    });
    await expect(b.enqueueAfter(createTask('forbidden', 1), 1000)).rejects.toMatchObject({
      code: 'HOOK_REJECTED',
    });
    expect((await rowCounts(b)).tasks).toHaveLength(0);
  });

  it('a rejecting beforeDequeue hook claims nothing', async () => {
    const b = await freshBroker();
    const id = await b.enqueue(createTask('t', 1));
    const remove = b.hooks.add('beforeDequeue', () => {
      throw new Error('maintenance window');
    });
    await expect(b.dequeue()).rejects.toMatchObject({ code: 'HOOK_REJECTED' });
    await expect(b.dequeueBatch(5)).rejects.toMatchObject({ code: 'HOOK_REJECTED' });
    expect((await rowCounts(b)).tasks).toEqual([
      { id, state: 'pending', retry_count: 0, receipt_handle: null },
    ]);
    remove();
    expect((await b.dequeue())?.task.metadata.id).toBe(id);
  });

  it('a rejecting beforeAck / beforeReject hook leaves the claimed task untouched', async () => {
    const b = await freshBroker();
    const id = await b.enqueue(createTask('t', 1, { maxRetries: 0 }));
    const msg = await b.dequeue();
    const before = await rowCounts(b);
    b.hooks.add('beforeAck', () => {
      throw new Error('no ack');
    });
    b.hooks.add('beforeReject', () => {
      throw new Error('no reject');
    });
    await expect(b.ack(id, msg!.receiptHandle)).rejects.toMatchObject({ code: 'HOOK_REJECTED' });
    await expect(b.ackBatch([{ taskId: id, receiptHandle: msg!.receiptHandle }])).rejects.toMatchObject({
      code: 'HOOK_REJECTED',
    });
    await expect(b.reject(id, msg!.receiptHandle, { error: 'e' })).rejects.toMatchObject({
      code: 'HOOK_REJECTED',
    });
    await expect(b.rejectBatch([{ taskId: id, receiptHandle: msg!.receiptHandle }])).rejects.toMatchObject({
      code: 'HOOK_REJECTED',
    });
    const after = await rowCounts(b);
    expect(after).toEqual(before);
    expect(after.tasks[0]).toMatchObject({ state: 'processing', receipt_handle: msg!.receiptHandle });
    expect(after.dlq).toBe(0);
  });

  it('beforeEnqueue hooks enrich the stored metadata, without mutating the caller task', async () => {
    const b = await freshBroker();
    b.hooks.add('beforeEnqueue', (ctx) => {
      ctx.metadata.tenant = 'acme';
      ctx.metadata.enqueuedBy = ctx.queue;
    });
    const task = createTask('t', 1, { metadata: { origin: 'api' } });
    const id = await b.enqueue(task);
    const [batchId] = await b.enqueueBatch([createTask('t', 2)]);
    expect(task.metadata.custom).toEqual({ origin: 'api' });
    const rows = await b.database
      .selectFrom('celers_tasks')
      .select(['id', 'metadata'])
      .where('queue_name', '=', b.queueName)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, parseJsonColumn<Record<string, unknown>>(r.metadata)]));
    expect(byId.get(id)).toEqual({ origin: 'api', tenant: 'acme', enqueuedBy: b.queueName });
    expect(byId.get(batchId!)).toEqual({ tenant: 'acme', enqueuedBy: b.queueName });
    const msg = await b.dequeue();
    expect(msg?.task.metadata.custom).toMatchObject({ tenant: 'acme' });
  });

  it('batch operations run the per-task hooks once per task', async () => {
    const b = await freshBroker();
    const calls = recordAll(b, [
      'beforeEnqueue',
      'afterEnqueue',
      'beforeDequeue',
      'afterDequeue',
      'beforeAck',
      'afterAck',
      'beforeReject',
      'afterReject',
    ]);
    const ids = await b.enqueueBatch([
      createTask('t', 1),
      createTask('t', 2),
      createTask('t', 3),
      createTask('t', 4),
    ]);
    const msgs = await b.dequeueBatch(4);
    expect(msgs).toHaveLength(4);
    const [m1, m2, m3, m4] = ids.map((id) => msgs.find((m) => m.task.metadata.id === id)!);
    await b.ackBatch([
      { taskId: m1!.task.metadata.id, receiptHandle: m1!.receiptHandle },
      { taskId: m2!.task.metadata.id, receiptHandle: m2!.receiptHandle },
    ]);
    await b.rejectBatch([
      { taskId: m3!.task.metadata.id, receiptHandle: m3!.receiptHandle },
      { taskId: m4!.task.metadata.id, receiptHandle: m4!.receiptHandle },
    ]);
    const count = (point: string, id?: string) => calls.filter((c) => c === `${point}:${id ?? '-'}`).length;
    for (const id of ids) {
      expect(count('beforeEnqueue', id)).toBe(1);
      expect(count('afterEnqueue', id)).toBe(1);
      expect(count('afterDequeue', id)).toBe(1);
    }
    expect(count('beforeDequeue')).toBe(1); // once per claim call: nothing is claimed yet
    for (const id of [ids[0], ids[1]]) {
      expect(count('beforeAck', id)).toBe(1);
      expect(count('afterAck', id)).toBe(1);
    }
    for (const id of [ids[2], ids[3]]) {
      expect(count('beforeReject', id)).toBe(1);
      expect(count('afterReject', id)).toBe(1);
    }
    expect(calls).toHaveLength(4 * 3 + 1 + 2 * 2 + 2 * 2);
  });

  it('afterDequeue hooks see the task name and a copy of its metadata', async () => {
    const b = await freshBroker();
    const seen: HookContext[] = [];
    b.hooks.add('afterDequeue', (ctx) => {
      seen.push(ctx);
      ctx.metadata.mutated = true;
    });
    const id = await b.enqueue(createTask('reports.build', 1, { metadata: { k: 'v' } }));
    const msg = await b.dequeue();
    expect(seen[0]).toMatchObject({
      point: 'afterDequeue',
      queue: b.queueName,
      taskId: id,
      taskName: 'reports.build',
      metadata: { k: 'v' },
    });
    expect(msg?.task.metadata.custom).toEqual({ k: 'v' });
  });

  it('after-hook errors do not fail the operation and are reported as broker error events', async () => {
    const b = await freshBroker();
    const reported: Error[] = [];
    b.on('error', ({ error }) => reported.push(error));
    b.hooks.add('afterEnqueue', () => {
      throw new Error('webhook down');
    });
    b.hooks.add('afterAck', async () => {
      throw new Error('metrics down');
    });
    const id = await b.enqueue(createTask('t', 1));
    const msg = await b.dequeue();
    await b.ack(id, msg!.receiptHandle);
    expect(reported.map((e) => e.message)).toEqual(['webhook down', 'metrics down']);
    const row = await b.database
      .selectFrom('celers_tasks')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('completed');
  });

  it('HOOK_REJECTED never counts against the circuit breaker', async () => {
    const b = await freshBroker();
    b.hooks.add('beforeEnqueue', () => {
      throw new Error('no');
    });
    const before = b.circuitBreaker!.stats().totalFailures;
    for (let i = 0; i < 10; i++)
      await expect(b.enqueue(createTask('t', i))).rejects.toMatchObject({ code: 'HOOK_REJECTED' });
    expect(b.circuitBreaker!.stats()).toMatchObject({ state: 'closed', totalFailures: before });
  });
});
