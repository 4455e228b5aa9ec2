import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTask, decodePayload } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePendingTasks } from '../../../docs/operations/examples/migrate-pending-tasks.js';
import { MysqlBroker } from '../src/index.js';
import { REPO_ROOT, readOpsPage, runBash, taggedBlocks } from './ops-doc-snippets.js';

// docs/operations/data-migration.md: the code example (imported from the very file the page embeds) and the
// documented CLI commands, between two databases standing in for two environments.

let prod: TestDatabase;
let staging: TestDatabase;
let source: MysqlBroker;
let target: MysqlBroker;

beforeAll(async () => {
  prod = await createTestDatabase();
  staging = await createTestDatabase();
  source = await MysqlBroker.connect({ url: prod.url, queue: 'emails', migrate: true });
  target = await MysqlBroker.connect({ url: staging.url, queue: 'emails', migrate: true });
});
afterAll(async () => {
  await source?.close();
  await target?.close();
  await prod?.drop();
  await staging?.drop();
});

/** The tsx CLI from the workspace store, to run the `celers` CLI from source. */
function tsxCli(): string | undefined {
  const store = join(REPO_ROOT, 'node_modules/.pnpm');
  const dir = existsSync(store) ? readdirSync(store).find((d) => d.startsWith('tsx@')) : undefined;
  const cli = dir && join(store, dir, 'node_modules/tsx/dist/cli.mjs');
  return cli && existsSync(cli) && existsSync(join(REPO_ROOT, 'packages/cli/src/bin.ts')) ? cli : undefined;
}

describe('docs/operations/data-migration.md', () => {
  it('embeds the tested example verbatim', () => {
    const file = readFileSync(
      join(REPO_ROOT, 'docs/operations/examples/migrate-pending-tasks.ts'),
      'utf8',
    ).trimEnd();
    expect(readOpsPage('data-migration.md')).toContain(file);
  });

  it('migratePendingTasks moves every pending task (ids, payloads, priorities, schedules) and only those', async () => {
    const values = Array.from({ length: 2_300 }, (_, i) => ({ n: i, to: `user${i}@example.com` }));
    const ids = await source.enqueueBatch(values.map((v, i) => createTask('send', v, { priority: i % 3 })));
    const delayed = await source.enqueueAfter(createTask('digest', { weekly: true }), 3_600_000);
    const running = await source.enqueue(createTask('send', { n: -1 }, { priority: 9 }));
    const claimed = await source.dequeue();
    expect(claimed?.task.metadata.id).toBe(running);

    const moved = await migratePendingTasks(source, target);
    expect(moved).toBe(values.length + 1);
    const rows = await target.database
      .selectFrom('celers_tasks')
      .select(['id', 'priority', 'state', 'scheduled_at'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.id)).toEqual([...ids, delayed].sort());
    // Stored states: the delayed task is 'scheduled' (pending, not yet due) on the target as on the source.
    expect(rows.every((r) => r.state === (r.id === delayed ? 'scheduled' : 'pending'))).toBe(true);
    const srcDelayed = await source.database
      .selectFrom('celers_tasks')
      .select('scheduled_at')
      .where('id', '=', delayed)
      .executeTakeFirstOrThrow();
    expect(rows.find((r) => r.id === delayed)?.scheduled_at).toEqual(srcDelayed.scheduled_at);
    // the source keeps nothing claimable but the task that was processing
    expect(await source.queueSize()).toBe(0);
    const left = await source.database
      .selectFrom('celers_tasks')
      .select(['id', 'state'])
      .where('state', '!=', 'cancelled')
      .execute();
    expect(left).toEqual([{ id: running, state: 'processing' }]);
    // payloads survive
    const first = await target.dequeue();
    expect(decodePayload(first!.task)).toEqual(values[ids.indexOf(first!.task.metadata.id)]);
    // idempotent: a second run moves nothing and duplicates nothing
    expect(await migratePendingTasks(source, target)).toBe(0);
    expect(
      await target.database
        .selectFrom('celers_tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst(),
    ).toEqual({
      n: values.length + 1,
    });
  });

  // Never skipped: a missing tsx or CLI source is a broken checkout, so the test fails and says so.
  it('runs the documented celers export | import commands', async () => {
    const tsxPath = tsxCli();
    expect(
      tsxPath,
      'tsx (node_modules/.pnpm/tsx@*) and packages/cli/src/bin.ts must exist to run the CLI',
    ).toBeDefined();
    const work = mkdtempSync(join(tmpdir(), 'celers-migrate-'));
    try {
      const src = await createTestDatabase();
      const dst = await createTestDatabase();
      const a = await MysqlBroker.connect({ url: src.url, queue: 'emails', migrate: true });
      const b = await MysqlBroker.connect({ url: dst.url, queue: 'emails', migrate: true });
      try {
        const ids = await a.enqueueBatch([createTask('send', { n: 1 }), createTask('send', { n: 2 })]);
        const done = await a.enqueue(createTask('send', { n: 3 }));
        const msg = await a.dequeue();
        await a.ack(msg!.task.metadata.id, msg!.receiptHandle);
        const pendingIds = [...ids, done].filter((id) => id !== msg!.task.metadata.id).sort();
        await b.enqueue({
          ...createTask('send', { n: 1 }),
          metadata: { ...createTask('send', 0).metadata, id: pendingIds[0]! },
        });

        const cli = `celers() { node '${tsxCli()}' --tsconfig '${join(REPO_ROOT, 'packages/cli/tsconfig.json')}' '${join(REPO_ROOT, 'packages/cli/src/bin.ts')}' "$@"; }\n`;
        const script = taggedBlocks(readOpsPage('data-migration.md')).get('cli-transfer');
        expect(script).toBeDefined();
        await runBash(cli + script, work, { SOURCE_URL: src.url, TARGET_URL: dst.url });
        const exported = JSON.parse(readFileSync(join(work, 'tasks.json'), 'utf8')) as Array<{
          id: string;
          state: string;
        }>;
        expect(exported.map((t) => t.id).sort()).toEqual(pendingIds);
        const rows = await b.database.selectFrom('celers_tasks').select('id').orderBy('id').execute();
        expect(rows.map((r) => r.id)).toEqual(pendingIds); // the one already there was skipped, not duplicated
      } finally {
        await a.close();
        await b.close();
        await src.drop();
        await dst.drop();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000); // two CLI processes started from TypeScript source
});
