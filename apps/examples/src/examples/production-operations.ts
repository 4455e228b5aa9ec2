// production_operations: migration checks for CI, load generation, DLQ replay, health and maintenance.
import { createTask } from '@celers/core';
import { getPoolStats, verifyMigrations } from '@celers/schema';
import { check, type ExampleContext, info, section, withBroker } from '../example-kit.js';

/** Runs the example. */
export async function run(ctx: ExampleContext): Promise<void> {
  await withBroker(ctx, async (broker) => {
    section('1. Migration verification (a CI/CD gate)');
    const v = await verifyMigrations(broker.database);
    info(`${v.appliedCount} applied, ${v.missingCount} missing, schema valid: ${v.schemaValid}`);
    check(v.isComplete && v.schemaValid, 'schema is complete: safe to deploy');

    section('2. Load generation for capacity tests');
    const ids = await broker.transfer.generateLoad({
      count: 500,
      taskName: 'load.test',
      payloadBytes: 256,
      priorityRange: [0, 9],
    });
    check(
      ids.length === 500 && (await broker.queueSize()) === 500,
      'generated 500 synthetic tasks tagged load_test',
    );

    section('3. Throughput with an adaptive batch size');
    let processed = 0;
    for (;;) {
      const batch = await broker.dequeueBatch(await broker.capacity.getOptimalBatchSize(100));
      if (batch.length === 0) break;
      const { count } = await broker.ackBatch(
        batch.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })),
      );
      processed += count;
    }
    check(processed === 500, 'drained the 500 tasks in adaptive batches');

    section('4. DLQ batch replay (disaster recovery)');
    for (const name of ['sync.crm', 'sync.crm', 'sync.erp']) {
      const id = await broker.enqueue(createTask(name, {}, { maxRetries: 0 }));
      const msg = await broker.dequeue();
      await broker.reject(id, msg!.receiptHandle, { error: 'upstream outage' });
    }
    const replayed = await broker.maintenance.replayDlqBatch({ taskNamePattern: 'sync.crm', limit: 100 });
    check(
      replayed === 2 && (await broker.dlq.list()).length === 1,
      'replayed the 2 sync.crm entries once the outage was fixed',
    );

    section('5. Health and readiness');
    const health = await broker.health.check();
    info(
      `${health.serverFlavour} ${health.serverVersion}, db ${health.databaseName}, ${health.latencyMs.toFixed(1)} ms`,
    );
    check(
      health.healthy && (await broker.health.isReady()),
      'health check healthy and ready (use for k8s probes)',
    );
    const pool = getPoolStats(broker.database);
    info(`pool: ${JSON.stringify(pool)}`);

    section('6. Routine maintenance');
    const stats = await broker.tasks.statistics();
    // Dead-lettered tasks keep a `failed` row (statistics count them as deadLettered), so they are archived too.
    const finished = stats.completed + stats.failed + stats.deadLettered + stats.cancelled;
    const archived = await broker.maintenance.archiveCompleted({ olderThanMs: 0 });
    info(
      `archived ${archived} finished tasks (${stats.completed} completed, ${stats.failed + stats.deadLettered} failed)`,
    );
    check(
      archived === finished && (await broker.tasks.countByState('completed')) === 0,
      'archived every finished task, including the 500 completed',
    );
    const analyzed = await broker.maintenance.analyzeTables();
    check(analyzed.length > 0, `analyzed ${analyzed.length} tables for fresh optimizer statistics`);
    const recovered = await broker.recoverTimedOutTasks();
    check(recovered === 0, 'no timed-out tasks to recover');
  });
}
