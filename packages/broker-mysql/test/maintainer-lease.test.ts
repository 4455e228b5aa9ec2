import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CustomMaintenanceJob,
  type JobRunContext,
  Maintainer,
  type MaintainerOptions,
  MysqlBroker,
} from '../src/index.js';
import { maintainerLockName } from '../src/maintenance/maintainer/job-lease.js';

// Two maintainers on separate brokers (separate pools: separate "hosts") race for the same jobs.

let tdb: TestDatabase;
let brokerA: MysqlBroker;
let brokerB: MysqlBroker;

beforeAll(async () => {
  tdb = await createTestDatabase();
  brokerA = await MysqlBroker.connect({ url: tdb.url, queue: 'mq', migrate: true });
  brokerB = await MysqlBroker.connect({ url: tdb.url, queue: 'mq' });
});
afterAll(async () => {
  await brokerA?.close();
  await brokerB?.close();
  await tdb?.drop();
});

/** Every built-in job off: these tests drive custom jobs only. */
const NO_BUILT_INS: MaintainerOptions = {
  recoverTimedOut: false,
  staleWorkers: false,
  archiveCompleted: false,
  archiveResults: false,
  dlqRetention: false,
  idempotencyCleanup: false,
  priorityAging: false,
  analyzeTables: false,
};

function maintainer(
  broker: MysqlBroker,
  owner: string,
  job: CustomMaintenanceJob,
  leaseMs = 1_000,
): Maintainer {
  return new Maintainer(broker, { ...NO_BUILT_INS, owner, leaseMs, customJobs: [job] });
}

async function pollUntil<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function leaseRow(job: string) {
  return brokerA.database
    .selectFrom('celers_locks')
    .select(['owner', 'acquired_at', 'expires_at', sql<number>`expires_at > UTC_TIMESTAMP(6)`.as('live')])
    .where('lock_name', '=', maintainerLockName('mq', job))
    .executeTakeFirst();
}

/** A job that blocks until the test opens its gate. */
function gatedJob(name: string) {
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const job: CustomMaintenanceJob = {
    name,
    intervalMs: 60_000,
    async run() {
      await gate;
      return { done: 1 };
    },
  };
  return { job, open };
}

describe('Maintainer leases across hosts', () => {
  it('lets only one host run a job while its lease is live; the other is told who holds it', async () => {
    const { job, open } = gatedJob('gated');
    const a = maintainer(brokerA, 'host-a', job);
    const b = maintainer(brokerB, 'host-b', job);
    const started = new Promise((r) => a.once('job:started', r));
    const runA = a.runOnce('gated');
    await started;
    const skipped = await b.runOnce('gated');
    expect(skipped).toEqual({ job: 'gated', status: 'skipped', reason: 'leased', holder: 'host-a' });
    expect((await leaseRow('gated'))?.owner).toMatch(/^host-a#/);
    // the same maintainer does not start a second copy either
    expect(await a.runOnce('gated')).toMatchObject({
      status: 'skipped',
      reason: 'running',
      holder: 'host-a',
    });
    open();
    expect(await runA).toMatchObject({
      job: 'gated',
      status: 'completed',
      counts: { done: 1 },
      leaseLost: false,
    });
    const released = await leaseRow('gated');
    expect(released?.owner).toBe('');
    // runOnce ignores the "not due" cooldown, but still takes the lease
    expect(await b.runOnce('gated')).toMatchObject({ status: 'completed' });
  });

  it('never runs a scheduled job on two hosts at once, and runs it once per interval across hosts', async () => {
    const intervalMs = 200;
    const runs: Array<{
      owner: string;
      start: number;
      end: number;
      leaseOwner: string | undefined;
      acquiredAt: Date;
    }> = [];
    const probe = (owner: string): CustomMaintenanceJob => ({
      name: 'probe',
      intervalMs,
      async run(_ctx: JobRunContext) {
        const start = performance.now();
        const lease = await leaseRow('probe');
        await new Promise((r) => setTimeout(r, 40)); // some work, so overlapping runs would be visible
        runs.push({
          owner,
          start,
          end: performance.now(),
          leaseOwner: lease?.owner,
          acquiredAt: lease!.acquired_at,
        });
        return { probed: 1 };
      },
    });
    const a = maintainer(brokerA, 'sched-a', probe('sched-a'));
    const b = maintainer(brokerB, 'sched-b', probe('sched-b'));
    const skips: string[] = [];
    a.on('job:skipped', (e) => skips.push(e.reason));
    b.on('job:skipped', (e) => skips.push(e.reason));
    a.start();
    b.start();
    await pollUntil(() => (runs.length >= 8 ? true : undefined));
    await Promise.all([a.stop(), b.stop()]);
    runs.sort((x, y) => x.start - y.start);
    for (const run of runs) expect(run.leaseOwner).toMatch(new RegExp(`^${run.owner}#`));
    for (let i = 1; i < runs.length; i++) {
      const prev = runs[i - 1]!;
      const cur = runs[i]!;
      expect(cur.start).toBeGreaterThanOrEqual(prev.end); // no overlap
      // not due again anywhere until 0.9 interval after the previous start, by the database clock
      expect(cur.acquiredAt.getTime() - prev.acquiredAt.getTime()).toBeGreaterThanOrEqual(
        intervalMs * 0.9 - 1,
      );
    }
    expect(skips.length).toBeGreaterThan(0);
    expect(skips.every((r) => r === 'not-due' || r === 'leased')).toBe(true);
  });

  it('takes over the lease of a crashed holder once it expires', async () => {
    const lockName = maintainerLockName('mq', 'takeover');
    // a holder that crashed mid-run: its row stays, live for 1.5 s more, and is never released
    await sql`INSERT INTO celers_locks (lock_name, owner, acquired_at, expires_at)
              VALUES (${lockName}, 'crashed-host:4242#dead', UTC_TIMESTAMP(6),
                      DATE_ADD(UTC_TIMESTAMP(6), INTERVAL 1500000 MICROSECOND))`.execute(brokerA.database);
    const job: CustomMaintenanceJob = { name: 'takeover', intervalMs: 60_000, run: async () => ({ ran: 1 }) };
    const a = maintainer(brokerA, 'survivor', job);
    expect(await a.runOnce('takeover')).toEqual({
      job: 'takeover',
      status: 'skipped',
      reason: 'leased',
      holder: 'crashed-host:4242',
    });
    const done = await pollUntil(async () => {
      const r = await a.runOnce('takeover');
      return r.status === 'completed' ? r : undefined;
    });
    expect(done.counts).toEqual({ ran: 1 });
    const row = await leaseRow('takeover');
    expect(row?.owner).toBe(''); // released by the survivor, not left to the crashed owner
  });

  it('takes over from a host that lost its database connection mid-run (its renewals stop)', async () => {
    const brokerC = await MysqlBroker.connect({ url: tdb.url, queue: 'mq' });
    const { job, open } = gatedJob('frozen');
    const warnings: string[] = [];
    const logger = { info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
    const c = new Maintainer(brokerC, {
      ...NO_BUILT_INS,
      owner: 'frozen-c',
      leaseMs: 1_000,
      customJobs: [job],
      logger,
    });
    const started = new Promise((r) => c.once('job:started', r));
    const runC = c.runOnce('frozen');
    await started;
    await brokerC.close(); // the host can no longer renew or release: as good as crashed, for the database
    const b = maintainer(brokerB, 'heir-b', job);
    expect(await b.runOnce('frozen')).toMatchObject({
      status: 'skipped',
      reason: 'leased',
      holder: 'frozen-c',
    });
    open(); // B's run passes straight through the (shared) gate once it gets the lease
    const taken = await pollUntil(async () => {
      const r = await b.runOnce('frozen');
      return r.status === 'completed' ? r : undefined;
    });
    expect(taken.counts).toEqual({ done: 1 });
    await runC;
    expect(warnings.some((w) => w.includes('lease'))).toBe(true);
  });

  it('renews the lease while a job runs longer than the lease', async () => {
    const { job, open } = gatedJob('long');
    const a = maintainer(brokerA, 'long-a', job, 1_000);
    const b = maintainer(brokerB, 'long-b', job, 1_000);
    const started = new Promise((r) => a.once('job:started', r));
    const runA = a.runOnce('long');
    await started;
    const first = await leaseRow('long');
    // wait until the original expiry is well past; renewals must have kept the lease live
    await pollUntil(async () =>
      (await leaseRow('long'))!.expires_at.getTime() > first!.expires_at.getTime() + 900 ? true : undefined,
    );
    await pollUntil(async () => {
      const now = await sql<{ t: Date }>`SELECT UTC_TIMESTAMP(6) AS t`.execute(brokerA.database);
      return now.rows[0]!.t.getTime() > first!.expires_at.getTime() + 200 ? true : undefined;
    });
    expect(await b.runOnce('long')).toMatchObject({ status: 'skipped', reason: 'leased', holder: 'long-a' });
    open();
    expect(await runA).toMatchObject({ status: 'completed', leaseLost: false });
  });

  it('aborts the signal and reports leaseLost when another host took the lease over', async () => {
    let seenSignal: AbortSignal | undefined;
    const job: CustomMaintenanceJob = {
      name: 'lost',
      intervalMs: 60_000,
      async run({ signal }) {
        seenSignal = signal;
        // an operator (or a host after a stall) takes the lease over while we run
        await brokerB.database
          .updateTable('celers_locks')
          .set({ owner: 'usurper#1' })
          .where('lock_name', '=', maintainerLockName('mq', 'lost'))
          .execute();
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        return { chunks: 1 };
      },
    };
    const a = maintainer(brokerA, 'lost-a', job, 1_000);
    const result = await a.runOnce('lost');
    expect(result).toMatchObject({ status: 'completed', leaseLost: true });
    expect(seenSignal?.aborted).toBe(true);
    expect((await leaseRow('lost'))?.owner).toBe('usurper#1'); // the loser does not release someone else's lease
  });

  it('reports a failing job and frees its lease at once for any host', async () => {
    const failing: CustomMaintenanceJob = {
      name: 'failing',
      intervalMs: 60_000,
      run: async () => {
        throw new Error('disk full');
      },
    };
    const a = maintainer(brokerA, 'fail-a', failing);
    const failed = new Promise<{ error: Error }>((r) => a.once('job:failed', r));
    const result = await a.runOnce('failing');
    expect(result.status).toBe('failed');
    expect((await failed).error.message).toContain('disk full');
    const row = await leaseRow('failing');
    expect(row).toMatchObject({ owner: '' });
    expect(Number(row?.live)).toBe(0);
    // a scheduled (non-forced) attempt elsewhere may run it right away
    const ok: CustomMaintenanceJob = { name: 'failing', intervalMs: 100, run: async () => 3 };
    const b = maintainer(brokerB, 'fail-b', ok);
    const completed = new Promise<{ counts: unknown }>((r) => b.once('job:completed', r));
    b.start();
    expect((await completed).counts).toEqual({ count: 3 });
    await b.stop();
  });

  it('lists job status from the lease rows', async () => {
    const { job, open } = gatedJob('status');
    const a = maintainer(brokerA, 'status-a', job);
    expect(await a.jobStatus()).toEqual([
      {
        job: 'status',
        lockName: 'celers.maintainer:mq:status',
        holder: null,
        lastStartedAt: null,
        expiresAt: null,
      },
    ]);
    const started = new Promise((r) => a.once('job:started', r));
    const run = a.runOnce('status');
    await started;
    expect((await a.jobStatus())[0]).toMatchObject({ holder: 'status-a' });
    open();
    await run;
    const [after] = await a.jobStatus();
    expect(after?.holder).toBeNull();
    expect(after?.lastStartedAt).toBeInstanceOf(Date);
  });
});
