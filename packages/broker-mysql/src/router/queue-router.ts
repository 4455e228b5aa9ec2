import { assertOptionalObject, assertQueueName, CelersError } from '@celers/core';
import {
  type CelersDatabase,
  createDatabase,
  migrate,
  type PoolConfig,
  parseDatabaseUrl,
  resolvePoolConfig,
  toCelersError,
} from '@celers/schema';
import type { Kysely } from 'kysely';
import type { MysqlBrokerOptions } from '../broker-options.js';
import { MysqlBroker } from '../mysql-broker.js';

/** Where a queue lives: a `mysql://` URL, or a URL with its own pool settings. */
export type QueueRoute = string | { readonly url: string; readonly pool?: PoolConfig };

/** Options of {@link QueueRouter}. */
export interface QueueRouterOptions {
  /** Queue name → the primary that holds it. */
  routes: Readonly<Record<string, QueueRoute>>;
  /** The primary for queues not listed in `routes`; without it, unlisted queues are refused. */
  default?: QueueRoute;
  /** Run migrations on each primary the first time it is used. @defaultValue false */
  migrate?: boolean;
  /** Broker options applied to every queue (lease, retry policy, ...). @defaultValue {} */
  broker?: Omit<MysqlBrokerOptions, 'url' | 'database' | 'queue' | 'pool' | 'migrate'>;
}

interface Target {
  readonly url: string;
  readonly pool: PoolConfig | undefined;
  readonly key: string;
}

/**
 * Splits queues across several MySQL primaries: each queue name maps to one database, every queue on the
 * same database shares one pool, and brokers are created on first use. Use it when one primary's write
 * rate is the limit (see docs/operations/scaling.md); a queue must always route to the same primary.
 *
 * @example
 * ```ts
 * const router = new QueueRouter({ routes: { emails: urlA, reports: urlB }, default: urlC });
 * const emails = await router.broker('emails'); // a MysqlBroker on primary A
 * await emails.enqueue(createTask('send', { to: 'ana@example.com' }));
 * await router.closeAll();
 * ```
 */
export class QueueRouter {
  readonly #routes = new Map<string, Target>();
  readonly #fallback: Target | undefined;
  readonly #migrate: boolean;
  readonly #brokerOptions: QueueRouterOptions['broker'];
  readonly #databases = new Map<string, Promise<Kysely<CelersDatabase>>>();
  readonly #brokers = new Map<string, Promise<MysqlBroker>>();
  #closing: Promise<void> | undefined;

  /** Validates every route (no connection is opened until {@link broker}). */
  constructor(options: QueueRouterOptions) {
    const o = assertOptionalObject(options, 'options');
    if (o === undefined) throw CelersError.invalidArgument('options', 'expected { routes, default? }');
    const routes = assertOptionalObject(options.routes, 'options.routes');
    if (routes === undefined)
      throw CelersError.invalidArgument('options.routes', 'expected an object of queue → URL');
    for (const [queue, route] of Object.entries(options.routes)) {
      assertQueueName(queue, `options.routes["${queue}"]`);
      this.#routes.set(queue, toTarget(route, `options.routes.${queue}`));
    }
    this.#fallback = options.default === undefined ? undefined : toTarget(options.default, 'options.default');
    if (this.#routes.size === 0 && !this.#fallback) {
      throw CelersError.invalidArgument('options.routes', 'give at least one route or a default');
    }
    this.#migrate = options.migrate ?? false;
    this.#brokerOptions = assertOptionalObject(
      options.broker,
      'options.broker',
    ) as QueueRouterOptions['broker'];
  }

  /** The queues with an explicit route. */
  get routedQueues(): string[] {
    return [...this.#routes.keys()];
  }

  /** How many distinct primaries (pools) the routes name. */
  get targetCount(): number {
    return new Set([...this.#routes.values(), ...(this.#fallback ? [this.#fallback] : [])].map((t) => t.key))
      .size;
  }

  /**
   * The broker for `queue` on its primary, connected on first use and cached. `INVALID_ARGUMENT` for a bad
   * name or an unrouted queue without a default; `CLOSED` after {@link closeAll}.
   */
  async broker(queue: string): Promise<MysqlBroker> {
    const name = assertQueueName(queue, 'queue');
    if (this.#closing) throw new CelersError('CLOSED', 'the queue router is closed');
    const target = this.#routes.get(name) ?? this.#fallback;
    if (!target) throw CelersError.invalidArgument('queue', `no route for queue "${name}" and no default`);
    let pending = this.#brokers.get(name);
    if (!pending) {
      pending = this.#connect(name, target);
      this.#brokers.set(name, pending);
      // a failed connect is forgotten, so the next call retries
      pending.catch(() => this.#brokers.delete(name));
    }
    return pending;
  }

  /** Closes every broker and pool the router opened. Safe to call twice. */
  closeAll(): Promise<void> {
    this.#closing ??= (async () => {
      const brokers = await Promise.allSettled([...this.#brokers.values()]);
      await Promise.allSettled(brokers.map((b) => (b.status === 'fulfilled' ? b.value.close() : undefined)));
      const dbs = await Promise.allSettled([...this.#databases.values()]);
      await Promise.allSettled(dbs.map((d) => (d.status === 'fulfilled' ? d.value.destroy() : undefined)));
    })();
    return this.#closing;
  }

  async #connect(queue: string, target: Target): Promise<MysqlBroker> {
    const db = await this.#database(target);
    return MysqlBroker.connect({ ...this.#brokerOptions, database: db, queue });
  }

  #database(target: Target): Promise<Kysely<CelersDatabase>> {
    let pending = this.#databases.get(target.key);
    if (!pending) {
      pending = (async () => {
        const db = createDatabase({ url: target.url, ...(target.pool ? { pool: target.pool } : {}) });
        try {
          if (this.#migrate) await migrate(db); // once per primary, not once per queue
          return db;
        } catch (error) {
          await db.destroy().catch(() => undefined);
          throw toCelersError(error, 'router.connect');
        }
      })();
      this.#databases.set(target.key, pending);
      pending.catch(() => this.#databases.delete(target.key));
    }
    return pending;
  }
}

function toTarget(route: unknown, argument: string): Target {
  if (typeof route === 'string') {
    const url = parseDatabaseUrl(route, argument);
    return { url, pool: undefined, key: url };
  }
  const r = assertOptionalObject(route, argument);
  if (r === undefined)
    throw CelersError.invalidArgument(argument, 'expected a mysql:// URL or { url, pool }');
  const url = parseDatabaseUrl(r.url, `${argument}.url`);
  const pool =
    r.pool === undefined
      ? undefined
      : (resolvePoolConfig(r.pool as PoolConfig, `${argument}.pool`) as PoolConfig);
  return { url, pool, key: pool ? `${url}#${JSON.stringify(pool)}` : url };
}
