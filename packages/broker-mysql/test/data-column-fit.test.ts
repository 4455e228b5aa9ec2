// Issue 14 items 5-6: what the validators accept is exactly what the columns store, unchanged.
import { CelersError, createTask, MAX_JSON_DEPTH } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { tableCounts } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

async function freshQueue(): Promise<MysqlBroker> {
  const b = await root.forQueue(`fit-${++n}`);
  opened.push(b);
  return b;
}

function nested(depth: number): Record<string, unknown> {
  let v: unknown = 1;
  for (let i = 1; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return { top: v }; // the metadata object itself is level 1
}

async function rejection(call: () => Promise<unknown>): Promise<CelersError> {
  // createTask throws synchronously (it is not async); broker methods reject.
  const error = await Promise.resolve()
    .then(call)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!CelersError.isInstance(error)) throw new Error(`expected a CelersError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'fit-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('lengths are counted as the utf8mb4 VARCHAR(255) columns count them', () => {
  it('255 astral characters (510 UTF-16 units) fit a name and a group id, and come back unchanged', async () => {
    const b = await freshQueue();
    const name = '😀'.repeat(255);
    const [id] = await b.groups.enqueue(name, [createTask(name, 1)]);
    const info = await b.tasks.get(id!);
    expect(info?.taskName).toBe(name);
    expect((await b.groups.status(name))?.total).toBe(1);
  });

  it('a 256-character group_id, dedup_key or name is INVALID_ARGUMENT before any write', async () => {
    const b = await freshQueue();
    const before = await tableCounts(b.database);
    const long = 'g'.repeat(256);
    const task = (custom: Record<string, unknown>) => createTask('t', 1, { metadata: custom });
    expect((await rejection(() => b.enqueue(task({ group_id: long })))).argument).toBe(
      'task.metadata.custom.group_id',
    );
    expect((await rejection(() => b.enqueue(task({ dedup_key: long })))).argument).toBe(
      'task.metadata.custom.dedup_key',
    );
    expect(
      (await rejection(() => b.idempotency.enqueueDeduplicated(createTask('t', 1), long))).argument,
    ).toBe('key');
    expect(await tableCounts(b.database)).toEqual(before);
  });
});

describe('shapes the generated columns cannot hold are rejected', () => {
  it('parent_task_id must be a lower-case UUID (CHAR(36) ascii)', async () => {
    const b = await freshQueue();
    for (const bad of ['not-a-uuid', '0190A0B0-0000-7000-8000-000000000123', 42, { id: 1 }, 'ü'.repeat(36)]) {
      const error = await rejection(() =>
        b.enqueue(createTask('t', 1, { metadata: { parent_task_id: bad } })),
      );
      expect(error.argument).toBe('task.metadata.custom.parent_task_id');
    }
    const id = await b.enqueue(createTask('t', 1));
    const error = await rejection(() => b.tasks.updateMetadata(id, '$.parent_task_id', 'odd'));
    expect(error.argument).toBe('value');
  });

  it(`metadata nested ${MAX_JSON_DEPTH} levels is stored; one more is INVALID_ARGUMENT, not a CHECK failure`, async () => {
    const b = await freshQueue();
    const deepest = nested(MAX_JSON_DEPTH);
    const id = await b.enqueue(createTask('deep', 1, { metadata: deepest }));
    expect((await b.tasks.get(id))?.metadata).toEqual(deepest);
    const error = await rejection(() =>
      b.enqueue(createTask('deep', 1, { metadata: nested(MAX_JSON_DEPTH + 1) })),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    // updateMetadata counts the path: a value at $.a.b may nest two levels less.
    expect((await rejection(() => b.tasks.updateMetadata(id, '$.x', nested(MAX_JSON_DEPTH)))).argument).toBe(
      'value',
    );
    expect(await b.tasks.updateMetadata(id, '$.x', nested(MAX_JSON_DEPTH - 1))).toBe(true);
  });

  it('lone surrogates are rejected instead of being stored as U+FFFD', async () => {
    const b = await freshQueue();
    expect((await rejection(() => b.workers.register('worker-\uD800'))).argument).toBe('workerId');
    const id = await b.enqueue(createTask('t', 1));
    expect((await rejection(() => b.tasks.updateErrorMessage(id, 'oops \uDC00'))).argument).toBe('message');
    expect(() => createTask('name\uD83D', 1)).toThrow(expect.objectContaining({ argument: 'name' }));
    // A well-formed pair is stored and read back exactly.
    await b.workers.register('worker-😀');
    expect((await b.workers.heartbeats()).map((h) => h.workerId)).toEqual(['worker-😀']);
  });
});

describe('keys that differ only by edge whitespace are rejected (PAD SPACE collations equate them)', () => {
  it('the server really does treat "key" and "key " as one key', async () => {
    const b = await freshQueue();
    const r = await sql<{ same: number }>`SELECT ${'key'} = ${'key '} COLLATE utf8mb4_bin AS same`.execute(
      b.database,
    );
    expect(Number(r.rows[0]?.same)).toBe(1);
  });

  it('dedup keys, idempotency keys, purge task names, schedule names and worker ids', async () => {
    const b = await freshQueue();
    await b.idempotency.enqueueDeduplicated(createTask('job', 1), 'key');
    await b.idempotency.enqueue(createTask('job', 2), 'key');
    await b.schedules.register({
      name: 'nightly',
      taskName: 'job',
      payload: 1,
      schedule: { kind: 'every', minutes: 5 },
    });
    await b.workers.register('w1');
    const before = await tableCounts(b.database);
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['key', () => b.idempotency.enqueueDeduplicated(createTask('job', 3), 'key ')],
      ['key', () => b.idempotency.enqueue(createTask('job', 4), ' key')],
      ['taskName', () => b.maintenance.purgeByTaskName('job ')],
      [
        'options.name',
        () =>
          b.schedules.register({
            name: 'nightly ',
            taskName: 'job',
            payload: 1,
            schedule: { kind: 'every', minutes: 5 },
          }),
      ],
      ['workerId', () => b.workers.heartbeat('w1 ', 'active')],
      ['workerId', () => b.workers.deregister('w1\u00a0')],
    ];
    for (const [argument, call] of cases) {
      const error = await rejection(call);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.argument).toBe(argument);
      expect(error.message).toMatch(/whitespace/);
    }
    expect(await tableCounts(b.database)).toEqual(before);
    expect(await b.tasks.countByState('pending')).toBe(2);
  });
});
