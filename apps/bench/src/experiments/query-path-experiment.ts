import { performance } from 'node:perf_hooks';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createDatabase } from '@celers/schema';
import { CompiledQuery, Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import type { BenchDatabase } from '../env/bench-database.js';
import { type ExperimentResult, markdownTable } from './experiment-output.js';

/** Calls per path and round. */
const CALLS = 2_000;
const ROUNDS = 4;

/** One way of sending the same statement: a label and one awaited call. */
interface QueryPath {
  name: string;
  call: () => Promise<unknown>;
}

/**
 * Where a single enqueue's time goes between the driver and the broker (W1): the same `SELECT 1` through a plain
 * mysql2 connection, a mysql2 pool, kysely over a plain pool, and celers' `createDatabase` (acquire and statement
 * timeouts, failover source), then a single-row INSERT of a celers task through that Kysely and through
 * `broker.enqueue` (validation, span, breaker, drain flag cache, events). Paths alternate within each round;
 * wall and process CPU time per call. Needs a migrated database.
 */
export async function queryPathExperiment(
  bench: BenchDatabase,
  log: (m: string) => void,
  scale: number,
): Promise<ExperimentResult> {
  const calls = Math.max(200, Math.round(CALLS * scale));
  const conn = await bench.connect();
  const pool = createPool({ uri: bench.url, connectionLimit: 10 });
  const plain = new Kysely({
    dialect: new MysqlDialect({ pool: createPool({ uri: bench.url, connectionLimit: 10 }) }),
  });
  const celersDb = createDatabase(bench.url);
  const broker = await MysqlBroker.connect({ database: celersDb, queue: 'query-path' });
  const insertText =
    "INSERT INTO celers_live_tasks (id, queue_name, task_name, payload, metadata, created_at, scheduled_at) VALUES (?, 'query-path', 'bench.noop', ?, '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
  const insertParameters = () => {
    const task = createTask('bench.noop', { i: 1 });
    return [task.metadata.id, Buffer.from(task.payload)];
  };
  const paths: QueryPath[] = [
    { name: 'SELECT 1, mysql2 connection', call: () => conn.query('SELECT 1') },
    {
      name: 'SELECT 1, mysql2 pool (acquire, query, release)',
      call: () =>
        new Promise((resolve, reject) =>
          pool.getConnection((error, c) => {
            if (error) return reject(error);
            c.query('SELECT 1', (e, r) => {
              c.release();
              e ? reject(e) : resolve(r);
            });
          }),
        ),
    },
    {
      name: 'SELECT 1, kysely over a mysql2 pool',
      call: () => plain.executeQuery(CompiledQuery.raw('SELECT 1', [])),
    },
    {
      name: "SELECT 1, celers' createDatabase",
      call: () => celersDb.executeQuery(CompiledQuery.raw('SELECT 1', [])),
    },
    { name: 'task INSERT, mysql2 connection', call: () => conn.query(insertText, insertParameters()) },
    {
      name: "task INSERT, celers' createDatabase",
      call: () => celersDb.executeQuery(CompiledQuery.raw(insertText, insertParameters())),
    },
    { name: 'createTask + broker.enqueue', call: () => broker.enqueue(createTask('bench.noop', { i: 1 })) },
  ];
  const wall = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  try {
    for (const p of paths) for (let i = 0; i < 100; i++) await p.call();
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of paths) {
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        for (let i = 0; i < calls; i++) await p.call();
        const us = ((performance.now() - start) * 1000) / calls;
        const used = process.cpuUsage(cpuStart);
        const cpuUs = (used.user + used.system) / calls;
        log(`query-path round ${round + 1} ${p.name}: ${us.toFixed(0)} µs wall, ${cpuUs.toFixed(0)} µs CPU`);
        wall.set(p.name, [...(wall.get(p.name) ?? []), Math.round(us)]);
        cpu.set(p.name, [...(cpu.get(p.name) ?? []), Math.round(cpuUs)]);
      }
    }
  } finally {
    await broker.close();
    await celersDb.destroy();
    await plain.destroy();
    await new Promise((resolve) => pool.end(resolve));
    await conn.end();
  }
  return {
    title: 'Experiment: the cost of each layer between mysql2 and broker.enqueue',
    markdown: `${calls} awaited calls per path and round, ${ROUNDS} rounds, paths in turn; µs per call (wall, and CPU of the whole process).\n\n${markdownTable(
      ['path', 'µs wall, rounds 1–4', 'µs CPU, rounds 1–4'],
      paths.map((p) => [p.name, (wall.get(p.name) ?? []).join(', '), (cpu.get(p.name) ?? []).join(', ')]),
    )}`,
    data: paths.map((p) => ({ path: p.name, wallUs: wall.get(p.name), cpuUs: cpu.get(p.name) })),
  };
}
