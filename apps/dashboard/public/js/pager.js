// Offset paging shared by the list views: "← Newer · 1–50 of 120 · Older →", links that keep the filters.
import { h } from './dom.js';

/** The pager of a page `{ offset, total, count }` whose links are `href(offset)`. */
export function pager({ offset, total, count, pageSize, href, testid }) {
  const last = Math.min(offset + count, total);
  const link = (label, to, enabled, id) =>
    enabled
      ? h('a', { class: 'btn', href: href(to), dataset: { testid: id } }, label)
      : h('span', { class: 'btn disabled' }, label);
  return h(
    'div',
    { class: 'pager' },
    link('← Newer', Math.max(0, offset - pageSize), offset > 0, 'page-newer'),
    h('span', { class: 'muted', dataset: { testid } }, `${total === 0 ? 0 : offset + 1}–${last} of ${total}`),
    link('Older →', offset + pageSize, last < total, 'page-older'),
  );
}
