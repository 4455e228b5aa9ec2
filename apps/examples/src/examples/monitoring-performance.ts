// monitoring_performance: live queue analytics (QueueMonitor), database diagnostics and Prometheus metrics.
import { createTask } from '@celers/core';
import {
  createMetricsRegistry,
  DatabaseDiagnostics,
  QueueMonitor,
  registerBrokerMetrics,
} from '@celers/monitoring';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    const registry = createMetricsRegistry();
    const unregister = registerBrokerMetrics(broker, { registry });
    try {
      section('Generate some activity');
      await broker.enqueueBatch(
        Array.from({ length: 40 }, (_, i) =>
          createTask(i % 4 === 0 ? 'jobs.flaky' : 'jobs.ok', { i }, { maxRetries: 0, priority: i % 3 }),
        ),
      );
      let acks = 0;
      for (const msg of await broker.dequeueBatch(30)) {
        if (msg.task.metadata.name === 'jobs.flaky')
          await broker.reject(msg.task.metadata.id, msg.receiptHandle, { error: 'boom' });
        else {
          await broker.ack(msg.task.metadata.id, msg.receiptHandle);
          acks += 1;
        }
      }

      section('Queue analytics');
      const monitor = new QueueMonitor(broker);
      const health = await monitor.queueHealth();
      info(
        `health ${health.status}: pending ${health.pending}, dlq ${health.dlqSize}, failure rate ${health.failureRate}`,
      );
      for (const reason of health.reasons) info(`- ${reason}`);
      check(
        health.pending === 10 && health.dlqSize > 0,
        'queueHealth sees 10 pending tasks and the dead-lettered ones',
      );
      const throughput = await monitor.throughput({ windowMs: 60_000 });
      info(
        `throughput: ${throughput.completed} completed, ${throughput.failed} failed in the last minute (${throughput.completedPerMinute}/min)`,
      );
      check(
        throughput.completed === acks && throughput.failed === 30 - acks,
        'throughput counts the 30 tasks finished in the window',
      );
      const latency = await monitor.latencyPercentiles();
      info(
        `latency p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, p99 ${latency.p99Ms} ms over ${latency.count} tasks`,
      );
      const ages = await monitor.taskAgeDistribution();
      info(`age buckets: ${ages.map((b) => `${b.label}=${b.count}`).join(' ')}`);
      check(ages.reduce((n, b) => n + b.count, 0) === 10, 'age distribution covers the 10 pending tasks');

      section('Database diagnostics');
      const diagnostics = new DatabaseDiagnostics(broker);
      const sizes = await diagnostics.tableSizes();
      info(
        sizes
          .slice(0, 3)
          .map((t) => `${t.tableName}: ${t.rows} rows, ${(t.dataBytes / 1024).toFixed(0)} KiB`)
          .join('; '),
      );
      check(
        sizes.some((t) => t.tableName === 'celers_live_tasks'),
        'table sizes include celers_live_tasks',
      );
      const connection = await diagnostics.checkConnectionHealth();
      info(
        `connection ${connection.status}: acquire ${connection.acquireMs} ms, query ${connection.queryMs} ms`,
      );
      check(connection.status !== 'critical', 'connection health is not critical');

      section('Prometheus metrics');
      const text = await registry.metrics();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`celers_tasks_acked_total{queue="${ctx.queue}"}`));
      info(line ?? '(no acked counter)');
      check(line?.endsWith(` ${acks}`) === true, `celers_tasks_acked_total counted the ${acks} acks`);
    } finally {
      unregister();
    }
  });
}
