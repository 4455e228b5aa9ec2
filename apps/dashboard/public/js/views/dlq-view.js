// Dead letter queue of one queue: entries with requeue, replay by filter, purge.
import { getJson, postJson, seg } from '../api.js';
import { actionButton, fmtDate, h, replace, table } from '../dom.js';
import { queueNav } from './queue-nav.js';

const PAGE = 50;

function replayForm(queue, ctx, reload) {
  const pattern = h('input', {
    name: 'taskNamePattern',
    placeholder: 'emails.* (glob, empty = all)',
    maxlength: 255,
  });
  const minRetries = h('input', { name: 'minRetries', type: 'number', min: 0, placeholder: 'any' });
  const limit = h('input', { name: 'limit', type: 'number', min: 1, max: 10000, value: 100 });
  const button = actionButton('Replay matching', {
    readOnly: ctx.readOnly,
    testid: 'replay',
    question: 'Requeue every DLQ entry matching this filter as a fresh task?',
    action: async () => {
      const body = { confirm: true, limit: Number(limit.value) };
      if (pattern.value.trim()) body.taskNamePattern = pattern.value.trim();
      if (minRetries.value !== '') body.minRetries = Number(minRetries.value);
      const { replayed } = await postJson(`/queues/${seg(queue)}/dlq/replay`, body);
      await reload();
      return `Requeued ${replayed} DLQ entr${replayed === 1 ? 'y' : 'ies'}`;
    },
  });
  return h(
    'div',
    { class: 'filters' },
    h('label', {}, 'Task name ', pattern),
    h('label', {}, 'Min retries ', minRetries),
    h('label', {}, 'Limit ', limit),
    button,
  );
}

/** `#/queues/:queue/dlq` */
export function dlqView(root, [queue], _query, ctx) {
  const body = h('div', { dataset: { testid: 'dlq-list' } });
  const summary = h('p', { class: 'muted' });
  const purgeAll = actionButton('Purge all', {
    readOnly: ctx.readOnly,
    cls: 'danger',
    testid: 'purge-all',
    question: `Delete EVERY dead-lettered task of "${queue}"? This cannot be undone.`,
    action: async () => {
      const { purged } = await postJson(`/queues/${seg(queue)}/dlq/purge`, { confirm: true });
      await refresh();
      return `Purged ${purged} DLQ entr${purged === 1 ? 'y' : 'ies'}`;
    },
  });
  replace(
    root,
    queueNav(queue, 'dlq'),
    h('h2', {}, 'Replay by filter'),
    replayForm(queue, ctx, () => refresh()),
    h('h2', {}, 'Entries ', purgeAll),
    summary,
    body,
  );

  async function refresh() {
    const page = await getJson(`/queues/${seg(queue)}/dlq?limit=${PAGE}`);
    summary.textContent = `${page.total} entr${page.total === 1 ? 'y' : 'ies'}${page.total > PAGE ? `, newest ${PAGE} shown` : ''}`;
    summary.dataset.testid = 'dlq-total';
    replace(
      body,
      table(
        [
          ['Task', (e) => h('span', { class: 'mono' }, e.taskId)],
          ['Name', (e) => e.taskName],
          ['Retries', (e) => `${e.retryCount}/${e.maxRetries}`],
          ['Error', (e) => h('span', { class: 'error-text' }, (e.errorMessage ?? '').slice(0, 160))],
          ['Created', (e) => fmtDate(e.createdAt)],
          ['Failed', (e) => fmtDate(e.failedAt)],
          [
            '',
            (e) =>
              h(
                'span',
                { class: 'controls' },
                actionButton('Requeue', {
                  readOnly: ctx.readOnly,
                  cls: 'small',
                  testid: 'requeue',
                  question: `Requeue ${e.taskName} (${e.taskId}) as a fresh pending task?`,
                  action: async () => {
                    const { taskId } = await postJson(`/queues/${seg(queue)}/dlq/${seg(e.id)}/requeue`, {
                      confirm: true,
                    });
                    await refresh();
                    return `Requeued as pending task ${taskId}`;
                  },
                }),
                actionButton('Delete', {
                  readOnly: ctx.readOnly,
                  cls: 'danger small',
                  testid: 'purge-one',
                  question: `Delete DLQ entry ${e.taskId} for good?`,
                  action: async () => {
                    await postJson(`/queues/${seg(queue)}/dlq/purge`, { confirm: true, ids: [e.id] });
                    await refresh();
                    return 'DLQ entry deleted';
                  },
                }),
              ),
          ],
        ],
        page.entries,
        {
          empty: 'The dead letter queue is empty.',
          rowAttrs: (e) => ({ dataset: { testid: 'dlq-row', id: e.id } }),
        },
      ),
    );
  }
  return { refresh };
}
