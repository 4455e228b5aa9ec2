// Runs every seed example as `pnpm example <name>` would (a child process through tsx) against a fresh database,
// and checks it exits 0 and prints the results it claims. An example that rots fails here.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, type ExampleName } from '../src/example-registry.js';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Lines each example must print (its key claims); every `✓` line is also checked to be free of `✗`. */
const MARKERS: Record<ExampleName, string[]> = {
  basic_usage: [
    '✓ enqueued 1 task (queue size 1)',
    '✓ task is completed after ack',
    '✓ statistics: 1 completed, 0 pending',
  ],
  task_producer: [
    '✓ dequeued 3 tasks in priority order',
    '✓ 2 scheduled tasks listed with their remaining delay',
    '✓ enqueued 50 tasks in one batch',
    '✓ compressed payload decodes to the original',
  ],
  worker_pool: [
    '✓ processed 20 tasks and dead-lettered the failing one',
    '✓ never more than 4 handlers at once',
    '✓ result of square(7) stored as SUCCESS 49',
    '✓ graceful close marked the worker offline',
  ],
  circuit_breaker: [
    '✓ circuit opened after 3 consecutive DATABASE_UNAVAILABLE failures',
    '✓ open circuit fails fast with CIRCUIT_OPEN (no connection attempted)',
    '✓ a successful trial call closed the circuit',
  ],
  bulk_import_export: [
    '✓ exported 25 pending tasks as JSON',
    '✓ restored 25 tasks in one transaction',
    '✓ NDJSON stream yielded every task, 10 rows per query',
  ],
  recurring_tasks: [
    '✓ registered 5 schedules (every, daily, weekly, monthly, cron)',
    '✓ process() enqueued the 1 due schedule',
    '✓ processing again enqueues nothing (no double runs)',
  ],
  advanced_retry: [
    '✓ exponential backoff doubles: 1s, 2s, 4s, 8s',
    '✓ retried twice with its fixed policy, then dead-lettered',
    '✓ rejectWithRetryPolicy scheduled the retry ~30 s out',
  ],
  idempotency_keys: [
    '✓ a retried request returned the same task id',
    '✓ 8 concurrent enqueues with one key produced 1 task',
    '✓ cleanupExpired removed the expired key',
  ],
  advanced_queue_management: [
    '✓ committed 2 tasks; the rolled-back one left no trace',
    '✓ queryByMetadata($.tenant = acme) found 2 tasks',
    '✓ enqueueWithCapacity refused with QUEUE_FULL at 3 pending',
    '✓ updateBatchState cancelled 2 tasks in one statement',
  ],
  batch_results: [
    '✓ acked 100 tasks and stored 100 results in one transaction',
    '✓ getBatch returned 100 SUCCESS results',
    '✓ stored 1,000 results in 2 round trips',
  ],
  drain_mode: [
    '✓ new tasks are refused with QUEUE_DRAINING',
    '✓ drained all 5 queued tasks while draining',
    '✓ drain mode is per queue: the first queue is unaffected',
  ],
  worker_heartbeat: [
    '✓ heartbeat recorded status, load and capabilities',
    '✓ stale heartbeat detected: gpu-worker-1 marked offline',
    "✓ the dead worker's task is back in the queue",
  ],
  task_groups: [
    '✓ group reached 100% completed',
    '✓ each link ran only after the previous one was acked',
    '✓ cancelCascade cancelled a chain and its dependent link',
  ],
  monitoring_performance: [
    '✓ queueHealth sees 10 pending tasks and the dead-lettered ones',
    '✓ throughput counts the 30 tasks finished in the window',
    '✓ table sizes include celers_live_tasks',
  ],
  monitoring_utilities: [
    '✓ 20%/month growth outgrows 4 workers within 90 days',
    '✓ 97% within SLA is a warning (compliant needs 99%)',
    '✓ estimated $325.00/month for 100 GB, 3,000 IOPS, 5 GB/day egress',
  ],
  production_operations: [
    '✓ schema is complete: safe to deploy',
    '✓ generated 500 synthetic tasks tagged load_test',
    '✓ replayed the 2 sync.crm entries once the outage was fixed',
    '✓ health check healthy and ready (use for k8s probes)',
  ],
  distributed_tracing: [
    '✓ traceparent round-trips unchanged',
    '✓ all 3 levels share one trace id',
    '✓ an unsampled trace stays unsampled downstream',
  ],
  lifecycle_hooks: [
    '✓ a task without tenant was refused with HOOK_REJECTED',
    '✓ enrichment hook added metadata.enqueued_by',
    '✓ hooks ran in order: 2 enqueues, 2 dequeues, 1 ack, 1 reject',
    '✓ clear() removed every hook',
  ],
};

let tdb: TestDatabase;

function runExample(name: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/run-example.ts', name], {
      cwd: APP_DIR,
      env: { ...process.env, CELERS_DATABASE_URL: tdb.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** What the root `pnpm example [name]` runs after its build step (its script ends in a literal `--`). */
function runThroughPnpm(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['--filter', '@celers/examples', 'run', 'example', '--', ...args], {
      cwd: join(APP_DIR, '..', '..'),
      env: { ...process.env, CELERS_DATABASE_URL: tdb.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  tdb = await createTestDatabase();
});

describe('pnpm example (the documented path)', () => {
  it('without a name lists the examples and exits 0', async () => {
    const { code, output } = await runThroughPnpm([]);
    expect(code, output).toBe(0);
    expect(output).toContain('examples: basic_usage, task_producer');
  }, 60_000);

  it('with a name runs that example', async () => {
    const { code, output } = await runThroughPnpm(['basic_usage']);
    expect(code, output).toBe(0);
    expect(output).toContain('✓ task is completed after ack');
  }, 60_000);
});

afterAll(async () => {
  await tdb?.drop();
});

describe('seed examples', () => {
  it('all 18 seed examples are registered', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(Object.keys(MARKERS).sort());
    expect(Object.keys(EXAMPLES)).toHaveLength(18);
  });

  describe.concurrent.each(Object.keys(MARKERS) as ExampleName[])('%s', (name) => {
    it('exits 0 and prints what it demonstrates', async () => {
      const { code, output } = await runExample(name);
      expect(code, output).toBe(0);
      expect(output).toContain(`${name}: done`);
      expect(output).not.toContain('✗');
      for (const marker of MARKERS[name]) expect(output, output).toContain(marker);
    }, 180_000);
  });

  it('the README lists every example with its file', () => {
    const readme = readFileSync(join(APP_DIR, 'README.md'), 'utf8');
    for (const name of Object.keys(EXAMPLES)) {
      const file = `src/examples/${name.replace(/_/g, '-')}.ts`;
      expect(readme, name).toContain(`| \`${name}\` | [\`${file}\`](${file}) |`);
    }
  });

  it('an unknown example name exits 2 with the list of examples', async () => {
    const { code, output } = await runExample('no_such_example');
    expect(code).toBe(2);
    expect(output).toContain('basic_usage');
  });
});
