// Workers of one queue: heartbeat age, status, tasks in flight and counters.
import { getJson, seg } from '../api.js';
import { fmtDate, fmtMs, h, replace, table } from '../dom.js';
import { queueNav } from './queue-nav.js';

function counters(s) {
  return s ? `${s.tasksProcessing} running, ${s.tasksCompleted} done, ${s.tasksFailed} failed` : '—';
}

/** `#/queues/:queue/workers` */
export function workersView(root, [queue]) {
  const body = h('div', { dataset: { testid: 'worker-list' } });
  const others = h('div');
  replace(root, queueNav(queue, 'workers'), body, others);

  async function refresh() {
    const { workers, unregistered } = await getJson(`/queues/${seg(queue)}/workers`);
    replace(
      body,
      table(
        [
          ['Worker', (w) => h('span', { class: 'mono' }, w.workerId)],
          ['Status', (w) => h('span', { class: `state worker-${w.status}` }, w.status)],
          [
            'Heartbeat age',
            (w) =>
              h('span', { class: w.stale ? 'error-text' : '' }, fmtMs(w.ageMs), w.stale ? ' (stale)' : ''),
          ],
          ['Last heartbeat', (w) => fmtDate(w.lastHeartbeat)],
          ['In flight', (w) => String(w.taskCount)],
          ['Tasks', (w) => counters(w.statistics)],
          ['Avg runtime', (w) => fmtMs(w.statistics?.avgRuntimeMs)],
          ['Registered', (w) => fmtDate(w.registeredAt)],
        ],
        workers,
        {
          empty: 'No worker has sent a heartbeat for this queue.',
          rowAttrs: (w) => ({ dataset: { testid: 'worker-row', id: w.workerId } }),
        },
      ),
    );
    replace(
      others,
      unregistered.length
        ? [
            h('h2', {}, 'Workers without a heartbeat row'),
            table(
              [
                ['Worker', (s) => h('span', { class: 'mono' }, s.workerId)],
                ['Tasks', counters],
                ['Last activity', (s) => fmtDate(s.lastActivity)],
              ],
              unregistered,
            ),
          ]
        : '',
    );
  }
  return { refresh };
}
