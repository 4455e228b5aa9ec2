// `celers tasks show`: the task's payload, decoded the way a worker decodes it (JSON, or raw bytes).
import type { MysqlBroker } from '@celers/broker-mysql';
import { decodePayloadBytes, type PayloadContentType, type PayloadEncoding } from '@celers/core';

/** The decoded payload of task `id` in the broker's queue, or `undefined` when there is no such task. */
export async function selectTaskPayload(
  broker: MysqlBroker,
  id: string,
): Promise<{ payload: unknown } | undefined> {
  const row = await broker.database
    .selectFrom('celers_tasks')
    .select(['payload', 'content_type', 'content_encoding'])
    .where('id', '=', id)
    .where('queue_name', '=', broker.queueName)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    payload: decodePayloadBytes(
      row.payload,
      row.content_type as PayloadContentType,
      row.content_encoding as PayloadEncoding,
    ),
  };
}
