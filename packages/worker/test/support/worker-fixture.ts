import { MysqlBroker } from '@celers/broker-mysql';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { silentLogger, Worker, type WorkerOptions } from '../../src/index.js';

/**
 * Per-file database, one shared broker pool, a fresh queue per test (so pause/drain never leak between
 * tests), and an afterEach that fails when a test left a worker running (graphile-worker's open-pool check).
 */
export function useWorkerFixture(label: string) {
  let tdb: TestDatabase;
  let root: MysqlBroker;
  const brokers: MysqlBroker[] = [];
  const workers = new Set<Worker>();
  let counter = 0;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    root = await MysqlBroker.connect({ url: tdb.url, queue: `${label}-root`, migrate: true });
  });
  afterEach(async () => {
    const open = [...workers].filter((w) => w.isRunning);
    await Promise.all([...workers].map((w) => w.close({ timeoutMs: 0 })));
    workers.clear();
    expect(
      open.map((w) => w.workerId),
      'workers left running by the test',
    ).toEqual([]);
  });
  afterAll(async () => {
    for (const b of brokers) await b.close();
    await root?.close();
    await tdb?.drop();
  });

  return {
    get url(): string {
      return tdb.url;
    },
    get root(): MysqlBroker {
      return root;
    },
    /** A broker for a queue no other test uses. */
    async queue(options: { leaseMs?: number; workerStaleAfterMs?: number } = {}): Promise<MysqlBroker> {
      counter += 1;
      const broker = await root.forQueue(`${label}-${counter}`, options);
      brokers.push(broker);
      return broker;
    },
    /** A worker that is closed after the test; fast polling and a silent logger unless overridden. */
    worker(options: WorkerOptions): Worker {
      const worker = new Worker({
        pollIntervalMs: 10,
        maxPollIntervalMs: 50,
        logger: silentLogger,
        ...options,
      });
      workers.add(worker);
      return worker;
    },
  };
}
