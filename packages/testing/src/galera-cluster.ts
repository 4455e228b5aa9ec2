// A Galera cluster of private mariadbd nodes on loopback (galera-4's wsrep provider, SST by rsync): for tests
// of multi-primary writes, certification conflicts and losing a node. .ci/run installs galera-4 and rsync.
import { existsSync } from 'node:fs';
import { freePort, type PrivateServer, startPrivateServer } from './private-server.js';
import { queryOnce, waitUntil } from './root-query.js';

/** Where Debian's galera-4 puts the wsrep provider. */
export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** How to start a {@link GaleraCluster}. */
export interface GaleraClusterOptions {
  /** Number of nodes (2–5). Default 3. */
  nodes?: number;
  /** Database created on the first node (and replicated). Default `celers`. */
  database?: string;
  /** Extra `mariadbd` options for every node. */
  args?: readonly string[];
}

/** A running cluster. Each node is a {@link PrivateServer}: kill one and start it again to rejoin (IST). */
export interface GaleraCluster {
  readonly nodes: readonly PrivateServer[];
  /**
   * Resolves once each of `nodes` (default all) is `Synced` in a primary component of exactly that many
   * members; pass the surviving nodes after killing one.
   */
  waitForSynced(nodes?: readonly PrivateServer[], timeoutMs?: number): Promise<void>;
  /** Destroys every node. */
  destroy(): Promise<void>;
}

/** True when galera-4 is installed here. */
export function canStartGaleraCluster(): boolean {
  return existsSync(GALERA_PROVIDER) && existsSync('/usr/bin/rsync');
}

/**
 * Starts a Galera cluster: bootstraps the first node (`--wsrep-new-cluster`, first start only), then joins
 * the others by rsync SST. Every node listens for SQL, group communication, IST and SST on free loopback
 * ports. Fails with instructions (never skips) when galera-4 or rsync is missing.
 *
 * @example
 * ```ts
 * const cluster = await startGaleraCluster({ nodes: 3 });
 * await cluster.nodes[2]!.kill();
 * await cluster.waitForSynced(cluster.nodes.slice(0, 2));
 * await cluster.nodes[2]!.start();    // rejoins and waits until synced
 * await cluster.destroy();
 * ```
 */
export async function startGaleraCluster(options: GaleraClusterOptions = {}): Promise<GaleraCluster> {
  if (!canStartGaleraCluster()) {
    throw new Error(
      `No ${GALERA_PROVIDER} or rsync: this test starts a Galera cluster. Install Debian's galera-4 and rsync ` +
        '(`apt-get install galera-4 rsync`, as `bash .ci/run` does).',
    );
  }
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 2 || count > 5) throw new Error('nodes: expected 2 to 5');
  const ports: { sql: number; group: number; ist: number; sst: number }[] = [];
  for (let i = 0; i < count; i++) {
    ports.push({
      sql: await freePort(),
      group: await freePort(),
      ist: await freePort(),
      sst: await freePort(),
    });
  }
  const address = `gcomm://${ports.map((p) => `127.0.0.1:${p.group}`).join(',')}`;
  const nodeOptions = (i: number) => {
    const p = ports[i] as (typeof ports)[number];
    return {
      database: options.database ?? 'celers',
      port: p.sql,
      startTimeoutMs: 120_000,
      args: [
        '--wsrep-on=ON',
        `--wsrep-provider=${GALERA_PROVIDER}`,
        '--wsrep-cluster-name=celers-test',
        `--wsrep-node-name=node${i + 1}`,
        `--wsrep-cluster-address=${address}`,
        `--wsrep-node-address=127.0.0.1:${p.group}`,
        // a killed node is evicted after a few seconds instead of 15, so failover tests stay short
        `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${p.group};ist.recv_addr=127.0.0.1:${p.ist};` +
          'gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S',
        '--wsrep-sst-method=rsync',
        `--wsrep-sst-receive-address=127.0.0.1:${p.sst}`,
        '--binlog-format=ROW',
        '--innodb-autoinc-lock-mode=2',
        // durability comes from the other nodes (the usual Galera setting), and the shared disk stays idle
        '--innodb-flush-log-at-trx-commit=2',
        ...(options.args ?? []),
      ],
      afterStart: (port: number) => waitForNodeSynced(port, 120_000),
    };
  };

  const nodes: PrivateServer[] = [];
  try {
    nodes.push(await startPrivateServer({ ...nodeOptions(0), firstStartArgs: ['--wsrep-new-cluster'] }));
    // joiners one at a time: two rsync SSTs from one donor at once double the disk load for nothing
    for (let i = 1; i < count; i++) nodes.push(await startPrivateServer(nodeOptions(i)));
  } catch (error) {
    await Promise.all(nodes.map((n) => n.destroy()));
    throw error;
  }

  const cluster: GaleraCluster = {
    nodes,
    waitForSynced: async (members = nodes, timeoutMs = 60_000) => {
      await waitUntil(
        `${members.length} Galera nodes synced in one primary component`,
        async () => {
          for (const node of members) {
            const status = await wsrepStatus(node.url);
            if (status.state !== 'Synced' || status.size !== members.length || status.primary !== 'Primary')
              return false;
          }
          return true;
        },
        timeoutMs,
      );
    },
    destroy: async () => {
      await Promise.all(nodes.map((n) => n.destroy()));
    },
  };
  await cluster.waitForSynced();
  return cluster;
}

interface WsrepStatus {
  state: string;
  size: number;
  primary: string;
}

async function wsrepStatus(url: string): Promise<WsrepStatus> {
  const rows = await queryOnce<{ Variable_name: string; Value: string }>(
    url,
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_cluster_status')",
  );
  const value = (name: string) => rows.find((r) => r.Variable_name === name)?.Value ?? '';
  return {
    state: value('wsrep_local_state_comment'),
    size: Number(value('wsrep_cluster_size')),
    primary: value('wsrep_cluster_status'),
  };
}

function waitForNodeSynced(port: number, timeoutMs: number): Promise<void> {
  return waitUntil(
    `the Galera node on port ${port} to sync`,
    async () => (await wsrepStatus(`mysql://root@127.0.0.1:${port}/mysql`)).state === 'Synced',
    timeoutMs,
  );
}
