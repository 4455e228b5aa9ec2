// Server-history charts: one bar or line per time bucket of `/api/queues/:queue/history`, with a labelled
// time axis (UTC) and a y-axis scale. Plain SVG built here; nothing is loaded from elsewhere.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 170;
const PAD = { left: 46, right: 8, top: 10, bottom: 28 };
/** Time-axis labels per chart at most. */
const AXIS_LABELS = 6;

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A bucket start as an axis label: `HH:MM` for buckets under a day, `MM-DD HH:MM` for the 7-day view. */
export function bucketLabel(iso, bucketMs) {
  const text = new Date(iso).toISOString();
  return bucketMs >= 3_600_000 ? `${text.slice(5, 10)} ${text.slice(11, 16)}` : text.slice(11, 16);
}

function frame(title, buckets, bucketMs, max, format) {
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'chart history-chart',
    role: 'img',
    'aria-label': title,
  });
  root.append(svg('title', {}, title));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  root.append(svg('rect', { x: PAD.left, y: PAD.top, width: innerW, height: innerH, class: 'chart-frame' }));
  const slot = innerW / buckets.length;
  const x = (i) => PAD.left + i * slot;
  const y = (v) => PAD.top + innerH - (max > 0 ? (v / max) * innerH : 0);
  root.append(
    svg('text', { x: PAD.left - 4, y: PAD.top + 8, class: 'chart-axis', 'text-anchor': 'end' }, format(max)),
  );
  root.append(
    svg('text', { x: PAD.left - 4, y: PAD.top + innerH, class: 'chart-axis', 'text-anchor': 'end' }, '0'),
  );
  const step = Math.max(1, Math.ceil(buckets.length / AXIS_LABELS));
  for (let i = 0; i < buckets.length; i += step) {
    root.append(
      svg('line', {
        x1: x(i),
        x2: x(i),
        y1: PAD.top + innerH,
        y2: PAD.top + innerH + 4,
        class: 'chart-tick',
      }),
    );
    root.append(
      svg(
        'text',
        {
          x: x(i),
          y: HEIGHT - 12,
          class: 'chart-axis',
          'text-anchor': 'middle',
          'data-testid': 'time-label',
        },
        bucketLabel(buckets[i], bucketMs),
      ),
    );
  }
  root.append(
    svg(
      'text',
      { x: WIDTH - PAD.right, y: HEIGHT - 1, class: 'chart-axis', 'text-anchor': 'end' },
      'UTC, bucket start',
    ),
  );
  return { root, x, y, slot };
}

/** Completed (bottom) and failed (stacked on top) tasks per bucket. */
export function throughputBars({ title, buckets, bucketMs, points }) {
  const max = Math.max(1, ...points.map((p) => p.completed + p.failed + p.cancelled));
  const { root, x, y, slot } = frame(title, buckets, bucketMs, max, (v) => String(v));
  const width = Math.max(1, slot - 1);
  points.forEach((p, i) => {
    const total = p.completed + p.failed + p.cancelled;
    if (total === 0) return;
    const group = svg('g', {
      'data-testid': 'history-bar',
      'data-start': buckets[i],
      'data-completed': p.completed,
      'data-failed': p.failed,
    });
    group.append(
      svg(
        'title',
        {},
        `${bucketLabel(buckets[i], bucketMs)} UTC: ${p.completed} completed, ${p.failed} failed, ${p.cancelled} cancelled`,
      ),
    );
    const base = y(0);
    const okTop = y(p.completed);
    group.append(svg('rect', { x: x(i), y: okTop, width, height: base - okTop, class: 'bar s-ok-fill' }));
    const badTop = y(p.completed + p.failed + p.cancelled);
    if (badTop < okTop)
      group.append(
        svg('rect', { x: x(i), y: badTop, width, height: okTop - badTop, class: 'bar s-bad-fill' }),
      );
    root.append(group);
  });
  return root;
}

/** Lines (and a dot per bucket with data) of several duration series, e.g. P50/P95/P99. */
export function percentileLines({ title, buckets, bucketMs, series, format }) {
  const values = series.flatMap((s) => s.values).filter((v) => v !== null);
  const max = Math.max(1, ...values);
  const { root, x, y, slot } = frame(title, buckets, bucketMs, max, format);
  for (const s of series) {
    const points = [];
    s.values.forEach((v, i) => {
      if (v === null) return;
      const cx = x(i) + slot / 2;
      points.push(`${cx.toFixed(1)},${y(v).toFixed(1)}`);
      root.append(svg('circle', { cx: cx.toFixed(1), cy: y(v).toFixed(1), r: 2, class: `dot ${s.cls}` }));
    });
    if (points.length > 1) root.append(svg('polyline', { points: points.join(' '), class: `line ${s.cls}` }));
  }
  return root;
}
