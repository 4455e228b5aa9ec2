import { sql } from 'kysely';
import type { AnyDb, CelerySchema } from './kombu-schema.sql.js';

/** Inserts one visible message, as kombu's `_put` does (`version` 1, no timestamp). */
export async function insertKombuMessage(
  db: AnyDb,
  schema: CelerySchema,
  queueId: number,
  payload: string,
): Promise<void> {
  await sql`INSERT INTO kombu_message (id, visible, timestamp, payload, version, queue_id)
    VALUES (${schema.messageId}, 1, NULL, ${payload}, 1, ${queueId})`.execute(db);
}
