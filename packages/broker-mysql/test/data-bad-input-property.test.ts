// Issue 14 item 9: every public method of every facet answers generated bad input with a rejected promise
// carrying a CelersError (never a sync throw, never TypeError/RangeError/SyntaxError), and changes no row.

import { inspect } from 'node:util';
import { CelersError, CelersErrorCode, createTask, type SerializedTask } from '@celers/core';
import { CELERS_TABLES } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker, TaskChain } from '../src/index.js';

let tdb: TestDatabase;
let b: MysqlBroker;
/** Real rows, so a call whose other arguments are valid names something that exists. */
const ids = { pending: '', processing: '', receipt: '', dlq: '', schedule: '' };
// Runs per 10 methods; raise CELERS_PROPERTY_RUNS locally for a longer hunt.
const NUM_RUNS = Number(process.env.CELERS_PROPERTY_RUNS ?? 100);
const KNOWN_CODES = new Set<string>(Object.values(CelersErrorCode).filter((c) => c !== 'INTERNAL'));

// ------------------------------------------------------------------ hostile values

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}
const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;
const throwingToJson = {
  toJSON() {
    throw new RangeError('toJSON refuses');
  },
};

/** Values no string-typed identifier argument accepts (names, keys, worker ids, states, UUIDs). */
const BAD_STRINGS: unknown[] = [
  undefined,
  null,
  '',
  '   ',
  'key ',
  ' key',
  'key\u00a0',
  'a\u0000b',
  'lone \uD800 surrogate',
  'n'.repeat(256),
  '😀'.repeat(256),
  42,
  1n,
  true,
  {},
  [],
  ['x'],
  () => 'x',
  Symbol('s'),
  new Date(0),
  cyclic,
];
/** Values no integer / duration argument accepts. */
const BAD_NUMBERS: unknown[] = [
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -1,
  1.5,
  2 ** 53,
  '5',
  1n,
  true,
  {},
  [],
  Symbol('n'),
];
/** Values no JSON-column argument (results, metadata values) accepts. */
const BAD_JSON: unknown[] = [
  1n,
  { n: 1n },
  cyclic,
  throwingToJson,
  { inner: throwingToJson },
  nested(40),
  'x\uD800',
  { 'k\uDC00': 1 },
  () => 1,
  Symbol('j'),
];
/** Values no JSON-object argument (metadata, capabilities) accepts. */
const BAD_JSON_OBJECTS: unknown[] = [...BAD_JSON, null, 5, 'done', [1], new Date(0)];
/** Values no array argument accepts (an empty array is a valid no-op for batch methods). */
const BAD_LISTS: unknown[] = [null, 1, 'x', {}, true, () => [], Symbol('l'), 1n, new Set(['x'])];
/** Values no options-object argument accepts. */
const BAD_OBJECTS: unknown[] = [null, 1, 'x', [], true, () => ({}), Symbol('o'), 1n];
const BAD_TIMES: unknown[] = [
  undefined,
  null,
  new Date(Number.NaN),
  Number.NaN,
  -1,
  1e17,
  'tomorrow',
  {},
  1n,
];

const pick = (values: unknown[]) => fc.constantFrom(...values);
const badString = fc.oneof(
  pick(BAD_STRINGS),
  fc.string().map((s) => `${s} `),
);
const badId = fc.oneof(
  pick(BAD_STRINGS),
  fc.string().filter((s) => !/^[0-9a-f-]{36}$/i.test(s)),
  fc.uuid().map((u) => `${u} `),
);
const badNumber = pick(BAD_NUMBERS);
const badTime = pick(BAD_TIMES);
const badJson = pick(BAD_JSON);
const badJsonObject = pick(BAD_JSON_OBJECTS);
const badObject = pick(BAD_OBJECTS);
const badList = pick(BAD_LISTS);
/** An options object: not an object at all, or one field set to a bad value. */
const badOptions = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    badObject,
    // An absent field is valid (a default applies), so only values that are present count.
    ...Object.entries(fields).map(([k, arb]) => arb.filter((v) => v !== undefined).map((v) => ({ [k]: v }))),
  );

function withMetadata(patch: Record<string, unknown>): SerializedTask {
  const t = createTask('valid', { ok: true });
  return { ...t, metadata: { ...t.metadata, ...patch } };
}
const tooBig = new Uint8Array(16 * 1024 * 1024);
const badTask = fc.oneof(
  pick([undefined, null, 1, 'task', [], {}, { metadata: null, payload: new Uint8Array() }]),
  fc
    .constantFrom<Record<string, unknown>>(
      { id: 'nope' },
      { id: undefined },
      { name: 'name ' },
      { name: '\uD800' },
      { priority: 1.5 },
      { maxRetries: -1 },
      { timeoutMs: 0 },
      { contentType: 'text/plain' },
      { contentEncoding: 'gzip' },
      { retryPolicy: 'abc' },
      { retryPolicy: { kind: 'fixed', delayMs: -1 } },
      { custom: [] },
      { custom: { n: 1n } },
      { custom: cyclic },
      { custom: { deep: nested(40) } },
      { custom: { group_id: 'g'.repeat(256) } },
      { custom: { group_id: 'g ' } },
      { custom: { dedup_key: 7 } },
      { custom: { parent_task_id: 'not-a-uuid' } },
      { custom: { parent_task_id: 'ABCDEF00-0000-7000-8000-000000000000' } },
      { custom: { traceparent: 'garbage' } },
    )
    .map(withMetadata),
  pick([
    { ...createTask('p', 1), payload: 'not bytes' },
    { ...createTask('p', 1), payload: tooBig },
  ]),
);
const badTasks = fc.oneof(
  badList,
  badTask.map((t) => [createTask('ok', 1), t]),
);

// ------------------------------------------------------------------ the calls

type Call = [label: string, arb: fc.Arbitrary<unknown>, call: (bad: never) => unknown];

const t = () => createTask('valid', 1);
const r = () => ids.receipt;
const p = () => ids.processing;

const FACETS: Record<string, Call[]> = {
  'queue ops': [
    ['enqueue(task)', badTask, (x) => b.enqueue(x)],
    ['enqueue(task, options)', badOptions({ transaction: pick(['trx', 1, {}]) }), (x) => b.enqueue(t(), x)],
    ['enqueueAt(task, when)', badTime, (x) => b.enqueueAt(t(), x)],
    ['enqueueAfter(task, delayMs)', badNumber, (x) => b.enqueueAfter(t(), x)],
    ['enqueueBatch(tasks)', badTasks, (x) => b.enqueueBatch(x)],
    ['dequeue(options)', badOptions({ workerId: badString, leaseMs: badNumber }), (x) => b.dequeue(x)],
    ['dequeueBatch(count)', badNumber, (x) => b.dequeueBatch(x)],
    ['dequeueWithWorkerId(workerId)', badString, (x) => b.dequeueWithWorkerId(x)],
    ['ack(taskId, receipt)', badId, (x) => b.ack(x, r())],
    ['ack(taskId, receipt)', badId, (x) => b.ack(p(), x)],
    [
      'ackBatch(items)',
      fc.oneof(
        badList,
        badObject.map((item) => [item]),
      ),
      (x) => b.ackBatch(x),
    ],
    ['reject(taskId, receipt)', badId, (x) => b.reject(x, r())],
    [
      'reject(.., options)',
      badOptions({
        requeue: pick(['yes', 1, null]),
        error: pick([1, {}, null]),
        delayMs: badNumber,
        storeResult: pick(['yes', 1]),
      }),
      (x) => b.reject(p(), r(), x),
    ],
    [
      'rejectBatch(items)',
      fc.oneof(
        badList,
        badObject.map((item) => [item]),
      ),
      (x) => b.rejectBatch(x),
    ],
    ['extendLease(.., leaseMs)', badNumber, (x) => b.extendLease(p(), r(), x)],
    ['release(taskId, receipt)', badId, (x) => b.release(p(), x)],
    [
      'updateProgress(taskId, percent)',
      fc.oneof(
        badNumber.filter((v) => v !== 1.5),
        pick([101, -0.5]),
      ),
      (x) => b.updateProgress(p(), x),
    ],
    [
      'updateProgress(.., step)',
      badString.filter((v) => v !== undefined),
      (x) => b.updateProgress(p(), 5, x),
    ],
    ['cancel(taskId)', badId, (x) => b.cancel(x)],
    [
      'cancelBatch(taskIds)',
      fc.oneof(
        badList,
        badId.map((id) => [id]),
      ),
      (x) => b.cancelBatch(x),
    ],
    ['recoverStuckTasks(olderThanMs)', badNumber, (x) => b.maintenance.recoverStuckTasks(x)],
    ['registerWorker(registration)', badOptions({ workerId: badString }), (x) => b.registerWorker(x)],
    ['workerHeartbeat(workerId)', badString, (x) => b.workerHeartbeat(x, 'active', 0)],
    ['deregisterWorker(workerId)', badString, (x) => b.deregisterWorker(x)],
    ['enqueueWithRetryPolicy(.., policy)', badJsonObject, (x) => b.retries.enqueueWithRetryPolicy(t(), x)],
    ['enqueueDeduplicated(.., key)', badString, (x) => b.idempotency.enqueueDeduplicated(t(), x)],
    [
      'enqueueDeduplicatedWindow(.., windowMs)',
      badNumber,
      (x) => b.idempotency.enqueueDeduplicatedWindow(t(), 'k', x),
    ],
    ['enqueueWithParentTrace(parentId)', badId, (x) => b.tracing.enqueueWithParentTrace(x, t())],
    ['enqueueWithTraceContext(.., context)', badObject, (x) => b.tracing.enqueueWithTraceContext(t(), x)],
    ['extractTraceContext(taskId)', badId, (x) => b.tracing.extractTraceContext(x)],
    ['enqueueChain(chain)', badObject, (x) => b.groups.enqueueChain(x)],
    ['cancelCascade(taskId)', badId, (x) => b.groups.cancelCascade(x)],
    ['hasCapacity(maxSize)', badNumber, (x) => b.capacity.hasCapacity(x)],
    ['enqueueWithCapacity(.., maxSize)', badNumber, (x) => b.capacity.enqueueWithCapacity(t(), x)],
    ['checkRateLimit(taskName)', badString, (x) => b.capacity.checkRateLimit(x, 10)],
    [
      'generateLoad(options)',
      badOptions({ count: badNumber, taskName: badString }),
      (x) => b.transfer.generateLoad(x),
    ],
  ],
  tasks: [
    ['get(taskId)', badId, (x) => b.tasks.get(x)],
    [
      'list(options)',
      badOptions({ state: badString, limit: badNumber, offset: badNumber }),
      (x) => b.tasks.list(x),
    ],
    ['countByState(state)', badString, (x) => b.tasks.countByState(x)],
    ['listProcessing(options)', badOptions({ limit: badNumber }), (x) => b.tasks.listProcessing(x)],
    ['byWorker(workerId)', badString, (x) => b.tasks.byWorker(x)],
    ['listScheduled(options)', badOptions({ offset: badNumber }), (x) => b.tasks.listScheduled(x)],
    ['updateErrorMessage(taskId)', badId, (x) => b.tasks.updateErrorMessage(x, 'e')],
    [
      'updateErrorMessage(.., message)',
      pick([1, {}, 'x'.repeat(70_000), 'bad \uD800']),
      (x) => b.tasks.updateErrorMessage(ids.pending, x),
    ],
    ['setWorkerId(.., workerId)', badString, (x) => b.tasks.setWorkerId(ids.pending, x)],
    ['queryByMetadata(path)', badString, (x) => b.tasks.queryByMetadata(x, 'v')],
    [
      'queryByMetadata(.., value)',
      pick([null, {}, [], Number.NaN, 1n]),
      (x) => b.tasks.queryByMetadata('$.a', x),
    ],
    ['updateMetadata(.., value)', badJson, (x) => b.tasks.updateMetadata(ids.pending, '$.a', x)],
    [
      'updateMetadata(.., $.group_id)',
      pick(['g ', 'g'.repeat(256), 5]),
      (x) => b.tasks.updateMetadata(ids.pending, '$.group_id', x),
    ],
    [
      'updateMetadata(.., $.parent_task_id)',
      badId.filter((v) => v !== null),
      (x) => b.tasks.updateMetadata(ids.pending, '$.parent_task_id', x),
    ],
    ['searchByDateRange(search)', badOptions({ from: badTime }), (x) => b.tasks.searchByDateRange(x)],
    ['getProgress(taskId)', badId, (x) => b.tasks.getProgress(x)],
    [
      'updateBatchState(.., state)',
      pick(['processing', 'x', null, 1]),
      (x) => b.tasks.updateBatchState([ids.pending], x),
    ],
  ],
  dlq: [
    ['list(options)', badOptions({ limit: badNumber, offset: badNumber }), (x) => b.dlq.list(x)],
    ['get(dlqId)', badId, (x) => b.dlq.get(x)],
    ['requeue(dlqId)', badId, (x) => b.dlq.requeue(x)],
    ['purge(dlqId)', badId, (x) => b.dlq.purge(x)],
  ],
  results: [
    ['store(taskId)', badId, (x) => b.results.store(x, { taskName: 'n', status: 'SUCCESS' })],
    [
      'store(.., input)',
      fc.oneof(
        badObject,
        pick([
          { taskName: 'n', status: 'DONE' },
          { taskName: 'n ', status: 'SUCCESS' },
          { taskName: 'n', status: 'SUCCESS', runtimeMs: -1 },
          { taskName: 'n', status: 'SUCCESS', error: 5 },
          { taskName: 'n', status: 'SUCCESS', traceback: 'x'.repeat(70_000) },
        ]),
        badJson.map((result) => ({ taskName: 'n', status: 'SUCCESS', result })),
      ),
      (x) => b.results.store(ids.pending, x),
    ],
    [
      'storeBatch(results)',
      fc.oneof(
        badList,
        badId.map((taskId) => [{ taskId, taskName: 'n', status: 'SUCCESS' }]),
      ),
      (x) => b.results.storeBatch(x),
    ],
    ['get(taskId)', badId, (x) => b.results.get(x)],
    [
      'getBatch(taskIds)',
      fc.oneof(
        badList,
        badId.map((id) => [id]),
      ),
      (x) => b.results.getBatch(x),
    ],
    ['delete(taskId)', badId, (x) => b.results.delete(x)],
    ['archive(options)', badOptions({ olderThanMs: badNumber }), (x) => b.results.archive(x)],
  ],
  workers: [
    ['register(workerId)', badString, (x) => b.workers.register(x)],
    ['register(.., status)', badString.filter((v) => v !== undefined), (x) => b.workers.register('w', x)],
    [
      'register(.., capabilities)',
      badJsonObject.filter((v) => v !== undefined),
      (x) => b.workers.register('w', 'active', x),
    ],
    ['heartbeat(workerId)', badString, (x) => b.workers.heartbeat(x, 'active')],
    ['heartbeat(.., taskCount)', badNumber, (x) => b.workers.heartbeat('w', 'active', x)],
    ['deregister(workerId)', badString, (x) => b.workers.deregister(x)],
    ['heartbeats(options)', badOptions({ staleAfterMs: badNumber }), (x) => b.workers.heartbeats(x)],
    ['statistics(workerId)', badString, (x) => b.workers.statistics(x)],
    ['requeueStuckTasks(workerId)', badString, (x) => b.workers.requeueStuckTasks(x)],
  ],
  groups: [
    ['enqueue(groupId)', badString, (x) => b.groups.enqueue(x, [t()])],
    ['enqueue(.., tasks)', badTasks, (x) => b.groups.enqueue('g', x)],
    [
      'enqueue(.., options)',
      badOptions({ metadata: badJsonObject.filter((v) => v !== null) }),
      (x) => b.groups.enqueue('g', [t()], x),
    ],
    ['status(groupId)', badString, (x) => b.groups.status(x)],
    ['enqueueChain(chain)', badObject, (x) => b.groups.enqueueChain(x)],
    [
      'enqueueChain(.., options)',
      badOptions({ groupId: badString.filter((v) => v !== undefined) }),
      (x) => b.groups.enqueueChain(TaskChain.new().then(t()), x),
    ],
    ['cancelCascade(taskId)', badId, (x) => b.groups.cancelCascade(x)],
  ],
  idempotency: [
    ['enqueue(task)', badTask, (x) => b.idempotency.enqueue(x, 'k')],
    ['enqueue(.., key)', badString, (x) => b.idempotency.enqueue(t(), x)],
    [
      'enqueue(.., options)',
      badOptions({ ttlMs: badNumber, metadata: badJsonObject.filter((v) => v !== null) }),
      (x) => b.idempotency.enqueue(t(), 'k', x),
    ],
    ['get(key)', badString, (x) => b.idempotency.get(x, 'valid')],
    ['get(.., taskName)', badString, (x) => b.idempotency.get('k', x)],
  ],
  schedules: [
    [
      'register(options)',
      fc.oneof(
        badObject,
        fc
          .constantFrom<Record<string, unknown>>(
            { name: 'nightly ' },
            { name: '\uD800' },
            { taskName: '' },
            { schedule: { kind: 'every', minutes: -1 } },
            { schedule: 'daily' },
            { timezone: 'Mars/Olympus_Mons' },
            { priority: 1.5 },
            { maxRetries: -1 },
            { metadata: [1] },
            { metadata: { n: 1n } },
            { metadata: { deep: nested(40) } },
            { payload: 1n },
            { enabled: 'yes' },
          )
          .map((patch) => ({
            name: 'nightly',
            taskName: 'job',
            payload: 1,
            schedule: { kind: 'every', minutes: 5 },
            ...patch,
          })),
      ),
      (x) => b.schedules.register(x),
    ],
    ['get(id)', badId, (x) => b.schedules.get(x)],
    ['delete(id)', badId, (x) => b.schedules.delete(x)],
    ['setEnabled(id)', badId, (x) => b.schedules.setEnabled(x, true)],
    [
      'setEnabled(.., enabled)',
      pick([undefined, null, 'yes', 1, {}]),
      (x) => b.schedules.setEnabled(ids.schedule, x),
    ],
  ],
  maintenance: [
    [
      'archiveCompleted(options)',
      badOptions({ olderThanMs: badNumber }),
      (x) => b.maintenance.archiveCompleted(x),
    ],
    ['purgeByState(state)', badString, (x) => b.maintenance.purgeByState(x)],
    ['purgeByTaskName(taskName)', badString, (x) => b.maintenance.purgeByTaskName(x)],
    [
      'deleteByCriteria(criteria)',
      badOptions({ olderThanMs: badNumber, state: pick(['x', 1]) }),
      (x) => b.maintenance.deleteByCriteria(x),
    ],
    ['expirePending(options)', badOptions({ ttlMs: badNumber }), (x) => b.maintenance.expirePending(x)],
    [
      'applyPriorityAging(options)',
      badOptions({ ageThresholdMs: badNumber }),
      (x) => b.maintenance.applyPriorityAging(x),
    ],
    [
      'applyDlqRetention(options)',
      badOptions({ retentionMs: badNumber }),
      (x) => b.maintenance.applyDlqRetention(x),
    ],
    ['replayDlqBatch(options)', badOptions({ limit: badNumber }), (x) => b.maintenance.replayDlqBatch(x)],
    ['warmupPool(count)', badNumber, (x) => b.maintenance.warmupPool(x)],
    ['recoverStuckTasks(olderThanMs)', badNumber, (x) => b.maintenance.recoverStuckTasks(x)],
  ],
  transfer: [
    [
      'exportTasks(options)',
      badOptions({ state: pick(['x', 1]), limit: badNumber }),
      (x) => b.transfer.exportTasks(x),
    ],
    ['exportDlq(options)', badOptions({ limit: badNumber }), (x) => b.transfer.exportDlq(x)],
    [
      'importTasks(json)',
      fc.oneof(
        badObject,
        pick(['', 'not json', '{}', '[1]', '{"tasks":[{"id":"x"}]}', '{"tasks":5}', `${'['.repeat(20_000)}`]),
      ),
      (x) => b.transfer.importTasks(x),
    ],
    [
      'importTasks(.., options)',
      badOptions({ skipExisting: pick(['yes', 1]) }),
      (x) => b.transfer.importTasks('[]', x),
    ],
  ],
};

// ------------------------------------------------------------------ the property

/** CHECKSUM TABLE of every celers table (row contents, not just counts), on MySQL and MariaDB alike. */
async function checksum(): Promise<string> {
  const r = await sql<{ Table: string; Checksum: string | number | null }>`CHECKSUM TABLE ${sql.join(
    CELERS_TABLES.map((t) => sql.table(t)),
  )}`.execute(b.database);
  return r.rows.map((row) => `${row.Table}=${row.Checksum}`).join(',');
}

/** A short description of a hostile value (cyclic, BigInt, 16 MiB buffers) for failure messages. */
function show(value: unknown): string {
  return inspect(value, { depth: 3, maxArrayLength: 4, maxStringLength: 40, breakLength: Infinity });
}

async function expectRejectedWithCelersError(
  method: string,
  bad: unknown,
  call: () => unknown,
): Promise<void> {
  const label = `${method} with ${show(bad)}`;
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    throw new Error(`${label} threw synchronously: ${String(error)}`);
  }
  expect(returned, `${label} must return a promise`).toBeInstanceOf(Promise);
  const outcome = await (returned as Promise<unknown>).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`${label} resolved instead of rejecting`);
  const error = outcome.error;
  if (!CelersError.isInstance(error)) {
    throw new Error(`${label} rejected with a foreign ${(error as Error)?.name}: ${String(error)}`);
  }
  expect(KNOWN_CODES.has(error.code), `${label}: code ${error.code}`).toBe(true);
  if (error.code === 'INVALID_ARGUMENT') expect(error.argument, `${label} names its argument`).toBeTruthy();
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  b = await MysqlBroker.connect({ url: tdb.url, queue: 'hostile', migrate: true });
  b.on('error', () => undefined);
  ids.pending = await b.enqueue(createTask('pending', 1));
  await b.enqueue(createTask('doomed', 1, { priority: 10, maxRetries: 0 }));
  const doomed = await b.dequeue();
  const outcome = await b.reject(doomed!.task.metadata.id, doomed!.receiptHandle, { error: 'x' });
  if (outcome.outcome === 'dead-lettered') ids.dlq = outcome.dlqId;
  await b.enqueue(createTask('running', 1, { priority: 5 }));
  const claimed = await b.dequeue({ workerId: 'w' });
  ids.processing = claimed!.task.metadata.id;
  ids.receipt = claimed!.receiptHandle;
  await b.results.store(ids.pending, { taskName: 'pending', status: 'PENDING' });
  await b.workers.register('w', 'active', { v: 1 });
  ids.schedule = await b.schedules.register({
    name: 'nightly',
    taskName: 'job',
    payload: 1,
    schedule: { kind: 'every', minutes: 5 },
  });
});
afterAll(async () => {
  await b?.close();
  await tdb?.drop();
});

describe('bad input to every facet of MysqlBroker', () => {
  it.each(Object.entries(FACETS))(
    '%s: any bad argument is a rejected promise with a CelersError, and no row changes',
    async (_facet, calls) => {
      const before = await checksum();
      const cases = fc.oneof(...calls.map(([label, arb, call]) => arb.map((bad) => ({ label, bad, call }))));
      await fc.assert(
        fc.asyncProperty(cases, async ({ label, bad, call }) => {
          await expectRejectedWithCelersError(label, bad, () => call(bad as never));
          const after = await checksum();
          if (after !== before) throw new Error(`${label} with ${show(bad)} changed a row`);
        }),
        { numRuns: NUM_RUNS * Math.max(1, Math.ceil(calls.length / 10)), endOnFailure: true },
      );
    },
  );
});
