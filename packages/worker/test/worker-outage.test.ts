import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { type PrivateServer, startPrivateServer } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsByState } from './support/task-counts.js';
import { waitFor } from './support/wait-for.js';
import { killAll, spawnWorker, type WorkerProcess } from './support/worker-processes.js';

// A server restart under load, measured from outside: 3 worker processes drain 5,000 tasks from a private
// mariadbd that is stopped for ~2 s mid-drain. Each attempt is logged to a file (never to the database, so
// logging itself cannot fail during the outage).
const TOTAL = 5_000;
const WORKERS = ['outage-a', 'outage-b', 'outage-c'];

let server: PrivateServer;
let admin: MysqlBroker;
let logDir: string;
let spawned: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startPrivateServer();
  // The test's own connection must not trip a breaker while the server is away.
  admin = await MysqlBroker.connect({
    url: server.url,
    queue: 'outage',
    migrate: true,
    circuitBreaker: false,
  });
  logDir = await mkdtemp(join(tmpdir(), 'celers-outage-'));
});
afterAll(async () => {
  await killAll(spawned);
  await admin?.close();
  await server?.destroy();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

/** Counts by state, or null while the server is away. */
async function countsOrNull(): Promise<Record<string, number> | null> {
  try {
    return await countsByState(admin.database, 'outage');
  } catch {
    return null;
  }
}

/** Every attempt the workers logged, by task id: the epoch ms of each run. */
async function runsByTask(): Promise<Map<string, number[]>> {
  const byTask = new Map<string, number[]>();
  for (const id of WORKERS) {
    const text = await readFile(join(logDir, `${id}.log`), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const [taskId, , at] = line.split(' ');
      if (taskId && at) byTask.set(taskId, [...(byTask.get(taskId) ?? []), Number(at)]);
    }
  }
  return byTask;
}

describe('worker processes across a database restart', () => {
  it('a 2 s restart mid-drain loses nothing, re-runs at most 10 tasks, and acks resume within 2 s', {
    timeout: 120_000,
  }, async () => {
    const ids: string[] = [];
    for (let i = 0; i < TOTAL; i += 500) {
      const chunk = Array.from({ length: Math.min(500, TOTAL - i) }, (_, j) =>
        createTask('log', { n: i + j }),
      );
      ids.push(...(await admin.enqueueBatch(chunk)));
    }
    spawned = WORKERS.map((id) =>
      spawnWorker(id, {
        CELERS_URL: server.url,
        CELERS_QUEUE: 'outage',
        CONCURRENCY: '8',
        BATCH_SIZE: '50',
        HANDLER_MS: '2',
        RUN_LOG: join(logDir, `${id}.log`),
      }),
    );
    await Promise.all(spawned.map((p) => p.ready));
    await waitFor(async () => ((await countsOrNull())?.completed ?? 0) >= 1_000, {
      timeoutMs: 60_000,
      intervalMs: 20,
      message: '1,000 completions before the restart',
    });
    const stoppedAt = Date.now();
    await server.restart(2_000);
    const backAt = Date.now();

    await waitFor(async () => (await countsOrNull())?.completed === TOTAL, {
      timeoutMs: 60_000,
      intervalMs: 200,
      message: `all ${TOTAL} tasks completed`,
    });
    const firsts = await admin.database
      .selectFrom('celers_tasks')
      .select((eb) => [
        eb.fn.min<Date>('started_at').as('firstClaim'),
        eb.fn.min<Date>('completed_at').as('firstAck'),
      ])
      .where('queue_name', '=', 'outage')
      .where('completed_at', '>=', new Date(backAt))
      .executeTakeFirstOrThrow();
    const claimedAfter = await admin.database
      .selectFrom('celers_tasks')
      .select((eb) => eb.fn.min<Date>('started_at').as('at'))
      .where('queue_name', '=', 'outage')
      .where('started_at', '>=', new Date(backAt))
      .executeTakeFirstOrThrow();
    const runs = await runsByTask();
    const rerun = [...runs.values()].filter((r) => r.length > 1).length;
    const figures = {
      downMs: backAt - stoppedAt,
      firstClaimAfterBackMs: claimedAfter.at ? new Date(claimedAfter.at).getTime() - backAt : null,
      firstAckAfterBackMs: firsts.firstAck ? new Date(firsts.firstAck).getTime() - backAt : null,
      rerunTasks: rerun,
      extraRuns: [...runs.values()].reduce((n, r) => n + r.length - 1, 0),
    };
    process.stdout.write(`outage figures: ${JSON.stringify(figures)}\n`);

    const missing = ids.filter((id) => !runs.has(id));
    expect(missing, 'tasks that never ran').toEqual([]);
    expect(await countsOrNull()).toEqual({ completed: TOTAL });
    expect(rerun, 'tasks run more than once').toBeLessThanOrEqual(10);
    expect(figures.firstAckAfterBackMs, 'first ack after the server came back (ms)').not.toBeNull();
    expect(figures.firstAckAfterBackMs as number).toBeLessThanOrEqual(2_000);
  });
});
