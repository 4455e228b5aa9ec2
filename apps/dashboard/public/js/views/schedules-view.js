// Recurring schedules of one queue with their next run times.
import { getJson, seg } from '../api.js';
import { fmtDate, h, replace, table } from '../dom.js';
import { queueNav } from './queue-nav.js';

function describeSchedule(s) {
  switch (s.kind) {
    case 'every':
      return s.seconds ? `every ${s.seconds} s` : s.minutes ? `every ${s.minutes} min` : `every ${s.hours} h`;
    case 'daily':
      return `daily at ${String(s.hour).padStart(2, '0')}:${String(s.minute).padStart(2, '0')}${s.everyDays > 1 ? `, every ${s.everyDays} days` : ''}`;
    case 'weekly':
      return `weekly on ${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][s.dayOfWeek]} at ${String(s.hour).padStart(2, '0')}:${String(s.minute).padStart(2, '0')}`;
    case 'monthly':
      return `monthly on day ${s.day} at ${String(s.hour).padStart(2, '0')}:${String(s.minute).padStart(2, '0')}`;
    case 'cron':
      return `cron ${s.expression}`;
    default:
      return JSON.stringify(s);
  }
}

/** `#/queues/:queue/schedules` */
export function schedulesView(root, [queue]) {
  const body = h('div', { dataset: { testid: 'schedule-list' } });
  replace(root, queueNav(queue, 'schedules'), body);

  async function refresh() {
    const { schedules } = await getJson(`/queues/${seg(queue)}/schedules`);
    replace(
      body,
      table(
        [
          ['Name', (s) => s.name],
          ['Task', (s) => s.taskName],
          ['Schedule', (s) => describeSchedule(s.schedule)],
          ['Time zone', (s) => s.timezone],
          [
            'Enabled',
            (s) =>
              h('span', { class: `badge ${s.enabled ? 'ok' : 'warn'}` }, s.enabled ? 'enabled' : 'disabled'),
          ],
          ['Next run', (s) => h('span', { dataset: { testid: 'next-run' } }, fmtDate(s.nextRunAt))],
          ['Last run', (s) => fmtDate(s.lastRunAt)],
          [
            'Last task',
            (s) =>
              s.lastTaskId
                ? h(
                    'a',
                    { href: `#/tasks/${seg(s.lastTaskId)}?queue=${seg(queue)}`, class: 'mono' },
                    s.lastTaskId,
                  )
                : '—',
          ],
        ],
        schedules,
        {
          empty: 'No recurring schedule in this queue.',
          rowAttrs: () => ({ dataset: { testid: 'schedule-row' } }),
        },
      ),
    );
  }
  return { refresh };
}
