import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from './helpers/build-packages.js';
import { type CelersRun, jsonOf, runCelers } from './helpers/run-celers.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let dir: string;
const QUEUE = 'ops-q';

function celers(...args: string[]): Promise<CelersRun> {
  return runCelers([...args, '--queue', QUEUE], { CELERS_DATABASE_URL: tdb.url });
}

function expectOneLineError(run: CelersRun, code: string): void {
  expect(run.code).not.toBe(0);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(new RegExp(`^celers: ${code}: `));
}

async function completeOne(name: string): Promise<string> {
  const id = await broker.enqueue(createTask(name, {}));
  const msg = await broker.dequeue({ workerId: 'cli-test-worker' });
  if (msg?.task.metadata.id !== id) throw new Error('expected to claim the task just enqueued');
  await broker.ack(id, msg.receiptHandle);
  return id;
}

beforeAll(async () => {
  buildPackages(['cli']);
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: QUEUE, migrate: true });
  dir = await mkdtemp(join(tmpdir(), 'celers-cli-'));
}, 600_000);

afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('celers purge', () => {
  it('refuses without a terminal and without --yes, deleting nothing', async () => {
    const done = await completeOne('purge.me');
    const run = await celers('purge', '--state', 'completed');
    expectOneLineError(run, 'INVALID_ARGUMENT');
    expect(run.stderr).toContain('--yes');
    expect((await broker.tasks.get(done))?.state).toBe('completed');
  });

  it('with --yes deletes exactly the selected state', async () => {
    const keep = await broker.enqueue(createTask('purge.keep', {}));
    const before = await broker.tasks.countByState('completed');
    expect(before).toBeGreaterThan(0);
    expect(
      jsonOf<{ deleted: number }>(await celers('purge', '--state', 'completed', '--yes', '--json')),
    ).toEqual({ deleted: before });
    expect(await broker.tasks.countByState('completed')).toBe(0);
    expect((await broker.tasks.get(keep))?.state).toBe('pending');
    await broker.cancel(keep);
  });

  it('rejects ambiguous or missing selectors', async () => {
    expectOneLineError(await celers('purge', '--yes'), 'INVALID_ARGUMENT');
    expectOneLineError(await celers('purge', '--all', '--state', 'failed', '--yes'), 'INVALID_ARGUMENT');
  });
});

describe('celers workers', () => {
  it('lists registered workers with their heartbeat and counters', async () => {
    await broker.workers.register('cli-test-worker', 'active', { region: 'eu' });
    await completeOne('worker.counted');
    const workers = jsonOf<
      Array<{ workerId: string; status: string; statistics: { tasksCompleted: number } }>
    >(await celers('workers', '--json'));
    const me = workers.find((w) => w.workerId === 'cli-test-worker');
    expect(me?.status).toBe('active');
    expect(me?.statistics.tasksCompleted).toBeGreaterThanOrEqual(1);
    const status = jsonOf<{ activeWorkers: string[] }>(await celers('status', '--json'));
    expect(status.activeWorkers).toContain('cli-test-worker');
  });
});

describe('celers schedules', () => {
  it('adds, lists and deletes a recurring task', async () => {
    const added = jsonOf<{ id: string }>(
      await celers(
        'schedules',
        'add',
        'nightly',
        '--task',
        'reports.nightly',
        '--cron',
        '0 3 * * *',
        '--payload',
        '{"full":true}',
        '--json',
      ),
    );
    const stored = await broker.schedules.get(added.id);
    expect(stored).toMatchObject({
      name: 'nightly',
      taskName: 'reports.nightly',
      schedule: { kind: 'cron', expression: '0 3 * * *' },
    });
    expect(stored?.payload).toEqual({ full: true });

    await celers('schedules', 'add', 'tick', '--task', 'ops.tick', '--every', '5m');
    const listed = jsonOf<Array<{ name: string; schedule: unknown }>>(
      await celers('schedules', 'list', '--json'),
    );
    expect(listed.find((s) => s.name === 'tick')?.schedule).toEqual({ kind: 'every', minutes: 5 });

    expect((await celers('schedules', 'delete', 'nightly')).code).toBe(0);
    expect(await broker.schedules.get(added.id)).toBeNull();
    expectOneLineError(await celers('schedules', 'delete', 'nightly'), 'TASK_NOT_FOUND');
    expectOneLineError(
      await celers('schedules', 'add', 'bad', '--task', 't', '--every', '5 parsecs'),
      'INVALID_ARGUMENT',
    );
    expectOneLineError(
      await celers('schedules', 'add', 'bad', '--task', 't', '--cron', 'not a cron'),
      'INVALID_ARGUMENT',
    );
  });
});

describe('celers dlq replay', () => {
  it('requeues entries matching a task-name glob only', async () => {
    for (const name of ['mail.send', 'mail.bounce', 'sms.send']) {
      const id = await broker.enqueue(createTask(name, {}, { maxRetries: 0, priority: 100 }));
      const msg = await broker.dequeue();
      if (msg?.task.metadata.id !== id) throw new Error('expected the high-priority task');
      await broker.reject(id, msg.receiptHandle, { error: 'down' });
    }
    expect(
      jsonOf<{ replayed: number }>(await celers('dlq', 'replay', '--task-name', 'mail.*', '--json')),
    ).toEqual({ replayed: 2 });
    expect((await broker.dlq.list()).map((e) => e.taskName)).toEqual(['sms.send']);
  });
});

describe('celers export / import', () => {
  it('round-trips tasks into another database', async () => {
    const ids = [
      await broker.enqueue(createTask('move.a', { n: 1 })),
      await broker.enqueue(createTask('move.b', { n: 2 }, { priority: 4 })),
    ];
    const file = join(dir, 'tasks.json');
    const exported = await celers('export', '--state', 'pending', '--out', file);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/exported \d+ task\(s\) to /);
    const records = JSON.parse(await readFile(file, 'utf8')) as Array<{ id: string }>;
    expect(records.map((r) => r.id)).toEqual(expect.arrayContaining(ids));

    const target = await createTestDatabase();
    try {
      expect((await runCelers(['migrate', '--url', target.url])).code).toBe(0);
      const imported = jsonOf<{ imported: number }>(
        await runCelers(['import', file, '--url', target.url, '--queue', 'restored', '--json']),
      );
      expect(imported.imported).toBe(records.length);
      const restored = await MysqlBroker.connect({ url: target.url, queue: 'restored' });
      try {
        expect(await restored.tasks.get(ids[1]!)).toMatchObject({
          taskName: 'move.b',
          priority: 4,
          state: 'pending',
        });
        const msg = await restored.dequeue();
        expect(msg).not.toBeNull();
      } finally {
        await restored.close();
      }
      // Importing the same file again: every id exists, so DUPLICATE_TASK, unless --skip-existing.
      expectOneLineError(
        await runCelers(['import', file, '--url', target.url, '--queue', 'restored']),
        'DUPLICATE_TASK',
      );
      const skipped = jsonOf<{ imported: number }>(
        await runCelers([
          'import',
          file,
          '--url',
          target.url,
          '--queue',
          'restored',
          '--skip-existing',
          '--json',
        ]),
      );
      expect(skipped.imported).toBe(0);
    } finally {
      await target.drop();
    }
  });

  it('NDJSON export imports too; a missing file is a clear error', async () => {
    const file = join(dir, 'tasks.ndjson');
    const run = await celers('export', '--ndjson', '--out', file);
    expect(run.code, run.stderr).toBe(0);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(() => lines.map((l) => JSON.parse(l))).not.toThrow();

    const target = await createTestDatabase();
    try {
      await runCelers(['migrate', '--url', target.url]);
      expect(
        jsonOf<{ imported: number }>(await runCelers(['import', file, '--url', target.url, '--json']))
          .imported,
      ).toBe(lines.length);
    } finally {
      await target.drop();
    }
    expectOneLineError(await celers('import', join(dir, 'missing.json')), 'INVALID_ARGUMENT');
  });

  it('exports the DLQ as a document', async () => {
    const run = await celers('export', '--dlq');
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { count: number; entries: Array<{ taskName: string }> };
    expect(doc.entries.map((e) => e.taskName)).toEqual(['sms.send']);
  });
});
