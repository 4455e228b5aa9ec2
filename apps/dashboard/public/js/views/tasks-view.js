// Task list of one queue with filters (state, name, created range, metadata path/value) and pagination.
import { getJson, postJson, seg } from '../api.js';
import { actionButton, fmtDate, h, replace, stateBadge, table } from '../dom.js';
import { queueNav } from './queue-nav.js';

const STATES = ['', 'pending', 'processing', 'completed', 'failed', 'cancelled'];
const PAGE = 25;
const FILTERS = ['state', 'name', 'from', 'to', 'metaPath', 'metaValue'];

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

function cancelButton(task, queue, ctx, reload) {
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

/** `#/queues/:queue/tasks?state=&name=&from=&to=&metaPath=&metaValue=&offset=` */
export function tasksView(root, [queue], query, ctx) {
  const offset = Number(query.get('offset') ?? 0) || 0;
  const body = h('div', { dataset: { testid: 'task-list' } });
  const pager = h('div', { class: 'pager' });
  replace(root, queueNav(queue, 'tasks'), filterForm(queue, query, ctx), body, pager);

  function pageLink(label, newOffset, enabled) {
    const q = new URLSearchParams(query);
    q.set('offset', String(newOffset));
    return enabled
      ? h('a', { class: 'btn', href: `#/queues/${seg(queue)}/tasks?${q}` }, label)
      : h('span', { class: 'btn disabled' }, label);
  }

  async function refresh() {
    const api = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    for (const key of FILTERS) if (query.get(key)) api.set(key, query.get(key));
    const page = await getJson(`/queues/${seg(queue)}/tasks?${api}`);
    replace(
      body,
      table(
        [
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
          ['', (t) => cancelButton(t, queue, ctx, refresh)],
        ],
        page.tasks,
        {
          empty: 'No task matches these filters.',
          rowAttrs: (t) => ({ dataset: { testid: 'task-row', id: t.id } }),
        },
      ),
    );
    const last = Math.min(page.offset + page.tasks.length, page.total);
    replace(
      pager,
      pageLink('← Newer', Math.max(0, offset - PAGE), offset > 0),
      h(
        'span',
        { class: 'muted', dataset: { testid: 'task-total' } },
        `${page.total === 0 ? 0 : page.offset + 1}–${last} of ${page.total}`,
      ),
      pageLink('Older →', offset + PAGE, last < page.total),
    );
  }
  return { refresh };
}
