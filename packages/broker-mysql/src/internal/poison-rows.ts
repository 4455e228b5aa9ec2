import { type BrokerMessage, CelersError } from '@celers/core';
import type { Executor } from '../broker-context.js';
import { moveToDeadLetterQueue } from '../queue/reject.sql.js';
import { type MessageRow, toBrokerMessage } from './task-row-mapper.js';

/** A locked row split by whether it decodes into a message. @internal */
export interface DecodedClaim {
  decoded: Array<{ row: MessageRow; message: BrokerMessage }>;
  poisoned: Array<{ row: MessageRow; error: CelersError }>;
}

/**
 * Decodes claimed rows into messages, collecting the ones that cannot be decoded (poison rows: a corrupt
 * retry policy, metadata that is not an object, an unknown content type) instead of throwing on the first.
 * @internal
 */
export function decodeClaimedRows(
  rows: readonly MessageRow[],
  receiptHandle: string,
  leaseExpiresAt: Date,
  workerId: string | null,
): DecodedClaim {
  const result: DecodedClaim = { decoded: [], poisoned: [] };
  for (const row of rows) {
    try {
      result.decoded.push({ row, message: toBrokerMessage(row, receiptHandle, leaseExpiresAt, workerId) });
    } catch (error) {
      const coded = CelersError.isInstance(error)
        ? error
        : new CelersError('CORRUPT_DATA', `Task ${row.id} cannot be decoded`, { cause: error });
      result.poisoned.push({ row, error: coded });
    }
  }
  return result;
}

/** Prefix of the DLQ error message of a task dead-lettered because its row could not be decoded. */
export const POISON_ROW_ERROR_PREFIX = 'CORRUPT_DATA: ';

/**
 * Moves an undecodable task to the dead letter queue (state `failed`) inside the claim transaction, with the
 * decode error as its message, so it is visible in `broker.dlq` and stops blocking the queue.
 * @internal
 */
export async function deadLetterPoisonRow(
  trx: Executor,
  queue: string,
  row: MessageRow,
  now: Date,
  error: CelersError,
): Promise<void> {
  await moveToDeadLetterQueue(
    trx,
    { ...row, queue_name: queue },
    now,
    `${POISON_ROW_ERROR_PREFIX}${error.message}`.slice(0, 60_000),
  );
}
