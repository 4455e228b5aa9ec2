// Results lookup by task id (any queue).
import { ApiError, getJson, seg } from '../api.js';
import { fmtDate, fmtMs, h, replace } from '../dom.js';

/** `#/results` and `#/results/:id` */
export function resultsView(root, [id], _query, ctx) {
  const input = h('input', {
    name: 'taskId',
    placeholder: 'task id (UUID)',
    value: id ?? '',
    size: 40,
    class: 'mono',
  });
  const form = h(
    'form',
    { class: 'filters' },
    h('label', {}, 'Task id ', input),
    h('button', { type: 'submit', class: 'btn primary' }, 'Look up'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(`#/results/${seg(input.value.trim())}`);
  });
  const out = h('div', { dataset: { testid: 'result' } });
  replace(root, h('h1', {}, 'Results'), form, out);

  async function refresh() {
    if (!id) return;
    try {
      const { result } = await getJson(`/results/${seg(id)}`);
      replace(
        out,
        h(
          'dl',
          { class: 'fields' },
          h('dt', {}, 'Task'),
          h(
            'dd',
            {},
            h(
              'a',
              { href: `#/tasks/${seg(result.taskId)}?queue=${seg(result.queue)}`, class: 'mono' },
              result.taskId,
            ),
          ),
          h('dt', {}, 'Name'),
          h('dd', {}, result.taskName),
          h('dt', {}, 'Queue'),
          h('dd', {}, result.queue),
          h('dt', {}, 'Status'),
          h(
            'dd',
            {},
            h(
              'span',
              { class: `state result-${result.status}`, dataset: { testid: 'result-status' } },
              result.status,
            ),
          ),
          h('dt', {}, 'Runtime'),
          h('dd', {}, fmtMs(result.runtimeMs)),
          h('dt', {}, 'Completed'),
          h('dd', {}, fmtDate(result.completedAt)),
        ),
        result.result === null ? '' : h('pre', { class: 'code' }, JSON.stringify(result.result, null, 2)),
        result.error ? h('pre', { class: 'code error-text' }, result.error) : '',
        result.traceback ? h('pre', { class: 'code traceback' }, result.traceback) : '',
      );
    } catch (error) {
      // A bad id or a missing result is an answer, not a broken page.
      if (!(error instanceof ApiError) || (error.status !== 400 && error.status !== 404)) throw error;
      replace(out, h('p', { class: 'error-text' }, error.message));
    }
  }
  return { refresh };
}
