// History of one queue from the database: throughput, failures and latency percentiles per task name over
// 1h / 24h / 7d (finished tasks, bucketed server-side).
import { getJson, seg } from '../api.js';
import { legend } from '../charts.js';
import { fmtMs, h, replace } from '../dom.js';
import { percentileLines, throughputBars } from '../history-charts.js';
import { queueNav } from './queue-nav.js';

const RANGES = ['1h', '24h', '7d'];

function rangeLinks(queue, range, task) {
  return h(
    'nav',
    { class: 'range-links', dataset: { testid: 'ranges' } },
    RANGES.map((r) => {
      const q = new URLSearchParams({ range: r });
      if (task) q.set('task', task);
      return h(
        'a',
        { href: `#/queues/${seg(queue)}/history?${q}`, class: r === range ? 'btn primary' : 'btn' },
        r,
      );
    }),
  );
}

/** `#/queues/:queue/history?range=1h|24h|7d&task=` */
export function historyView(root, [queue], query, ctx) {
  const range = RANGES.includes(query.get('range')) ? query.get('range') : '1h';
  const wanted = query.get('task') ?? '';
  const body = h('div', { dataset: { testid: 'history' } });
  replace(root, queueNav(queue, 'history'), rangeLinks(queue, range, wanted), body);

  function taskPicker(series, current) {
    const select = h(
      'select',
      { name: 'task', dataset: { testid: 'task-picker' } },
      series.map((s) =>
        h('option', { value: s.taskName, selected: s.taskName === current }, `${s.taskName} (${s.total})`),
      ),
    );
    select.addEventListener('change', () =>
      ctx.navigate(`#/queues/${seg(queue)}/history?${new URLSearchParams({ range, task: select.value })}`),
    );
    return h('label', { class: 'filters' }, 'Task name ', select);
  }

  async function refresh() {
    const history = await getJson(`/queues/${seg(queue)}/history?range=${range}`);
    if (history.series.length === 0) {
      replace(body, h('p', { class: 'muted empty' }, `No task of "${queue}" finished in the last ${range}.`));
      return;
    }
    const series = history.series.find((s) => s.taskName === wanted) ?? history.series[0];
    const { buckets, bucketMs } = history;
    const pick = (key) => series.points.map((p) => p[key]);
    const exec = [
      { label: 'P50', cls: 's-1', values: pick('execP50Ms') },
      { label: 'P95', cls: 's-2', values: pick('execP95Ms') },
      { label: 'P99', cls: 's-3', values: pick('execP99Ms') },
    ];
    const wait = [
      { label: 'P50', cls: 's-1', values: pick('waitP50Ms') },
      { label: 'P95', cls: 's-2', values: pick('waitP95Ms') },
      { label: 'P99', cls: 's-3', values: pick('waitP99Ms') },
    ];
    const minutes = Math.round(bucketMs / 60_000);
    const failed = series.points.reduce((n, p) => n + p.failed, 0);
    replace(
      body,
      taskPicker(history.series, series.taskName),
      h(
        'p',
        { class: 'muted', dataset: { testid: 'history-summary' } },
        `${series.total} finished (${failed} failed) in ${buckets.length} buckets of ${minutes >= 60 ? `${minutes / 60} h` : `${minutes} min`}`,
        history.truncated
          ? ` — only the newest ${history.rowsRead} rows were read; older buckets are incomplete`
          : '',
      ),
      h(
        'section',
        { class: 'card', dataset: { testid: 'history-throughput' } },
        h('div', { class: 'chart-title' }, 'Finished tasks per bucket'),
        throughputBars({ title: `${series.taskName} throughput`, buckets, bucketMs, points: series.points }),
        legend([
          { label: 'completed', cls: 's-ok' },
          { label: 'failed / cancelled', cls: 's-bad' },
        ]),
      ),
      h(
        'section',
        { class: 'card', dataset: { testid: 'history-exec' } },
        h('div', { class: 'chart-title' }, 'Run time (started → completed) P50 / P95 / P99'),
        percentileLines({
          title: `${series.taskName} run time`,
          buckets,
          bucketMs,
          series: exec,
          format: fmtMs,
        }),
        legend(exec),
      ),
      h(
        'section',
        { class: 'card', dataset: { testid: 'history-wait' } },
        h('div', { class: 'chart-title' }, 'Wait (created → started) P50 / P95 / P99'),
        percentileLines({ title: `${series.taskName} wait`, buckets, bucketMs, series: wait, format: fmtMs }),
        legend(wait),
      ),
    );
  }
  return { refresh };
}
