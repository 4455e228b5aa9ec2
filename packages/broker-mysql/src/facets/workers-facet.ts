import {
  assertInteger,
  assertName,
  assertOneOf,
  assertOptionalObject,
  assertJsonSerializable,
  WORKER_STATUSES,
  type WorkerRegistration,
  type WorkerStatus,
} from '@celers/core';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';

/**
 * `broker.workers`: worker registration and heartbeats (the seed's Worker Heartbeat System), in
 * `celers_worker_heartbeat`. A worker whose heartbeat goes stale is treated as dead by
 * `recoverTimedOutTasks`, so its tasks come back without waiting for their leases.
 */
export class WorkersFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /** Registers (or re-registers) a worker as `active` with optional capabilities. */
  async register(workerId: string, status: WorkerStatus = 'active', capabilities?: Record<string, unknown>): Promise<void> {
    const id = assertName(workerId, 'workerId');
    const st = assertOneOf(status, WORKER_STATUSES, 'status');
    const caps = assertOptionalObject(capabilities, 'capabilities');
    const capsJson = caps === undefined ? null : assertJsonSerializable(caps, 'capabilities');
    await this.#ctx.run('workers.register', async () => {
      await this.#ctx.db
        .insertInto('celers_worker_heartbeat')
        .values({
          worker_id: id,
          queue_name: this.#ctx.queue,
          last_heartbeat: dbNow(),
          status: st,
          task_count: 0,
          capabilities: capsJson,
          registered_at: dbNow(),
          updated_at: dbNow(),
        })
        .onDuplicateKeyUpdate({
          last_heartbeat: sql`VALUES(last_heartbeat)`,
          status: sql`VALUES(status)`,
          task_count: 0,
          capabilities: sql`VALUES(capabilities)`,
          registered_at: sql`VALUES(registered_at)`,
          updated_at: sql`VALUES(updated_at)`,
        })
        .execute();
    });
  }

  /** Records a heartbeat with status and tasks in flight (registers the worker when unknown). */
  async heartbeat(workerId: string, status: WorkerStatus, taskCount = 0): Promise<void> {
    const id = assertName(workerId, 'workerId');
    const st = assertOneOf(status, WORKER_STATUSES, 'status');
    const count = assertInteger(taskCount, 'taskCount', 0, 1_000_000);
    await this.#ctx.run('workers.heartbeat', async () => {
      await this.#ctx.db
        .insertInto('celers_worker_heartbeat')
        .values({
          worker_id: id,
          queue_name: this.#ctx.queue,
          last_heartbeat: dbNow(),
          status: st,
          task_count: count,
          capabilities: null,
          registered_at: dbNow(),
          updated_at: dbNow(),
        })
        .onDuplicateKeyUpdate({
          last_heartbeat: sql`VALUES(last_heartbeat)`,
          status: sql`VALUES(status)`,
          task_count: sql`VALUES(task_count)`,
          updated_at: sql`VALUES(updated_at)`,
        })
        .execute();
    });
  }

  /** Marks a worker `offline` (graceful shutdown). */
  async deregister(workerId: string): Promise<void> {
    const id = assertName(workerId, 'workerId');
    await this.#ctx.run('workers.deregister', async () => {
      await this.#ctx.db
        .updateTable('celers_worker_heartbeat')
        .set({ status: 'offline', task_count: 0, updated_at: dbNow() })
        .where('worker_id', '=', id)
        .where('queue_name', '=', this.#ctx.queue)
        .execute();
    });
  }
}

/** Re-exported for the Broker interface adapter. @internal */
export type { WorkerRegistration };
