import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp, type Dashboard } from '../src/index.js';
import { apiClient } from './fixtures/api-client.js';
import { type DeadLetter, seedDeadLetters } from './fixtures/seed-dead-letters.js';
import { seedHistory } from './fixtures/seed-history.js';

// DLQ and task paging, filters and bulk actions, the phantom-queue delete and the history endpoint, through
// the app (CSRF session included) against a real database; every change is checked in the tables.

let tdb: TestDatabase;
let broker: MysqlBroker;
let dashboard: Dashboard;
let api: ReturnType<typeof apiClient>;
let dead: DeadLetter[];

type ErrorBody = { error: { code: string; argument?: string } };
type DlqPage = { entries: Array<{ id: string; taskId: string; taskName: string }>; total: number };

async function taskState(id: string): Promise<string | undefined> {
  const row = await broker.database
    .selectFrom('celers_tasks')
    .select('state')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.state;
}

async function dlqIds(): Promise<string[]> {
  const rows = await broker.database
    .selectFrom('celers_dead_letter_queue')
    .select('id')
    .where('queue_name', '=', 'bulk')
    .execute();
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'bulk', migrate: true });
  dead = await seedDeadLetters(broker, 60);
  dashboard = await createDashboardApp({ database: broker.database });
  api = apiClient(dashboard.app);
  await api.prime();
});
afterAll(async () => {
  await dashboard?.close();
  await broker?.close();
  await tdb?.drop();
});

describe('DLQ list', () => {
  it('pages through every entry with the total, newest first, without repeats', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 60; offset += 25) {
      const page = await api.get<DlqPage>(`/api/queues/bulk/dlq?limit=25&offset=${offset}`);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(60);
      seen.push(...page.body.entries.map((e) => e.id));
    }
    expect(seen).toHaveLength(60);
    expect(new Set(seen)).toEqual(new Set(dead.map((d) => d.dlqId)));
  });

  it('filters by task name, error text (literally) and task id', async () => {
    const byName = await api.get<DlqPage>('/api/queues/bulk/dlq?name=sync.push&limit=500');
    expect(byName.body.total).toBe(30);
    expect(byName.body.entries.every((e) => e.taskName === 'sync.push')).toBe(true);
    const byError = await api.get<DlqPage>(
      `/api/queues/bulk/dlq?error=${encodeURIComponent('TIMEOUT after')}`,
    );
    expect(byError.body.total).toBe(30);
    const wildcard = await api.get<DlqPage>(`/api/queues/bulk/dlq?error=${encodeURIComponent('%')}`);
    expect(wildcard.body.total).toBe(0);
    const one = await api.get<DlqPage>(`/api/queues/bulk/dlq?taskId=${dead[7]!.taskId}`);
    expect(one.body.entries.map((e) => e.id)).toEqual([dead[7]!.dlqId]);
    const bad = await api.get<ErrorBody>('/api/queues/bulk/dlq?taskId=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'taskId' });
  });

  it('links a failed task to its DLQ entry in the task detail', async () => {
    const detail = await api.get<{ task: { state: string }; dlqEntries: Array<{ id: string }> }>(
      `/api/tasks/${dead[3]!.taskId}?queue=bulk`,
    );
    expect(detail.body.task.state).toBe('failed');
    expect(detail.body.dlqEntries.map((e) => e.id)).toEqual([dead[3]!.dlqId]);
  });
});

describe('DLQ bulk actions', () => {
  it('requeues many entries as pending tasks and reports unknown ids, only with confirmation', async () => {
    const picked = dead.slice(0, 3).map((d) => d.dlqId);
    const refused = await api.post<ErrorBody>('/api/queues/bulk/dlq/requeue', { ids: picked });
    expect(refused.body.error.code).toBe('CONFIRMATION_REQUIRED');
    const noCsrf = await api.post<ErrorBody>(
      '/api/queues/bulk/dlq/requeue',
      { confirm: true, ids: picked },
      { csrf: false },
    );
    expect(noCsrf.status).toBe(403);
    expect((await dlqIds()).length).toBe(60);

    const unknown = '00000000-0000-7000-8000-000000000000';
    const res = await api.post<{
      requeued: number;
      results: Array<{ id: string; ok: boolean; taskId?: string; code?: string }>;
    }>('/api/queues/bulk/dlq/requeue', { confirm: true, ids: [...picked, unknown] });
    expect(res.status).toBe(200);
    expect(res.body.requeued).toBe(3);
    expect(res.body.results.find((r) => r.id === unknown)).toMatchObject({
      ok: false,
      code: 'TASK_NOT_FOUND',
    });
    for (const r of res.body.results.filter((x) => x.ok)) expect(await taskState(r.taskId!)).toBe('pending');
    const left = await dlqIds();
    expect(left).toHaveLength(57);
    for (const id of picked) expect(left).not.toContain(id);
  });

  it('deletes many entries by id', async () => {
    const picked = dead.slice(3, 8).map((d) => d.dlqId);
    const res = await api.post<{ purged: number }>('/api/queues/bulk/dlq/purge', {
      confirm: true,
      ids: picked,
    });
    expect(res.body.purged).toBe(5);
    const left = await dlqIds();
    expect(left).toHaveLength(52);
    for (const id of picked) expect(left).not.toContain(id);
    const empty = await api.post<ErrorBody>('/api/queues/bulk/dlq/purge', { confirm: true, ids: [] });
    expect(empty.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'ids' });
  });
});

describe('task bulk actions', () => {
  it('retries failed tasks back to pending and removes their DLQ copies; skips other states', async () => {
    const [a, b] = [dead[10]!, dead[11]!];
    const pendingId = await broker.enqueue(createTask('sync.pull', {}));
    const res = await api.post<{ changed: string[]; skipped: Array<{ id: string; state: string }> }>(
      '/api/queues/bulk/tasks/retry',
      { confirm: true, ids: [a.taskId, b.taskId, pendingId] },
    );
    expect(res.status).toBe(200);
    expect(res.body.changed.sort()).toEqual([a.taskId, b.taskId].sort());
    expect(res.body.skipped).toEqual([expect.objectContaining({ id: pendingId, state: 'pending' })]);
    expect(await taskState(a.taskId)).toBe('pending');
    expect(await taskState(b.taskId)).toBe('pending');
    const left = await dlqIds();
    expect(left).not.toContain(a.dlqId);
    expect(left).not.toContain(b.dlqId);
  });

  it('retries one failed task, and refuses a pending one with INVALID_STATE', async () => {
    const c = dead[12]!;
    const ok = await api.post<{ retried: boolean; task: { state: string } }>(`/api/tasks/${c.taskId}/retry`, {
      confirm: true,
      queue: 'bulk',
    });
    expect(ok.body).toMatchObject({ retried: true, task: { state: 'pending' } });
    const again = await api.post<ErrorBody>(`/api/tasks/${c.taskId}/retry`, { confirm: true });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVALID_STATE');
  });

  it('deletes finished tasks only, and cancels pending ones in bulk', async () => {
    const d = dead[13]!;
    const live = await broker.enqueue(createTask('sync.pull', {}));
    const del = await api.post<{ deleted: number; skipped: Array<{ id: string }> }>(
      '/api/queues/bulk/tasks/delete',
      { confirm: true, ids: [d.taskId, live] },
    );
    expect(del.body.deleted).toBe(1);
    expect(del.body.skipped.map((s) => s.id)).toEqual([live]);
    expect(await taskState(d.taskId)).toBeUndefined();
    expect(await taskState(live)).toBe('pending');
    const cancel = await api.post<{ cancelled: number }>('/api/queues/bulk/tasks/cancel', {
      confirm: true,
      ids: [live],
    });
    expect(cancel.body.cancelled).toBe(1);
    expect(await taskState(live)).toBe('cancelled');
  });

  it('filters the task list by text in the error', async () => {
    const res = await api.get<{ total: number; tasks: Array<{ errorMessage: string }> }>(
      `/api/queues/bulk/tasks?state=failed&error=${encodeURIComponent('refused (#2')}&limit=500`,
    );
    // #21, #23, #25, #27, #29 (odd numbers are "connection refused"), none of them retried or deleted above.
    expect(res.body.tasks.map((t) => t.errorMessage).sort()).toEqual(
      [21, 23, 25, 27, 29].map((n) => `connection refused (#${n})`),
    );
  });
});

describe('phantom queues', () => {
  it('deletes a paused queue without tasks, and refuses a queue with tasks', async () => {
    const typo = await broker.forQueue('bulkk');
    await typo.pause();
    await typo.close();
    const listed = await api.get<{ queues: Array<{ name: string; phantom: boolean }> }>('/api/queues');
    expect(listed.body.queues.find((q) => q.name === 'bulkk')).toMatchObject({ phantom: true });
    expect(listed.body.queues.find((q) => q.name === 'bulk')).toMatchObject({ phantom: false });

    const refused = await api.post<ErrorBody>('/api/queues/bulk/delete', { confirm: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INVALID_STATE');
    const res = await api.post<{ deleted: boolean; configRows: number }>('/api/queues/bulkk/delete', {
      confirm: true,
    });
    expect(res.body).toEqual({ deleted: true, configRows: 1 });
    const after = await api.get<{ queues: Array<{ name: string }> }>('/api/queues');
    expect(after.body.queues.map((q) => q.name)).toEqual(['bulk']);
  });
});

describe('history', () => {
  it('answers buckets per task name from finished tasks, with a time axis', async () => {
    const q = await broker.forQueue('charts');
    const seeded = await seedHistory(q);
    await q.close();
    const res = await api.get<{
      bucketMs: number;
      buckets: string[];
      series: Array<{
        taskName: string;
        total: number;
        points: Array<{ completed: number; failed: number; execP50Ms: number | null }>;
      }>;
    }>('/api/queues/charts/history?range=1h');
    expect(res.status).toBe(200);
    expect(res.body.buckets).toHaveLength(60);
    expect(res.body.series.map((s) => [s.taskName, s.total])).toEqual([
      ['charts.ok', seeded.completed],
      ['charts.bad', seeded.failed],
    ]);
    const ok = res.body.series[0]!;
    expect(ok.points.filter((p) => p.completed === 3)).toHaveLength(3);
    expect(ok.points.filter((p) => p.completed > 0).every((p) => p.execP50Ms !== null)).toBe(true);
    const bad = await api.get<ErrorBody>('/api/queues/charts/history?range=2d');
    expect(bad.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'range' });
  });
});
