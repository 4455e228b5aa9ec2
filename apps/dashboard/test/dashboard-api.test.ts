import { MysqlBroker } from '@celers/broker-mysql';
import { createTask, type TaskState } from '@celers/core';
import { stateIs } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp, type Dashboard } from '../src/index.js';
import { type ApiAnswer, apiClient } from './fixtures/api-client.js';
import { type SeededQueue, seedQueue } from './fixtures/seed-queue.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let dashboard: Dashboard;
let seeded: SeededQueue;
let api: ReturnType<typeof apiClient>;

type ErrorBody = { error: { code: string; message: string; argument?: string } };

async function countRows(
  table: 'celers_tasks' | 'celers_dead_letter_queue',
  where: Record<string, string> = {},
): Promise<number> {
  let q = broker.database
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue_name', '=', 'mail');
  // A public state: 'pending' counts the stored 'scheduled' rows too.
  if (where.state) q = q.where(stateIs(where.state as TaskState) as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'mail', migrate: true });
  seeded = await seedQueue(broker);
  const other = await broker.forQueue('billing');
  await other.pause();
  await other.close();
  dashboard = await createDashboardApp({ database: broker.database });
  api = apiClient(dashboard.app);
  await api.prime();
});
afterAll(async () => {
  await dashboard?.close();
  await broker?.close();
  await tdb?.drop();
});

describe('queues', () => {
  it('lists every queue from tasks, DLQ and queue config with counts that match the database', async () => {
    const res = await api.get<{
      queues: Array<{ name: string; paused: boolean; draining: boolean; stats: Record<string, number> }>;
    }>('/api/queues');
    expect(res.status).toBe(200);
    expect(res.body.queues.map((q) => q.name)).toEqual(['billing', 'mail']);
    const mail = res.body.queues.find((q) => q.name === 'mail');
    expect(mail?.stats).toMatchObject({
      pending: await countRows('celers_tasks', { state: 'pending' }),
      processing: 1,
      completed: 2,
      scheduled: 1,
      dlq: await countRows('celers_dead_letter_queue'),
    });
    expect(mail?.stats.pending).toBe(4);
    expect(mail?.stats.dlq).toBe(1);
    expect(res.body.queues.find((q) => q.name === 'billing')?.paused).toBe(true);
  });

  it('pauses, resumes, drains and undrains a queue, persisted in celers_queue_config', async () => {
    const paused = await api.post<{ paused: boolean }>('/api/queues/mail/pause');
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    expect(await broker.isPaused()).toBe(true);
    await api.post('/api/queues/mail/resume');
    expect(await broker.isPaused()).toBe(false);
    const drained = await api.post<{ draining: boolean }>('/api/queues/mail/drain');
    expect(drained.body.draining).toBe(true);
    expect(await broker.isDrainMode()).toBe(true);
    await api.post('/api/queues/mail/undrain');
    expect(await broker.isDrainMode()).toBe(false);
  });

  it('reports throughput and latency percentiles for the charts', async () => {
    const res = await api.get<{
      throughput: { completed: number; windowMs: number };
      latency: { count: number; p50Ms: number | null; p99Ms: number | null };
    }>('/api/queues/mail/metrics?windowMs=3600000');
    expect(res.status).toBe(200);
    expect(res.body.throughput.windowMs).toBe(3_600_000);
    expect(res.body.throughput.completed).toBe(2);
    expect(res.body.latency.count).toBe(4); // 2 completed + 1 failed + 1 processing were started
    expect(res.body.latency.p50Ms).not.toBeNull();
  });

  it('lists workers with their task counters', async () => {
    await broker.workers.heartbeat('worker-2', 'busy', 1);
    const res = await api.get<{
      workers: Array<{
        workerId: string;
        status: string;
        ageMs: number;
        statistics: { tasksProcessing: number } | null;
      }>;
      unregistered: Array<{ workerId: string }>;
    }>('/api/queues/mail/workers');
    expect(res.status).toBe(200);
    expect(res.body.workers).toHaveLength(1);
    expect(res.body.workers[0]).toMatchObject({
      workerId: 'worker-2',
      status: 'busy',
      statistics: { tasksProcessing: 1 },
    });
    expect(res.body.workers[0]?.ageMs).toBeLessThan(60_000);
    expect(res.body.unregistered.map((w) => w.workerId)).toEqual(['worker-1']);
  });

  it('lists recurring schedules with their next run time', async () => {
    await broker.schedules.register({
      name: 'nightly',
      taskName: 'reports.nightly',
      payload: {},
      schedule: { kind: 'daily', hour: 3, minute: 0 },
    });
    const res = await api.get<{ schedules: Array<{ name: string; nextRunAt: string; payload?: unknown }> }>(
      '/api/queues/mail/schedules',
    );
    expect(res.body.schedules).toHaveLength(1);
    expect(res.body.schedules[0]?.name).toBe('nightly');
    expect(new Date(res.body.schedules[0]?.nextRunAt ?? '').getUTCHours()).toBe(3);
    expect(res.body.schedules[0]).not.toHaveProperty('payload');
  });
});

describe('tasks', () => {
  type Page = { tasks: Array<{ id: string; taskName: string; state: string }>; total: number };

  it('filters by state, name, metadata and date range, with totals for pagination', async () => {
    const pending = await api.get<Page>('/api/queues/mail/tasks?state=pending');
    expect(pending.body.total).toBe(4);
    expect(new Set(pending.body.tasks.map((t) => t.id))).toEqual(
      new Set([...seeded.pendingIds, seeded.scheduledId]),
    );
    const emails = await api.get<Page>('/api/queues/mail/tasks?name=emails.send&state=pending');
    expect(emails.body.total).toBe(2);
    const acme = await api.get<Page>('/api/queues/mail/tasks?metaPath=$.tenant&metaValue=acme');
    expect(acme.body.tasks.map((t) => t.id)).toEqual([seeded.pendingIds[0]]);
    const future = await api.get<Page>(
      `/api/queues/mail/tasks?from=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`,
    );
    expect(future.body.total).toBe(0);
    const past = await api.get<Page>(`/api/queues/mail/tasks?from=0&to=${Date.now() + 60_000}`);
    expect(past.body.total).toBe(await countRows('celers_tasks'));
    const page2 = await api.get<Page & { offset: number }>('/api/queues/mail/tasks?limit=3&offset=6');
    expect(await countRows('celers_tasks')).toBe(8);
    expect(page2.body.tasks).toHaveLength(2);
    const page1 = await api.get<Page>('/api/queues/mail/tasks?limit=6');
    expect(new Set([...page1.body.tasks, ...page2.body.tasks].map((t) => t.id)).size).toBe(8);
    expect(page2.body.offset).toBe(6);
  });

  it('shows a task with payload preview, progress, result, trace id and history', async () => {
    const res = await api.get<{
      task: { state: string; progressPercent: number; progressStep: string };
      payload: { text: string };
      history: Array<{ toState: string }>;
    }>(`/api/tasks/${seeded.processingId}`);
    expect(res.status).toBe(200);
    expect(res.body.task).toMatchObject({
      state: 'processing',
      progressPercent: 40,
      progressStep: 'resizing',
    });
    expect(JSON.parse(res.body.payload.text)).toEqual({ w: 100 });
    expect(res.body.history.map((h) => h.toState)).toEqual(['pending', 'processing']);
    const done = await api.get<{ result: { status: string; result: unknown } }>(
      `/api/tasks/${seeded.completedIds[0]}?queue=mail`,
    );
    expect(done.body.result).toMatchObject({ status: 'SUCCESS', result: { sent: true } });
  });

  it('cancels a pending task only with confirmation, and refuses finished ones with 409', async () => {
    const id = seeded.pendingIds[2] as string;
    const unconfirmed = await api.post<ErrorBody>(`/api/tasks/${id}/cancel`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', argument: 'confirm' });
    expect((await broker.tasks.get(id))?.state).toBe('pending');
    const ok = await api.post<{ cancelled: boolean }>(`/api/tasks/${id}/cancel`, { confirm: true });
    expect(ok.body.cancelled).toBe(true);
    expect((await broker.tasks.get(id))?.state).toBe('cancelled');
    const again = await api.post<ErrorBody>(`/api/tasks/${id}/cancel`, { confirm: true });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVALID_STATE');
  });

  it('looks up a result by task id without knowing its queue', async () => {
    const res = await api.get<{ result: { status: string; error: string; traceback: string } }>(
      `/api/results/${seeded.dlqTaskId}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ status: 'FAILURE', error: 'boom' });
    expect(res.body.result.traceback).toContain('reports.ts');
  });
});

describe('dead letter queue', () => {
  it('requeue moves a DLQ row to a pending task', async () => {
    const list = await api.get<{
      entries: Array<{ id: string; taskId: string; errorMessage: string }>;
      total: number;
    }>('/api/queues/mail/dlq');
    expect(list.body.total).toBe(1);
    const entry = list.body.entries[0];
    expect(entry).toMatchObject({ taskId: seeded.dlqTaskId, errorMessage: 'boom' });
    const res = await api.post<{ taskId: string }>(`/api/queues/mail/dlq/${entry?.id}/requeue`, {
      confirm: true,
    });
    expect(res.status).toBe(200);
    expect(await countRows('celers_dead_letter_queue')).toBe(0);
    const task = await broker.tasks.get(res.body.taskId);
    expect(task).toMatchObject({ state: 'pending', taskName: 'reports.build', retryCount: 0 });
    const missing = await api.post<ErrorBody>(`/api/queues/mail/dlq/${entry?.id}/requeue`, { confirm: true });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('TASK_NOT_FOUND');
  });

  it('replays by task-name filter and purges with confirmation', async () => {
    for (const name of ['a.one', 'a.two', 'b.one']) {
      await broker.enqueue(createTask(name, {}, { maxRetries: 0 }));
    }
    for (const msg of await broker.dequeueBatch(10)) {
      if (['a.one', 'a.two', 'b.one'].includes(msg.task.metadata.name))
        await broker.reject(msg.task.metadata.id, msg.receiptHandle, { error: 'x' });
      else await broker.release(msg.task.metadata.id, msg.receiptHandle);
    }
    expect(await countRows('celers_dead_letter_queue')).toBe(3);
    const replay = await api.post<{ replayed: number }>('/api/queues/mail/dlq/replay', {
      confirm: true,
      taskNamePattern: 'a.*',
    });
    expect(replay.body.replayed).toBe(2);
    expect(await countRows('celers_dead_letter_queue')).toBe(1);
    const refused = await api.post<ErrorBody>('/api/queues/mail/dlq/purge', {});
    expect(refused.status).toBe(400);
    expect(await countRows('celers_dead_letter_queue')).toBe(1);
    const purged = await api.post<{ purged: number }>('/api/queues/mail/dlq/purge', { confirm: true });
    expect(purged.body.purged).toBe(1);
    expect(await countRows('celers_dead_letter_queue')).toBe(0);
  });
});

describe('limits', () => {
  it('caps the payload preview of a large payload and says it was truncated', async () => {
    const big = createTask('big.payload', { blob: 'x'.repeat(40_000) });
    await broker.enqueue(big);
    const res = await api.get<{ payload: { text: string; truncated: boolean; storedBytes: number } }>(
      `/api/tasks/${big.metadata.id}`,
    );
    expect(res.body.payload.truncated).toBe(true);
    expect(res.body.payload.text.length).toBe(16_384);
    expect(res.body.payload.storedBytes).toBeGreaterThan(40_000);
    await broker.cancel(big.metadata.id);
  });

  it('refuses request bodies over 64 KiB with 413', async () => {
    const res = await api.post<ErrorBody>('/api/queues/mail/dlq/replay', {
      confirm: true,
      pad: 'x'.repeat(70_000),
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', argument: 'body' });
  });

  it('answers for every queue when more queues are used than maxCachedQueues keeps open', async () => {
    const small = await createDashboardApp({ database: broker.database, maxCachedQueues: 2 });
    try {
      for (const q of ['q1', 'q2', 'q3', 'mail']) {
        const res = await small.app.request(`/api/queues/${q}/stats`);
        expect(res.status).toBe(200);
      }
      const again = (await (await small.app.request('/api/queues/mail/stats')).json()) as {
        stats: { completed: number };
      };
      expect(again.stats.completed).toBe(2);
    } finally {
      await small.close();
    }
  });
});

describe('bad input', () => {
  const cases: Array<[string, string, string]> = [
    ['/api/queues/mail/tasks?state=exploded', 'INVALID_ARGUMENT', 'state'],
    ['/api/queues/mail/tasks?limit=-1', 'INVALID_ARGUMENT', 'limit'],
    ['/api/queues/mail/tasks?limit=abc', 'INVALID_ARGUMENT', 'limit'],
    ['/api/queues/mail/tasks?from=yesterday', 'INVALID_ARGUMENT', 'from'],
    ['/api/queues/mail/tasks?metaPath=$.a[0]&metaValue=x', 'INVALID_ARGUMENT', 'metaPath'],
    ['/api/queues/mail/tasks?metaPath=$.a', 'INVALID_ARGUMENT', 'metaValue'],
    ['/api/queues/bad%20queue!/stats', 'INVALID_ARGUMENT', 'queue'],
    ['/api/tasks/not-a-uuid', 'INVALID_ARGUMENT', 'id'],
    ['/api/queues/mail/metrics?windowMs=5', 'INVALID_ARGUMENT', 'windowMs'],
  ];
  it.each(cases)('GET %s → 400 %s naming %s', async (path, code, argument) => {
    const res: ApiAnswer<ErrorBody> = await api.get<ErrorBody>(path);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, argument });
    expect(JSON.stringify(res.body)).not.toContain('    at ');
  });

  it('answers 404 TASK_NOT_FOUND for an unknown task and for an unknown API path', async () => {
    const res = await api.get<ErrorBody>('/api/tasks/0190a7a4-0000-7000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('TASK_NOT_FOUND');
    expect((await api.get<ErrorBody>('/api/nope')).status).toBe(404);
  });

  it('rejects a body that is not a JSON object, and bad replay options', async () => {
    const res = await api.post<ErrorBody>('/api/queues/mail/dlq/replay', '[1,2');
    expect(res.status).toBe(400);
    expect(res.body.error.argument).toBe('body');
    const limit = await api.post<ErrorBody>('/api/queues/mail/dlq/replay', { confirm: true, limit: 0 });
    expect(limit.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'limit' });
  });
});
