// Issue 14 item 8: importTasks validates every field like enqueue does and writes nothing for a bad file.
import { CelersError, createTask } from '@celers/core';
import { RetryPolicies } from '@celers/resilience';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';
import { tableCounts } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let source: MysqlBroker;
let target: MysqlBroker;
/** A valid exported record to corrupt field by field. */
let record: Record<string, unknown>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  source = await MysqlBroker.connect({ url: tdb.url, queue: 'import-src', migrate: true });
  target = await source.forQueue('import-dst');
  await source.enqueue(createTask('rec', { a: 1 }, { retryPolicy: RetryPolicies.fixed(1_000) }));
  record = JSON.parse(await source.transfer.exportTasks()).tasks[0];
  await source.maintenance.purgeAllTasks();
});
afterAll(async () => {
  await target?.close();
  await source?.close();
  await tdb?.drop();
});

function fileWith(patch: Record<string, unknown>, id = createTask('x', 1).metadata.id): string {
  // A valid record first, so a rejection proves the whole file is refused, not just the bad row.
  const good = { ...record, id: createTask('x', 1).metadata.id };
  return JSON.stringify({ tasks: [good, { ...record, id, ...patch }] });
}

const BAD_FIELDS: Array<[string, Record<string, unknown>]> = [
  ['retryPolicy', { retryPolicy: 'abc' }],
  ['retryPolicy.kind', { retryPolicy: { kind: 'forever' } }],
  ['retryPolicy.delayMs', { retryPolicy: { kind: 'fixed', delayMs: -1 } }],
  ['createdAt', { createdAt: 'yesterday' }],
  ['createdAt', { createdAt: '0001-01-01T00:00:00.000Z' }],
  ['scheduledAt', { scheduledAt: '+275760-09-13T00:00:00.000Z' }],
  ['scheduledAt', { scheduledAt: 1_700_000_000_000 }],
  ['startedAt', { state: 'completed', startedAt: 'not a time' }],
  ['errorMessage', { errorMessage: 'x'.repeat(65_536) }],
  ['errorMessage', { errorMessage: 'bad \uD800 text' }],
  ['errorMessage', { errorMessage: 42 }],
  ['state', { state: 'running' }],
  ['taskName', { taskName: 'name ' }],
  ['taskName', { taskName: 'a'.repeat(256) }],
  ['workerId', { state: 'completed', workerId: ' w' }],
  ['metadata', { metadata: [1] }],
  ['metadata.group_id', { metadata: { group_id: 'g'.repeat(256) } }],
  ['metadata.dedup_key', { metadata: { dedup_key: 'k ' } }],
  ['metadata.parent_task_id', { metadata: { parent_task_id: 'not-a-uuid' } }],
  ['metadata', { metadata: { deep: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) } }],
  ['payload', { payload: 'abc' }],
  ['progressStep', { progressStep: 'x'.repeat(256) }],
];

describe('importTasks validation', () => {
  it.each(BAD_FIELDS)(
    'rejects a bad %s with INVALID_ARGUMENT naming it, writing no row',
    async (field, patch) => {
      const before = await tableCounts(target.database);
      const error = await target.transfer.importTasks(fileWith(patch)).catch((e: unknown) => e);
      expect(CelersError.isInstance(error), String(error)).toBe(true);
      expect((error as CelersError).code).toBe('INVALID_ARGUMENT');
      expect((error as CelersError).argument).toBe(`json.tasks[1].${field}`);
      expect(await tableCounts(target.database)).toEqual(before);
    },
  );

  it('a processing task comes in as pending without its foreign claim, and can be claimed', async () => {
    const id = createTask('x', 1).metadata.id;
    const processing = {
      ...record,
      id,
      state: 'processing',
      retryCount: 2,
      startedAt: '2026-01-01T00:00:00.000Z',
      leaseExpiresAt: '2026-01-01T00:05:00.000Z',
      receiptHandle: '0190a0b0-0000-4000-8000-000000000001',
      workerId: 'gone-worker',
    };
    expect(await target.transfer.importTasks(JSON.stringify([processing]))).toBe(1);
    const info = await target.tasks.get(id);
    expect(info?.state).toBe('pending');
    expect(info?.workerId).toBeNull();
    const msg = await target.dequeue();
    expect(msg?.task.metadata.id).toBe(id);
    expect(msg?.retryCount).toBe(2);
    expect(msg?.task.metadata.retryPolicy).toEqual(RetryPolicies.fixed(1_000));
    await target.ack(id, msg!.receiptHandle);
  });

  it('a valid file still imports every record', async () => {
    const ids = [createTask('x', 1).metadata.id, createTask('x', 1).metadata.id];
    const json = JSON.stringify({ tasks: ids.map((id) => ({ ...record, id })) });
    expect(await target.transfer.importTasks(json)).toBe(2);
  });
});
