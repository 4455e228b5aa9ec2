import { MysqlBroker } from '@celers/broker-mysql';
import { createDatabase } from '@celers/schema';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseDiagnostics, QueueMonitor } from '../src/index.js';

// docs/operations/scaling.md shows monitoring through a read replica's own handle; this runs that example
// (against a primary, which reports no replication), so the page fails here when the API drifts.
describe('scaling.md read-replica example', () => {
  let tdb: TestDatabase;
  let broker: MysqlBroker;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    broker = await MysqlBroker.connect({ url: tdb.url, queue: 'emails', migrate: true });
  });
  afterAll(async () => {
    await broker?.close();
    await tdb?.drop();
  });

  it('monitors a queue through its own database handle and reads the replication status', async () => {
    const replica = createDatabase(tdb.url);
    try {
      const monitor = new QueueMonitor({ database: replica, queue: 'emails' });
      expect(await monitor.queueHealth()).toHaveProperty('status');
      const lag = await new DatabaseDiagnostics({ database: replica }).replicationLag();
      expect(lag.isReplica).toBe(false);
    } finally {
      await replica.destroy();
    }
  });
});
