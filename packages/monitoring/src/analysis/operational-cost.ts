import { assertOneOf, assertOptionalObject } from '@celers/core';
import { assertNonNegative, assertObject } from '../internal/validate-input.js';
import { CLOUD_PRICING, CLOUD_PROVIDERS, type CloudPricing, type CloudProvider } from './cloud-pricing.js';

/** Inputs of {@link estimateOperationalCost}. */
export interface OperationalCostInput {
  /** Database storage in GB. */
  storageGb: number;
  /** Provisioned IOPS (read + write operations per second). */
  iops: number;
  /** Network egress, GB per day. */
  egressGbPerDay: number;
  /** Messages processed per day. */
  messagesPerDay: number;
  /** Built-in price table to use. @defaultValue 'aws-rds' */
  provider?: CloudProvider;
  /** Overrides for individual unit prices. */
  pricing?: Partial<CloudPricing>;
}

/** Monthly cost estimate (the seed's `MysqlCostAnalysis`). A month is 30 days. */
export interface OperationalCost {
  provider: CloudProvider;
  /** The unit prices applied. */
  pricing: CloudPricing;
  storageGb: number;
  iops: number;
  egressGbPerDay: number;
  monthlyStorageCostUsd: number;
  monthlyIopsCostUsd: number;
  monthlyEgressCostUsd: number;
  /** Sum of the three. */
  monthlyCostUsd: number;
  /** `monthlyCostUsd / (messagesPerDay × 30) × 1000`; 0 without messages. */
  costPer1000MessagesUsd: number;
  /** Cost-saving advice (the seed's thresholds: > 500 GB, > 1000 GB, > 10 000 IOPS, > 100 GB/day egress, > $1 per 1000 messages). */
  recommendations: string[];
}

const DAYS_PER_MONTH = 30;

/**
 * Estimates the monthly cost of the queue database from storage, provisioned IOPS and egress. IOPS are priced
 * per provisioned IOPS-month (how RDS io1/Azure bill them); the seed multiplied IOPS by the seconds in a
 * month and priced every I/O, which overstated IOPS cost by six orders of magnitude.
 *
 * @example
 * ```ts
 * const cost = estimateOperationalCost({ storageGb: 100, iops: 3000, egressGbPerDay: 5, messagesPerDay: 1_000_000 });
 * // cost.monthlyCostUsd === 100 * 0.115 + 3000 * 0.1 + 5 * 30 * 0.09 === 325
 * ```
 */
export function estimateOperationalCost(input: OperationalCostInput): OperationalCost {
  const given = assertObject(input, 'input');
  const storageGb = assertNonNegative(given.storageGb, 'input.storageGb');
  const iops = assertNonNegative(given.iops, 'input.iops');
  const egressGbPerDay = assertNonNegative(given.egressGbPerDay, 'input.egressGbPerDay');
  const messagesPerDay = assertNonNegative(given.messagesPerDay, 'input.messagesPerDay');
  const provider = assertOneOf(given.provider ?? 'aws-rds', CLOUD_PROVIDERS, 'input.provider');
  const overrides = assertOptionalObject(given.pricing, 'input.pricing') ?? {};
  const base = CLOUD_PRICING[provider];
  const pricing: CloudPricing = {
    storagePerGbMonth: assertNonNegative(
      overrides.storagePerGbMonth ?? base.storagePerGbMonth,
      'input.pricing.storagePerGbMonth',
    ),
    iopsPerIopsMonth: assertNonNegative(
      overrides.iopsPerIopsMonth ?? base.iopsPerIopsMonth,
      'input.pricing.iopsPerIopsMonth',
    ),
    egressPerGb: assertNonNegative(overrides.egressPerGb ?? base.egressPerGb, 'input.pricing.egressPerGb'),
  };

  const monthlyStorageCostUsd = storageGb * pricing.storagePerGbMonth;
  const monthlyIopsCostUsd = iops * pricing.iopsPerIopsMonth;
  const monthlyEgressCostUsd = egressGbPerDay * DAYS_PER_MONTH * pricing.egressPerGb;
  const monthlyCostUsd = monthlyStorageCostUsd + monthlyIopsCostUsd + monthlyEgressCostUsd;
  const messagesPerMonth = messagesPerDay * DAYS_PER_MONTH;
  const costPer1000MessagesUsd = messagesPerMonth > 0 ? (monthlyCostUsd / messagesPerMonth) * 1000 : 0;

  const recommendations: string[] = [];
  if (storageGb > 500)
    recommendations.push('Archive or purge finished tasks older than 30 days (broker.maintenance).');
  if (storageGb > 1000)
    recommendations.push(
      'Large database: consider partitioning celers_tasks by created_at to make archival cheap.',
    );
  if (iops > 10_000) {
    recommendations.push(
      'High IOPS: use batch operations (enqueueBatch, dequeueBatch, ackBatch) to cut round-trips.',
    );
    recommendations.push(
      'Review index usage (DatabaseDiagnostics.checkIndexUsage) to avoid unnecessary scans.',
    );
  }
  if (egressGbPerDay > 100)
    recommendations.push('High egress: compress large payloads (compression: "deflate").');
  if (costPer1000MessagesUsd > 1)
    recommendations.push(
      'High cost per message: shorten result/history retention and optimize query patterns.',
    );

  return {
    provider,
    pricing,
    storageGb,
    iops,
    egressGbPerDay,
    monthlyStorageCostUsd,
    monthlyIopsCostUsd,
    monthlyEgressCostUsd,
    monthlyCostUsd,
    costPer1000MessagesUsd,
    recommendations,
  };
}
