// A primary and a replica on loopback, replicating with MariaDB GTIDs: for tests that read from a replica,
// measure replication lag, or check that nothing claims on a read-only server.
import { type PrivateServer, startPrivateServer } from './private-server.js';
import { queryOnce, waitUntil } from './root-query.js';

/** How to start a {@link ReplicaPair}. */
export interface ReplicaPairOptions {
  /** Database created on the primary (and replicated). Default `celers`. */
  database?: string;
  /** Extra `mariadbd` options for both servers, e.g. `['--performance-schema=ON']`. */
  args?: readonly string[];
}

/** A running primary + replica. The replica is `read_only` and replicates everything from the primary. */
export interface ReplicaPair {
  /** Binlog (ROW) + GTID, server id 1. */
  readonly primary: PrivateServer;
  /** `read_only=ON`, server id 2, replicating from {@link primary} with `MASTER_USE_GTID=slave_pos`. */
  readonly replica: PrivateServer;
  /** Stops the replica's SQL thread: events still arrive in the relay log but are not applied. */
  stopReplicaSql(): Promise<void>;
  /** Starts the replica's SQL thread again. */
  startReplicaSql(): Promise<void>;
  /** Resolves once the replica has applied every transaction the primary has written so far. */
  waitForCatchUp(timeoutMs?: number): Promise<void>;
  /** Destroys both servers (replica first). */
  destroy(): Promise<void>;
}

/**
 * Starts a primary and a replica of it, both private servers on free loopback ports, and waits until the
 * replica has applied the primary's database. Destroy it in `afterAll`.
 *
 * @example
 * ```ts
 * const pair = await startReplicaPair();
 * await pair.stopReplicaSql();   // the replica falls behind from here
 * await pair.startReplicaSql();
 * await pair.waitForCatchUp();
 * await pair.destroy();
 * ```
 */
export async function startReplicaPair(options: ReplicaPairOptions = {}): Promise<ReplicaPair> {
  const database = options.database ?? 'celers';
  const common = options.args ?? [];
  const primary = await startPrivateServer({
    database,
    args: ['--server-id=1', '--log-bin=primary-bin', '--binlog-format=ROW', ...common],
  });
  let replica: PrivateServer | undefined;
  try {
    replica = await startPrivateServer({
      // the replica creates no database itself: the primary's CREATE DATABASE arrives by replication
      database: 'mysql',
      args: ['--server-id=2', '--relay-log=replica-relay', '--read-only=ON', ...common],
    });
    await queryOnce(
      replica.url,
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='root',
       MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
    );
    await queryOnce(replica.url, 'START SLAVE');
  } catch (error) {
    await replica?.destroy();
    await primary.destroy();
    throw error;
  }
  const replicaServer = withDatabase(replica, database);

  const pair: ReplicaPair = {
    primary,
    replica: replicaServer,
    stopReplicaSql: async () => {
      await queryOnce(replica.url, 'STOP SLAVE SQL_THREAD');
    },
    startReplicaSql: async () => {
      await queryOnce(replica.url, 'START SLAVE SQL_THREAD');
    },
    waitForCatchUp: async (timeoutMs = 30_000) => {
      const [row] = await queryOnce<{ pos: string }>(primary.url, 'SELECT @@GLOBAL.gtid_binlog_pos AS pos');
      const position = row?.pos ?? '';
      await waitUntil(
        `the replica to apply GTID ${position}`,
        async () => {
          const [done] = await queryOnce<{ waited: number }>(
            replica.url,
            'SELECT MASTER_GTID_WAIT(?, 1) AS waited',
            [position],
          );
          return Number(done?.waited) === 0;
        },
        timeoutMs,
        0,
      );
    },
    destroy: async () => {
      await replica.destroy();
      await primary.destroy();
    },
  };
  await pair.waitForCatchUp();
  return pair;
}

/** The replica's handle with its URL naming the replicated database instead of `mysql`. */
function withDatabase(server: PrivateServer, database: string): PrivateServer {
  const url = server.url.replace(/\/[^/]*$/, `/${database}`);
  return {
    url,
    port: server.port,
    stop: () => server.stop(),
    kill: () => server.kill(),
    start: () => server.start(),
    restart: (downMs) => server.restart(downMs),
    freeze: () => server.freeze(),
    thaw: () => server.thaw(),
    destroy: () => server.destroy(),
  };
}
