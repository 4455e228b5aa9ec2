import { CelersError } from '@celers/core';
import { sql } from 'kysely';
import { insertKombuMessage } from './insert-message.sql.js';
import type { AnyDb, CelerySchema } from './kombu-schema.sql.js';
import { type TaskMetaWrite, upsertTaskMeta } from './taskmeta.sql.js';

/** What settling one claim writes. */
export interface SettleInput {
  messageId: number;
  receipt: string;
  /** The `celery_taskmeta` row, or null when the task ignores its result. */
  meta: TaskMetaWrite | null;
  /** A message to publish in the same transaction (a retry), or null. */
  republish: { queueId: number; payload: string } | null;
}

/**
 * Finishes a claim in one transaction fenced by its receipt: writes the result, publishes the retry if
 * any, and deletes the message and its lease. Throws `STALE_RECEIPT` (writing nothing) when the lease
 * was recovered and the message may run elsewhere.
 */
export async function settleClaim(db: AnyDb, schema: CelerySchema, input: SettleInput): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const held = await sql<{ message_id: number }>`SELECT message_id FROM celers_celery_leases
      WHERE message_id = ${input.messageId} AND receipt = ${input.receipt} FOR UPDATE`.execute(trx);
    if (held.rows.length === 0)
      throw new CelersError('STALE_RECEIPT', `Lease on kombu message ${input.messageId} was lost`, {
        details: { messageId: input.messageId },
      });
    if (input.meta) await upsertTaskMeta(trx, schema, input.meta);
    if (input.republish)
      await insertKombuMessage(trx, schema, input.republish.queueId, input.republish.payload);
    await sql`DELETE FROM kombu_message WHERE id = ${input.messageId}`.execute(trx);
    await sql`DELETE FROM celers_celery_leases WHERE message_id = ${input.messageId}`.execute(trx);
  });
}
