import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from './helpers/build-packages.js';
import { type CelersRun, jsonOf, runCelers } from './helpers/run-celers.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
const QUEUE = 'cli-q';

function celers(...args: string[]): Promise<CelersRun> {
  return runCelers([...args, '--queue', QUEUE], { CELERS_DATABASE_URL: tdb.url });
}

/** Asserts a failed run printed exactly one `celers: CODE: …` line and no stack trace. */
function expectOneLineError(run: CelersRun, code: string): void {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^celers: ${code}: `));
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  buildPackages(['cli']);
  tdb = await createTestDatabase();
  const migrate = await runCelers(['migrate', '--url', tdb.url]);
  expect(migrate.code, migrate.stderr).toBe(0);
  broker = await MysqlBroker.connect({ url: tdb.url, queue: QUEUE });
}, 600_000);

afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('celers migrate / verify', () => {
  it('verify passes on the migrated database and migrate is then a no-op', async () => {
    expect(
      jsonOf<{ isComplete: boolean; missingCount: number }>(await celers('verify', '--json')),
    ).toMatchObject({
      isComplete: true,
      missingCount: 0,
    });
    expect(jsonOf<{ applied: string[] }>(await celers('migrate', '--json'))).toEqual({ applied: [] });
  });

  it('verify fails with MIGRATION_REQUIRED on an empty database', async () => {
    const empty = await createTestDatabase();
    try {
      const run = await runCelers(['verify', '--url', empty.url]);
      expect(run.stdout).toContain('missing');
      expectOneLineError(run, 'MIGRATION_REQUIRED');
    } finally {
      await empty.drop();
    }
  });
});

describe('celers enqueue / status / tasks', () => {
  it('enqueue prints the id of a stored task with the given priority and delay', async () => {
    const run = await celers('enqueue', 'reports.build', '--json', '{"month":"2024-05"}', '--priority', '7');
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim();
    const info = await broker.tasks.get(id);
    expect(info).toMatchObject({ taskName: 'reports.build', priority: 7, state: 'pending' });

    const delayed = (await celers('enqueue', 'reports.later', '--delay-ms', '600000')).stdout.trim();
    const scheduled = await broker.tasks.listScheduled();
    expect(scheduled.map((t) => t.id)).toContain(delayed);
  });

  it('status --json reports the numbers in the database', async () => {
    const status = jsonOf<{ queue: string; paused: boolean; tasks: Record<string, number> }>(
      await celers('status', '--json'),
    );
    const stats = await broker.tasks.statistics();
    expect(status.queue).toBe(QUEUE);
    expect(status.paused).toBe(false);
    expect(status.tasks).toEqual(stats);
    expect(status.tasks.pending).toBeGreaterThanOrEqual(2);
    expect(status.tasks.scheduled).toBeGreaterThanOrEqual(1);
  });

  it('tasks list filters by state; show prints one task; cancel changes its state', async () => {
    const id = await broker.enqueue(createTask('cli.cancel-me', { n: 1 }));
    const pending = jsonOf<Array<{ id: string; state: string }>>(
      await celers('tasks', 'list', '--state', 'pending', '--json'),
    );
    expect(pending.map((t) => t.id)).toContain(id);
    expect(pending.every((t) => t.state === 'pending')).toBe(true);

    const human = await celers('tasks', 'list');
    expect(human.stdout).toMatch(/^ID\s+NAME\s+STATE/);
    expect(human.stdout).toContain('cli.cancel-me');

    expect(
      jsonOf<{ id: string; taskName: string }>(await celers('tasks', 'show', id, '--json')),
    ).toMatchObject({
      id,
      taskName: 'cli.cancel-me',
    });

    expect(jsonOf<{ cancelled: string[] }>(await celers('tasks', 'cancel', id, '--json'))).toEqual({
      cancelled: [id],
    });
    expect((await broker.tasks.get(id))?.state).toBe('cancelled');
    expectOneLineError(await celers('tasks', 'cancel', id), 'INVALID_STATE');
  });

  it('an unknown task id gives TASK_NOT_FOUND; a malformed one INVALID_ARGUMENT', async () => {
    expectOneLineError(
      await celers('tasks', 'show', '01900000-0000-7000-8000-000000000000'),
      'TASK_NOT_FOUND',
    );
    expectOneLineError(
      await celers('tasks', 'cancel', '01900000-0000-7000-8000-000000000000'),
      'TASK_NOT_FOUND',
    );
    expectOneLineError(await celers('tasks', 'show', 'not-a-uuid'), 'INVALID_ARGUMENT');
  });

  it('bad input is refused before any write', async () => {
    const before = await broker.tasks.statistics();
    expectOneLineError(await celers('enqueue', 'x', '--json', '{not json'), 'INVALID_ARGUMENT');
    expectOneLineError(await celers('enqueue', 'x', '--priority', '1.5'), 'INVALID_ARGUMENT');
    expectOneLineError(await celers('tasks', 'list', '--state', 'exploded'), 'INVALID_ARGUMENT');
    expectOneLineError(await celers('tasks', 'list', '--limit', '-3'), 'INVALID_ARGUMENT');
    expectOneLineError(await celers('tasks', 'list', '--no-such-flag'), 'INVALID_ARGUMENT');
    expect(await broker.tasks.statistics()).toEqual(before);
  });
});

describe('celers pause / resume / drain / undrain', () => {
  it('writes the flags every broker instance sees', async () => {
    expect(jsonOf<{ paused: boolean }>(await celers('pause', '--json')).paused).toBe(true);
    expect(await broker.isPaused()).toBe(true);
    expect(jsonOf<{ paused: boolean }>(await celers('status', '--json')).paused).toBe(true);
    expect((await celers('resume')).code).toBe(0);
    expect(await broker.isPaused()).toBe(false);

    expect((await celers('drain')).code).toBe(0);
    expect(await broker.isDrainMode()).toBe(true);
    expectOneLineError(await celers('enqueue', 'x'), 'QUEUE_DRAINING');
    expect((await celers('undrain')).code).toBe(0);
    expect(await broker.isDrainMode()).toBe(false);
  });
});

describe('celers dlq', () => {
  async function deadLetter(name: string): Promise<string> {
    const id = await broker.enqueue(createTask(name, {}, { maxRetries: 0 }));
    const msg = await broker.dequeue();
    if (!msg || msg.task.metadata.id !== id) {
      throw new Error('expected to claim the task just enqueued');
    }
    await broker.reject(id, msg.receiptHandle, { error: 'boom' });
    return id;
  }

  it('lists, requeues and purges dead-lettered tasks', async () => {
    // Drain what earlier tests left pending so dequeue picks the dead-letter candidates.
    await broker.cancelBatch((await broker.tasks.list({ state: 'pending' })).map((t) => t.id));
    const first = await deadLetter('cli.dead-1');
    const second = await deadLetter('cli.dead-2');
    const entries = jsonOf<Array<{ id: string; taskId: string; errorMessage: string }>>(
      await celers('dlq', 'list', '--json'),
    );
    expect(entries.map((e) => e.taskId).sort()).toEqual([first, second].sort());

    const entry = entries.find((e) => e.taskId === first)!;
    const [requeued] = jsonOf<Array<{ taskId: string }>>(await celers('dlq', 'requeue', entry.id, '--json'));
    expect((await broker.tasks.get(requeued!.taskId))?.state).toBe('pending');
    expect((await broker.dlq.list()).map((e) => e.taskId)).toEqual([second]);

    const refused = await celers('dlq', 'purge', '--all');
    expectOneLineError(refused, 'INVALID_ARGUMENT');
    expect(refused.stderr).toContain('--yes');
    expect(await broker.dlq.list()).toHaveLength(1);

    expect(jsonOf<{ purged: number }>(await celers('dlq', 'purge', '--all', '--yes', '--json'))).toEqual({
      purged: 1,
    });
    expect(await broker.dlq.list()).toHaveLength(0);
  });
});

describe('connection errors', () => {
  it('an unreachable server gives one line and a non-zero exit', async () => {
    const run = await runCelers(['status', '--url', 'mysql://root@127.0.0.1:1/nowhere']);
    expectOneLineError(run, 'DATABASE_UNAVAILABLE');
  });

  it('a malformed --url or none at all is INVALID_ARGUMENT', async () => {
    expectOneLineError(await runCelers(['status', '--url', 'postgres://x']), 'INVALID_ARGUMENT');
    const none = await runCelers(['status']);
    expectOneLineError(none, 'INVALID_ARGUMENT');
    expect(none.stderr).toContain('CELERS_DATABASE_URL');
  });
});
