// Monitoring on a real replica (private primary + replica pair): reads follow the replica, replication lag is
// read from SHOW REPLICA STATUS while the replica really falls behind, and no broker opens on the replica.
import { MysqlBroker } from '@celers/broker-mysql';
import { CelersError, createTask } from '@celers/core';
import { type CelersDatabase, createDatabase } from '@celers/schema';
import { queryOnce, type ReplicaPair, startReplicaPair, waitUntil } from '@celers/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseDiagnostics, QueueMonitor } from '../src/index.js';

let pair: ReplicaPair;
let broker: MysqlBroker;
let replicaDb: Kysely<CelersDatabase>;

beforeAll(async () => {
  pair = await startReplicaPair();
  broker = await MysqlBroker.connect({ url: pair.primary.url, queue: 'replicated', migrate: true });
  await pair.waitForCatchUp();
  replicaDb = createDatabase(pair.replica.url);
}, 120_000);
afterAll(async () => {
  await replicaDb?.destroy();
  await broker?.close();
  await pair?.destroy();
});

const enqueue = (n: number) =>
  broker.enqueueBatch(Array.from({ length: n }, (_, i) => createTask('replica.job', { i })));

describe('monitoring reads on a replica', () => {
  it('QueueMonitor over the replica sees what the primary wrote once the replica caught up', async () => {
    await enqueue(5);
    await pair.waitForCatchUp();
    const monitor = new QueueMonitor({ database: replicaDb, queue: 'replicated' });
    expect((await monitor.queueHealth()).pending).toBe(5);
  });

  it('reports a healthy replica with zero lag, and the primary as not a replica', async () => {
    const lag = await new DatabaseDiagnostics({ database: replicaDb }).replicationLag();
    expect(lag).toMatchObject({ isReplica: true, status: 'healthy', lagMs: 0 });
    if (!lag.isReplica) throw new Error('unreachable');
    expect(lag.channels[0]).toMatchObject({ ioThreadRunning: true, sqlThreadRunning: true, lastError: null });
    expect(await new DatabaseDiagnostics(broker).replicationLag()).toEqual({
      isReplica: false,
      status: 'not a replica',
    });
  });

  it('measures lag growing while the replica cannot apply, and falling once it can', async () => {
    const diagnostics = new DatabaseDiagnostics({ database: replicaDb });
    const monitor = new QueueMonitor({ database: replicaDb, queue: 'replicated' });
    const before = (await monitor.queueHealth()).pending;
    await pair.stopReplicaSql();
    await enqueue(3);
    const stopped = await diagnostics.replicationLag();
    // a stopped SQL thread has no Seconds_Behind_Master: the status says so instead of a number
    expect(stopped).toMatchObject({ isReplica: true, status: 'error', lagMs: null });
    expect((await monitor.queueHealth()).pending).toBe(before);

    // The SQL thread runs again but waits for a table lock held on the replica: it is applying an event
    // written on the primary seconds ago, so Seconds_Behind_Master counts up.
    await replicaDb.connection().execute(async (blocker) => {
      await sql`LOCK TABLES celers_tasks WRITE`.execute(blocker);
      try {
        await pair.startReplicaSql();
        const seen: number[] = [];
        await waitUntil(
          'the measured lag to grow past 2 s',
          async () => {
            const lag = await diagnostics.replicationLag();
            if (lag.isReplica && lag.lagMs !== null) seen.push(lag.lagMs);
            return (seen.at(-1) ?? 0) >= 2_000 && seen.length >= 2;
          },
          30_000,
          500,
        );
        expect(seen.at(-1)).toBeGreaterThan(seen[0] as number);
      } finally {
        await sql`UNLOCK TABLES`.execute(blocker);
      }
    });
    await pair.waitForCatchUp();
    await waitUntil(
      'the lag to fall to 0',
      async () => (await diagnostics.replicationLag()).status === 'healthy',
      30_000,
    );
    expect(await diagnostics.replicationLag()).toMatchObject({ status: 'healthy', lagMs: 0 });
    expect((await monitor.queueHealth()).pending).toBe(before + 3);
  }, 60_000);

  it('refuses to open a broker on the read-only replica (UNSUPPORTED), leaving it untouched', async () => {
    const [flags] = await queryOnce<{ ro: number }>(pair.replica.url, 'SELECT @@GLOBAL.read_only AS ro');
    expect(Number(flags?.ro)).toBe(1);
    const error = await MysqlBroker.connect({
      url: pair.replica.url,
      queue: 'replicated',
      migrate: true,
    }).catch((e: unknown) => e);
    expect(CelersError.isInstance(error) && error.code).toBe('UNSUPPORTED');
    expect((error as Error).message).toMatch(/read_only=ON/);
    const [gtid] = await queryOnce<{ own: string }>(
      pair.replica.url,
      'SELECT @@GLOBAL.gtid_binlog_pos AS own',
    );
    expect(gtid?.own ?? '').toBe(''); // the replica wrote nothing of its own
  });
});
