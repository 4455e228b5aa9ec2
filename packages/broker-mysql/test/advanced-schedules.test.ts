import { decodePayload } from '@celers/core';
import { parseJsonColumn } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

let tdb: TestDatabase;
let broker: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'sched', migrate: true });
});
afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

/** Makes a schedule due now (instead of waiting for it). */
const makeDue = (id: string) =>
  broker.database
    .updateTable('celers_recurring_tasks')
    .set({ next_run_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 SECOND)` })
    .where('id', '=', id)
    .execute();

const tasksNamed = (b: MysqlBroker, name: string) =>
  b.database
    .selectFrom('celers_tasks')
    .selectAll()
    .where('task_name', '=', name)
    .where('queue_name', '=', b.queueName)
    .execute();

describe('broker.schedules', () => {
  it('registers, lists, gets, re-registers by name, disables and deletes', async () => {
    const id = await broker.schedules.register({
      name: 'nightly',
      taskName: 'reports.build',
      payload: { kind: 'nightly' },
      schedule: { kind: 'cron', expression: '0 2 * * *' },
      timezone: 'Europe/Berlin',
      priority: 7,
      maxRetries: 1,
      metadata: { team: 'data' },
    });
    const got = await broker.schedules.get(id);
    expect(got).toMatchObject({
      id,
      name: 'nightly',
      taskName: 'reports.build',
      payload: { kind: 'nightly' },
      schedule: { kind: 'cron', expression: '0 2 * * *' },
      timezone: 'Europe/Berlin',
      priority: 7,
      maxRetries: 1,
      metadata: { team: 'data' },
      enabled: true,
      lastRunAt: null,
    });
    // 02:00 in Berlin is 00:00 or 01:00 UTC.
    expect([0, 1]).toContain(got!.nextRunAt.getUTCHours());
    expect(got!.nextRunAt.getUTCMinutes()).toBe(0);
    expect(got!.nextRunAt.getTime()).toBeGreaterThan(Date.now() - 5_000);

    // Same name again: same id, updated config, next run recomputed because the schedule changed.
    const again = await broker.schedules.register({
      name: 'nightly',
      taskName: 'reports.build',
      payload: { kind: 'nightly', v: 2 },
      schedule: { kind: 'every', hours: 6 },
    });
    expect(again).toBe(id);
    const updated = await broker.schedules.get(id);
    expect(updated).toMatchObject({
      payload: { kind: 'nightly', v: 2 },
      schedule: { kind: 'every', hours: 6 },
      timezone: 'UTC',
      priority: 0,
    });
    expect(Math.abs(updated!.nextRunAt.getTime() - (Date.now() + 6 * 3_600_000))).toBeLessThan(120_000);

    await broker.schedules.register({
      name: 'a-first',
      taskName: 't',
      payload: null,
      schedule: { kind: 'every', seconds: 10 },
    });
    expect((await broker.schedules.list()).map((s) => s.name)).toEqual(['a-first', 'nightly']);

    expect(await broker.schedules.setEnabled(id, false)).toBe(true);
    expect((await broker.schedules.get(id))?.enabled).toBe(false);
    // Re-registering at app startup keeps an operator's "disabled".
    await broker.schedules.register({
      name: 'nightly',
      taskName: 'reports.build',
      payload: 1,
      schedule: { kind: 'every', hours: 6 },
    });
    expect((await broker.schedules.get(id))?.enabled).toBe(false);
    expect(await broker.schedules.delete(id)).toBe(true);
    expect(await broker.schedules.get(id)).toBeNull();
    expect(await broker.schedules.delete(id)).toBe(false);
    expect(await broker.schedules.setEnabled(id, true)).toBe(false);
  });

  it('process enqueues each due schedule once and advances next_run_at', async () => {
    const id = await broker.schedules.register({
      name: 'every-minute',
      taskName: 'tick',
      payload: { n: 1 },
      schedule: { kind: 'every', minutes: 1 },
      metadata: { source: 'cron' },
    });
    expect(await broker.schedules.process()).toBe(0); // not due yet
    await makeDue(id);
    const due = (await broker.schedules.get(id))!.nextRunAt;
    expect(await broker.schedules.process()).toBe(1);
    expect(await broker.schedules.process()).toBe(0);
    const tasks = await tasksNamed(broker, 'tick');
    expect(tasks).toHaveLength(1);
    const after = (await broker.schedules.get(id))!;
    expect(after.lastTaskId).toBe(tasks[0]?.id);
    expect(after.lastRunAt).not.toBeNull();
    expect(after.nextRunAt.getTime()).toBeGreaterThan(after.lastRunAt!.getTime());
    expect(after.nextRunAt.getTime() - after.lastRunAt!.getTime()).toBeLessThanOrEqual(60_000);
    const msg = await broker.dequeue();
    expect(decodePayload(msg!.task)).toEqual({ n: 1 });
    expect(msg!.task.metadata.custom).toMatchObject({
      source: 'cron',
      recurring_id: id,
      recurring_name: 'every-minute',
      scheduled_for: due.toISOString(),
    });
  });

  it('disabled schedules never run; enabling recomputes the next run from now', async () => {
    const id = await broker.schedules.register({
      name: 'paused-one',
      taskName: 'paused.task',
      payload: 1,
      schedule: { kind: 'every', hours: 1 },
      enabled: false,
    });
    await makeDue(id);
    expect(await broker.schedules.process()).toBe(0);
    expect(await broker.schedules.setEnabled(id, true)).toBe(true);
    expect((await broker.schedules.get(id))!.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await broker.schedules.process()).toBe(0);
    expect(await tasksNamed(broker, 'paused.task')).toHaveLength(0);
  });

  it('two schedulers processing the same due schedules at once enqueue each exactly once', async () => {
    const q = await broker.forQueue('sched-race');
    const other = await MysqlBroker.connect({ url: tdb.url, queue: 'sched-race' }); // its own pool
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(
        await q.schedules.register({
          name: `race-${i}`,
          taskName: 'race.tick',
          payload: i,
          schedule: { kind: 'every', minutes: 5 },
        }),
      );
    }
    for (let round = 0; round < 3; round++) {
      for (const id of ids) {
        await q.database
          .updateTable('celers_recurring_tasks')
          .set({ next_run_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 SECOND)` })
          .where('id', '=', id)
          .execute();
      }
      const counts = await Promise.all([
        q.schedules.process(),
        other.schedules.process(),
        q.schedules.process(),
        other.schedules.process(),
      ]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
      expect(await tasksNamed(q, 'race.tick')).toHaveLength(12 * (round + 1));
    }
    const perSchedule = new Map<string, number>();
    for (const t of await tasksNamed(q, 'race.tick')) {
      const rid = parseJsonColumn<{ recurring_id: string }>(t.metadata).recurring_id;
      perSchedule.set(rid, (perSchedule.get(rid) ?? 0) + 1);
    }
    expect([...perSchedule.values()]).toEqual(Array(12).fill(3));
    await other.close();
    await q.close();
  });

  it('does not run (nor advance) in drain mode', async () => {
    const q = await broker.forQueue('sched-drain');
    const id = await q.schedules.register({
      name: 'd',
      taskName: 'drain.tick',
      payload: 1,
      schedule: { kind: 'every', seconds: 30 },
    });
    await q.database
      .updateTable('celers_recurring_tasks')
      .set({ next_run_at: sql<Date>`DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 1 SECOND)` })
      .where('id', '=', id)
      .execute();
    await q.enableDrainMode();
    expect(await q.schedules.process()).toBe(0);
    await q.disableDrainMode();
    expect(await q.schedules.process()).toBe(1);
    await q.close();
  });

  it('rejects bad input naming the argument and writes nothing', async () => {
    const base = {
      name: 'bad',
      taskName: 'bad.task',
      payload: 1,
      schedule: { kind: 'every', seconds: 5 },
    } as const;
    const cases: Array<[unknown, string]> = [
      [{ ...base, schedule: { kind: 'cron', expression: 'every day' } }, 'options.schedule.expression'],
      [
        { ...base, schedule: { kind: 'weekly', dayOfWeek: 9, hour: 1, minute: 0 } },
        'options.schedule.dayOfWeek',
      ],
      [{ ...base, timezone: 'Not/AZone' }, 'options.timezone'],
      [{ ...base, name: '' }, 'options.name'],
      [{ ...base, taskName: 5 }, 'options.taskName'],
      [{ ...base, priority: 1.5 }, 'options.priority'],
      [{ ...base, maxRetries: -1 }, 'options.maxRetries'],
      [{ ...base, metadata: 'x' }, 'options.metadata'],
      [{ ...base, enabled: 'yes' }, 'options.enabled'],
      [null, 'options'],
    ];
    for (const [options, argument] of cases) {
      await expect(broker.schedules.register(options as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument,
      });
    }
    await expect(broker.schedules.get('nope')).rejects.toMatchObject({ argument: 'id' });
    await expect(broker.schedules.delete('nope')).rejects.toMatchObject({ argument: 'id' });
    await expect(
      broker.schedules.setEnabled('01a200d9-fcdd-7356-8cc7-5305745f8525', 'yes' as never),
    ).rejects.toMatchObject({ argument: 'enabled' });
    expect((await broker.schedules.list()).some((s) => s.name === 'bad')).toBe(false);
  });
});
