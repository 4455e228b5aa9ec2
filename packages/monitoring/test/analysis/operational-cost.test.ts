import { describe, expect, it } from 'vitest';
import { CLOUD_PRICING, estimateOperationalCost } from '../../src/index.js';

describe('estimateOperationalCost', () => {
  it('prices storage, provisioned IOPS and egress from the AWS table by default', () => {
    const cost = estimateOperationalCost({
      storageGb: 100,
      iops: 3000,
      egressGbPerDay: 5,
      messagesPerDay: 1_000_000,
    });
    expect(cost.provider).toBe('aws-rds');
    expect(cost.monthlyStorageCostUsd).toBeCloseTo(11.5, 10);
    expect(cost.monthlyIopsCostUsd).toBeCloseTo(300, 10);
    expect(cost.monthlyEgressCostUsd).toBeCloseTo(13.5, 10);
    expect(cost.monthlyCostUsd).toBeCloseTo(325, 10);
    expect(cost.costPer1000MessagesUsd).toBeCloseTo((325 / 30_000_000) * 1000, 12);
    expect(cost.recommendations).toEqual([]);
  });

  it.each([
    ['aws-rds', 100 * 0.115 + 1000 * 0.1 + 10 * 30 * 0.09],
    ['gcp-cloud-sql', 100 * 0.17 + 0 + 10 * 30 * 0.12],
    ['azure-mysql', 100 * 0.115 + 1000 * 0.05 + 10 * 30 * 0.087],
  ] as const)('uses the %s price table', (provider, expected) => {
    const cost = estimateOperationalCost({
      storageGb: 100,
      iops: 1000,
      egressGbPerDay: 10,
      messagesPerDay: 0,
      provider,
    });
    expect(cost.pricing).toEqual(CLOUD_PRICING[provider]);
    expect(cost.monthlyCostUsd).toBeCloseTo(expected, 10);
    expect(cost.costPer1000MessagesUsd).toBe(0);
  });

  it('applies price overrides', () => {
    const cost = estimateOperationalCost({
      storageGb: 10,
      iops: 0,
      egressGbPerDay: 0,
      messagesPerDay: 1,
      pricing: { storagePerGbMonth: 1 },
    });
    expect(cost.monthlyCostUsd).toBe(10);
  });

  // Each recommendation fires strictly above its threshold.
  it.each([
    { storageGb: 500, iops: 10_000, egressGbPerDay: 100, expected: 0 },
    { storageGb: 500.1, iops: 0, egressGbPerDay: 0, expected: 1 },
    { storageGb: 1000.1, iops: 0, egressGbPerDay: 0, expected: 2 },
    { storageGb: 0, iops: 10_001, egressGbPerDay: 0, expected: 2 },
    { storageGb: 0, iops: 0, egressGbPerDay: 100.1, expected: 1 },
  ])('recommendations at the edges: %o', ({ storageGb, iops, egressGbPerDay, expected }) => {
    const cost = estimateOperationalCost({ storageGb, iops, egressGbPerDay, messagesPerDay: 1e12 });
    expect(cost.recommendations).toHaveLength(expected);
  });

  it('recommends when a thousand messages cost more than a dollar', () => {
    const cost = estimateOperationalCost({ storageGb: 100, iops: 0, egressGbPerDay: 0, messagesPerDay: 100 });
    expect(cost.costPer1000MessagesUsd).toBeGreaterThan(1);
    expect(cost.recommendations.some((r) => r.includes('cost per message'))).toBe(true);
  });

  it.each([
    [{ storageGb: -1, iops: 0, egressGbPerDay: 0, messagesPerDay: 0 }, 'input.storageGb'],
    [{ storageGb: 0, iops: Number.NaN, egressGbPerDay: 0, messagesPerDay: 0 }, 'input.iops'],
    [
      { storageGb: 0, iops: 0, egressGbPerDay: Number.POSITIVE_INFINITY, messagesPerDay: 0 },
      'input.egressGbPerDay',
    ],
    [{ storageGb: 0, iops: 0, egressGbPerDay: 0, messagesPerDay: -5 }, 'input.messagesPerDay'],
    [{ storageGb: 0, iops: 0, egressGbPerDay: 0, messagesPerDay: 0, provider: 'oracle' }, 'input.provider'],
    [
      { storageGb: 0, iops: 0, egressGbPerDay: 0, messagesPerDay: 0, pricing: { egressPerGb: -1 } },
      'input.pricing.egressPerGb',
    ],
  ])('rejects %o', (input, argument) => {
    expect(() => estimateOperationalCost(input as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
