// DOM helpers. Everything user-supplied goes in as text nodes, never as HTML, so it is always escaped.

/**
 * Creates an element: `h('a', { href: '#/', class: 'x', onclick: fn }, 'text', child)`. Attributes whose
 * value is `false`/`null`/`undefined` are left out; `on*` keys become listeners; strings become text nodes.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A date as `YYYY-MM-DD HH:MM:SS` UTC, or an em dash. */
export function fmtDate(value) {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '—' : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration in ms as `850 ms`, `12.3 s`, `4.0 min`, `2.5 h`. */
export function fmtMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(Number(ms))) return '—';
  const n = Number(ms);
  if (n < 1000) return `${Math.round(n)} ms`;
  if (n < 60_000) return `${(n / 1000).toFixed(1)} s`;
  if (n < 3_600_000) return `${(n / 60_000).toFixed(1)} min`;
  return `${(n / 3_600_000).toFixed(1)} h`;
}

/** A state badge (`pending`, `failed`, ...). */
export function stateBadge(state) {
  return h('span', { class: `state state-${state}` }, state);
}

let flashTimer;
/** Shows a message in the banner; errors stay until the next message. */
export function flash(message, kind = 'info') {
  const el = document.getElementById('flash');
  el.className = `flash flash-${kind}`;
  el.textContent = message;
  el.hidden = false;
  clearTimeout(flashTimer);
  if (kind !== 'error') flashTimer = setTimeout(() => (el.hidden = true), 6000);
}

/** Hides the banner (on navigation: its message was about the previous view). */
export function clearFlash() {
  clearTimeout(flashTimer);
  const el = document.getElementById('flash');
  el.hidden = true;
  el.textContent = '';
}

/** A button that asks `confirm(question)` first (when given), runs `action`, and reports errors in the banner. */
export function actionButton(label, { action, question, readOnly, cls = '', testid }) {
  const button = h(
    'button',
    {
      type: 'button',
      class: `btn ${cls}`,
      disabled: readOnly,
      title: readOnly ? 'The dashboard is in read-only mode' : null,
      dataset: testid ? { testid } : undefined,
    },
    label,
  );
  button.addEventListener('click', async () => {
    if (question && !window.confirm(question)) return;
    button.disabled = true;
    try {
      const message = await action();
      if (message) flash(message, 'ok');
    } catch (error) {
      flash(`${label} failed: ${error.message}${error.code ? ` (${error.code})` : ''}`, 'error');
    } finally {
      button.disabled = readOnly;
    }
  });
  return button;
}

/** A `<table>` with a header row and one row per item (`columns`: `[title, item => cell]`). */
export function table(columns, items, { empty = 'Nothing here.', rowAttrs } = {}) {
  if (items.length === 0) return h('p', { class: 'muted empty' }, empty);
  return h(
    'table',
    { class: 'grid' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map(([title]) => h('th', {}, title)),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((item) =>
        h(
          'tr',
          rowAttrs ? rowAttrs(item) : {},
          columns.map(([, cell]) => h('td', {}, cell(item))),
        ),
      ),
    ),
  );
}
