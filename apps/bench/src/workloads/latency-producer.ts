// Child process of W4: enqueues jobs at a steady rate, each carrying the wall-clock time of its enqueue call.
// Started by latency-workload.ts with `node --import tsx`; talks to the parent over IPC.
import { performance } from 'node:perf_hooks';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import mysql from 'mysql2/promise';
import { rawEnqueueOne } from '../raw/raw-queue.sql.js';
import { pause } from '../stats/stopwatch.js';
import { runAsBenchChild } from './child-process.js';

/** Configuration passed as the child's first argument (JSON). */
export interface ProducerConfig {
  side: 'celers' | 'raw';
  url: string;
  queue: string;
  count: number;
  ratePerSecond: number;
}

/** Messages the producer sends to its parent. */
export type ProducerMessage =
  | { type: 'ready' }
  | { type: 'done'; sent: number; maxLagMs: number }
  | { type: 'error'; message: string };

/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

async function produce(config: ProducerConfig, send: (m: ProducerMessage) => void): Promise<void> {
  let enqueue: (sentAt: number) => Promise<unknown>;
  let close: () => Promise<void>;
  if (config.side === 'celers') {
    const broker = await MysqlBroker.connect({ url: config.url, queue: config.queue });
    enqueue = (sentAt) => broker.enqueue(createTask('bench.latency', { sentAt }));
    close = () => broker.close();
  } else {
    const pool = mysql.createPool({ uri: config.url, connectionLimit: 4, timezone: 'Z' });
    enqueue = async (sentAt) => {
      const conn = await pool.getConnection();
      try {
        await rawEnqueueOne(conn, config.queue, { sentAt });
      } finally {
        conn.release();
      }
    };
    close = () => pool.end();
  }
  await enqueue(wallClockMs()); // warm the connection; the parent discounts this job
  send({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const intervalMs = 1000 / config.ratePerSecond;
  const start = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  let maxLagMs = 0;
  for (let i = 0; i < config.count; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await pause(wait);
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    // Fire on schedule without waiting for the previous insert: a steady arrival rate, like real producers.
    const p = enqueue(wallClockMs()).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  await close();
  send({ type: 'done', sent: config.count, maxLagMs });
}

runAsBenchChild<ProducerConfig, ProducerMessage>(produce);
