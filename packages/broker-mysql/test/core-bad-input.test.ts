import { CelersError, createTask, type SerializedTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import fc from 'fast-check';
import { validate as isUuid } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { tableCounts, tasksFingerprint } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let broker: MysqlBroker;
let other: MysqlBroker;
/** Ids of existing rows, so bad-argument calls name real tasks where the other arguments are valid. */
let pendingId: string;
let processing: { id: string; receipt: string };
let operations = 0;

const UUID = '0190a0b0-0000-7000-8000-000000000123';

function withMetadata(patch: Record<string, unknown>): SerializedTask {
  const t = createTask('valid', { ok: true });
  return { ...t, metadata: { ...t.metadata, ...patch } };
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'bad-input', migrate: true });
  other = await broker.forQueue('bad-input-other');
  pendingId = await broker.enqueue(createTask('pending', 1));
  await broker.enqueue(createTask('will-process', 2, { priority: 100 }));
  await broker.enqueue(createTask('will-fail', 3, { priority: 99, maxRetries: 0 }));
  const failing = await broker.dequeue();
  await broker.reject(failing!.task.metadata.id, failing!.receiptHandle, { error: 'x' }); // a DLQ row exists
  const claimed = await broker.dequeue();
  processing = { id: claimed!.task.metadata.id, receipt: claimed!.receiptHandle };
  await broker.results.store(pendingId, { taskName: 'pending', status: 'PENDING' });
  await broker.pause();
  await broker.resume();
  // Every database call of a broker emits an `operation:finished` event: bad input must emit none.
  for (const b of [broker, other]) b.on('operation:finished', () => operations++);
});
afterAll(async () => {
  await other?.close();
  await broker?.close();
  await tdb?.drop();
});

async function expectInvalid(
  call: () => Promise<unknown>,
  argument: string,
  code = 'INVALID_ARGUMENT',
): Promise<void> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  expect(
    CelersError.isInstance(caught),
    `expected a CelersError for ${argument}, got ${String(caught)}`,
  ).toBe(true);
  expect(caught).toMatchObject({ code, argument });
}

type Case = [label: string, call: () => Promise<unknown>, argument: string, code?: string];

const bigPayload = () => new Uint8Array(16 * 1024 * 1024 + 10);

const cases: Case[] = [
  // enqueue & friends
  ['enqueue(null)', () => broker.enqueue(null as never), 'task'],
  ['enqueue without metadata', () => broker.enqueue({ payload: new Uint8Array() } as never), 'task.metadata'],
  ['enqueue with empty name', () => broker.enqueue(withMetadata({ name: '' })), 'task.metadata.name'],
  ['enqueue with blank name', () => broker.enqueue(withMetadata({ name: '   ' })), 'task.metadata.name'],
  [
    'enqueue with 256-char name',
    () => broker.enqueue(withMetadata({ name: 'n'.repeat(256) })),
    'task.metadata.name',
  ],
  [
    'enqueue with control char in name',
    () => broker.enqueue(withMetadata({ name: 'a\u0000b' })),
    'task.metadata.name',
  ],
  [
    'enqueue with non-UUID id',
    () => broker.enqueue(withMetadata({ id: "1' OR '1'='1" })),
    'task.metadata.id',
  ],
  [
    'enqueue with NaN priority',
    () => broker.enqueue(withMetadata({ priority: Number.NaN })),
    'task.metadata.priority',
  ],
  [
    'enqueue with Infinity priority',
    () => broker.enqueue(withMetadata({ priority: Number.POSITIVE_INFINITY })),
    'task.metadata.priority',
  ],
  [
    'enqueue with 1.5 priority',
    () => broker.enqueue(withMetadata({ priority: 1.5 })),
    'task.metadata.priority',
  ],
  [
    'enqueue with 2^31 priority',
    () => broker.enqueue(withMetadata({ priority: 2 ** 31 })),
    'task.metadata.priority',
  ],
  [
    'enqueue with -1 maxRetries',
    () => broker.enqueue(withMetadata({ maxRetries: -1 })),
    'task.metadata.maxRetries',
  ],
  [
    'enqueue with 0 timeoutMs',
    () => broker.enqueue(withMetadata({ timeoutMs: 0 })),
    'task.metadata.timeoutMs',
  ],
  [
    'enqueue with bad content type',
    () => broker.enqueue(withMetadata({ contentType: 'text/html' })),
    'task.metadata.contentType',
  ],
  [
    'enqueue with string payload',
    () => broker.enqueue({ ...createTask('x', 1), payload: 'abc' as never }),
    'task.payload',
  ],
  [
    'enqueue over 16 MiB',
    () => broker.enqueue({ ...createTask('x', 1), payload: bigPayload() }),
    'payload',
    'PAYLOAD_TOO_LARGE',
  ],
  ['enqueueAt with NaN', () => broker.enqueueAt(createTask('x', 1), Number.NaN), 'when'],
  ['enqueueAt with a string', () => broker.enqueueAt(createTask('x', 1), 'tomorrow' as never), 'when'],
  ['enqueueAt with an invalid Date', () => broker.enqueueAt(createTask('x', 1), new Date('nope')), 'when'],
  ['enqueueAt in year 10000', () => broker.enqueueAt(createTask('x', 1), Date.UTC(10_000, 0)), 'when'],
  ['enqueueAfter with -1', () => broker.enqueueAfter(createTask('x', 1), -1), 'delayMs'],
  ['enqueueAfter with 1.5', () => broker.enqueueAfter(createTask('x', 1), 1.5), 'delayMs'],
  [
    'enqueueAfter with Infinity',
    () => broker.enqueueAfter(createTask('x', 1), Number.POSITIVE_INFINITY),
    'delayMs',
  ],
  ['enqueueBatch(not an array)', () => broker.enqueueBatch('x' as never), 'tasks'],
  [
    'enqueueBatch with one bad task',
    () => broker.enqueueBatch([createTask('a', 1), withMetadata({ name: '' })]),
    'tasks[1].metadata.name',
  ],
  [
    'enqueueBatch with a duplicate id',
    () => {
      const t = createTask('a', 1);
      return broker.enqueueBatch([t, t]);
    },
    'tasks[1].metadata.id',
  ],
  [
    'enqueueBatch with one huge payload',
    () => broker.enqueueBatch([createTask('a', 1), { ...createTask('b', 1), payload: bigPayload() }]),
    'payload',
    'PAYLOAD_TOO_LARGE',
  ],
  // consuming
  ['dequeue with leaseMs 0', () => broker.dequeue({ leaseMs: 0 }), 'options.leaseMs'],
  ['dequeue with empty workerId', () => broker.dequeue({ workerId: '' }), 'options.workerId'],
  ['dequeue with string options', () => broker.dequeue('x' as never), 'options'],
  ['dequeueWithWorkerId(blank)', () => broker.dequeueWithWorkerId(' '), 'options.workerId'],
  ['dequeueBatch(0)', () => broker.dequeueBatch(0), 'count'],
  ['dequeueBatch(1001)', () => broker.dequeueBatch(1001), 'count'],
  ['dequeueBatch(2.5)', () => broker.dequeueBatch(2.5), 'count'],
  ['dequeueBatch(NaN)', () => broker.dequeueBatch(Number.NaN), 'count'],
  ['ack with a bad id', () => broker.ack('not-a-uuid', processing.receipt), 'taskId'],
  [
    'ack with a bad receipt',
    () => broker.ack(processing.id, "'; DELETE FROM celers_tasks; --"),
    'receiptHandle',
  ],
  ['ackBatch(not an array)', () => broker.ackBatch({} as never), 'items'],
  [
    'ackBatch with a bad id',
    () => broker.ackBatch([{ taskId: 'x', receiptHandle: processing.receipt }]),
    'items[0].taskId',
  ],
  [
    'ackBatch with a bad result status',
    () =>
      broker.ackBatch([
        { taskId: processing.id, receiptHandle: processing.receipt, result: { status: 'OK' as never } },
      ]),
    'items[0].result.status',
  ],
  [
    'ackBatch with a BigInt result',
    () =>
      broker.ackBatch([{ taskId: processing.id, receiptHandle: processing.receipt, result: { result: 1n } }]),
    'items[0].result.result',
  ],
  [
    'ackBatchWithResults with negative runtime',
    () =>
      broker.ackBatchWithResults([
        { taskId: processing.id, receiptHandle: processing.receipt, result: { runtimeMs: -5 } },
      ]),
    'items[0].result.runtimeMs',
  ],
  ['reject with a bad id', () => broker.reject('x', processing.receipt), 'taskId'],
  [
    'reject with negative delay',
    () => broker.reject(processing.id, processing.receipt, { delayMs: -1 }),
    'options.delayMs',
  ],
  [
    'reject with a numeric error',
    () => broker.reject(processing.id, processing.receipt, { error: 5 as never }),
    'options.error',
  ],
  [
    'reject with a string requeue',
    () => broker.reject(processing.id, processing.receipt, { requeue: 'no' as never }),
    'options.requeue',
  ],
  ['rejectBatch(not an array)', () => broker.rejectBatch(null as never), 'items'],
  [
    'rejectBatch with a bad receipt',
    () => broker.rejectBatch([{ taskId: processing.id, receiptHandle: 'r' }]),
    'items[0].receiptHandle',
  ],
  ['extendLease with 0', () => broker.extendLease(processing.id, processing.receipt, 0), 'leaseMs'],
  ['extendLease with a bad receipt', () => broker.extendLease(processing.id, 'x', 1000), 'receiptHandle'],
  ['release with a bad id', () => broker.release('x', processing.receipt), 'taskId'],
  ['updateProgress 101', () => broker.updateProgress(pendingId, 101), 'percent'],
  ['updateProgress -1', () => broker.updateProgress(pendingId, -1), 'percent'],
  ['updateProgress NaN', () => broker.updateProgress(pendingId, Number.NaN), 'percent'],
  ['updateProgress empty step', () => broker.updateProgress(pendingId, 5, ''), 'step'],
  // control
  ['cancel with a bad id', () => broker.cancel('DROP TABLE celers_tasks'), 'taskId'],
  ['cancelBatch(not an array)', () => broker.cancelBatch('x' as never), 'taskIds'],
  ['cancelBatch with one bad id', () => broker.cancelBatch([pendingId, 'x']), 'taskIds[1]'],
  ['recoverStuckTasks(-1)', () => broker.maintenance.recoverStuckTasks(-1), 'olderThanMs'],
  ['recoverStuckTasks(NaN)', () => broker.maintenance.recoverStuckTasks(Number.NaN), 'olderThanMs'],
  [
    'forQueue with SQL in the name',
    () => broker.forQueue("q'; DROP TABLE celers_tasks; --"),
    'options.queue',
  ],
  ['connect with no url or database', () => MysqlBroker.connect({}), 'options'],
  // broker.tasks
  ['tasks.get(bad id)', () => broker.tasks.get('123'), 'taskId'],
  ['tasks.list limit 0', () => broker.tasks.list({ limit: 0 }), 'options.limit'],
  ['tasks.list limit 10001', () => broker.tasks.list({ limit: 10_001 }), 'options.limit'],
  ['tasks.list offset -1', () => broker.tasks.list({ offset: -1 }), 'options.offset'],
  ['tasks.list offset 0.5', () => broker.tasks.list({ offset: 0.5 }), 'options.offset'],
  ['tasks.list unknown state', () => broker.tasks.list({ state: 'done' as never }), 'options.state'],
  ['tasks.list(array)', () => broker.tasks.list([] as never), 'options'],
  ['tasks.countByState unknown', () => broker.tasks.countByState("pending' OR 1=1" as never), 'state'],
  [
    'tasks.listProcessing limit NaN',
    () => broker.tasks.listProcessing({ limit: Number.NaN }),
    'options.limit',
  ],
  ['tasks.byWorker(empty)', () => broker.tasks.byWorker(''), 'workerId'],
  ['tasks.byWorker bad state', () => broker.tasks.byWorker('w', { state: 'x' as never }), 'options.state'],
  ['tasks.listScheduled limit -1', () => broker.tasks.listScheduled({ limit: -1 }), 'options.limit'],
  [
    'tasks.updateErrorMessage(number)',
    () => broker.tasks.updateErrorMessage(pendingId, 5 as never),
    'message',
  ],
  [
    'tasks.updateErrorMessage(too long)',
    () => broker.tasks.updateErrorMessage(pendingId, '€'.repeat(30_000)),
    'message',
  ],
  ['tasks.updateErrorMessage(bad id)', () => broker.tasks.updateErrorMessage('x', 'm'), 'taskId'],
  ['tasks.setWorkerId(empty worker)', () => broker.tasks.setWorkerId(processing.id, ''), 'workerId'],
  ['tasks.setWorkerId(bad id)', () => broker.tasks.setWorkerId('x', 'w'), 'taskId'],
  // broker.dlq
  ['dlq.list limit 0', () => broker.dlq.list({ limit: 0 }), 'options.limit'],
  ['dlq.get(bad id)', () => broker.dlq.get('x'), 'dlqId'],
  ['dlq.requeue(bad id)', () => broker.dlq.requeue('x'), 'dlqId'],
  ['dlq.purge(bad id)', () => broker.dlq.purge('*'), 'dlqId'],
  // broker.results
  ['results.store(bad id)', () => broker.results.store('x', { taskName: 't', status: 'SUCCESS' }), 'taskId'],
  ['results.store(no input)', () => broker.results.store(UUID, undefined as never), 'input'],
  [
    'results.store(empty name)',
    () => broker.results.store(UUID, { taskName: '', status: 'SUCCESS' }),
    'input.taskName',
  ],
  [
    'results.store(lowercase status)',
    () => broker.results.store(UUID, { taskName: 't', status: 'success' as never }),
    'input.status',
  ],
  [
    'results.store(BigInt result)',
    () => broker.results.store(UUID, { taskName: 't', status: 'SUCCESS', result: 10n }),
    'input.result',
  ],
  [
    'results.store(negative runtime)',
    () => broker.results.store(UUID, { taskName: 't', status: 'SUCCESS', runtimeMs: -1 }),
    'input.runtimeMs',
  ],
  [
    'results.store(fractional runtime)',
    () => broker.results.store(UUID, { taskName: 't', status: 'SUCCESS', runtimeMs: 1.5 }),
    'input.runtimeMs',
  ],
  [
    'results.store(numeric error)',
    () => broker.results.store(UUID, { taskName: 't', status: 'FAILURE', error: 1 as never }),
    'input.error',
  ],
  [
    'results.store(huge traceback)',
    () => broker.results.store(UUID, { taskName: 't', status: 'FAILURE', traceback: 'x'.repeat(70_000) }),
    'input.traceback',
  ],
  ['results.storeBatch(not an array)', () => broker.results.storeBatch('x' as never), 'results'],
  [
    'results.storeBatch(bad id)',
    () => broker.results.storeBatch([{ taskId: 'x', taskName: 't', status: 'SUCCESS' }]),
    'results[0].taskId',
  ],
  [
    'results.storeBatch(duplicate)',
    () =>
      broker.results.storeBatch([
        { taskId: UUID, taskName: 't', status: 'SUCCESS' },
        { taskId: UUID, taskName: 't', status: 'SUCCESS' },
      ]),
    'results[1].taskId',
  ],
  ['results.get(bad id)', () => broker.results.get('x'), 'taskId'],
  ['results.getBatch(bad id)', () => broker.results.getBatch([UUID, 'x']), 'taskIds[1]'],
  ['results.delete(bad id)', () => broker.results.delete('x'), 'taskId'],
  ['results.archive()', () => broker.results.archive(undefined as never), 'options'],
  ['results.archive(-1)', () => broker.results.archive({ olderThanMs: -1 }), 'options.olderThanMs'],
  ['results.archive(NaN)', () => broker.results.archive({ olderThanMs: Number.NaN }), 'options.olderThanMs'],
  // broker.health
  ['health.isReady(timeout 0)', () => broker.health.isReady({ timeoutMs: 0 }), 'options.timeoutMs'],
  ['health.isReady(string)', () => broker.health.isReady('x' as never), 'options'],
];

describe('bad input is refused before any I/O and leaves every table unchanged', () => {
  it('(the `operation:finished` event this suite relies on does fire for a valid call)', async () => {
    const ops = operations;
    await broker.tasks.get(pendingId);
    expect(operations).toBe(ops + 1);
  });

  it.each(cases)('%s', async (_label, call, argument, code) => {
    const before = await tableCounts(broker.database);
    const fingerprint = await tasksFingerprint(broker.database);
    const ops = operations;
    await expectInvalid(call, argument, code);
    expect(operations).toBe(ops); // no database call was made
    expect(await tableCounts(broker.database)).toEqual(before);
    expect(await tasksFingerprint(broker.database)).toBe(fingerprint);
  });
});

describe('property-based bad input (fast-check)', () => {
  const notUuid = fc.string({ maxLength: 60 }).filter((s) => !isUuid(s));
  const badNumbers = fc.oneof(
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0.5, 2 ** 53),
    fc.integer({ max: -1 }),
    fc.double({ noInteger: true, noNaN: true }),
  );
  const badNames = fc.oneof(
    fc.constant(''),
    fc.stringMatching(/^\s+$/),
    fc.string({ minLength: 256, maxLength: 400 }),
    fc
      .tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0, max: 31 }), fc.string({ maxLength: 10 }))
      .map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`),
  );

  it('every id-taking method refuses any non-UUID string, naming the argument', async () => {
    const before = await tasksFingerprint(broker.database);
    const ops = operations;
    await fc.assert(
      fc.asyncProperty(notUuid, async (id) => {
        await expectInvalid(() => broker.ack(id, processing.receipt), 'taskId');
        await expectInvalid(() => broker.ack(processing.id, id), 'receiptHandle');
        await expectInvalid(() => broker.cancel(id), 'taskId');
        await expectInvalid(() => broker.updateProgress(id, 1), 'taskId');
        await expectInvalid(() => broker.tasks.get(id), 'taskId');
        await expectInvalid(() => broker.dlq.requeue(id), 'dlqId');
        await expectInvalid(() => broker.results.delete(id), 'taskId');
      }),
      { numRuns: 60 },
    );
    expect(operations).toBe(ops);
    expect(await tasksFingerprint(broker.database)).toBe(before);
  });

  it('names that are empty, blank, too long or carry control characters are refused', async () => {
    const ops = operations;
    await fc.assert(
      fc.asyncProperty(badNames, async (name) => {
        await expectInvalid(() => broker.enqueue(withMetadata({ name })), 'task.metadata.name');
        await expectInvalid(() => broker.tasks.byWorker(name), 'workerId');
        await expectInvalid(() => broker.dequeue({ workerId: name }), 'options.workerId');
        await expectInvalid(
          () => broker.results.store(UUID, { taskName: name, status: 'SUCCESS' }),
          'input.taskName',
        );
      }),
      { numRuns: 60 },
    );
    expect(operations).toBe(ops);
  });

  it('NaN, Infinity, negative and fractional numbers are refused for limits, priorities and counts', async () => {
    const ops = operations;
    await fc.assert(
      fc.asyncProperty(badNumbers, async (value) => {
        await expectInvalid(() => broker.tasks.list({ limit: value }), 'options.limit');
        await expectInvalid(() => broker.dlq.list({ offset: value }), 'options.offset');
        await expectInvalid(() => broker.dequeueBatch(value), 'count');
        await expectInvalid(() => broker.enqueueAfter(createTask('x', 1), value), 'delayMs');
        if (!Number.isInteger(value) || Math.abs(value) > 2 ** 31) {
          await expectInvalid(
            () => broker.enqueue(withMetadata({ priority: value })),
            'task.metadata.priority',
          );
        }
      }),
      { numRuns: 80 },
    );
    expect(operations).toBe(ops);
  });

  it('valid names full of quotes and SQL fragments are stored verbatim (parameters, never concatenation)', async () => {
    const sqlish = fc.oneof(
      fc.constantFrom(
        "'; DROP TABLE celers_tasks; --",
        '" OR "1"="1',
        '\\',
        "\\'",
        '`celers_tasks`',
        '%_',
        'Ω≈ç√ 🚀',
        '/* x */',
      ),
      fc.string({ minLength: 1, maxLength: 80 }).filter(
        (s) =>
          // Names may not start or end with whitespace (issue 14: PAD SPACE collations equate "a" and "a ").
          s.trim() === s &&
          s.length > 0 &&
          [...s].every((ch) => ch.charCodeAt(0) > 31 && ch.charCodeAt(0) !== 127),
      ),
    );
    await fc.assert(
      fc.asyncProperty(sqlish, async (name) => {
        const id = await other.enqueue(createTask(name, { name }));
        const info = await other.tasks.get(id);
        expect(info?.taskName).toBe(name);
        await other.tasks.updateErrorMessage(id, name);
        expect((await other.tasks.get(id))?.errorMessage).toBe(name);
      }),
      { numRuns: 40 },
    );
    expect(await other.tasks.countByState('pending')).toBeGreaterThanOrEqual(40);
    expect((await broker.tasks.statistics()).total).toBe(3); // the other queue's table rows are untouched
  });
});
