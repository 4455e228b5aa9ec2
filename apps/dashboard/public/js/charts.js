// Inline SVG line charts drawn from the samples the page collects while it is open.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 320;
const HEIGHT = 96;
const PAD = { left: 38, right: 6, top: 8, bottom: 16 };

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * A small line chart. `series`: `[{ label, cls, values: (number|null)[] }]` aligned with `times` (epoch ms);
 * `format` renders the y-axis maximum. Shows "collecting samples…" until two samples exist.
 */
export function lineChart({ title, series, times, format = (v) => String(v) }) {
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'chart',
    role: 'img',
    'aria-label': title,
  });
  root.append(svg('title', {}, title));
  const values = series.flatMap((s) => s.values).filter((v) => v !== null && Number.isFinite(v));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  root.append(svg('rect', { x: PAD.left, y: PAD.top, width: innerW, height: innerH, class: 'chart-frame' }));
  if (times.length < 2 || values.length === 0) {
    root.append(
      svg('text', { x: PAD.left + 6, y: PAD.top + innerH / 2, class: 'chart-note' }, 'collecting samples…'),
    );
    return root;
  }
  const max = Math.max(...values, 1e-9);
  const t0 = times[0];
  const span = Math.max(times[times.length - 1] - t0, 1);
  const x = (t) => PAD.left + ((t - t0) / span) * innerW;
  const y = (v) => PAD.top + innerH - (v / max) * innerH;
  root.append(
    svg('text', { x: PAD.left - 4, y: PAD.top + 8, class: 'chart-axis', 'text-anchor': 'end' }, format(max)),
  );
  root.append(
    svg('text', { x: PAD.left - 4, y: PAD.top + innerH, class: 'chart-axis', 'text-anchor': 'end' }, '0'),
  );
  root.append(
    svg(
      'text',
      { x: WIDTH - PAD.right, y: HEIGHT - 3, class: 'chart-axis', 'text-anchor': 'end' },
      `last ${Math.round(span / 1000)} s`,
    ),
  );
  for (const s of series) {
    const points = s.values
      .map((v, i) =>
        v === null || !Number.isFinite(v) ? null : `${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`,
      )
      .filter(Boolean);
    if (points.length > 0) root.append(svg('polyline', { points: points.join(' '), class: `line ${s.cls}` }));
  }
  return root;
}

/** The legend of a chart's series. */
export function legend(series) {
  const el = document.createElement('div');
  el.className = 'legend';
  for (const s of series) {
    const item = document.createElement('span');
    item.className = `key ${s.cls}`;
    item.textContent = s.label;
    el.append(item);
  }
  return el;
}
