import { describe, expect, it } from 'vitest';
import { describeTarget, evaluateWorkload, orientedRatio, targetMet } from '../src/report/targets.js';

describe('orientedRatio', () => {
  it('is celers/raw for throughputs and raw/celers for latencies, counts and memory', () => {
    expect(orientedRatio(900, 1000, 'jobs/s')).toBeCloseTo(0.9);
    expect(orientedRatio(20, 10, 'ms')).toBeCloseTo(0.5);
    expect(orientedRatio(5, 10, 'queries/s')).toBeCloseTo(2);
    expect(orientedRatio(110, 100, 'MB')).toBeCloseTo(100 / 110);
  });

  it('is null without a comparison figure or with a zero denominator', () => {
    expect(orientedRatio(1, null, 'jobs/s')).toBeNull();
    expect(orientedRatio(1, 0, 'jobs/s')).toBeNull();
    expect(orientedRatio(0, 5, 'ms')).toBeNull();
    expect(orientedRatio(Number.NaN, 5, 'jobs/s')).toBeNull();
  });
});

describe('targetMet', () => {
  it('ratio-at-least compares the oriented ratio, boundary included', () => {
    const t = { kind: 'ratio-at-least', min: 0.9 } as const;
    expect(targetMet(t, 900, 1000, 'jobs/s')).toBe(true);
    expect(targetMet(t, 899, 1000, 'jobs/s')).toBe(false);
    expect(targetMet(t, 1, null, 'jobs/s')).toBe(false);
    expect(targetMet({ kind: 'ratio-at-least', min: 1.5 }, 1500, 1000, 'jobs/s')).toBe(true);
  });

  it('at-most checks celers’ own figure', () => {
    const t = { kind: 'at-most', max: 10 } as const;
    expect(targetMet(t, 10, 99, 'ms')).toBe(true);
    expect(targetMet(t, 10.01, 1, 'ms')).toBe(false);
    expect(targetMet(t, Number.NaN, 1, 'ms')).toBe(false);
  });

  it('within-percent accepts growth or shrinkage up to the bound', () => {
    const t = { kind: 'within-percent', percent: 10 } as const;
    expect(targetMet(t, 110, 100, 'MB')).toBe(true);
    expect(targetMet(t, 90, 100, 'MB')).toBe(true);
    expect(targetMet(t, 110.5, 100, 'MB')).toBe(false);
    expect(targetMet(t, 100, null, 'MB')).toBe(false);
  });

  it('none is informational (null)', () => {
    expect(targetMet({ kind: 'none' }, 1, 2, 'ms')).toBeNull();
  });
});

describe('describeTarget and evaluateWorkload', () => {
  it('words each target kind', () => {
    expect(describeTarget({ kind: 'ratio-at-least', min: 0.8 }, 'jobs/s')).toBe('≥ 0.8 × raw');
    expect(describeTarget({ kind: 'at-most', max: 30 }, 'ms')).toBe('≤ 30 ms');
    expect(describeTarget({ kind: 'within-percent', percent: 10 }, 'MB', 'baseline')).toBe(
      'within 10% of baseline',
    );
    expect(describeTarget({ kind: 'none' }, 'ms')).toBe('none (informational)');
  });

  it('builds the report line with ratio, target text and verdict', () => {
    expect(
      evaluateWorkload({
        celers: 1800,
        raw: 1000,
        unit: 'jobs/s',
        target: { kind: 'ratio-at-least', min: 1.5 },
        notes: 'n',
      }),
    ).toEqual({
      celers: 1800,
      raw: 1000,
      unit: 'jobs/s',
      ratio: 1.8,
      target: '≥ 1.5 × raw',
      met: true,
      notes: 'n',
    });
  });

  it('names a non-raw comparison as the baseline', () => {
    const line = evaluateWorkload({
      celers: 700,
      raw: 1000,
      unit: 'jobs/s',
      target: { kind: 'ratio-at-least', min: 0.8 },
      baseline: 'celers, 1000 pending',
    });
    expect(line).toMatchObject({
      baseline: 'celers, 1000 pending',
      target: '≥ 0.8 × baseline',
      met: false,
      notes: '',
    });
    expect(line.ratio).toBeCloseTo(0.7);
  });
});
