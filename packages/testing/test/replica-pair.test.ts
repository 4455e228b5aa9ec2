import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryOnce, type ReplicaPair, startReplicaPair } from '../src/index.js';

describe('startReplicaPair', () => {
  let pair: ReplicaPair;
  beforeAll(async () => {
    pair = await startReplicaPair();
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it('replicates the primary into a read-only replica by GTID', async () => {
    const [flags] = await queryOnce<{ ro: number; gtid: string }>(
      pair.replica.url,
      'SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.gtid_slave_pos AS gtid',
    );
    expect(Number(flags?.ro)).toBe(1);
    await queryOnce(pair.primary.url, 'CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB');
    await queryOnce(pair.primary.url, 'INSERT INTO t VALUES (1), (2)');
    await pair.waitForCatchUp();
    expect(await queryOnce(pair.replica.url, 'SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    const [primaryPos] = await queryOnce<{ pos: string }>(
      pair.primary.url,
      'SELECT @@gtid_binlog_pos AS pos',
    );
    const [replicaPos] = await queryOnce<{ pos: string }>(pair.replica.url, 'SELECT @@gtid_slave_pos AS pos');
    expect(replicaPos?.pos).toBe(primaryPos?.pos);
  });

  it('holds changes back while the SQL thread is stopped and applies them after', async () => {
    await queryOnce(pair.primary.url, 'CREATE TABLE held (id INT PRIMARY KEY) ENGINE=InnoDB');
    await pair.waitForCatchUp();
    await pair.stopReplicaSql();
    await queryOnce(pair.primary.url, 'INSERT INTO held VALUES (7)');
    const [status] = await queryOnce<{ Slave_SQL_Running: string; Slave_IO_Running: string }>(
      pair.replica.url,
      'SHOW SLAVE STATUS',
    );
    expect(status?.Slave_SQL_Running).toBe('No');
    expect(status?.Slave_IO_Running).toBe('Yes');
    await expect(pair.waitForCatchUp(1_500)).rejects.toThrow(/timed out/);
    expect(await queryOnce(pair.replica.url, 'SELECT id FROM held')).toEqual([]);
    await pair.startReplicaSql();
    await pair.waitForCatchUp();
    expect(await queryOnce(pair.replica.url, 'SELECT id FROM held')).toEqual([{ id: 7 }]);
  });
});
