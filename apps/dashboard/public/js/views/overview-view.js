// Overview: every queue with its counts, paused/draining state and controls, plus live metric charts.
import { getJson, postJson, seg } from '../api.js';
import { legend, lineChart } from '../charts.js';
import { actionButton, fmtMs, h, replace, table } from '../dom.js';
import { addSample, samplesOf } from '../samples.js';

/** Queues whose charts are drawn (metrics cost a query each per refresh). */
const MAX_CHARTED_QUEUES = 12;

// pending…deadLettered partition the queue's tasks (each counted once); scheduled is part of pending and
// dlq counts DLQ entries (a requeued entry's task is no longer dead-lettered).
const COUNT_TITLES = {
  pending: 'Pending (incl. scheduled)',
  scheduled: 'Scheduled',
  failed: 'Failed (not in DLQ)',
  deadLettered: 'Dead-lettered',
  dlq: 'DLQ entries',
};
const COUNTS = [
  'pending',
  'scheduled',
  'processing',
  'completed',
  'failed',
  'cancelled',
  'deadLettered',
  'dlq',
];

function stateBadges(q) {
  const badges = [];
  if (q.paused) badges.push(h('span', { class: 'badge warn', dataset: { testid: 'paused' } }, 'paused'));
  if (q.draining)
    badges.push(h('span', { class: 'badge warn', dataset: { testid: 'draining' } }, 'draining'));
  if (q.phantom)
    badges.push(
      h(
        'span',
        {
          class: 'badge',
          title: 'No task and no DLQ entry: only a config row',
          dataset: { testid: 'phantom' },
        },
        'empty',
      ),
    );
  return badges.length ? badges : h('span', { class: 'badge ok' }, 'running');
}

function deleteButton(q, ctx, reload) {
  return actionButton('Delete', {
    readOnly: ctx.readOnly,
    cls: 'danger small',
    testid: 'delete-queue',
    question: `Delete queue "${q.name}"? It has no task and no DLQ entry; its pause and drain flags go away.`,
    action: async () => {
      await postJson(`/queues/${seg(q.name)}/delete`, { confirm: true });
      await reload();
      return `Queue ${q.name} deleted`;
    },
  });
}

function controls(q, ctx, reload) {
  const path = `/queues/${seg(q.name)}`;
  const run = (action, done) => async () => {
    await postJson(`${path}/${action}`);
    await reload();
    return `${q.name}: ${done}`;
  };
  return h(
    'span',
    { class: 'controls' },
    q.paused
      ? actionButton('Resume', { action: run('resume', 'resumed'), readOnly: ctx.readOnly, testid: 'resume' })
      : actionButton('Pause', { action: run('pause', 'paused'), readOnly: ctx.readOnly, testid: 'pause' }),
    q.draining
      ? actionButton('Undrain', {
          action: run('undrain', 'accepting tasks again'),
          readOnly: ctx.readOnly,
          testid: 'undrain',
        })
      : actionButton('Drain', {
          action: run('drain', 'in drain mode'),
          question: `Put "${q.name}" in drain mode? New tasks will be refused until you undrain it.`,
          readOnly: ctx.readOnly,
          testid: 'drain',
        }),
    q.phantom ? deleteButton(q, ctx, reload) : '',
  );
}

function countCell(q, key) {
  const n = q.stats[key];
  const target = key === 'dlq' ? 'dlq' : `tasks?state=${key === 'scheduled' ? 'pending' : key}`;
  return h(
    'a',
    {
      href: `#/queues/${seg(q.name)}/${target}`,
      class: n > 0 ? `count count-${key}` : 'count zero',
      dataset: { testid: key },
    },
    String(n),
  );
}

function chartCard(queue) {
  const samples = samplesOf(queue);
  const times = samples.map((s) => s.at);
  const throughput = [
    { label: 'completed / min', cls: 's-ok', values: samples.map((s) => s.completedPerMinute) },
    { label: 'failed / min', cls: 's-bad', values: samples.map((s) => s.failedPerMinute) },
  ];
  const latency = [
    { label: 'P50', cls: 's-1', values: samples.map((s) => s.p50) },
    { label: 'P95', cls: 's-2', values: samples.map((s) => s.p95) },
    { label: 'P99', cls: 's-3', values: samples.map((s) => s.p99) },
  ];
  const last = samples[samples.length - 1];
  return h(
    'section',
    { class: 'card', dataset: { testid: 'chart-card', queue } },
    h('h3', {}, queue),
    h(
      'div',
      { class: 'chart-title' },
      'Throughput (last minute)',
      last ? ` — ${last.completedPerMinute.toFixed(1)}/min` : '',
    ),
    lineChart({ title: `${queue} throughput`, series: throughput, times, format: (v) => v.toFixed(1) }),
    legend(throughput),
    h(
      'div',
      { class: 'chart-title' },
      'Queue wait P50 / P95 / P99',
      last ? ` — ${fmtMs(last.p50)} / ${fmtMs(last.p95)} / ${fmtMs(last.p99)}` : '',
    ),
    lineChart({ title: `${queue} latency`, series: latency, times, format: fmtMs }),
    legend(latency),
  );
}

/** The read replica's lag (with `--read-url`): counts and listings are this far behind the primary. */
function replicaLine(replica) {
  if (!replica) return null;
  const lag = replica.lagMs === null ? 'lag unknown' : `${fmtMs(replica.lagMs)} behind the primary`;
  const cls = replica.status === 'healthy' ? 'badge ok' : 'badge warn';
  return h(
    'p',
    { class: 'muted', dataset: { testid: 'replica-lag' } },
    'Counts and listings read a replica: ',
    h('span', { class: cls }, `${lag} (${replica.status})`),
    '. Actions go to the primary.',
  );
}

/** `#/`: the queue overview. */
export function overviewView(root, _params, _query, ctx) {
  const lagLine = h('div');
  const list = h('div', { dataset: { testid: 'queues' }, class: 'table-wrap' });
  const charts = h('div', { class: 'cards' });
  replace(
    root,
    h('h1', {}, 'Queues'),
    lagLine,
    list,
    h('h2', {}, 'Live metrics'),
    h('p', { class: 'muted' }, 'Sampled every few seconds while this page is open.'),
    charts,
  );

  async function refresh() {
    const { queues, replica } = await getJson('/queues');
    replace(lagLine, replicaLine(replica));
    replace(
      list,
      table(
        [
          ['Queue', (q) => h('a', { href: `#/queues/${seg(q.name)}/tasks`, class: 'queue-name' }, q.name)],
          ...COUNTS.map((key) => [
            COUNT_TITLES[key] ?? key[0].toUpperCase() + key.slice(1),
            (q) => countCell(q, key),
          ]),
          ['State', stateBadges],
          ['', (q) => controls(q, ctx, refresh)],
        ],
        queues,
        {
          empty: 'No queues yet: enqueue a task and it shows up here.',
          rowAttrs: (q) => ({ dataset: { testid: 'queue-row', queue: q.name } }),
        },
      ),
    );
    const charted = queues.slice(0, MAX_CHARTED_QUEUES);
    const metrics = await Promise.all(
      charted.map((q) => getJson(`/queues/${seg(q.name)}/metrics`).catch(() => null)),
    );
    charted.forEach((q, i) => {
      if (metrics[i]) addSample(q.name, metrics[i]);
    });
    replace(
      charts,
      charted.map((q) => chartCard(q.name)),
    );
  }
  return { refresh };
}
