import type { MysqlBroker } from '@celers/broker-mysql';
import { type AckItem, decodePayload } from '@celers/core';
import { runConsumerLoops } from '../workloads/consumer-loops.js';
import type { ConsumerOptions, ConsumerRun } from '../workloads/consumer-types.js';

/** Options of the broker-level consumer. */
export interface BrokerConsumerOptions extends ConsumerOptions {
  /** Store a SUCCESS result with each ack (`ackBatch` with results). */
  storeResults: boolean;
}

/**
 * The broker-level consumer: `loops` loops over one broker (its pool), each `dequeueBatch(claimBatch)`, run
 * the handler per message, then one `ackBatch`; `idlePollMs` sleep after an empty claim. It is the same
 * shape as the raw baseline, through celers' public API.
 */
export function startBrokerConsumer(broker: MysqlBroker, options: BrokerConsumerOptions): ConsumerRun {
  return runConsumerLoops(options.loops, options.idlePollMs, async () => {
    const messages = await broker.dequeueBatch(options.claimBatch);
    if (messages.length === 0) return null;
    const items: AckItem[] = messages.map((m) => {
      options.handler(decodePayload(m.task));
      const item: AckItem = { taskId: m.task.metadata.id, receiptHandle: m.receiptHandle };
      if (options.storeResults) item.result = { status: 'SUCCESS', result: { ok: true }, runtimeMs: 0 };
      return item;
    });
    return (await broker.ackBatch(items)).count;
  });
}
