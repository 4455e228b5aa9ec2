// Dead letter queue of one queue: filters and paging, bulk requeue/delete, replay by filter, purge.
import { getJson, postJson, seg } from '../api.js';
import { actionButton, fmtDate, h, replace, table } from '../dom.js';
import { pager } from '../pager.js';
import { bulkBar, createSelection } from '../selection.js';
import { queueNav } from './queue-nav.js';

const PAGE = 50;
const FILTERS = ['name', 'error', 'taskId'];

function entries(n) {
  return `entr${n === 1 ? 'y' : 'ies'}`;
}

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
      return `Requeued ${replayed} DLQ ${entries(replayed)}`;
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

function filterForm(queue, query, ctx) {
  const input = (name, attrs) => h('input', { name, value: query.get(name) ?? '', ...attrs });
  const form = h(
    'form',
    { class: 'filters', dataset: { testid: 'dlq-filters' } },
    h('label', {}, 'Task name ', input('name', { placeholder: 'sync.pull', maxlength: 255 })),
    h('label', {}, 'Error contains ', input('error', { placeholder: 'timeout', maxlength: 200 })),
    h('label', {}, 'Task id ', input('taskId', { placeholder: 'uuid', maxlength: 36 })),
    h('button', { type: 'submit', class: 'btn primary' }, 'Filter'),
    h('a', { href: `#/queues/${seg(queue)}/dlq`, class: 'btn' }, 'Clear'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams();
    for (const key of FILTERS) {
      const value = String(data.get(key) ?? '').trim();
      if (value) next.set(key, value);
    }
    ctx.navigate(`#/queues/${seg(queue)}/dlq?${next}`);
  });
  return form;
}

/** `#/queues/:queue/dlq?name=&error=&taskId=&offset=` */
export function dlqView(root, [queue], query, ctx) {
  const offset = Number(query.get('offset') ?? 0) || 0;
  const path = `/queues/${seg(queue)}/dlq`;
  const selection = createSelection();
  const body = h('div', { dataset: { testid: 'dlq-list' }, class: 'table-wrap' });
  const pages = h('div');
  const purgeAll = actionButton('Purge all', {
    readOnly: ctx.readOnly,
    cls: 'danger',
    testid: 'purge-all',
    question: `Delete EVERY dead-lettered task of "${queue}"? This cannot be undone.`,
    action: async () => {
      const { purged } = await postJson(`${path}/purge`, { confirm: true });
      await refresh();
      return `Purged ${purged} DLQ ${entries(purged)}`;
    },
  });
  const bulk = bulkBar(
    selection,
    [
      [
        'Requeue selected',
        {
          testid: 'bulk-requeue',
          question: 'Requeue the selected DLQ entries as fresh pending tasks?',
          action: async (ids) => {
            const { requeued, results } = await postJson(`${path}/requeue`, { confirm: true, ids });
            selection.clear();
            await refresh();
            const refused = results.filter((r) => !r.ok);
            return `Requeued ${requeued} DLQ ${entries(requeued)}${refused.length ? `; ${refused.length} refused (${refused[0].code})` : ''}`;
          },
        },
      ],
      [
        'Delete selected',
        {
          cls: 'danger',
          testid: 'bulk-delete',
          question: 'Delete the selected DLQ entries for good?',
          action: async (ids) => {
            const { purged } = await postJson(`${path}/purge`, { confirm: true, ids });
            selection.clear();
            await refresh();
            return `Deleted ${purged} DLQ ${entries(purged)}`;
          },
        },
      ],
    ],
    ctx,
  );
  replace(
    root,
    queueNav(queue, 'dlq'),
    h('h2', {}, 'Replay by filter'),
    replayForm(queue, ctx, () => refresh()),
    h('h2', {}, 'Entries ', purgeAll),
    filterForm(queue, query, ctx),
    bulk,
    body,
    pages,
  );

  function href(to) {
    const q = new URLSearchParams(query);
    q.set('offset', String(to));
    return `#/queues/${seg(queue)}/dlq?${q}`;
  }

  async function refresh() {
    const api = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    for (const key of FILTERS) if (query.get(key)) api.set(key, query.get(key));
    const page = await getJson(`${path}?${api}`);
    const visible = page.entries.map((e) => e.id);
    selection.retain(visible);
    replace(
      body,
      table(
        [
          [selection.allBox(visible), (e) => selection.box(e.id)],
          [
            'Task',
            (e) =>
              h(
                'a',
                {
                  href: `#/tasks/${seg(e.taskId)}?queue=${seg(queue)}`,
                  class: 'mono',
                  dataset: { testid: 'task-link' },
                },
                e.taskId,
              ),
          ],
          ['Name', (e) => e.taskName],
          ['Retries', (e) => `${e.retryCount}/${e.maxRetries}`],
          ['Error', (e) => h('span', { class: 'error-text' }, (e.errorMessage ?? '').slice(0, 160))],
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
                    const { taskId } = await postJson(`${path}/${seg(e.id)}/requeue`, { confirm: true });
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
                    await postJson(`${path}/purge`, { confirm: true, ids: [e.id] });
                    await refresh();
                    return 'DLQ entry deleted';
                  },
                }),
              ),
          ],
        ],
        page.entries,
        {
          empty: FILTERS.some((k) => query.get(k))
            ? 'No DLQ entry matches these filters.'
            : 'The dead letter queue is empty.',
          rowAttrs: (e) => ({ dataset: { testid: 'dlq-row', id: e.id } }),
        },
      ),
    );
    replace(
      pages,
      pager({
        offset: page.offset,
        total: page.total,
        count: page.entries.length,
        pageSize: PAGE,
        href,
        testid: 'dlq-total',
      }),
    );
  }
  return { refresh };
}
