import type { WorkloadResult, WorkloadUnit } from './report-types.js';

/** A goal for one workload. */
export type Target =
  /** celers must reach `min` × the comparison figure (ratio ≥ min). */
  | { kind: 'ratio-at-least'; min: number }
  /** celers' own figure must not exceed `max` (latency in ms, queries/s). */
  | { kind: 'at-most'; max: number }
  /** celers' figure must stay within `percent`% of the comparison figure (either direction). */
  | { kind: 'within-percent'; percent: number }
  | { kind: 'none' };

/** Inputs of {@link evaluateWorkload}. */
export interface WorkloadMeasurement {
  celers: number;
  raw: number | null;
  unit: WorkloadUnit;
  target: Target;
  notes?: string;
  baseline?: string;
}

/** Whether a larger figure is better for this unit. */
export function higherIsBetter(unit: WorkloadUnit): boolean {
  return unit === 'jobs/s';
}

/** Ratio oriented so that higher is better: celers/raw for throughputs, raw/celers otherwise. */
export function orientedRatio(celers: number, raw: number | null, unit: WorkloadUnit): number | null {
  if (raw === null || !Number.isFinite(raw) || !Number.isFinite(celers)) return null;
  const [num, den] = higherIsBetter(unit) ? [celers, raw] : [raw, celers];
  if (den === 0) return null;
  return num / den;
}

/** The target in words, as printed in the report. */
export function describeTarget(target: Target, unit: WorkloadUnit, baseline = 'raw'): string {
  switch (target.kind) {
    case 'ratio-at-least':
      return higherIsBetter(unit) ? `≥ ${target.min} × ${baseline}` : `≤ ${baseline} / ${target.min}`;
    case 'at-most':
      return `≤ ${target.max} ${unit}`;
    case 'within-percent':
      return `within ${target.percent}% of ${baseline}`;
    case 'none':
      return 'none (informational)';
  }
}

/** Decides whether `celers` meets `target` given the comparison figure; `null` when there is no target. */
export function targetMet(
  target: Target,
  celers: number,
  raw: number | null,
  unit: WorkloadUnit,
): boolean | null {
  switch (target.kind) {
    case 'ratio-at-least': {
      const ratio = orientedRatio(celers, raw, unit);
      return ratio === null ? false : ratio >= target.min;
    }
    case 'at-most':
      return Number.isFinite(celers) && celers <= target.max;
    case 'within-percent':
      if (raw === null || raw === 0 || !Number.isFinite(celers)) return false;
      return Math.abs(celers - raw) / Math.abs(raw) <= target.percent / 100;
    case 'none':
      return null;
  }
}

/**
 * Turns a measurement into its report line: oriented ratio, target text and verdict.
 *
 * @example
 * ```ts
 * evaluateWorkload({ celers: 900, raw: 1000, unit: 'jobs/s', target: { kind: 'ratio-at-least', min: 0.9 } });
 * // { ratio: 0.9, target: '≥ 0.9 × raw', met: true, ... }
 * ```
 */
export function evaluateWorkload(m: WorkloadMeasurement): WorkloadResult {
  const result: WorkloadResult = {
    celers: m.celers,
    raw: m.raw,
    unit: m.unit,
    ratio: orientedRatio(m.celers, m.raw, m.unit),
    target: describeTarget(m.target, m.unit, m.baseline ? 'baseline' : 'raw'),
    met: targetMet(m.target, m.celers, m.raw, m.unit),
    notes: m.notes ?? '',
  };
  if (m.baseline) result.baseline = m.baseline;
  return result;
}
