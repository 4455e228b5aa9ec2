import { assertTaskId, CelersError } from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import type { BrokerContext } from '../broker-context.js';
import { dbNow } from '../internal/db-time.js';
import { computeNextRun } from './next-run.js';
import { findSchedule, readDbNow } from './recurring.sql.js';
import type { RecurringSchedule } from './recurring-schedule.js';
import type { RecurringTask, RecurringTaskOptions } from './recurring-task-types.js';
import { processSchedules, registerSchedule, toRecurringTask } from './schedule-operations.js';

/**
 * `broker.schedules`: recurring tasks (the seed's Recurring/Cron Tasks) in `celers_recurring_tasks`. Call
 * `process()` periodically from one or more hosts; each due run is enqueued exactly once.
 *
 * @example
 * ```ts
 * await broker.schedules.register({
 *   name: 'nightly-report', taskName: 'reports.build', payload: { kind: 'daily' },
 *   schedule: { kind: 'cron', expression: '0 2 * * *' }, timezone: 'Europe/Berlin',
 * });
 * setInterval(() => void broker.schedules.process(), 10_000);
 * ```
 */
export class SchedulesFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /** Registers a recurring task (or updates the one with the same name); returns its id. */
  async register(options: RecurringTaskOptions): Promise<string> {
    return registerSchedule(this.#ctx, options);
  }

  /** Enqueues every due run once (race-safe across schedulers); returns the number of tasks enqueued. */
  async process(): Promise<number> {
    return processSchedules(this.#ctx);
  }

  /** Every recurring task of the queue, by name. */
  async list(): Promise<RecurringTask[]> {
    return this.#ctx.run('schedules.list', async () => {
      const rows = await this.#ctx.db
        .selectFrom('celers_recurring_tasks')
        .selectAll()
        .where('queue_name', '=', this.#ctx.queue)
        .orderBy('name')
        .execute();
      return rows.map(toRecurringTask);
    });
  }

  /** One recurring task, or `null`. */
  async get(id: string): Promise<RecurringTask | null> {
    const scheduleId = assertTaskId(id, 'id');
    return this.#ctx.run('schedules.get', async () => {
      const row = await findSchedule(this.#ctx.db, this.#ctx.queue, scheduleId);
      return row ? toRecurringTask(row) : null;
    });
  }

  /** Deletes a recurring task; `false` when there was none. Tasks it already enqueued are kept. */
  async delete(id: string): Promise<boolean> {
    const scheduleId = assertTaskId(id, 'id');
    return this.#ctx.run('schedules.delete', async () => {
      const r = await this.#ctx.db
        .deleteFrom('celers_recurring_tasks')
        .where('id', '=', scheduleId)
        .where('queue_name', '=', this.#ctx.queue)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    });
  }

  /**
   * Enables or disables a recurring task; `false` when there is none. Enabling computes the next run from now,
   * so runs missed while disabled are not fired late.
   */
  async setEnabled(id: string, enabled: boolean): Promise<boolean> {
    const scheduleId = assertTaskId(id, 'id');
    if (typeof enabled !== 'boolean') throw CelersError.invalidArgument('enabled', 'expected a boolean');
    return this.#ctx.run('schedules.setEnabled', () =>
      this.#ctx.db.transaction().execute(async (trx) => {
        const row = await findSchedule(trx, this.#ctx.queue, scheduleId, true);
        if (!row) return false;
        if ((Number(row.enabled) === 1) === enabled) return true;
        const next = enabled
          ? computeNextRun(
              parseJsonColumn<RecurringSchedule>(row.schedule),
              row.timezone,
              await readDbNow(trx),
            )
          : row.next_run_at;
        await trx
          .updateTable('celers_recurring_tasks')
          .set({ enabled: enabled ? 1 : 0, next_run_at: next, updated_at: dbNow() })
          .where('id', '=', scheduleId)
          .execute();
        return true;
      }),
    );
  }
}
