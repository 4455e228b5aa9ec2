import type { MysqlBroker, TaskExportDocument } from '@celers/broker-mysql';

/**
 * Moves the pending tasks of one queue from `source` to `target` (another environment's database), keeping
 * their ids, priorities, payloads and schedules. Safe to run again after a failure: the import skips ids the
 * target already has, and the source keeps a task until the target has committed it.
 */
export async function migratePendingTasks(source: MysqlBroker, target: MysqlBroker): Promise<number> {
  let moved = 0;
  for (;;) {
    // bounded batches keep memory and transaction size small
    const json = await source.transfer.exportTasks({ state: 'pending', limit: 1_000 });
    const batch = JSON.parse(json) as TaskExportDocument;
    if (batch.tasks.length === 0) return moved;
    moved += await target.transfer.importTasks(json, { skipExisting: true });
    // only now take them off the source: cancelled tasks are never claimed there
    await source.cancelBatch(batch.tasks.map((task) => task.id));
  }
}
