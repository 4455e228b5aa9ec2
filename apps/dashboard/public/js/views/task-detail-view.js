// One task: state, metadata, payload preview, retries, error and traceback, progress, trace id, result, history.
import { getJson, postJson, seg } from '../api.js';
import { actionButton, fmtDate, fmtMs, h, replace, stateBadge, table } from '../dom.js';

function field(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function progressBar(task) {
  if (task.progressPercent === null) return '—';
  const fill = h('div', { class: 'progress-fill' });
  fill.style.width = `${Math.max(0, Math.min(100, task.progressPercent))}%`;
  return h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-valuenow': task.progressPercent,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
    },
    fill,
    h(
      'span',
      { class: 'progress-label' },
      `${task.progressPercent}%${task.progressStep ? ` — ${task.progressStep}` : ''}`,
    ),
  );
}

function resultSection(result) {
  if (!result) return h('p', { class: 'muted' }, 'No result stored.');
  return h(
    'div',
    {},
    h(
      'dl',
      { class: 'fields' },
      field('Status', h('span', { class: `state result-${result.status}` }, result.status)),
      field('Runtime', fmtMs(result.runtimeMs)),
      field('Completed', fmtDate(result.completedAt)),
    ),
    result.result === null ? '' : h('pre', { class: 'code' }, JSON.stringify(result.result, null, 2)),
    result.error ? h('p', { class: 'error-text' }, result.error) : '',
    result.traceback
      ? [
          h('h3', {}, 'Traceback'),
          h('pre', { class: 'code traceback', dataset: { testid: 'traceback' } }, result.traceback),
        ]
      : '',
  );
}

/** `#/tasks/:id?queue=` */
export function taskDetailView(root, [id], query, ctx) {
  const queueParam = query.get('queue');
  async function refresh() {
    const detail = await getJson(`/tasks/${seg(id)}${queueParam ? `?queue=${seg(queueParam)}` : ''}`);
    const { task, payload, result, history, traceId, dlqEntries } = detail;
    const q = seg(task.queue);
    const cancellable = task.state === 'pending' || task.state === 'processing';
    const retryable = task.state === 'failed' || task.state === 'cancelled';
    replace(
      root,
      h(
        'p',
        { class: 'crumbs' },
        h('a', { href: '#/' }, 'Queues'),
        ' / ',
        h('a', { href: `#/queues/${q}/tasks` }, task.queue),
        ' / task',
      ),
      h('h1', {}, task.taskName, ' ', stateBadge(task.state)),
      h(
        'dl',
        { class: 'fields', dataset: { testid: 'task-fields' } },
        field('Id', h('span', { class: 'mono' }, task.id)),
        field('Queue', task.queue),
        field('Priority', String(task.priority)),
        field('Retries', `${task.retryCount} of ${task.maxRetries}`),
        field('Timeout', task.timeoutMs === null ? 'none' : fmtMs(task.timeoutMs)),
        field('Created', fmtDate(task.createdAt)),
        field('Due', fmtDate(task.scheduledAt)),
        field('Started', fmtDate(task.startedAt)),
        field('Finished', fmtDate(task.completedAt)),
        field('Lease expires', fmtDate(task.leaseExpiresAt)),
        field('Worker', task.workerId ?? '—'),
        field('Progress', progressBar(task)),
        field(
          'Trace id',
          traceId ? h('span', { class: 'mono', dataset: { testid: 'trace-id' } }, traceId) : '—',
        ),
        field(
          'Dead letters',
          dlqEntries.length === 0
            ? '—'
            : h(
                'a',
                { href: `#/queues/${q}/dlq?taskId=${seg(task.id)}`, dataset: { testid: 'dlq-link' } },
                `${dlqEntries.length} DLQ entr${dlqEntries.length === 1 ? 'y' : 'ies'}`,
              ),
        ),
        field('Group', task.groupId ?? '—'),
        field(
          'Parent',
          task.parentTaskId
            ? h(
                'a',
                { href: `#/tasks/${seg(task.parentTaskId)}?queue=${q}`, class: 'mono' },
                task.parentTaskId,
              )
            : '—',
        ),
      ),
      cancellable
        ? actionButton('Cancel task', {
            question: `Cancel task ${task.id}?`,
            readOnly: ctx.readOnly,
            cls: 'danger',
            testid: 'cancel',
            action: async () => {
              await postJson(`/tasks/${seg(task.id)}/cancel`, { queue: task.queue, confirm: true });
              await refresh();
              return 'Task cancelled';
            },
          })
        : '',
      retryable
        ? actionButton('Retry task', {
            question: `Retry task ${task.id}? It goes back to pending${dlqEntries.length ? ' and leaves the DLQ' : ''}.`,
            readOnly: ctx.readOnly,
            testid: 'retry',
            action: async () => {
              await postJson(`/tasks/${seg(task.id)}/retry`, { queue: task.queue, confirm: true });
              await refresh();
              return 'Task is pending again';
            },
          })
        : '',
      task.errorMessage
        ? [
            h('h2', {}, 'Error'),
            h('pre', { class: 'code error-text', dataset: { testid: 'error' } }, task.errorMessage),
          ]
        : '',
      h('h2', {}, 'Payload'),
      payload
        ? [
            h(
              'p',
              { class: 'muted' },
              `${payload.contentType}, ${payload.contentEncoding}, ${payload.storedBytes} bytes stored${payload.truncated ? ' — preview truncated' : ''}`,
            ),
            h('pre', { class: 'code', dataset: { testid: 'payload' } }, payload.text),
          ]
        : h('p', { class: 'muted' }, 'No payload.'),
      h('h2', {}, 'Metadata'),
      h('pre', { class: 'code' }, JSON.stringify(task.metadata, null, 2)),
      h('h2', {}, 'Result'),
      resultSection(result),
      h('h2', {}, 'State history'),
      table(
        [
          ['At', (t) => fmtDate(t.at)],
          ['From', (t) => t.fromState ?? '(created)'],
          ['To', (t) => stateBadge(t.toState)],
          ['Worker', (t) => t.workerId ?? '—'],
          ['Source', (t) => t.source],
        ],
        history,
        { empty: 'No history.' },
      ),
    );
  }
  return { refresh };
}
