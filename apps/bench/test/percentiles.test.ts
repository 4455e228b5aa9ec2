import { describe, expect, it } from 'vitest';
import { percentile, summarizeLatencies } from '../src/stats/percentiles.js';
import { jobsPerSecond } from '../src/stats/stopwatch.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('picks the smallest value with at least p% of the sample at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
  });

  it('never invents a value on small samples', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([3, 9], 99)).toBe(9);
    expect(percentile([3, 9], 50)).toBe(3);
  });

  it('rejects empty samples and out-of-range percentiles', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarizeLatencies', () => {
  it('sorts a copy and reports count, mean, p50/p95/p99 and max', () => {
    const samples = [5, 1, 4, 2, 3];
    const s = summarizeLatencies(samples);
    expect(s).toEqual({ count: 5, mean: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]); // input untouched
  });

  it('keeps the tail visible: one slow call in 100 sets p99 only when it is in the top 1%', () => {
    const samples = [...Array.from({ length: 99 }, () => 1), 250];
    const s = summarizeLatencies(samples);
    expect(s.p50).toBe(1);
    expect(s.p99).toBe(1);
    expect(s.max).toBe(250);
    expect(summarizeLatencies([...samples, 250]).p99).toBe(250);
  });

  it('rejects an empty sample', () => {
    expect(() => summarizeLatencies([])).toThrow(RangeError);
  });
});

describe('jobsPerSecond', () => {
  it('converts jobs over ms to jobs per second', () => {
    expect(jobsPerSecond(5_000, 2_000)).toBe(2_500);
  });
  it('rejects a zero or negative duration', () => {
    expect(() => jobsPerSecond(1, 0)).toThrow(RangeError);
    expect(() => jobsPerSecond(1, -5)).toThrow(RangeError);
  });
});
