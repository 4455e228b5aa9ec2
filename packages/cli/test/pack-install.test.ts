// What a new user does: install the published tarballs into an empty project outside the workspace, then
// run a small ESM producer + worker against a real database. Catches broken `exports`, missing `files`,
// unrewritten `workspace:*` ranges and dependencies that only resolve inside the monorepo.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, REPO_ROOT } from './helpers/build-packages.js';

const PUBLISHED = ['core', 'schema', 'resilience', 'broker-mysql', 'worker', 'celery', 'cli'] as const;

interface Manifest {
  name: string;
  version: string;
  type: string;
  sideEffects: boolean;
  engines: { node: string };
  files: string[];
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
}

let tdb: TestDatabase;
let project: string;
let packDir: string;
const tarballs: string[] = [];

const PRODUCER_AND_WORKER = `
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { Worker } from '@celers/worker';

const broker = await MysqlBroker.connect({ url: process.env.CELERS_DATABASE_URL, queue: 'packed', migrate: true });
for (const name of ['ana', 'bo', 'cy']) await broker.enqueue(createTask('greet', { name }));

const results = [];
const worker = new Worker({ broker, storeResults: true, pollIntervalMs: 20, handlers: { greet: async (p) => 'hello ' + p.name } });
const allDone = new Promise((resolve) => worker.on('task:completed', (e) => { results.push(e.result); if (results.length === 3) resolve(); }));
await worker.start();
await allDone;
await worker.close();
const stats = await broker.tasks.statistics();
console.log(JSON.stringify({ results: results.sort(), completed: stats.completed, pending: stats.pending }));
await broker.close();
`;

const TYPED_USAGE = `
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask, defineTask, type SerializedTask } from '@celers/core';
import { RetryPolicies } from '@celers/resilience';
import { Worker } from '@celers/worker';
const task: SerializedTask = createTask('greet', { name: 'ana' }, { priority: 1 });
const greet = defineTask<'greet', { name: string }, string>('greet');
export const typedWorker = (broker: MysqlBroker) =>
  new Worker({ broker, tasks: [greet.handler(async ({ name }, ctx) => name + ctx.attempt)] });
export const typedWait = (broker: MysqlBroker): Promise<string> => greet.enqueueAndWait(broker, { name: 'bo' });
export async function run(url: string): Promise<number> {
  const broker = await MysqlBroker.connect({ url, retryPolicy: RetryPolicies.exponential({ baseDelayMs: 100, maxDelayMs: 1_000 }) });
  const worker = new Worker({ broker, handlers: { greet: async () => 'hi' } });
  await broker.enqueue(task);
  await worker.close();
  return broker.queueSize();
}
`;

beforeAll(async () => {
  buildPackages([...PUBLISHED]);
  packDir = await mkdtemp(join(tmpdir(), 'celers-pack-'));
  for (const name of PUBLISHED) {
    execFileSync('pnpm', ['pack', '--pack-destination', packDir], {
      cwd: join(REPO_ROOT, 'packages', name),
      stdio: 'pipe',
    });
  }
  tarballs.push(...(await readdir(packDir)).filter((f) => f.endsWith('.tgz')).map((f) => join(packDir, f)));
  project = await mkdtemp(join(tmpdir(), 'celers-user-'));
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'celers-user', private: true, type: 'module' }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
    cwd: project,
    stdio: 'pipe',
  });
  tdb = await createTestDatabase();
}, 900_000);

afterAll(async () => {
  await tdb?.drop();
  for (const dir of [project, packDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('published packages', () => {
  it('pack one tarball each, with workspace ranges rewritten and the publishable shape', async () => {
    expect(tarballs).toHaveLength(PUBLISHED.length);
    for (const name of PUBLISHED) {
      const manifest = JSON.parse(
        await readFile(join(project, 'node_modules/@celers', name, 'package.json'), 'utf8'),
      ) as Manifest;
      expect(manifest.name).toBe(`@celers/${name}`);
      expect(manifest.type).toBe('module');
      expect(manifest.sideEffects).toBe(false);
      expect(manifest.engines.node).toMatch(/^>=20/);
      expect(manifest.files).toContain('dist');
      expect(Object.keys(manifest.exports['.'] as object)[0]).toBe('types');
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        expect(range, `${name} → ${dep}`).not.toMatch(/^workspace:/);
      }
      const installed = await readdir(join(project, 'node_modules/@celers', name));
      expect(installed).toEqual(expect.arrayContaining(['README.md', 'dist', 'package.json']));
      expect(installed).not.toContain('src');
      expect(installed).not.toContain('test');
    }
  });

  it('a plain ESM producer + worker runs against a fresh database', () => {
    const script = join(project, 'app.mjs');
    execFileSync('node', [
      '-e',
      `require('node:fs').writeFileSync(${JSON.stringify(script)}, ${JSON.stringify(PRODUCER_AND_WORKER)})`,
    ]);
    const run = spawnSync(process.execPath, [script], {
      cwd: project,
      env: { ...process.env, CELERS_DATABASE_URL: tdb.url },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({
      results: ['hello ana', 'hello bo', 'hello cy'],
      completed: 3,
      pending: 0,
    });
  });

  it('the installed celers bin runs against the database and prints pipeable JSON', () => {
    const bin = join(project, 'node_modules/.bin/celers');
    const env = { ...process.env, CELERS_DATABASE_URL: tdb.url };
    const status = spawnSync(bin, ['status', '--queue', 'packed', '--json'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ queue: 'packed' });
  });

  it('the declarations type-check a TypeScript consumer (NodeNext resolution)', async () => {
    await writeFile(join(project, 'typed.ts'), TYPED_USAGE);
    const compilerOptions = {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      types: [],
    };
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['typed.ts'] }));
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
