import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyDb,
  ensureCelerySchema,
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

  it('on close returns unstarted claims to the queue at once and leaves running ones to their lease', async () => {
    const ids = [];
    for (const name of ['fast', 'hang', 'hang', 'hang'])
      ids.push(await sendCeleryTask(db, `ts.${name}`, [], {}, { queue: 'shutdown' }));
    let fastDone = false;
    const worker = runCeleryWorker({
      db,
      queues: ['shutdown'],
      concurrency: 2,
      shutdownTimeoutMs: 200,
      handlers: {
        'ts.fast': () => {
          fastDone = true;
          return 1;
        },
        'ts.hang': (_a, _k, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)),
      },
    });
    await waitFor(
      () => fastDone && worker.stats.claimed === 4,
      'the second claim (one started, one prefetched)',
    );
    await worker.close();
    const rows = await sql<{
      visible: number;
      receipt: string | null;
      delivery_count: number;
    }>`SELECT m.visible,
      l.receipt, l.delivery_count FROM kombu_message m JOIN celers_celery_leases l ON l.message_id = m.id
      JOIN kombu_queue q ON q.id = m.queue_id WHERE q.name = 'shutdown' ORDER BY m.id`.execute(db);
    // The two running ones keep their (expiring) lease; the prefetched one is visible with no delivery counted.
    expect(rows.rows.map((r) => [r.visible, r.receipt === null, r.delivery_count])).toEqual([
      [0, false, 1],
      [0, false, 1],
      [1, true, 0],
    ]);
    expect((await getCeleryResult(db, ids[0] as string)).status).toBe('SUCCESS');
  }, 30_000);

  it('quarantines a message that is not a Celery message and keeps consuming', async () => {
    const good = await sendCeleryTask(db, 'ts.ok', [], {}, { queue: 'poison' });
    const schema = await ensureCelerySchema(db); // NEXTVAL on MariaDB, AUTO_INCREMENT on MySQL
    await sql`INSERT INTO kombu_message (id, visible, timestamp, payload, version, queue_id)
      SELECT ${schema.messageId}, 1, NULL, '{"body": "not base64 json", "headers": {}}', 1, id
      FROM kombu_queue WHERE name = 'poison'`.execute(db);
    const corrupt: number[] = [];
    const worker = runCeleryWorker({
      db,
      queues: ['poison'],
      handlers: { 'ts.ok': () => 'fine' },
      onEvent: (e) => {
        if (e.type === 'message:quarantined') corrupt.push(e.messageId);
      },
    });
    try {
      expect(await waitCeleryResult(db, good, { timeoutMs: 10_000 })).toMatchObject({ result: 'fine' });
      await waitFor(() => corrupt.length === 1, 'the corrupt event');
    } finally {
      await worker.close();
    }
    const left = await sql<{
      visible: number;
      lease_expires_at: Date | null;
    }>`SELECT m.visible, l.lease_expires_at
      FROM kombu_message m JOIN celers_celery_leases l ON l.message_id = m.id WHERE m.id = ${corrupt[0]}`.execute(
      db,
    );
    expect(left.rows).toEqual([{ visible: 0, lease_expires_at: null }]);
  }, 30_000);

  it('rejects bad worker options with the argument named', () => {
    const handlers = { 'ts.x': () => 1 };
    const cases: [Record<string, unknown>, string][] = [
      [{ db, handlers: {} }, 'options.handlers'],
      [{ db, handlers: { 'ts.x': 'nope' } }, 'options.handlers.ts.x'],
      [{ db, handlers, queues: [] }, 'options.queues'],
      [{ db, handlers, queues: [''] }, 'options.queues[0]'],
      [{ db, handlers, concurrency: 0 }, 'options.concurrency'],
      [{ db, handlers, leaseMs: 10 }, 'options.leaseMs'],
      [{ handlers }, 'options.db'],
    ];
    for (const [options, argument] of cases)
      expect(() => runCeleryWorker(options as never), argument).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
      );
  });
});
