// The dashboard with `readUrl` on a real primary + replica pair: listings, counts and charts read the
// replica (stale while it does not apply), actions go to the primary, and the overview shows the lag.
import { MysqlBroker } from '@celers/broker-mysql';
import { CelersError, createTask } from '@celers/core';
import { type ReplicaPair, startReplicaPair } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp, type Dashboard } from '../src/index.js';
import { apiClient } from './fixtures/api-client.js';

let pair: ReplicaPair;
let broker: MysqlBroker;
let dashboard: Dashboard;
let api: ReturnType<typeof apiClient>;

interface QueuesAnswer {
  queues: Array<{ name: string; paused: boolean; stats: Record<string, number> }>;
  replica: { isReplica: boolean | null; status: string; lagMs: number | null } | null;
}
type TaskList = { tasks: Array<{ id: string; state: string }>; total: number };
type History = { series: Array<{ points: Array<{ failed: number }> }> };

const failedInHistory = (h: History) =>
  h.series.reduce((n, s) => n + s.points.reduce((m, p) => m + p.failed, 0), 0);

beforeAll(async () => {
  pair = await startReplicaPair();
  broker = await MysqlBroker.connect({ url: pair.primary.url, queue: 'mail', migrate: true });
  await pair.waitForCatchUp();
  dashboard = await createDashboardApp({ url: pair.primary.url, readUrl: pair.replica.url });
  api = apiClient(dashboard.app);
  await api.prime();
}, 120_000);
afterAll(async () => {
  await dashboard?.close();
  await broker?.close();
  await pair?.destroy();
});

const listed = async () => (await api.get<TaskList>('/api/queues/mail/tasks')).body.tasks.map((t) => t.id);

describe('dashboard reads from a replica (readUrl)', () => {
  it('refuses a bad readUrl with INVALID_ARGUMENT naming it, before any connection', async () => {
    const error = await createDashboardApp({ url: pair.primary.url, readUrl: 'http://replica/db' }).catch(
      (e: unknown) => e,
    );
    expect(CelersError.isInstance(error) && error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'readUrl',
    });
  });

  it('lists a task enqueued on the primary once the replica has applied it, with the lag on the overview', async () => {
    const id = await broker.enqueue(createTask('mail.send', { to: 'a@example.com' }));
    await pair.waitForCatchUp();
    expect(await listed()).toEqual([id]);
    const overview = await api.get<QueuesAnswer>('/api/queues');
    expect(overview.status).toBe(200);
    expect(overview.body.queues.find((q) => q.name === 'mail')?.stats).toMatchObject({ pending: 1 });
    expect(overview.body.replica).toEqual({ isReplica: true, status: 'healthy', lagMs: 0 });
  });

  it('with the replica not applying, listings stay stale while actions hit the primary', async () => {
    const before = await listed();
    await pair.stopReplicaSql();
    try {
      const fresh = await broker.enqueue(createTask('mail.send', { to: 'b@example.com' }));
      // the replica does not have it: the listing, the counts and the history lag behind
      expect(await listed()).toEqual(before);
      const stale = await api.get<QueuesAnswer>('/api/queues');
      expect(stale.body.queues.find((q) => q.name === 'mail')?.stats).toMatchObject({ pending: 1 });
      // a stopped SQL thread has no lag figure: the overview says so
      expect(stale.body.replica).toMatchObject({ isReplica: true, status: 'error', lagMs: null });

      // actions go to the primary, which has the new task; their answers read it there too
      const cancelled = await api.post<{ cancelled: boolean; task: { state: string } }>(
        `/api/tasks/${fresh}/cancel`,
        { confirm: true, queue: 'mail' },
      );
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ cancelled: true, task: { state: 'cancelled' } });
      expect((await broker.tasks.get(fresh))?.state).toBe('cancelled');
      const paused = await api.post<{ paused: boolean }>('/api/queues/mail/pause');
      expect(paused.body.paused).toBe(true);
      expect(await broker.isPaused()).toBe(true);
      // the replica's overview still shows the queue running
      expect((await api.get<QueuesAnswer>('/api/queues')).body.queues[0]?.paused).toBe(false);

      await pair.startReplicaSql();
      await pair.waitForCatchUp();
      const caughtUp = await api.get<TaskList>('/api/queues/mail/tasks?state=cancelled');
      expect(caughtUp.body.tasks.map((t) => t.id)).toEqual([fresh]);
      expect((await api.get<QueuesAnswer>('/api/queues')).body.queues[0]?.paused).toBe(true);
    } finally {
      await pair.startReplicaSql();
      await broker.resume();
    }
  }, 60_000);

  it('history, metrics and DLQ listings answer from the replica too', async () => {
    await pair.stopReplicaSql();
    try {
      await broker.enqueue(createTask('mail.bounce', {}, { maxRetries: 0, priority: 9 }));
      const [message] = await broker.dequeueBatch(1);
      expect(message?.task.metadata.name).toBe('mail.bounce');
      await broker.reject(message!.task.metadata.id, message!.receiptHandle, { error: 'boom' }); // → DLQ
      expect(await broker.dlq.list()).toHaveLength(1);
      const dlq = await api.get<{ total: number }>('/api/queues/mail/dlq');
      expect(dlq.status).toBe(200);
      expect(dlq.body.total).toBe(0); // not applied on the replica yet
      const history = await api.get<History>('/api/queues/mail/history?range=1h');
      expect(history.status).toBe(200);
      expect(failedInHistory(history.body)).toBe(0); // the failure is not on the replica yet
      await pair.startReplicaSql();
      await pair.waitForCatchUp();
      expect((await api.get<{ total: number }>('/api/queues/mail/dlq')).body.total).toBe(1);
      expect(failedInHistory((await api.get<History>('/api/queues/mail/history?range=1h')).body)).toBe(1);
      const metrics = await api.get<{ queue: string }>('/api/queues/mail/metrics');
      expect(metrics).toMatchObject({ status: 200, body: { queue: 'mail' } });
    } finally {
      await pair.startReplicaSql();
    }
  }, 60_000);
});
