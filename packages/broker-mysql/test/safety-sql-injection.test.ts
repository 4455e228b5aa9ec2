// Hostile strings against servers whose sql_mode would break client-side escaping (NO_BACKSLASH_ESCAPES) or
// drop the strict modes celers relies on (''): no other queue is read or changed, and JSON keys round-trip.
import { createTask, decodePayload } from '@celers/core';
import { type PrivateServer, startPrivateServer } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlBroker } from '../src/index.js';

const HOSTILE_NAMES = [
  "' OR 1=1 -- x",
  "\\' OR 1=1 -- x",
  "x\\' OR '1'='1",
  '\\',
  "'; DROP TABLE celers_locks; -- x",
  '" OR ""="',
];

describe.each([{ sqlMode: 'NO_BACKSLASH_ESCAPES' }, { sqlMode: '' }])(
  "server started with --sql-mode='$sqlMode'",
  ({ sqlMode }) => {
    let server: PrivateServer;
    let victim: MysqlBroker;
    let attacker: MysqlBroker;

    beforeAll(async () => {
      server = await startPrivateServer({ args: [`--sql-mode=${sqlMode}`] });
      victim = await MysqlBroker.connect({ url: server.url, queue: 'victim', migrate: true });
      attacker = await victim.forQueue('attacker');
    });
    afterAll(async () => {
      await attacker?.close();
      await victim?.close();
      await server?.destroy();
    });

    async function victimRows(): Promise<number> {
      const r = await sql<{
        n: number;
      }>`SELECT COUNT(*) AS n FROM celers_tasks WHERE queue_name = 'victim'`.execute(victim.database);
      return Number(r.rows[0]?.n);
    }

    it('every session runs without NO_BACKSLASH_ESCAPES and with the strict modes celers relies on', async () => {
      const r = await sql<{ mode: string }>`SELECT @@SESSION.sql_mode AS mode`.execute(victim.database);
      const modes = (r.rows[0]?.mode ?? '').split(',');
      expect(modes).not.toContain('NO_BACKSLASH_ESCAPES');
      expect(modes).toEqual(expect.arrayContaining(['STRICT_TRANS_TABLES', 'NO_ENGINE_SUBSTITUTION']));
    });

    it('tasks.byWorker with a quote-carrying worker id reads nothing of another queue', async () => {
      await victim.enqueue(createTask('secret.job', { card: '4111' }));
      const claimed = await victim.dequeue({ workerId: 'victim-worker' });
      expect(claimed).not.toBeNull();
      for (const name of HOSTILE_NAMES) expect(await attacker.tasks.byWorker(name)).toEqual([]);
      // The attacker's own task claimed by a worker with that literal id is found, and only it.
      const mine = await attacker.enqueue(createTask('own.job', 1));
      await attacker.dequeue({ workerId: "' OR 1=1 -- x" });
      const found = await attacker.tasks.byWorker("' OR 1=1 -- x");
      expect(found.map((t) => t.id)).toEqual([mine]);
    });

    it('purgeByTaskName with quotes and backslashes deletes only its own queue’s exact name', async () => {
      await victim.enqueue(createTask('victim.keep', 1));
      const before = await victimRows();
      for (const name of HOSTILE_NAMES) await attacker.enqueue(createTask(name, 1));
      await attacker.enqueue(createTask('attacker.keep', 1));
      for (const name of HOSTILE_NAMES) expect(await attacker.maintenance.purgeByTaskName(name)).toBe(1);
      expect(await victimRows()).toBe(before);
      const left = await attacker.tasks.list({ state: 'pending' });
      expect(left.map((t) => t.taskName)).toEqual(['attacker.keep']);
      // No statement was smuggled in: every celers table is still there.
      const tables = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.tables
      WHERE table_schema = DATABASE() AND table_name = 'celers_locks'`.execute(victim.database);
      expect(Number(tables.rows[0]?.n)).toBe(1);
    });

    it('an ack batch naming its tasks with quotes and backslashes stores exactly those names', async () => {
      const own = await attacker.forQueue('named-acks');
      for (const name of HOSTILE_NAMES) await own.enqueue(createTask(name, 1));
      const claimed = await own.dequeueBatch(HOSTILE_NAMES.length);
      expect(claimed).toHaveLength(HOSTILE_NAMES.length);
      const before = await victimRows();
      const r = await own.ackBatch(
        claimed.map((m) => ({
          taskId: m.task.metadata.id,
          receiptHandle: m.receiptHandle,
          taskName: m.task.metadata.name,
          result: { result: m.task.metadata.name },
        })),
      );
      expect(r.count).toBe(HOSTILE_NAMES.length);
      for (const m of claimed) {
        const stored = await own.results.get(m.task.metadata.id);
        expect(stored).toMatchObject({ taskName: m.task.metadata.name, result: m.task.metadata.name });
      }
      expect(await victimRows()).toBe(before);
      await own.close();
    });

    it('a batch enqueue of hostile names, metadata and payloads stores exactly those values', async () => {
      const own = await attacker.forQueue('batch-literals');
      const names = [...HOSTILE_NAMES, 'a?b ??'];
      const before = await victimRows();
      const ids = await own.enqueueBatch(
        names.map((name) => createTask(name, { name, q: '?\0\x1a' }, { metadata: { name, '?': "'" } })),
      );
      const claimed = await own.dequeueBatch(names.length);
      expect(claimed.map((m) => m.task.metadata.id).sort()).toEqual([...ids].sort());
      for (const m of claimed) {
        const name = m.task.metadata.name;
        expect(names).toContain(name);
        expect(m.task.metadata.custom).toMatchObject({ name, '?': "'" });
        expect(decodePayload(m.task)).toEqual({ name, q: '?\0\x1a' });
      }
      expect(await victimRows()).toBe(before);
      await own.close();
    });

    it('JSON metadata and results with quotes and backslashes in keys and values round-trip', async () => {
      const custom = { "it's": 'a "quoted" \\ value', 'back\\slash': "'", '"': { "'\\": [1, "\\'"] } };
      const own = await attacker.forQueue('json-keys');
      const id = await own.enqueue(createTask('json.keys', { "k'": "v\\'" }, { metadata: custom }));
      const msg = await own.dequeue();
      expect(msg?.task.metadata.id).toBe(id);
      expect(msg?.task.metadata.custom).toMatchObject(custom);
      expect(decodePayload(msg!.task)).toEqual({ "k'": "v\\'" });
      await own.ackBatchWithResults([
        {
          taskId: id,
          receiptHandle: msg!.receiptHandle,
          result: { status: 'SUCCESS', result: { "o'k": "\\'" } },
        },
      ]);
      expect((await own.results.get(id))?.result).toEqual({ "o'k": "\\'" });
      await own.close();
    });
  },
);
