// Metric samples per queue, kept in memory while the page is open (the charts' history).

/** Samples kept per queue (at 5 s per sample: the last 10 minutes). */
export const MAX_SAMPLES = 120;

const samples = new Map();

/** Records one `/metrics` answer for `queue`. */
export function addSample(queue, metrics) {
  const list = samples.get(queue) ?? [];
  list.push({
    at: Date.parse(metrics.sampledAt) || Date.now(),
    completedPerMinute: metrics.throughput.completedPerMinute,
    failedPerMinute: metrics.throughput.failedPerMinute,
    p50: metrics.latency.p50Ms,
    p95: metrics.latency.p95Ms,
    p99: metrics.latency.p99Ms,
  });
  if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
  samples.set(queue, list);
}

/** The samples of `queue`, oldest first. */
export function samplesOf(queue) {
  return samples.get(queue) ?? [];
}
