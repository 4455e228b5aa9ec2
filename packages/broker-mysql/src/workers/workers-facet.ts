import {
  assertDurationMs,
  assertInteger,
  assertJsonSerializable,
  assertName,
  assertOneOf,
  assertOptionalObject,
  WORKER_STATUSES,
  type WorkerRegistration,
  type WorkerStatus,
} from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { sql } from 'kysely';
import type { BrokerContext } from '../broker-context.js';
import { dbNow, dbNowPlusMs } from '../internal/db-time.js';
import { reportRetries, withLockRetry } from '../internal/lock-retry.js';
import { RECOVERY_CHUNK_SIZE } from '../queue/control-operations.js';
import { recordTransitions } from '../queue/history.sql.js';
import { requeueTasks } from '../queue/lease.sql.js';
import { selectWorkerStatistics } from './workers.sql.js';
import type { WorkerHeartbeat, WorkerStatistics } from './workers-types.js';

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
  async register(
    workerId: string,
    status: WorkerStatus = 'active',
    capabilities?: Record<string, unknown>,
  ): Promise<void> {
    const id = assertName(workerId, 'workerId');
    const st = assertOneOf(status, WORKER_STATUSES, 'status');
    const caps = assertOptionalObject(capabilities, 'capabilities');
    const capsJson =
      caps === undefined ? null : assertJsonSerializable(caps, 'capabilities', { object: true });
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

  /**
   * Every worker of the queue with its heartbeat age (the seed's `get_all_worker_heartbeats`). Workers whose
   * last heartbeat is older than `staleAfterMs` are marked `offline` in the database first, so every host sees it.
   */
  async heartbeats(options: { staleAfterMs?: number } = {}): Promise<WorkerHeartbeat[]> {
    const o = assertOptionalObject(options, 'options') ?? {};
    const staleMs =
      o.staleAfterMs === undefined
        ? this.#ctx.options.workerStaleAfterMs
        : assertDurationMs(o.staleAfterMs, 'options.staleAfterMs', 1);
    return this.#ctx.run('workers.heartbeats', async () => {
      await withLockRetry(reportRetries(this.#ctx, 'workers.heartbeats'), () =>
        this.#ctx.db
          .updateTable('celers_worker_heartbeat')
          .set({ status: 'offline', updated_at: dbNow() })
          .where('queue_name', '=', this.#ctx.queue)
          .where('last_heartbeat', '<', dbNowPlusMs(-staleMs))
          .where('status', '!=', 'offline')
          .execute(),
      );
      const rows = await this.#ctx.db
        .selectFrom('celers_worker_heartbeat')
        .selectAll()
        .select(sql<number>`TIMESTAMPDIFF(MICROSECOND, last_heartbeat, UTC_TIMESTAMP(6))`.as('age_us'))
        .where('queue_name', '=', this.#ctx.queue)
        .orderBy('worker_id')
        .execute();
      return rows.map((r) => {
        const ageMs = Math.max(0, Number(r.age_us) / 1000);
        return {
          workerId: r.worker_id,
          queueName: r.queue_name,
          status: r.status,
          taskCount: r.task_count,
          capabilities:
            r.capabilities == null ? null : parseJsonColumn<Record<string, unknown>>(r.capabilities),
          lastHeartbeat: r.last_heartbeat,
          registeredAt: r.registered_at,
          ageMs,
          stale: ageMs > staleMs,
        };
      });
    });
  }

  /**
   * Ids of workers that are processing tasks of this queue or have a fresh heartbeat (within the broker's
   * `workerStaleAfterMs`, not `offline`), sorted (the seed's `list_active_workers`).
   */
  async listActive(): Promise<string[]> {
    return this.#ctx.run('workers.listActive', async () => {
      const busy = await this.#ctx.db
        .selectFrom('celers_tasks')
        .select('worker_id')
        .distinct()
        .where('queue_name', '=', this.#ctx.queue)
        .where('state', '=', 'processing')
        .where('worker_id', 'is not', null)
        .execute();
      const beating = await this.#ctx.db
        .selectFrom('celers_worker_heartbeat')
        .select('worker_id')
        .where('queue_name', '=', this.#ctx.queue)
        .where('status', '!=', 'offline')
        .where('last_heartbeat', '>=', dbNowPlusMs(-this.#ctx.options.workerStaleAfterMs))
        .execute();
      const ids = new Set<string>();
      for (const r of [...busy, ...beating]) if (r.worker_id) ids.add(r.worker_id);
      return [...ids].sort();
    });
  }

  /** Task counters of one worker (zeros when it has no tasks in this queue) (the seed's `get_worker_statistics`). */
  async statistics(workerId: string): Promise<WorkerStatistics> {
    const id = assertName(workerId, 'workerId');
    return this.#ctx.run('workers.statistics', async () => {
      const [stats] = await selectWorkerStatistics(this.#ctx.db, this.#ctx.queue, id);
      return (
        stats ?? {
          workerId: id,
          tasksProcessing: 0,
          tasksCompleted: 0,
          tasksFailed: 0,
          avgRuntimeMs: null,
          lastActivity: null,
        }
      );
    });
  }

  /** Task counters of every worker that ran tasks of this queue, by worker id. */
  async allStatistics(): Promise<WorkerStatistics[]> {
    return this.#ctx.run('workers.allStatistics', () =>
      selectWorkerStatistics(this.#ctx.db, this.#ctx.queue),
    );
  }

  /**
   * Returns every task `workerId` is processing to `pending` (retry count kept; its receipts become stale), in
   * chunks; returns how many (the seed's `requeue_stuck_tasks_by_worker`, for a worker known to be dead).
   */
  async requeueStuckTasks(workerId: string): Promise<number> {
    const id = assertName(workerId, 'workerId');
    const ctx = this.#ctx;
    return ctx.run('workers.requeueStuckTasks', async () => {
      let total = 0;
      for (;;) {
        const n = await withLockRetry(reportRetries(this.#ctx, 'workers.requeueStuckTasks'), () =>
          ctx.db.transaction().execute(async (trx) => {
            const rows = await trx
              .selectFrom('celers_tasks')
              .select('id')
              .where('worker_id', '=', id)
              .where('state', '=', 'processing')
              .where('queue_name', '=', ctx.queue)
              .orderBy('id')
              .limit(RECOVERY_CHUNK_SIZE)
              .forUpdate()
              .skipLocked()
              .execute();
            const ids = rows.map((r) => r.id);
            const changed = await requeueTasks(trx, ids);
            if (ctx.options.recordHistory) {
              await recordTransitions(
                trx,
                ctx.queue,
                ids.map((taskId) => ({
                  taskId,
                  from: 'processing',
                  to: 'pending',
                  workerId: id,
                  note: 'requeued',
                })),
              );
            }
            return changed;
          }),
        );
        total += n;
        if (n < RECOVERY_CHUNK_SIZE) break;
      }
      if (total > 0) ctx.emit('task:recovered', { queue: ctx.queue, count: total });
      return total;
    });
  }
}

/** Re-exported for the Broker interface adapter. @internal */
export type { WorkerRegistration };
