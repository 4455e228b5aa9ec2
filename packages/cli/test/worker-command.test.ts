import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MysqlBroker } from '@celers/broker-mysql';
import { sendCeleryTask, waitCeleryResult } from '@celers/celery';
import { createTask } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// `celers worker --celery` in a real process: runs a Celery message, then exits 0 on SIGTERM.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let tdb: TestDatabase;
let db: ReturnType<typeof createDatabase>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
});
afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

it('runs Celery tasks from the --app module and shuts down gracefully on SIGTERM', async () => {
  const id = await sendCeleryTask(db, 'cli.add', [20, 22], {}, { queue: 'cli' });
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/bin.ts',
      'worker',
      '--app',
      'test/fixtures/celery-tasks.mjs',
      '--celery',
      '--queue',
      'cli',
      '--concurrency',
      '2',
      '--url',
      tdb.url,
    ],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const result = await waitCeleryResult(db, id, { timeoutMs: 30_000 });
    expect(result).toMatchObject({ status: 'SUCCESS', result: 42 });
    expect(out).toContain('consuming Celery queue cli');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 60_000);

it('refuses a module that exports no handlers, naming --app', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/bin.ts', 'worker', '--app', 'package.json', '--celery', '--url', tdb.url],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  expect(code).not.toBe(0);
  expect(err).toContain('--app');
}, 30_000);

it('runs celers tasks without --celery and exits 0 on SIGINT', async () => {
  const broker = await MysqlBroker.connect({ url: tdb.url, queue: 'cli-celers', migrate: true });
  const log = join(mkdtempSync(join(tmpdir(), 'celers-worker-')), 'runs.log');
  try {
    const id = await broker.enqueue(createTask('cli.double', { n: 21 }));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/bin.ts',
        'worker',
        '--app',
        'test/fixtures/celers-tasks.mjs',
        '--queue',
        'cli-celers',
        '--url',
        tdb.url,
      ],
      { cwd: packageDir, env: { ...process.env, CLI_WORKER_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 300 && (await broker.tasks.get(id))?.state !== 'completed'; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await broker.tasks.get(id))?.state).toBe('completed');
      expect(readFileSync(log, 'utf8')).toBe('42\n');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  } finally {
    await broker.close();
  }
}, 60_000);
