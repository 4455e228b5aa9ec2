// Claims on a real 3-node Galera cluster (private mariadbd nodes on loopback): SKIP LOCKED does not see other
// nodes' locks, so consumers on different nodes claim the same rows and all but one fail certification at
// COMMIT (1213). The broker retries those as lost races; receipts fence the rest. Then a node is killed
// mid-run: each broker's URL lists all three nodes (its own first), so the killed node's broker fails over
// to the next host by itself and its consumers go on.
import { CelersError, createTask } from '@celers/core';
import { type GaleraCluster, queryOnce, startGaleraCluster } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

/** The issue's 20k: about 15 s per run on this 2-core machine with three nodes (see scaling.md). */
const TASKS = 20_000;
const BATCH = 20;
const CONSUMERS_PER_NODE = 2;
const HOST_DOWN = new Set(['DATABASE_UNAVAILABLE', 'DATABASE_TIMEOUT', 'CIRCUIT_OPEN']);
const isHostDown = (error: unknown) => CelersError.isInstance(error) && HOST_DOWN.has(error.code);
// Galera reports a failed certification, and a local transaction aborted by a replicated one, as 1213
const isDeadlock = (error: unknown) => /Deadlock/i.test(String((error as Error)?.message));

let cluster: GaleraCluster;
/** One broker per node: broker i's URL lists node i first, then the others (failover order). */
let brokers: MysqlBroker[];

/** `mysql://root@<node i>,<the others>/celers`: the multi-host URL of createDatabase. */
function hostListFrom(i: number): string {
  const ports = cluster.nodes.map((n) => n.port);
  const order = [ports[i], ...ports.filter((_, j) => j !== i)];
  return `mysql://root@${order.map((p) => `127.0.0.1:${p}`).join(',')}/celers`;
}

beforeAll(async () => {
  cluster = await startGaleraCluster({ nodes: 3 });
  const first = await MysqlBroker.connect({ url: hostListFrom(0), queue: 'galera', migrate: true });
  brokers = [first];
  for (let i = 1; i < cluster.nodes.length; i++) {
    // migrations are DDL, replicated in total order: the other nodes have the tables once synced
    await cluster.waitForSynced();
    brokers.push(await MysqlBroker.connect({ url: hostListFrom(i), queue: 'galera' }));
  }
}, 300_000);
afterAll(async () => {
  for (const b of brokers ?? []) await b.close().catch(() => undefined);
  await cluster?.destroy();
});

async function fill(count: number, leaseTag: string): Promise<void> {
  for (let done = 0; done < count; done += 1_000) {
    await brokers[0]!.enqueueBatch(
      Array.from({ length: Math.min(1_000, count - done) }, (_, i) =>
        createTask('galera.job', { leaseTag, i }),
      ),
    );
  }
}

interface RunStats {
  claims: Map<string, number>;
  acked: number;
  deadlockRetries: number;
  /** Calls that failed because their host went down (the next call is on another host). */
  hostDownErrors: number;
  ms: number;
}

/**
 * Consumers loop dequeueBatch + ackBatch, consumer c on broker `brokerPerConsumer[c]` throughout: when its
 * host is down the call fails and the broker's pool connects to the next host of its URL for the next one.
 * An idle consumer recovers expired leases (the Maintainer's job) and stops once no task of the queue is
 * pending or processing.
 */
async function consume(
  brokerPerConsumer: number[],
  opts: { leaseMs?: number; onAcked?: (acked: number) => void } = {},
): Promise<RunStats> {
  const stats: RunStats = { claims: new Map(), acked: 0, deadlockRetries: 0, hostDownErrors: 0, ms: 0 };
  const countRetry = (e: { reason: string }) => {
    if (e.reason === 'deadlock') stats.deadlockRetries++;
  };
  for (const b of brokers) b.on('operation:retried', countRetry);
  const started = Date.now();
  const deadline = started + 80_000;
  await Promise.all(
    brokerPerConsumer.map(async (index) => {
      const broker = brokers[index] as MysqlBroker;
      while (Date.now() < deadline) {
        let messages: Awaited<ReturnType<MysqlBroker['dequeueBatch']>>;
        try {
          messages = await broker.dequeueBatch(BATCH, opts.leaseMs ? { leaseMs: opts.leaseMs } : {});
        } catch (error) {
          if (isHostDown(error)) {
            stats.hostDownErrors++;
            await pause(20); // the same broker again: its pool connects to the next host
            continue;
          }
          if (!isDeadlock(error)) throw error;
          await pause(5); // a race lost more often than the broker retries: claim again
          continue;
        }
        if (messages.length === 0) {
          const left = await unfinished(broker).catch(() => 1);
          if (left === 0) break;
          await broker.recoverTimedOutTasks().catch(() => 0);
          await pause(20);
          continue;
        }
        for (const m of messages) {
          const id = m.task.metadata.id;
          stats.claims.set(id, (stats.claims.get(id) ?? 0) + 1);
        }
        const items = messages.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle }));
        // As the Worker does: an ack that failed is sent again (on the next host if this one is down); the
        // receipt makes a repeated ack of a task already acked count 0.
        for (;;) {
          try {
            const acked = await broker.ackBatch(items); // not `+=` across an await: consumers run concurrently
            stats.acked += acked.count;
            break;
          } catch (error) {
            if (isHostDown(error)) stats.hostDownErrors++;
            else if (!isDeadlock(error)) throw error;
            await pause(5);
          }
        }
        opts.onAcked?.(stats.acked);
      }
    }),
  );
  stats.ms = Date.now() - started;
  for (const b of brokers) b.off('operation:retried', countRetry);
  return stats;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tasks of the queue not finished yet, as `host` sees them. */
async function unfinished(host: MysqlBroker): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT COUNT(*) AS n FROM celers_tasks WHERE queue_name = 'galera' AND state IN ('pending', 'processing')`.execute(
    host.database,
  );
  return Number(rows[0]?.n);
}

async function stateCounts(broker: MysqlBroker): Promise<Record<string, number>> {
  const { rows } = await sql<{ state: string; n: number }>`
    SELECT state, COUNT(*) AS n FROM celers_tasks WHERE queue_name = 'galera' GROUP BY state`.execute(
    broker.database,
  );
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

const spread = (perNode: number, nodes: number[]) =>
  nodes.flatMap((n) => Array.from({ length: perNode }, () => n));

/** The port of the node that answers `broker`'s next statement. */
async function servedBy(broker: MysqlBroker): Promise<number> {
  const { rows } = await sql<{ port: number }>`SELECT @@port AS port`.execute(broker.database);
  return Number(rows[0]?.port);
}

describe('claims on a 3-node Galera cluster', () => {
  it(`consumers on all three nodes: ${TASKS} tasks, 0 lost, 0 claimed twice under a live lease`, async () => {
    await fill(TASKS, 'all');
    const stats = await consume(spread(CONSUMERS_PER_NODE, [0, 1, 2]));
    const twice = [...stats.claims.values()].filter((n) => n > 1).length;
    console.log(
      `[galera] 3 writer nodes × ${CONSUMERS_PER_NODE} consumers: ${TASKS} tasks in ${stats.ms} ms = ` +
        `${Math.round((TASKS * 1000) / stats.ms)} claims+acks/s, ${stats.deadlockRetries} certification retries`,
    );
    expect(stats.acked).toBe(TASKS);
    expect(stats.claims.size).toBe(TASKS);
    expect(twice).toBe(0);
    await cluster.waitForSynced();
    for (const b of brokers) expect(await stateCounts(b)).toEqual({ completed: TASKS });
    // conflicts across nodes really happened and were absorbed as lost races
    expect(stats.deadlockRetries).toBeGreaterThan(0);
  }, 180_000);

  it('one writer node, the same consumers: the figure scaling.md compares', async () => {
    for (const table of ['celers_live_tasks', 'celers_finished_tasks'])
      await sql`DELETE FROM ${sql.table(table)} WHERE queue_name = 'galera'`.execute(brokers[0]!.database);
    await fill(TASKS, 'one');
    const stats = await consume(spread(CONSUMERS_PER_NODE * 3, [0]));
    console.log(
      `[galera] 1 writer node × ${CONSUMERS_PER_NODE * 3} consumers: ${TASKS} tasks in ${stats.ms} ms = ` +
        `${Math.round((TASKS * 1000) / stats.ms)} claims+acks/s, ${stats.deadlockRetries} certification retries`,
    );
    expect(stats.acked).toBe(TASKS);
    expect([...stats.claims.values()].filter((n) => n > 1)).toEqual([]);
    expect(await stateCounts(brokers[0]!)).toEqual({ completed: TASKS });
  }, 180_000);

  it('a node killed mid-run: its broker fails over to the next host of its URL and no task is lost', async () => {
    expect(await Promise.all(brokers.map(servedBy))).toEqual(cluster.nodes.map((n) => n.port));
    for (const table of ['celers_live_tasks', 'celers_finished_tasks'])
      await sql`DELETE FROM ${sql.table(table)} WHERE queue_name = 'galera'`.execute(brokers[0]!.database);
    const total = 6_000;
    await fill(total, 'failover');
    let killed: Promise<void> | undefined;
    const stats = await consume(spread(CONSUMERS_PER_NODE, [0, 1, 2]), {
      leaseMs: 3_000,
      onAcked: (acked) => {
        if (acked >= total / 4 && !killed) killed = cluster.nodes[2]!.kill();
      },
    }).catch(async (error) => {
      await killed;
      throw error;
    });
    await killed;
    console.log(
      `[galera] node 3 killed mid-run: ${stats.hostDownErrors} calls failed with their host, ` +
        `${stats.claims.size} tasks claimed`,
    );
    // the node really was down while the others finished the run, and its broker now talks to node 1
    await expect(queryOnce(cluster.nodes[2]!.url, 'SELECT 1')).rejects.toThrow();
    expect(await servedBy(brokers[2]!)).toBe(cluster.nodes[0]!.port);
    // every task was claimed at least once; the ones claimed again had a lease that expired with its node
    expect(stats.claims.size).toBe(total);
    expect(await stateCounts(brokers[0]!)).toEqual({ completed: total });
    expect(await stateCounts(brokers[2]!)).toEqual({ completed: total });
    await cluster.nodes[2]!.start();
    await cluster.waitForSynced();
    const rejoined = await queryOnce<{ state: string; n: number }>(
      cluster.nodes[2]!.url,
      "SELECT state, COUNT(*) AS n FROM celers_tasks WHERE queue_name = 'galera' GROUP BY state",
    );
    expect(rejoined.map((r) => [r.state, Number(r.n)])).toEqual([['completed', total]]);
  }, 240_000);
});
