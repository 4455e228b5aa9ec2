// monitoring_utilities: the pure capacity, SLA, alerting and cost math of @celers/monitoring (no database).
import {
  calculateAlertThresholds,
  calculateSlaCompliance,
  estimateOperationalCost,
  forecastCapacity,
} from '@celers/monitoring';
import { check, type ExampleContext, info, section } from '../example-kit.js';

/** Runs the example. */
export async function run(_ctx: ExampleContext): Promise<void> {
  section('Capacity forecast');
  const forecast = forecastCapacity({
    currentLoadPerHour: 5_000,
    growthRatePercentPerMonth: 20,
    horizonDays: 90,
    currentWorkers: 4,
    processingRatePerWorkerPerHour: 2_000,
  });
  info(
    `capacity ${forecast.currentCapacityPerHour}/h, projected load ${Math.round(forecast.projectedLoadPerHour)}/h, ${forecast.utilizationPercent}% utilised`,
  );
  info(
    `workers needed ${forecast.workersNeeded}, add ${forecast.recommendedAdditionalWorkers}, status ${forecast.status}`,
  );
  check(
    forecast.currentCapacityPerHour === 8_000 && forecast.workersNeeded > 4,
    '20%/month growth outgrows 4 workers within 90 days',
  );

  section('SLA compliance');
  const times = [...Array.from({ length: 97 }, (_, i) => 100 + i), 2_500, 3_000, 4_000];
  const sla = calculateSlaCompliance({ processingTimesMs: times, slaThresholdMs: 1_000 });
  info(
    `${sla.withinSla}/${sla.total} within 1 s (${sla.compliancePercent}%), p95 ${sla.p95Ms} ms, p99 ${sla.p99Ms} ms: ${sla.status}`,
  );
  check(
    sla.withinSla === 97 && sla.status === 'warning',
    '97% within SLA is a warning (compliant needs 99%)',
  );

  section('Alert thresholds');
  const thresholds = calculateAlertThresholds({
    avgQueueSize: 200,
    maxQueueSize: 1_000,
    targetLagMs: 30_000,
  });
  info(JSON.stringify(thresholds));
  check(
    thresholds.queueSizeWarning < thresholds.queueSizeCritical &&
      thresholds.lagWarningMs < thresholds.lagCriticalMs,
    'warning thresholds sit below critical ones',
  );

  section('Operational cost');
  const cost = estimateOperationalCost({
    storageGb: 100,
    iops: 3_000,
    egressGbPerDay: 5,
    messagesPerDay: 1_000_000,
  });
  info(
    `$${cost.monthlyCostUsd.toFixed(2)}/month on ${cost.provider}, $${cost.costPer1000MessagesUsd.toFixed(5)} per 1,000 messages`,
  );
  for (const r of cost.recommendations) info(`- ${r}`);
  check(
    Math.abs(cost.monthlyCostUsd - 325) < 0.01,
    'estimated $325.00/month for 100 GB, 3,000 IOPS, 5 GB/day egress',
  );
}
