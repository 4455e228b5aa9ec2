import { describe, expect, it } from 'vitest';
import { calculateSlaCompliance } from '../../src/index.js';

const hundred = (exceeding: number) => Array.from({ length: 100 }, (_, i) => (i < 100 - exceeding ? 10 : 50));

describe('calculateSlaCompliance', () => {
  it('reports the seed example', () => {
    const r = calculateSlaCompliance({ processingTimesMs: [5, 10, 15, 20, 25, 100], slaThresholdMs: 30 });
    expect(r).toMatchObject({
      total: 6,
      withinSla: 5,
      exceedingSla: 1,
      status: 'violation',
      p95Ms: 100,
      p99Ms: 100,
    });
    expect(r.compliancePercent).toBeCloseTo(500 / 6, 10);
    expect(r.avgMs).toBeCloseTo(175 / 6, 10);
  });

  it.each([
    [0, 100, 'compliant'],
    [1, 99, 'compliant'],
    [2, 98, 'warning'],
    [5, 95, 'warning'],
    [6, 94, 'violation'],
  ] as const)('%i of 100 over the SLA → %i %% → %s', (exceeding, percent, status) => {
    const r = calculateSlaCompliance({ processingTimesMs: hundred(exceeding), slaThresholdMs: 20 });
    expect(r.compliancePercent).toBe(percent);
    expect(r.status).toBe(status);
  });

  it('counts a time equal to the threshold as within the SLA', () => {
    expect(calculateSlaCompliance({ processingTimesMs: [30], slaThresholdMs: 30 }).withinSla).toBe(1);
  });

  it('uses nearest-rank percentiles', () => {
    const times = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(calculateSlaCompliance({ processingTimesMs: times, slaThresholdMs: 100 })).toMatchObject({
      p95Ms: 19,
      p99Ms: 20,
    });
  });

  it('treats no samples as a violation with zeros', () => {
    expect(calculateSlaCompliance({ processingTimesMs: [], slaThresholdMs: 30 })).toEqual({
      total: 0,
      withinSla: 0,
      exceedingSla: 0,
      compliancePercent: 0,
      avgMs: 0,
      p95Ms: 0,
      p99Ms: 0,
      status: 'violation',
    });
  });

  it.each([
    [{ processingTimesMs: [1, -2], slaThresholdMs: 1 }, 'input.processingTimesMs[1]'],
    [{ processingTimesMs: [Number.NaN], slaThresholdMs: 1 }, 'input.processingTimesMs[0]'],
    [{ processingTimesMs: 'x', slaThresholdMs: 1 }, 'input.processingTimesMs'],
    [{ processingTimesMs: [], slaThresholdMs: -1 }, 'input.slaThresholdMs'],
    [null, 'input'],
  ])('rejects %o', (input, argument) => {
    expect(() => calculateSlaCompliance(input as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
