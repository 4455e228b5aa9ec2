// Heading and tabs shared by the per-queue pages.
import { h } from '../dom.js';

const TABS = [
  ['tasks', 'Tasks'],
  ['dlq', 'Dead letters'],
  ['history', 'History'],
  ['workers', 'Workers'],
  ['schedules', 'Schedules'],
];

/** `<h1>queue</h1>` and the tabs, with `active` highlighted. */
export function queueNav(queue, active) {
  const q = encodeURIComponent(queue);
  return [
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Queues'), ' / ', queue),
    h('h1', {}, `Queue ${queue}`),
    h(
      'nav',
      { class: 'tabs' },
      TABS.map(([key, label]) =>
        h('a', { href: `#/queues/${q}/${key}`, class: key === active ? 'active' : null }, label),
      ),
    ),
  ];
}
