import { describe, expect, it } from 'vitest';
import { calculateAlertThresholds } from '../../src/index.js';

describe('calculateAlertThresholds', () => {
  it('follows the seed example', () => {
    expect(calculateAlertThresholds({ avgQueueSize: 100, maxQueueSize: 1000, targetLagMs: 60_000 })).toEqual({
      queueSizeWarning: 200,
      queueSizeCritical: 500,
      lagWarningMs: 120_000,
      lagCriticalMs: 300_000,
      errorRateWarningPercent: 1,
      errorRateCriticalPercent: 5,
      dlqSizeWarning: 10,
      dlqSizeCritical: 50,
    });
  });

  it.each([
    // [avg, max] → [warning, critical]
    [100, 150, 150, 300], // warning capped by max, critical by 2 × max
    [100, 200, 200, 400],
    [100, 50, 50, 100],
    [0, 0, 0, 0],
    [7, 1000, 14, 35],
    [3, 1, 1, 2],
  ])('avg %i, max %i → warning %i, critical %i', (avgQueueSize, maxQueueSize, warning, critical) => {
    const t = calculateAlertThresholds({ avgQueueSize, maxQueueSize, targetLagMs: 0 });
    expect([t.queueSizeWarning, t.queueSizeCritical]).toEqual([warning, critical]);
    expect(t.queueSizeCritical).toBeGreaterThanOrEqual(t.queueSizeWarning);
  });

  it('floors fractional DLQ thresholds', () => {
    expect(calculateAlertThresholds({ avgQueueSize: 15, maxQueueSize: 100, targetLagMs: 1 })).toMatchObject({
      dlqSizeWarning: 1,
      dlqSizeCritical: 7,
      lagWarningMs: 2,
      lagCriticalMs: 5,
    });
  });

  it.each([
    [{ avgQueueSize: -1, maxQueueSize: 0, targetLagMs: 0 }, 'input.avgQueueSize'],
    [{ avgQueueSize: 0, maxQueueSize: Number.NaN, targetLagMs: 0 }, 'input.maxQueueSize'],
    [{ avgQueueSize: 0, maxQueueSize: 0, targetLagMs: -5 }, 'input.targetLagMs'],
  ])('rejects %o', (input, argument) => {
    expect(() => calculateAlertThresholds(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
