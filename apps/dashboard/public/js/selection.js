// Row selection for bulk actions. The ids live in a Set that outlives the 3-second refreshes, so a redrawn
// table keeps the boxes the user ticked.
import { actionButton, h } from './dom.js';

/** A selection over the rows of one list view. */
export function createSelection() {
  const ids = new Set();
  const listeners = new Set();
  const changed = () => {
    for (const fn of listeners) fn();
  };
  return {
    ids,
    /** Keeps only the ids still shown (rows that left the page cannot be acted on by mistake). */
    retain(visible) {
      const keep = new Set(visible);
      for (const id of [...ids]) if (!keep.has(id)) ids.delete(id);
      changed();
    },
    clear() {
      ids.clear();
      changed();
    },
    /** The checkbox of one row. */
    box(id) {
      const input = h('input', {
        type: 'checkbox',
        checked: ids.has(id),
        'aria-label': 'select row',
        dataset: { testid: 'select-row', id },
      });
      input.addEventListener('change', () => {
        if (input.checked) ids.add(id);
        else ids.delete(id);
        changed();
      });
      return input;
    },
    /** The header checkbox: selects or clears every row shown (`visible` ids). */
    allBox(visible) {
      const input = h('input', {
        type: 'checkbox',
        checked: visible.length > 0 && visible.every((id) => ids.has(id)),
        'aria-label': 'select all rows on this page',
        dataset: { testid: 'select-all' },
      });
      input.addEventListener('change', () => {
        for (const id of visible) {
          if (input.checked) ids.add(id);
          else ids.delete(id);
        }
        changed();
        for (const box of document.querySelectorAll('[data-testid="select-row"]'))
          box.checked = ids.has(box.dataset.id);
      });
      return input;
    },
    onChange(fn) {
      listeners.add(fn);
    },
  };
}

/**
 * The bar above a list: "N selected" and one button per action (`[label, { action(ids), question, cls,
 * testid }]`); buttons are disabled while nothing is selected.
 */
export function bulkBar(selection, actions, ctx) {
  const count = h('span', { class: 'muted', dataset: { testid: 'selected-count' } });
  const buttons = actions.map(([label, spec]) =>
    actionButton(label, {
      readOnly: ctx.readOnly,
      cls: `small ${spec.cls ?? ''}`,
      testid: spec.testid,
      question: spec.question,
      action: async () => {
        const message = await spec.action([...selection.ids]);
        setTimeout(update, 0); // after actionButton re-enables its button
        return message;
      },
    }),
  );
  const update = () => {
    count.textContent = `${selection.ids.size} selected`;
    for (const b of buttons) b.disabled = ctx.readOnly || selection.ids.size === 0;
  };
  selection.onChange(update);
  update();
  return h('div', { class: 'bulk-bar' }, count, buttons);
}
