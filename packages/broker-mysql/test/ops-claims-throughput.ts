// docs/operations/scaling.md's measurement (a script, not a test: vitest only runs *.test.ts).
// Measures claim throughput of one primary: N concurrent consumers (each its own broker and pool, like N
// worker hosts) loop dequeueBatch + ackBatch for a few seconds against a pre-filled backlog.
//
//   CELERS_DATABASE_URL=mysql://root@127.0.0.1:3306/test \
//     npx tsx --tsconfig packages/broker-mysql/tsconfig.json packages/broker-mysql/test/ops-claims-throughput.ts \
//     [--consumers 1,2,4,8] [--seconds 4] [--batch 50]
//
// It creates and drops its own scratch database next to the one in the URL. Prints a markdown table.
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createTask } from '@celers/core';
import mysql from 'mysql2/promise';
import { MysqlBroker } from '../src/index.js';

const { values } = parseArgs({
  options: {
    consumers: { type: 'string', default: '1,2,4,8' },
    seconds: { type: 'string', default: '4' },
    batch: { type: 'string', default: '50' },
  },
});
const consumerCounts = values.consumers.split(',').map(Number);
const seconds = Number(values.seconds);
const batch = Number(values.batch);
const baseUrl = process.env.CELERS_DATABASE_URL ?? process.env.CELERS_TEST_DATABASE_URL;
if (!baseUrl) throw new Error('set CELERS_DATABASE_URL');

const name = `celers_scaling_${randomBytes(4).toString('hex')}`;
const admin = await mysql.createConnection(baseUrl);
await admin.query(`CREATE DATABASE \`${name}\``);
const url = new URL(baseUrl);
url.pathname = `/${name}`;

async function fill(broker: MysqlBroker, count: number): Promise<void> {
  for (let done = 0; done < count; done += 1_000) {
    await broker.enqueueBatch(
      Array.from({ length: Math.min(1_000, count - done) }, (_, i) => createTask('bench.noop', { i })),
    );
  }
}

try {
  const producer = await MysqlBroker.connect({ url: url.toString(), queue: 'scaling', migrate: true });
  const [[server]] = (await admin.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
  const rows: string[] = [];
  for (const n of consumerCounts) {
    await fill(producer, 40_000);
    const consumers = await Promise.all(
      Array.from({ length: n }, () =>
        MysqlBroker.connect({ url: url.toString(), queue: 'scaling', pool: { maxConnections: 2 } }),
      ),
    );
    let claims = 0;
    let empty = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      consumers.map(async (c, i) => {
        while (performance.now() < deadline) {
          const msgs = await c.dequeueBatch(batch, { workerId: `w${i}` });
          if (msgs.length === 0) {
            empty++;
            continue;
          }
          await c.ackBatch(msgs.map((m) => ({ taskId: m.task.metadata.id, receiptHandle: m.receiptHandle })));
          claims += msgs.length;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    await Promise.all(consumers.map((c) => c.close()));
    await producer.maintenance.purgeAllTasks();
    rows.push(`| ${n} | ${batch} | ${Math.round(claims / elapsed)} | ${empty} |`);
  }
  await producer.close();
  console.log(
    `server ${server.v}; client and server share ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); ${seconds} s per run`,
  );
  console.log('| consumers | batch | claims+acks/s | empty polls |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
} finally {
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.end();
}
