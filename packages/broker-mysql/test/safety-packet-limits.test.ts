import { CelersError, createTask, decodePayload } from '@celers/core';
import { valueLimitsFor } from '@celers/schema';
import { type PrivateServer, startPrivateServer } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

// On a server with max_allowed_packet = 1 MiB, values that would not fit one statement are refused with
// PAYLOAD_TOO_LARGE before any I/O (so no connection is dropped and the next call works), and values just
// under the advertised limit round-trip.

const PACKET = 1024 * 1024;
let server: PrivateServer;
let broker: MysqlBroker;

/** Statements the server has received so far (only this file talks to it). */
async function questions(): Promise<number> {
  const r = await sql<{ Value: string }>`SHOW GLOBAL STATUS LIKE 'Questions'`.execute(broker.database);
  return Number(r.rows[0]?.Value);
}

/** Runs `fn` and returns its error and how many statements it sent. */
async function statementsSentBy(fn: () => Promise<unknown>): Promise<{ error: unknown; sent: number }> {
  const before = await questions();
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  // The second SHOW counts itself once.
  return { error, sent: (await questions()) - before - 1 };
}

function bytes(n: number, fill = 0x61): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

beforeAll(async () => {
  server = await startPrivateServer({ args: ['--max-allowed-packet=1M'] });
  // keepCompleted: false, so no background archive runs while a test counts the statements a call sends.
  broker = await MysqlBroker.connect({
    url: server.url,
    queue: 'packets',
    migrate: true,
    keepCompleted: false,
  });
});
afterAll(async () => {
  await broker?.close();
  await server?.destroy();
});

describe('limits derived from max_allowed_packet', () => {
  it('exposes the effective limits', () => {
    expect(broker.limits).toEqual(valueLimitsFor(PACKET));
    expect(broker.limits.maxAllowedPacket).toBe(PACKET);
    expect(broker.limits.maxPayloadBytes).toBeLessThan(PACKET / 2);
  });

  it('a payload over the limit is PAYLOAD_TOO_LARGE before any I/O; the next call on the broker works', async () => {
    const task = createTask('big', bytes(broker.limits.maxPayloadBytes + 1));
    const { error, sent } = await statementsSentBy(() => broker.enqueue(task));
    expect(CelersError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      argument: 'task.payload',
      details: { limit: broker.limits.maxPayloadBytes },
    });
    expect(sent).toBe(0);
    expect(await broker.queueSize()).toBe(0);
    expect(await broker.health.isReady()).toBe(true);
  });

  it('a payload just under the limit round-trips', async () => {
    const payload = bytes(broker.limits.maxPayloadBytes - 64, 0x27); // quote bytes: the worst case for escaping
    const id = await broker.enqueue(createTask('just.under', payload));
    const msg = await broker.dequeue();
    expect(msg?.task.metadata.id).toBe(id);
    // Buffer.equals: a deep toEqual over half a megabyte of elements takes seconds.
    expect(Buffer.from(decodePayload<Uint8Array>(msg!.task)).equals(payload)).toBe(true);
    await broker.ack(id, msg!.receiptHandle);
  });

  it('payload and metadata together over the limit name task.metadata.custom', async () => {
    const half = Math.floor(broker.limits.maxPayloadBytes / 2);
    const task = createTask('meta', bytes(half), { metadata: { blob: 'x'.repeat(half) } });
    const { error, sent } = await statementsSentBy(() => broker.enqueue(task));
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', argument: 'task.metadata.custom' });
    expect(sent).toBe(0);
  });

  it('a batch whose tasks fit one by one but not in one statement lands whole, in several INSERTs', async () => {
    const size = Math.floor(broker.limits.maxPayloadBytes * 0.6);
    const tasks = Array.from({ length: 5 }, (_, i) => createTask('batch', bytes(size, 0x30 + i)));
    const ids = await broker.enqueueBatch(tasks);
    expect(ids).toHaveLength(5);
    expect(await broker.queueSize()).toBe(5);
    const msgs = await broker.dequeueBatch(5);
    expect(msgs.map((m) => (decodePayload(m.task) as Uint8Array)[0])).toEqual([0x30, 0x31, 0x32, 0x33, 0x34]);
    await broker.ackBatch(msgs.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })));
  });

  it('a batch with one task over the limit is refused whole before any I/O, naming that task', async () => {
    const tasks = [createTask('ok', 1), createTask('big', bytes(broker.limits.maxPayloadBytes + 1))];
    const { error, sent } = await statementsSentBy(() => broker.enqueueBatch(tasks));
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', argument: 'tasks[1].payload' });
    expect(sent).toBe(0);
    expect(await broker.queueSize()).toBe(0);
  });

  it('a result over the JSON limit is refused before any I/O; the task stays claimed', async () => {
    const id = await broker.enqueue(createTask('with.result', 1));
    const msg = await broker.dequeue();
    const result = { status: 'SUCCESS' as const, result: { blob: 'r'.repeat(broker.limits.maxJsonBytes) } };
    const { error, sent } = await statementsSentBy(() =>
      broker.ackBatchWithResults([{ taskId: id, receiptHandle: msg!.receiptHandle, result }]),
    );
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', argument: 'items[0].result.result' });
    expect(sent).toBe(0);
    const stored = await broker.results.store(id, { taskName: 'with.result', ...result }).catch((e) => e);
    expect(stored).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', argument: 'input.result' });
    expect((await broker.tasks.get(id))?.state).toBe('processing');
    const fits = { blob: 'r'.repeat(broker.limits.maxJsonBytes - 64) };
    await broker.ackBatchWithResults([
      { taskId: id, receiptHandle: msg!.receiptHandle, result: { status: 'SUCCESS', result: fits } },
    ]);
    expect((await broker.results.get(id))?.result).toEqual(fits);
  });

  it('metadata updates, schedules and imports are checked too, before any I/O', async () => {
    const id = await broker.enqueue(createTask('meta.target', 1));
    const over = 'x'.repeat(broker.limits.maxJsonBytes + 1);
    const refusals = [
      [() => broker.tasks.updateMetadata(id, '$.blob', over), 'value'],
      [
        () =>
          broker.schedules.register({
            name: 'huge',
            taskName: 'huge',
            payload: bytes(broker.limits.maxPayloadBytes + 1),
            schedule: { kind: 'cron', expression: '0 2 * * *' },
          }),
        'options.payload',
      ],
    ] as const;
    for (const [call, argument] of refusals) {
      const { error, sent } = await statementsSentBy(call);
      expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', argument });
      expect(sent).toBe(0);
    }
    const exported = JSON.parse(await broker.transfer.exportTasks());
    const records = exported.tasks as Array<{ id: string; payload: string }>;
    records[0]!.payload = Buffer.from(bytes(broker.limits.maxPayloadBytes + 1)).toString('base64');
    const other = await broker.forQueue('packets-import');
    const imported = await statementsSentBy(() => other.transfer.importTasks(JSON.stringify(exported)));
    expect(imported.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', argument: 'json[0].payload' });
    expect(imported.sent).toBe(0);
    await other.close();
  });
});
