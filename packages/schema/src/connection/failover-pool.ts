import type { Pool, PoolConnection } from 'mysql2';

/** What {@link TimedPool} needs from the pool behind it: a mysql2 `Pool` or a {@link FailoverPool}. @internal */
export interface ConnectionSource {
  getConnection(callback: (error: NodeJS.ErrnoException | null, connection: PoolConnection) => void): void;
  end(callback: (error: NodeJS.ErrnoException | null) => void): void;
  on(event: 'connection', listener: (connection: PoolConnection) => void): unknown;
}

interface Host {
  readonly pool: Pool;
  /** `performance.now()` until which new connections skip this host; 0 while it is healthy. */
  coolingUntil: number;
}

/**
 * Sequential failover over one mysql2 pool per host (mysql2's pool takes one host): a connection comes from
 * the first host in list order that is not cooling down, a host whose connect fails cools down for
 * `coolDownMs` and the same request moves on to the next host. When every host is cooling down they are all
 * tried again in order rather than failing untried. Connections already open on a host that dies fail with
 * their statement and mysql2 drops them from that host's pool.
 *
 * mysql2's own PoolCluster (selector `ORDER`) is close, but fails with `POOL_NONEONLINE` while every node is
 * offline even when one is back, and keeps its pools internal (`getPoolStats` reads them).
 * @internal
 */
export class FailoverPool implements ConnectionSource {
  readonly #hosts: readonly Host[];
  readonly #coolDownMs: number;

  constructor(pools: readonly Pool[], coolDownMs: number) {
    this.#hosts = pools.map((pool) => ({ pool, coolingUntil: 0 }));
    this.#coolDownMs = coolDownMs;
  }

  /** The per-host pools, in failover order (for statistics). */
  get pools(): readonly Pool[] {
    return this.#hosts.map((host) => host.pool);
  }

  getConnection(callback: (error: NodeJS.ErrnoException | null, connection: PoolConnection) => void): void {
    const now = performance.now();
    const ready = this.#hosts.filter((host) => host.coolingUntil <= now);
    this.#tryHosts(ready.length > 0 ? ready : this.#hosts, 0, callback);
  }

  #tryHosts(
    hosts: readonly Host[],
    index: number,
    callback: (error: NodeJS.ErrnoException | null, connection: PoolConnection) => void,
  ): void {
    const host = hosts[index] as Host;
    host.pool.getConnection((error, connection) => {
      if (!error) {
        host.coolingUntil = 0;
        callback(null, connection);
        return;
      }
      host.coolingUntil = performance.now() + this.#coolDownMs;
      if (index + 1 < hosts.length) this.#tryHosts(hosts, index + 1, callback);
      else callback(error, connection);
    });
  }

  on(event: 'connection', listener: (connection: PoolConnection) => void): this {
    for (const host of this.#hosts) host.pool.on(event, listener);
    return this;
  }

  end(callback: (error: NodeJS.ErrnoException | null) => void): void {
    let pending = this.#hosts.length;
    let failed: NodeJS.ErrnoException | null = null;
    for (const host of this.#hosts) {
      host.pool.end((error) => {
        failed ??= error ?? null;
        if (--pending === 0) callback(failed);
      });
    }
  }
}
