// Runs `pnpm demo` (producer + worker as real child processes) against a fresh database for a few seconds and
// checks what a user would see: tasks enqueued and completed, failures dead-lettered, /metrics answering.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_DURATION_MS = 15_000;

let tdb: TestDatabase;

async function freePort(): Promise<number> {
  const server = createServer().listen(0);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Polls `url` until it answers 200 with a body matching `pattern`, or the deadline passes. */
async function pollMetrics(url: string, pattern: RegExp, deadline: number): Promise<string> {
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      last = await res.text();
      if (res.status === 200 && pattern.test(last)) return last;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`metrics never matched ${pattern}; last body: ${last.slice(0, 200)}`);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
});

afterAll(async () => {
  await tdb?.drop();
});

describe('pnpm demo', () => {
  it('produces, processes, dead-letters and serves metrics, then stops by itself', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
      cwd: APP_DIR,
      env: {
        ...process.env,
        CELERS_DATABASE_URL: tdb.url,
        DEMO_DURATION_MS: String(DEMO_DURATION_MS),
        METRICS_PORT: String(port),
        PRODUCE_INTERVAL_MS: '300',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = once(child, 'exit');

    const body = await pollMetrics(
      `http://127.0.0.1:${port}/metrics`,
      /celers_tasks_acked_total\{queue="demo"\} [1-9]/,
      Date.now() + DEMO_DURATION_MS + 30_000,
    );
    expect(body).toMatch(/celers_queue_size\{queue="demo"\}/);

    const [code] = (await exited) as [number | null];
    expect(code, output).toBe(0);
    expect(output).toMatch(/\[producer\] round \d+: enqueued \d+ tasks/);
    expect(output).toContain('[worker] stopped: completed');
    expect(output).toContain('[demo] finished (producer exit 0, worker exit 0)');
    expect(output).toContain('next: open http://127.0.0.1:8080');
    expect(output).toContain('pnpm celers status --queue demo');
    // a clean shutdown: nothing used the pool after it closed, and no stack was printed
    expect(output).not.toContain('closed state');
    expect(output).not.toMatch(/\n\s+at /);

    const broker = await MysqlBroker.connect({ url: tdb.url, queue: 'demo' });
    try {
      const stats = await broker.tasks.statistics();
      expect(stats.completed).toBeGreaterThan(10);
      expect(stats.dlq).toBeGreaterThan(0);
      const dead = await broker.dlq.list();
      expect(dead.every((e) => e.taskName === 'payments.flaky')).toBe(true);
      const byName = new Map((await broker.tasks.countByTaskName()).map((c) => [c.taskName, c]));
      for (const name of [
        'emails.send',
        'images.resize',
        'orders.validate',
        'orders.charge',
        'orders.ship',
      ]) {
        expect(byName.get(name)?.completed, name).toBeGreaterThan(0);
      }
      const [schedule] = await broker.schedules.list();
      expect(schedule).toMatchObject({ name: 'queue-report', taskName: 'ops.queue-report' });
      expect(schedule?.lastRunAt).not.toBeNull();
      const stored = await broker.database
        .selectFrom('celers_task_results')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBeGreaterThan(0);
    } finally {
      await broker.close();
    }
  }, 120_000);
});
