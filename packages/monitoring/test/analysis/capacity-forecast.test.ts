import { describe, expect, it } from 'vitest';
import { forecastCapacity } from '../../src/index.js';

const MONTH_MS = 30 * 24 * 3_600_000;
const base = {
  growthRatePercentPerMonth: 0,
  horizonDays: 30,
  currentWorkers: 10,
  processingRatePerWorkerPerHour: 1000,
};

describe('forecastCapacity', () => {
  it.each([
    [6000, 'sufficient'],
    [6001, 'warning'],
    [8000, 'warning'],
    [8001, 'critical'],
    [10_000, 'critical'],
    [10_001, 'exceeded'],
  ] as const)('load %i/h on 10 000/h capacity → %s', (currentLoadPerHour, status) => {
    expect(forecastCapacity({ ...base, currentLoadPerHour }).status).toBe(status);
  });

  it('compounds monthly growth over the horizon', () => {
    const f = forecastCapacity({
      ...base,
      currentLoadPerHour: 1000,
      growthRatePercentPerMonth: 50,
      horizonDays: 60,
    });
    expect(f.projectedLoadPerHour).toBeCloseTo(2250, 9);
    expect(f.currentCapacityPerHour).toBe(10_000);
    expect(f.utilizationPercent).toBeCloseTo(22.5, 9);
  });

  it('solves the time to exhaustion', () => {
    const f = forecastCapacity({ ...base, currentLoadPerHour: 2500, growthRatePercentPerMonth: 100 });
    // 2500 × 2^t = 10 000 → t = 2 months
    expect(f.timeToExhaustionMs).toBeCloseTo(2 * MONTH_MS, 0);
    expect(forecastCapacity({ ...base, currentLoadPerHour: 10_000 }).timeToExhaustionMs).toBe(0);
    expect(forecastCapacity({ ...base, currentLoadPerHour: 5000 }).timeToExhaustionMs).toBeNull();
    expect(
      forecastCapacity({ ...base, currentLoadPerHour: 5000, growthRatePercentPerMonth: -10 })
        .timeToExhaustionMs,
    ).toBeNull();
  });

  it('recommends workers with a 20 % buffer only above 80 % utilization', () => {
    const over = forecastCapacity({
      ...base,
      currentLoadPerHour: 10_000,
      growthRatePercentPerMonth: 50,
      currentWorkers: 5,
    });
    // projected 15 000/h × 1.2 / 1000 = 18 workers
    expect(over).toMatchObject({ workersNeeded: 18, recommendedAdditionalWorkers: 13, status: 'exceeded' });
    const atEighty = forecastCapacity({ ...base, currentLoadPerHour: 8000 });
    expect(atEighty.recommendedAdditionalWorkers).toBe(0);
    expect(forecastCapacity({ ...base, currentLoadPerHour: 9000 }).recommendedAdditionalWorkers).toBe(1);
  });

  it.each([
    [{ currentLoadPerHour: -1 }, 'input.currentLoadPerHour'],
    [{ growthRatePercentPerMonth: -100 }, 'input.growthRatePercentPerMonth'],
    [{ horizonDays: Number.NaN }, 'input.horizonDays'],
    [{ currentWorkers: 0 }, 'input.currentWorkers'],
    [{ currentWorkers: 2.5 }, 'input.currentWorkers'],
    [{ processingRatePerWorkerPerHour: 0 }, 'input.processingRatePerWorkerPerHour'],
  ])('rejects %o', (override, argument) => {
    expect(() => forecastCapacity({ ...base, currentLoadPerHour: 1, ...override })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
