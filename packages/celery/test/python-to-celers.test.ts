import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDb, type CeleryWorker, getCeleryResult, runCeleryWorker } from '../src/index.js';
import { pyClient } from './support/python-celery.js';
import { waitFor } from './support/wait-for.js';

// Python's `send_task` publishes through kombu's SQLAlchemy transport; a celers worker runs the task and
// Python's `AsyncResult(id).get()` reads what celers stored.
let tdb: TestDatabase;
let db: AnyDb;
let worker: CeleryWorker;
const runs: Record<string, number> = {};
/** Released by the STARTED test once Python has seen the state. */
const slowMayFinish = (() => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve: () => resolve() };
})();

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  worker = runCeleryWorker({
    db,
    queues: ['ts'],
    concurrency: 4,
    onEvent: (e) => {
      if (e.type === 'message:quarantined' || e.type === 'error') console.error(e);
    },
    trackStarted: true,
    handlers: {
      'ts.echo': (args, kwargs) => ({ args, kwargs }),
      'ts.fail': () => {
        throw new TypeError('no such invoice');
      },
      'ts.flaky': (_args, _kwargs, ctx) => {
        runs[ctx.taskId] = (runs[ctx.taskId] ?? 0) + 1;
        if (ctx.retries < 2) ctx.retry({ countdownMs: 200, cause: new Error(`attempt ${ctx.retries}`) });
        return ctx.retries;
      },
      'ts.slow': async () => {
        // Runs until the test has seen STARTED (each status poll starts a Python process, slow on a busy machine).
        await slowMayFinish.promise;
        return 'done';
      },
    },
  });
});
afterAll(async () => {
  await worker?.close();
  await db?.destroy();
  await tdb?.drop();
});

describe('Python producer -> celers worker', () => {
  it('passes every JSON type through args and kwargs, and Python reads the result back', async () => {
    const args = [null, true, false, 0, -7, 2 ** 40, 1.5, 'ü☃ 𝄞', [1, [2, [3]]], { a: { b: null } }];
    const kwargs = { big: 2n ** 70n, negative: -(2n ** 64n), nested: { list: [1, 'x'], flag: false } };
    const { id } = await pyClient<{ id: string }>(tdb.url, {
      op: 'send',
      name: 'ts.echo',
      args,
      kwargs,
      options: { queue: 'ts' },
    });
    const got = await pyClient<{ status: string; json: unknown }>(tdb.url, { op: 'get', id });
    expect(got.status).toBe('SUCCESS');
    expect(got.json).toEqual({ args, kwargs });
  });

  it('honours countdown: the task does not run before its eta', async () => {
    const sentAt = Date.now();
    const { id } = await pyClient<{ id: string }>(tdb.url, {
      op: 'send',
      name: 'ts.echo',
      args: ['later'],
      options: { queue: 'ts', countdown: 3 },
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await getCeleryResult(db, id)).status).toBe('PENDING');
    const done = await waitFor(async () => {
      const r = await getCeleryResult(db, id);
      return r.ready ? r : null;
    }, 'countdown task');
    expect(done.status).toBe('SUCCESS');
    expect(done.dateDone).not.toBeNull();
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(3000);
  });

  it('stores a failure that AsyncResult.get() raises, with a traceback', async () => {
    const { id } = await pyClient<{ id: string }>(tdb.url, {
      op: 'send',
      name: 'ts.fail',
      options: { queue: 'ts' },
    });
    const got = await pyClient<{
      status: string;
      raised: string;
      module: string;
      message: string;
      traceback: string;
    }>(tdb.url, { op: 'get', id });
    expect(got).toMatchObject({
      status: 'FAILURE',
      raised: 'TypeError',
      module: 'builtins',
      message: 'no such invoice',
    });
    expect(got.traceback).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(got.traceback).toContain('TypeError: no such invoice');
  });

  it('retries like Celery: same id, retries + 1, RETRY state in between, then SUCCESS', async () => {
    const { id } = await pyClient<{ id: string }>(tdb.url, {
      op: 'send',
      name: 'ts.flaky',
      options: { queue: 'ts' },
    });
    await waitFor(async () => (await getCeleryResult(db, id)).status === 'RETRY', 'RETRY state');
    const retry = await getCeleryResult(db, id);
    expect(retry.result).toMatchObject({ exc_type: 'Exception', exc_module: 'builtins' });
    const got = await pyClient<{ status: string; json: unknown }>(tdb.url, { op: 'get', id });
    expect(got).toMatchObject({ status: 'SUCCESS', json: 2 });
    expect(runs[id]).toBe(3);
  });

  it('shows STARTED while the handler runs', async () => {
    const { id } = await pyClient<{ id: string }>(tdb.url, {
      op: 'send',
      name: 'ts.slow',
      options: { queue: 'ts' },
    });
    await waitFor(
      async () => (await pyClient<{ status: string }>(tdb.url, { op: 'status', id })).status === 'STARTED',
      'STARTED',
    );
    expect((await getCeleryResult(db, id)).result).toMatchObject({ pid: process.pid });
    slowMayFinish.resolve();
    expect(await pyClient(tdb.url, { op: 'get', id })).toMatchObject({ status: 'SUCCESS', json: 'done' });
  });

  it('revokes an expired task instead of running it', async () => {
    const { id } = await pyClient<{ id: string }>(tdb.url, {
      op: 'send',
      name: 'ts.echo',
      options: { queue: 'ts', countdown: 1, expires: 0.5 },
    });
    const got = await pyClient<{ status: string; raised: string }>(tdb.url, { op: 'get', id });
    expect(got).toMatchObject({ status: 'REVOKED', raised: 'TaskRevokedError' });
  });
});
