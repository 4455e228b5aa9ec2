import { CelersError } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type PythonWorker, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDb, getCeleryResult, sendCeleryTask, waitCeleryResult } from '../src/index.js';
import { startFixtureWorker } from './support/python-celery.js';

// sendCeleryTask writes protocol-v2 messages an unmodified `celery worker` runs; getCeleryResult decodes
// the pickled results it stores.
let tdb: TestDatabase;
let db: AnyDb;
let python: PythonWorker | undefined;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDatabase(tdb.url);
  // Publish first so celers creates the tables; the Python worker must work on them unchanged.
  await sendCeleryTask(db, 'py.add', [1, 1], {}, { queue: 'py', taskId: 'warm-up' });
  python = startFixtureWorker(tdb.url, 'py');
  await waitCeleryResult(db, 'warm-up', { timeoutMs: 60_000 });
}, 90_000);
afterAll(async () => {
  await python?.stop();
  await db?.destroy();
  await tdb?.drop();
});

describe('celers producer -> Python worker', () => {
  it('runs the task and returns every JSON type exactly', async () => {
    const args = [
      null,
      true,
      false,
      0,
      -7,
      2n ** 70n,
      -(2n ** 64n),
      1.5,
      'ü☃ 𝄞',
      [1, [2, [3]]],
      { a: { b: null } },
    ];
    const kwargs = { k: 'v', nested: { list: [], dict: {} } };
    const id = await sendCeleryTask(db, 'py.echo', args, kwargs, { queue: 'py' });
    const result = await waitCeleryResult(db, id, { timeoutMs: 20_000 });
    expect(result.status).toBe('SUCCESS');
    expect(result.result).toMatchObject({ args, kwargs });
    expect(result.dateDone).toBeInstanceOf(Date);
  });

  it('reads a Python failure with its exception and traceback', async () => {
    const id = await sendCeleryTask(db, 'py.boom', ['card declined'], {}, { queue: 'py' });
    const result = await waitCeleryResult(db, id, { timeoutMs: 20_000 });
    expect(result.status).toBe('FAILURE');
    expect(result.result).toEqual({
      exc_type: 'ValueError',
      exc_message: ['card declined'],
      exc_module: 'builtins',
    });
    expect(result.traceback).toContain('ValueError: card declined');
  });

  it('honours countdown on the Python side', async () => {
    const sentAt = Date.now();
    const id = await sendCeleryTask(db, 'py.echo', ['later'], {}, { queue: 'py', countdownMs: 2_000 });
    const result = await waitCeleryResult(db, id, { timeoutMs: 20_000 });
    expect(result.status).toBe('SUCCESS');
    const ranAt = Number((result.result as { at: number }).at) * 1000;
    // Celery's timer has about a second of slack; without the eta the task runs within ~100 ms.
    expect(ranAt - sentAt).toBeGreaterThanOrEqual(1_000);
  });

  it('reports PENDING for an unknown id and times out waiting for it', async () => {
    expect(await getCeleryResult(db, 'no-such-task')).toMatchObject({ status: 'PENDING', ready: false });
    await expect(waitCeleryResult(db, 'no-such-task', { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('rejects bad input with the argument named, writing nothing', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => sendCeleryTask(db, '', []), 'name'],
      [() => sendCeleryTask(db, 'py.add', 'x' as never), 'args'],
      [() => sendCeleryTask(db, 'py.add', [], [] as never), 'kwargs'],
      [() => sendCeleryTask(db, 'py.add', [Number.NaN]), 'args'],
      [() => sendCeleryTask(db, 'py.add', [], {}, { countdownMs: -1 }), 'options.countdownMs'],
      [() => sendCeleryTask(db, 'py.add', [], {}, { eta: new Date('x') }), 'options.eta'],
      [() => sendCeleryTask(db, 'py.add', [], {}, { queue: '' }), 'options.queue'],
      [() => sendCeleryTask(db, 'py.add', [], {}, { priority: 300 }), 'options.priority'],
      [() => getCeleryResult(db, 42 as never), 'taskId'],
    ];
    for (const [call, argument] of cases) {
      const error = await call().catch((e: unknown) => e);
      expect(CelersError.isInstance(error), argument).toBe(true);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', argument });
    }
  });
});
