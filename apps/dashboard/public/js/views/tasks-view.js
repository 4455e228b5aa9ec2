// Task list of one queue with filters (state, name, created range, metadata path/value) and pagination.
import { getJson, postJson, seg } from '../api.js';
import { actionButton, fmtDate, h, replace, stateBadge, table } from '../dom.js';
import { pager } from '../pager.js';
import { bulkBar, createSelection } from '../selection.js';
import { queueNav } from './queue-nav.js';

const STATES = ['', 'pending', 'processing', 'completed', 'failed', 'cancelled'];
const PAGE = 25;
const FILTERS = ['state', 'name', 'error', 'from', 'to', 'metaPath', 'metaValue'];

/** `<input type=datetime-local>` value (UTC) ↔ ISO text. */
function toLocalInput(iso) {
  return iso ? iso.slice(0, 16) : '';
}

function filterForm(queue, query, ctx) {
  const input = (name, attrs = {}) => h('input', { name, value: query.get(name) ?? '', ...attrs });
  const state = h(
    'select',
    { name: 'state' },
    STATES.map((s) =>
      h('option', { value: s, selected: s === (query.get('state') ?? '') }, s || 'any state'),
    ),
  );
  const form = h(
    'form',
    { class: 'filters', dataset: { testid: 'task-filters' } },
    h('label', {}, 'State ', state),
    h('label', {}, 'Task name ', input('name', { placeholder: 'emails.send', maxlength: 255 })),
    h('label', {}, 'Error contains ', input('error', { placeholder: 'timeout', maxlength: 200 })),
    h(
      'label',
      {},
      'Created from (UTC) ',
      h('input', { name: 'from', type: 'datetime-local', value: toLocalInput(query.get('from')) }),
    ),
    h(
      'label',
      {},
      'to ',
      h('input', { name: 'to', type: 'datetime-local', value: toLocalInput(query.get('to')) }),
    ),
    h(
      'label',
      {},
      'Metadata ',
      input('metaPath', { placeholder: '$.tenant', maxlength: 255 }),
      ' = ',
      input('metaValue', { placeholder: 'acme', maxlength: 255 }),
    ),
    h('button', { type: 'submit', class: 'btn primary' }, 'Filter'),
    h('a', { href: `#/queues/${seg(queue)}/tasks`, class: 'btn' }, 'Clear'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams();
    for (const key of FILTERS) {
      let value = String(data.get(key) ?? '').trim();
      if (value && (key === 'from' || key === 'to')) value = new Date(`${value}:00Z`).toISOString();
      if (value) next.set(key, value);
    }
    ctx.navigate(`#/queues/${seg(queue)}/tasks?${next}`);
  });
  return form;
}

function retryButton(task, queue, ctx, reload) {
  return actionButton('Retry', {
    question: `Retry task ${task.id} (${task.taskName})? It goes back to pending.`,
    readOnly: ctx.readOnly,
    cls: 'small',
    testid: 'retry',
    action: async () => {
      await postJson(`/tasks/${seg(task.id)}/retry`, { queue, confirm: true });
      await reload();
      return `Task ${task.id} is pending again`;
    },
  });
}

function rowAction(task, queue, ctx, reload) {
  if (task.state === 'failed' || task.state === 'cancelled') return retryButton(task, queue, ctx, reload);
  if (task.state !== 'pending' && task.state !== 'processing') return '';
  return actionButton('Cancel', {
    question: `Cancel task ${task.id} (${task.taskName})?`,
    readOnly: ctx.readOnly,
    cls: 'danger small',
    testid: 'cancel',
    action: async () => {
      await postJson(`/tasks/${seg(task.id)}/cancel`, { queue, confirm: true });
      await reload();
      return `Task ${task.id} cancelled`;
    },
  });
}

function summary(verb, answer) {
  const skipped = answer.skipped.length
    ? `; ${answer.skipped.length} skipped (${answer.skipped[0].reason})`
    : '';
  return `${verb} ${answer.changed.length} task${answer.changed.length === 1 ? '' : 's'}${skipped}`;
}

function bulkActions(queue, selection, ctx, reload) {
  const run = (action, verb) => async (ids) => {
    const answer = await postJson(`/queues/${seg(queue)}/tasks/${action}`, { confirm: true, ids });
    selection.clear();
    await reload();
    return summary(verb, answer);
  };
  return bulkBar(
    selection,
    [
      [
        'Retry selected',
        {
          testid: 'bulk-retry',
          question: 'Retry the selected failed or cancelled tasks (back to pending)?',
          action: run('retry', 'Retried'),
        },
      ],
      [
        'Cancel selected',
        {
          testid: 'bulk-cancel',
          question: 'Cancel the selected pending or processing tasks?',
          action: run('cancel', 'Cancelled'),
        },
      ],
      [
        'Delete selected',
        {
          cls: 'danger',
          testid: 'bulk-delete',
          question: 'Delete the selected finished tasks for good?',
          action: run('delete', 'Deleted'),
        },
      ],
    ],
    ctx,
  );
}

/** `#/queues/:queue/tasks?state=&name=&error=&from=&to=&metaPath=&metaValue=&offset=` */
export function tasksView(root, [queue], query, ctx) {
  const offset = Number(query.get('offset') ?? 0) || 0;
  const selection = createSelection();
  const body = h('div', { dataset: { testid: 'task-list' }, class: 'table-wrap' });
  const pages = h('div');
  replace(
    root,
    queueNav(queue, 'tasks'),
    filterForm(queue, query, ctx),
    bulkActions(queue, selection, ctx, () => refresh()),
    body,
    pages,
  );

  function href(to) {
    const q = new URLSearchParams(query);
    q.set('offset', String(to));
    return `#/queues/${seg(queue)}/tasks?${q}`;
  }

  async function refresh() {
    const api = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    for (const key of FILTERS) if (query.get(key)) api.set(key, query.get(key));
    const page = await getJson(`/queues/${seg(queue)}/tasks?${api}`);
    const visible = page.tasks.map((t) => t.id);
    selection.retain(visible);
    replace(
      body,
      table(
        [
          [selection.allBox(visible), (t) => selection.box(t.id)],
          ['Task', (t) => h('a', { href: `#/tasks/${seg(t.id)}?queue=${seg(queue)}`, class: 'mono' }, t.id)],
          ['Name', (t) => t.taskName],
          ['State', (t) => stateBadge(t.state)],
          ['Priority', (t) => String(t.priority)],
          ['Retries', (t) => `${t.retryCount}/${t.maxRetries}`],
          ['Created', (t) => fmtDate(t.createdAt)],
          ['Worker', (t) => t.workerId ?? '—'],
          ['Progress', (t) => (t.progressPercent === null ? '—' : `${t.progressPercent}%`)],
          [
            'Error',
            (t) => (t.errorMessage ? h('span', { class: 'error-text' }, t.errorMessage.slice(0, 120)) : ''),
          ],
          ['', (t) => rowAction(t, queue, ctx, refresh)],
        ],
        page.tasks,
        {
          empty: 'No task matches these filters.',
          rowAttrs: (t) => ({ dataset: { testid: 'task-row', id: t.id } }),
        },
      ),
    );
    replace(
      pages,
      pager({
        offset: page.offset,
        total: page.total,
        count: page.tasks.length,
        pageSize: PAGE,
        href,
        testid: 'task-total',
      }),
    );
  }
  return { refresh };
}
