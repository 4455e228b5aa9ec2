// Drain mode across pools: enqueues trust a cached drain flag for DRAIN_FLAG_CACHE_MS, and enableDrainMode()
// waits that long, so no enqueue that starts after it resolved may succeed, whatever the enqueue's kind.
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_FLAG_CACHE_MS, MysqlBroker } from '../src/index.js';
import { ENQUEUE_CHUNK_SIZE } from '../src/queue/enqueue.sql.js';
import { pollUntil } from './fixtures/core-helpers.js';

let tdb: TestDatabase;
let root: MysqlBroker;
const opened: MysqlBroker[] = [];
let n = 0;

/** A broker with its OWN pool (as another process would have). */
async function ownPool(queue: string, pool: { maxConnections?: number; acquireTimeoutMs?: number } = {}) {
  const b = await MysqlBroker.connect({ url: tdb.url, queue, pool });
  opened.push(b);
  return b;
}

async function countRows(queue: string): Promise<number> {
  const row = await root.database
    .selectFrom('celers_tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue_name', '=', queue)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const tasks = (count: number) => Array.from({ length: count }, (_, i) => createTask('drain.t', { i }));

beforeAll(async () => {
  tdb = await createTestDatabase();
  root = await MysqlBroker.connect({ url: tdb.url, queue: 'drain-root', migrate: true });
});
afterAll(async () => {
  for (const b of opened) await b.close();
  await root?.close();
  await tdb?.drop();
});

describe('drain mode with a cached flag', () => {
  it('enableDrainMode() takes at least DRAIN_FLAG_CACHE_MS', async () => {
    const b = await root.forQueue(`drain-${++n}`);
    opened.push(b);
    const started = performance.now();
    await b.enableDrainMode();
    expect(performance.now() - started).toBeGreaterThanOrEqual(DRAIN_FLAG_CACHE_MS - 5);
    expect(await b.isDrainMode()).toBe(true);
  });

  it('once enableDrainMode() resolved on one pool, every kind of enqueue on another pool that cached "not draining" fails with QUEUE_DRAINING; after disableDrainMode() it accepts again within ~1.5 s', async () => {
    const queue = `drain-${++n}`;
    const a = await ownPool(queue);
    // One broker (own pool) per kind of enqueue, each with a fresh cached "not draining" before the enable,
    // so each kind is the first call after the enable on its pool.
    const kinds: Array<[string, (b: MysqlBroker) => Promise<unknown>]> = [
      ['enqueue', (b) => b.enqueue(createTask('drain.t', 1))],
      ['enqueueAfter', (b) => b.enqueueAfter(createTask('drain.t', 1), 10)],
      ['enqueueBatch (one chunk)', (b) => b.enqueueBatch(tasks(3))],
      ['enqueueBatch (several chunks)', (b) => b.enqueueBatch(tasks(ENQUEUE_CHUNK_SIZE + 1))],
      [
        'enqueue in a transaction',
        (b) => b.transaction((trx) => b.enqueue(createTask('drain.t', 1), { transaction: trx })),
      ],
      [
        'enqueueBatch in a transaction',
        (b) => b.transaction((trx) => b.enqueueBatch(tasks(2), { transaction: trx })),
      ],
    ];
    const brokers: MysqlBroker[] = [];
    for (const _ of kinds) {
      const b = await ownPool(queue);
      await b.enqueue(createTask('drain.warm', 0)); // caches "not draining"
      brokers.push(b);
    }
    const rows = await countRows(queue);
    expect(rows).toBe(kinds.length);

    await a.enableDrainMode();
    for (const [i, [kind, call]] of kinds.entries()) {
      await expect(call(brokers[i] as MysqlBroker), kind).rejects.toMatchObject({ code: 'QUEUE_DRAINING' });
    }
    // Again, now that every broker holds a cached "draining".
    for (const [kind, call] of kinds) {
      await expect(call(brokers[0] as MysqlBroker), kind).rejects.toMatchObject({ code: 'QUEUE_DRAINING' });
    }
    expect(await countRows(queue)).toBe(rows);

    await a.disableDrainMode();
    const started = performance.now();
    const b = brokers[0] as MysqlBroker;
    await pollUntil(
      () =>
        b.enqueue(createTask('drain.back', 1)).then(
          () => true,
          (error: { code?: string }) => {
            if (error.code !== 'QUEUE_DRAINING') throw error;
            return false;
          },
        ),
      1_500,
      20,
    );
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(await countRows(queue)).toBe(rows + 1);
  });

  it('a broker enqueuing without pause on another pool: no enqueue that started after enableDrainMode() resolved succeeds', async () => {
    const queue = `drain-${++n}`;
    const a = await ownPool(queue);
    const b = await ownPool(queue);
    const outcomes: Array<{ startedAt: number; ok: boolean }> = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const startedAt = performance.now();
        try {
          await b.enqueue(createTask('drain.loop', 1));
          outcomes.push({ startedAt, ok: true });
        } catch (error) {
          expect(error).toMatchObject({ code: 'QUEUE_DRAINING' });
          outcomes.push({ startedAt, ok: false });
          await new Promise((resolve) => setImmediate(resolve)); // a refused enqueue does no I/O: let timers run
        }
      }
    })();
    await pollUntil(async () => outcomes.length >= 20);
    await a.enableDrainMode();
    const resolvedAt = performance.now();
    await pollUntil(async () => outcomes.some((o) => o.startedAt > resolvedAt + 50));
    stop = true;
    await loop;
    const after = outcomes.filter((o) => o.startedAt > resolvedAt);
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThanOrEqual(20);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((o) => o.ok)).toEqual([]);
    expect(await countRows(queue)).toBe(outcomes.filter((o) => o.ok).length);
  });

  it('brokers sharing one pool (forQueue) see enableDrainMode() at once, before it resolves', async () => {
    const queue = `drain-${++n}`;
    const a = await root.forQueue(queue);
    const sibling = await root.forQueue(queue);
    opened.push(a, sibling);
    await sibling.enqueue(createTask('drain.t', 1)); // caches "not draining"
    let resolved = false;
    const enabling = a.enableDrainMode().then(() => {
      resolved = true;
    });
    await pollUntil(() => a.isDrainMode(), 900, 5);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(sibling.enqueue(createTask('drain.t', 2))).rejects.toMatchObject({ code: 'QUEUE_DRAINING' });
    expect(resolved).toBe(false);
    await enabling;
    await a.disableDrainMode();
    await sibling.enqueue(createTask('drain.t', 3)); // at once: the disable is shared on the pool too
    expect(await countRows(queue)).toBe(2);
  });

  it('an enqueue inside a transaction never waits for a second pool connection (pool of 1, expired flag)', async () => {
    const queue = `drain-${++n}`;
    const b = await ownPool(queue, { maxConnections: 1, acquireTimeoutMs: 2_000 });
    await b.enqueue(createTask('drain.t', 0));
    await new Promise((resolve) => setTimeout(resolve, DRAIN_FLAG_CACHE_MS + 50)); // let the cached flag expire
    const started = performance.now();
    await b.transaction(async (trx) => {
      await b.enqueue(createTask('drain.t', 1), { transaction: trx });
      await b.enqueueBatch(tasks(2), { transaction: trx });
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await countRows(queue)).toBe(4);
  });

  it('a single-chunk enqueueBatch (one statement, no transaction) holding an id that already exists writes nothing and throws DUPLICATE_TASK', async () => {
    const queue = `drain-${++n}`;
    const b = await ownPool(queue);
    const existing = createTask('drain.t', 0);
    await b.enqueue(existing);
    const batch = [...tasks(10), existing, ...tasks(10)];
    await expect(b.enqueueBatch(batch)).rejects.toMatchObject({ code: 'DUPLICATE_TASK' });
    expect(await countRows(queue)).toBe(1);
  });
});
