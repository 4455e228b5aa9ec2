// Integration: W10 (Celery-message drain) against the real test server and Debian's Python Celery, tiny
// sizes, no timing assertions.
import '@celers/testing';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { ensureCelerySchema } from '@celers/celery';
import { createDatabase } from '@celers/schema';
import mysql from 'mysql2/promise';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startPythonConsumer } from '../src/celery/kombu-consumers.js';
import { measureKombuDrain } from '../src/celery/kombu-drain.js';
import { parseBenchArgs } from '../src/cli/bench-args.js';
import { createBenchDatabase } from '../src/env/bench-database.js';
import { runBench } from '../src/run-bench.js';

const serverUrl = () => inject('celersDatabaseUrl');

/** Pids of processes whose command line consumes `queue` (a Python worker and its pool children). */
async function consumersOf(queue: string, options: { oldest?: boolean } = {}): Promise<number[]> {
  try {
    const flags = options.oldest ? ['-o', '-f'] : ['-f'];
    const { stdout } = await promisify(execFile)('pgrep', [...flags, '--', `-Q ${queue} `]);
    return stdout.trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function waitFor<T>(check: () => Promise<T | null>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const conn = await mysql.createConnection(serverUrl());
  try {
    const [rows] = await conn.query('SHOW DATABASES LIKE ?', [name]);
    return (rows as unknown[]).length > 0;
  } finally {
    await conn.end();
  }
}

const savedPython = process.env.CELERS_PYTHON;
afterEach(() => {
  if (savedPython === undefined) delete process.env.CELERS_PYTHON;
  else process.env.CELERS_PYTHON = savedPython;
});

describe('W10 Celery-message drain', () => {
  it('drains with Python solo and prefork and celers ×4 and ×10, one line per pair, and drops its database', async () => {
    const args = parseBenchArgs(['--only', 'W10', '--scale', '0.005', '--url', serverUrl()], {}, '/unused');
    const messages: string[] = [];
    const report = await runBench(args, (m) => messages.push(m));
    expect(report.analysis.filter((a) => a.includes('failed') || a.includes('skipped'))).toEqual([]);
    expect(Object.keys(report.workloads).sort()).toEqual([
      'W10.prefork.c10',
      'W10.prefork.c4',
      'W10.solo.c10',
      'W10.solo.c4',
    ]);
    for (const line of Object.values(report.workloads)) {
      expect(line.unit).toBe('jobs/s');
      expect(line.celers).toBeGreaterThan(0);
      expect(line.raw).toBeGreaterThan(0);
      expect(line.ratio).toBeCloseTo(line.celers / (line.raw as number));
      expect(line.target).toBe('≥ 1 × baseline');
      expect(line.notes).toContain('10 messages written by sendCeleryTask');
    }
    expect(report.workloads['W10.solo.c4']?.baseline).toBe('python celery worker --pool=solo');
    expect(report.workloads['W10.prefork.c10']?.baseline).toBe(
      'python celery worker --pool=prefork --concurrency=2',
    );
    // Every case settled all 10 messages (none capped) and logged its rate.
    expect(messages.filter((m) => /^W10 .*: \d+ msg\/s \(10 settled\)$/.test(m))).toHaveLength(4);
    expect(report.analysis.some((a) => a.startsWith('**W10** Celery-message drain of 10'))).toBe(true);
    // Every Python worker (and pool child) was stopped.
    expect(await consumersOf('w10')).toEqual([]);
    const name = messages[0]?.match(/celers_bench_[0-9a-f]+/)?.[0];
    expect(name).toBeDefined();
    expect(await databaseExists(name as string)).toBe(false);
  }, 180_000);

  it('skips with the reason, not a failure, when the Python has no Celery', async () => {
    process.env.CELERS_PYTHON = '/nonexistent/python3';
    const args = parseBenchArgs(['--only', 'W10', '--url', serverUrl()], {}, '/unused');
    const messages: string[] = [];
    const report = await runBench(args, (m) => messages.push(m));
    expect(report.workloads).toEqual({});
    expect(report.analysis).toHaveLength(1);
    expect(report.analysis[0]).toMatch(/^\*\*W10 skipped\*\*: \/nonexistent\/python3 cannot import celery/);
    expect(messages.some((m) => m.startsWith('W10 skipped: /nonexistent/python3 cannot import celery'))).toBe(
      true,
    );
  });

  it('fails a case whose Python worker dies and leaves none of its processes behind', async () => {
    const bench = await createBenchDatabase(serverUrl());
    const db = createDatabase(bench.url);
    const queue = `w10kill${randomBytes(4).toString('hex')}`;
    try {
      await ensureCelerySchema(db);
      const start = async () => {
        const consumer = startPythonConsumer(bench.url, queue, { kind: 'prefork', concurrency: 2 });
        // Once the pool's two children run, kill only the worker itself: its children are orphaned.
        await waitFor(async () => ((await consumersOf(queue)).length >= 3 ? true : null), 'the prefork pool');
        const [worker] = await consumersOf(queue, { oldest: true });
        process.kill(worker as number, 'SIGKILL');
        return consumer;
      };
      await expect(measureKombuDrain({ bench, drainCapMs: 10_000 }, db, queue, 5, start)).rejects.toThrow(
        /python celery worker exited \(code null, signal SIGKILL\)/,
      );
      // SIGKILL of the group lands within milliseconds; allow a second for the kernel to finish them.
      await waitFor(
        async () => ((await consumersOf(queue)).length === 0 ? true : null),
        'no consumer',
        1_000,
      );
      // The case's tables are emptied for the next one.
      const [rows] = await bench.admin.query('SELECT COUNT(*) AS n FROM kombu_message');
      expect(Number((rows as Array<{ n: number }>)[0]?.n)).toBe(0);
    } finally {
      await db.destroy();
      await bench.drop();
    }
  }, 90_000);
});
