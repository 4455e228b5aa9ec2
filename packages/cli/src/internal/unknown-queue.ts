import type { MysqlBroker } from '@celers/broker-mysql';
import { queueExists } from '../queries/queue-overview.sql.js';
import type { CommandScope } from './command-runtime.js';

/**
 * Warns on stderr when the command's queue has no task, DLQ entry or setting anywhere: all-zero output for a
 * mistyped `--queue` would otherwise look like an empty queue. Never changes the result or the exit code.
 */
export async function warnIfUnknownQueue(scope: CommandScope, broker: MysqlBroker): Promise<void> {
  if (await queueExists(broker.database, broker.queueName)) return;
  scope.out.note(
    `celers: warning: queue "${broker.queueName}" has no tasks, DLQ entries or settings (a typo? run \`celers queues\`)`,
  );
}
