import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyDb,
  getCeleryResult,
  runCeleryWorker,
  sendCeleryTask,
  waitCeleryResult,
} from '../src/index.js';
import { waitFor } from './support/wait-for.js';

// Leases under concurrency and crashes: separate connections claiming one queue, and a consumer process
// SIGKILLed while it holds a message.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let tdb: TestDatabase;
let db: AnyDb;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
});
afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

describe('Celery consumers', () => {
  it('runs 1,000 messages through 4 concurrent consumers exactly once each', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(await sendCeleryTask(db, 'ts.count', [i], {}, { queue: 'bulk' }));
    const runs = new Map<string, number>();
    const pools = Array.from({ length: 4 }, () => createDatabase(tdb.url));
    const workers = pools.map((pool) =>
      runCeleryWorker({
        db: pool,
        queues: ['bulk'],
        concurrency: 8,
        handlers: {
          'ts.count': (args, _kwargs, ctx) => {
            runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
            return args[0];
          },
        },
      }),
    );
    try {
      await waitFor(
        async () => {
          const r = await sql<{
            n: number;
          }>`SELECT COUNT(*) AS n FROM celery_taskmeta WHERE status = 'SUCCESS'
          AND task_id IN (${sql.join(ids)})`.execute(db);
          return Number(r.rows[0]?.n) === 1000;
        },
        '1,000 results',
        90_000,
      );
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(pools.map((p) => p.destroy()));
    }
    expect(runs.size).toBe(1000);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    const claimedBy = workers.map((w) => w.stats.claimed);
    expect(claimedBy.reduce((a, b) => a + b, 0)).toBe(1000);
    const left = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM kombu_message`.execute(db);
    expect(Number(left.rows[0]?.n)).toBe(0);
    expect((await getCeleryResult(db, ids[999] as string)).result).toBe(999);
  }, 120_000);

  it('runs a message again after its consumer is SIGKILLed mid-task: nothing is lost', async () => {
    const id = await sendCeleryTask(db, 'ts.crash', ['payload'], {}, { queue: 'crash' });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(packageDir, 'test/fixtures/hanging-worker.ts')],
      {
        cwd: packageDir,
        env: { ...process.env, CELERS_URL: tdb.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor(() => out.includes(`RUNNING ${id}`), 'the doomed consumer to start the task', 30_000);
    child.kill('SIGKILL');
    await exited;
    // Invisible to kombu's own transport now (visible = 0): only the lease brings it back.
    const hidden = await sql<{ visible: number }>`SELECT visible FROM kombu_message`.execute(db);
    expect(hidden.rows).toEqual([{ visible: 0 }]);
    let deliveries = 0;
    const rescuer = runCeleryWorker({
      db,
      queues: ['crash'],
      leaseMs: 1_000,
      handlers: {
        'ts.crash': (args, _kwargs, ctx) => {
          deliveries = ctx.deliveryCount;
          return { recovered: args[0] };
        },
      },
    });
    try {
      const result = await waitCeleryResult(db, id, { timeoutMs: 20_000 });
      expect(result).toMatchObject({ status: 'SUCCESS', result: { recovered: 'payload' } });
      expect(deliveries).toBe(2);
    } finally {
      await rescuer.close();
    }
  }, 60_000);
});
