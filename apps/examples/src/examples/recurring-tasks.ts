// recurring_tasks: interval, daily, weekly, monthly and cron schedules; processing enqueues what is due.
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('Register schedules');
    const heartbeat = await broker.schedules.register({
      name: 'heartbeat',
      taskName: 'ops.heartbeat',
      payload: {},
      schedule: { kind: 'every', seconds: 30 },
    });
    await broker.schedules.register({
      name: 'nightly-report',
      taskName: 'reports.nightly',
      payload: { full: true },
      schedule: { kind: 'daily', hour: 2, minute: 30 },
      timezone: 'Europe/Paris',
    });
    await broker.schedules.register({
      name: 'weekly-digest',
      taskName: 'emails.digest',
      payload: {},
      schedule: { kind: 'weekly', dayOfWeek: 1, hour: 9, minute: 0 },
    });
    await broker.schedules.register({
      name: 'invoices',
      taskName: 'billing.invoice',
      payload: {},
      schedule: { kind: 'monthly', day: 1, hour: 6, minute: 0 },
    });
    await broker.schedules.register({
      name: 'weekday-sync',
      taskName: 'crm.sync',
      payload: {},
      schedule: { kind: 'cron', expression: '*/15 9-17 * * 1-5' },
    });
    const all = await broker.schedules.list();
    for (const s of all)
      info(`${s.name.padEnd(15)} ${JSON.stringify(s.schedule).padEnd(50)} next ${s.nextRunAt.toISOString()}`);
    check(all.length === 5, 'registered 5 schedules (every, daily, weekly, monthly, cron)');

    section('Process due schedules');
    // A new schedule's first run is computed from now; make the heartbeat due to show processing.
    await broker.database
      .updateTable('celers_recurring_tasks')
      .set({ next_run_at: new Date(Date.now() - 1_000) })
      .where('id', '=', heartbeat)
      .execute();
    const enqueued = await broker.schedules.process();
    check(enqueued === 1, 'process() enqueued the 1 due schedule');
    const [task] = await broker.tasks.list({ state: 'pending' });
    check(
      task?.taskName === 'ops.heartbeat' && task.metadata.recurring_name === 'heartbeat',
      'the task carries its schedule in metadata',
    );
    const after = await broker.schedules.get(heartbeat);
    check(
      after!.lastRunAt !== null && after!.nextRunAt.getTime() > Date.now(),
      'next run moved ahead, last run recorded',
    );
    check((await broker.schedules.process()) === 0, 'processing again enqueues nothing (no double runs)');

    section('Disable and delete');
    await broker.schedules.setEnabled(heartbeat, false);
    check((await broker.schedules.get(heartbeat))?.enabled === false, 'schedule disabled (kept, never runs)');
    check(await broker.schedules.delete(heartbeat), 'schedule deleted');
    check((await broker.schedules.list()).length === 4, '4 schedules remain');
  });
}
