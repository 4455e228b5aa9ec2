import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GaleraCluster, queryOnce, startGaleraCluster } from '../src/index.js';

const status = async (url: string, name: string) =>
  (await queryOnce<{ Value: string }>(url, `SHOW GLOBAL STATUS LIKE '${name}'`))[0]?.Value;

describe('startGaleraCluster', () => {
  let cluster: GaleraCluster;
  beforeAll(async () => {
    cluster = await startGaleraCluster({ nodes: 3 });
  }, 240_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('forms one synced cluster of three nodes that each accept writes', async () => {
    for (const node of cluster.nodes) {
      expect(await status(node.url, 'wsrep_cluster_size')).toBe('3');
      expect(await status(node.url, 'wsrep_local_state_comment')).toBe('Synced');
    }
    await queryOnce(cluster.nodes[0]!.url, 'CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB');
    await queryOnce(cluster.nodes[1]!.url, 'INSERT INTO t VALUES (1)');
    await queryOnce(cluster.nodes[2]!.url, 'INSERT INTO t VALUES (2)');
    for (const node of cluster.nodes) {
      // wsrep_sync_wait makes the read wait until the node has applied every write certified before it
      const rows = await queryOnce(node.url, 'SET SESSION wsrep_sync_wait = 1; SELECT id FROM t ORDER BY id');
      expect(rows.at(-1)).toEqual([{ id: 1 }, { id: 2 }]);
    }
  });

  it('loses a killed node, keeps writing on the others, and takes the node back with the writes it missed', async () => {
    const [first, second, third] = cluster.nodes as [
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
    ];
    await third.kill();
    await cluster.waitForSynced([first, second]);
    expect(await status(first.url, 'wsrep_cluster_size')).toBe('2');
    await queryOnce(first.url, 'INSERT INTO t VALUES (3)');
    await third.start();
    await cluster.waitForSynced();
    const rows = await queryOnce(third.url, 'SET SESSION wsrep_sync_wait = 1; SELECT id FROM t ORDER BY id');
    expect(rows.at(-1)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  }, 120_000);
});
