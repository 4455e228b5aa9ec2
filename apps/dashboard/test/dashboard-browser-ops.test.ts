import { MysqlBroker } from '@celers/broker-mysql';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp, type Dashboard } from '../src/index.js';
import { artifact, launchChromium, listen } from './fixtures/browser.js';
import { type DeadLetter, seedDeadLetters } from './fixtures/seed-dead-letters.js';
import { seedHistory } from './fixtures/seed-history.js';

// History charts, DLQ paging, bulk actions, the phantom-queue delete, banners and the 420 px layout, in
// Chromium against a real database. Screenshots go to test-artifacts/ (paths are logged).

let tdb: TestDatabase;
let broker: MysqlBroker;
let browser: Browser;
let dashboard: Dashboard;
let url: string;
let stop: () => Promise<void>;
let dead: DeadLetter[];

async function newPage(width = 1360): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('close', () => expect(errors, 'uncaught errors in the page').toEqual([]));
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  const path = artifact(name);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

async function dlqIds(): Promise<string[]> {
  const rows = await broker.database
    .selectFrom('celers_dead_letter_queue')
    .select('id')
    .where('queue_name', '=', 'ops')
    .execute();
  return rows.map((r) => r.id);
}

async function stateOf(id: string): Promise<string | undefined> {
  const row = await broker.database
    .selectFrom('celers_tasks')
    .select('state')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.state;
}

async function selectRows(page: Page, ids: readonly string[]): Promise<void> {
  for (const id of ids) await page.locator(`[data-testid="select-row"][data-id="${id}"]`).check();
  await expect
    .poll(() => page.locator('[data-testid="selected-count"]').textContent())
    .toBe(`${ids.length} selected`);
}

beforeAll(async () => {
  browser = await launchChromium();
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'ops', migrate: true });
  dead = await seedDeadLetters(broker, 60);
  const charts = await broker.forQueue('charts');
  await seedHistory(charts, [5, 20, 40]);
  await charts.close();
  dashboard = await createDashboardApp({ database: broker.database });
  ({ url, stop } = await listen(dashboard));
});
afterAll(async () => {
  await stop?.();
  await dashboard?.close();
  await browser?.close();
  await broker?.close();
  await tdb?.drop();
});

describe('dashboard operations in Chromium', () => {
  it('draws history charts from finished tasks, with bucket bars and a time axis', async () => {
    const page = await newPage();
    await page.goto(`${url}/#/queues/charts/history?range=1h`);
    const bars = page.locator('[data-testid="history-throughput"] [data-testid="history-bar"]');
    await bars.first().waitFor({ state: 'attached', timeout: 15_000 });
    // charts.ok is the busiest series: 3 completed in each of the three seeded buckets (5, 20, 40 min ago).
    expect(await bars.count()).toBe(3);
    for (const bar of await bars.all()) expect(await bar.getAttribute('data-completed')).toBe('3');
    const starts = await Promise.all((await bars.all()).map((b) => b.getAttribute('data-start')));
    const ages = starts.map((s) => Math.round((Date.now() - Date.parse(s ?? '')) / 60_000));
    expect(ages.sort((a, b) => a - b).map((a, i) => Math.abs(a - [5, 20, 40][i]!) <= 1)).toEqual([
      true,
      true,
      true,
    ]);
    const labels = await page
      .locator('[data-testid="history-throughput"] [data-testid="time-label"]')
      .allTextContents();
    expect(labels.length).toBeGreaterThanOrEqual(5);
    for (const label of labels) expect(label).toMatch(/^\d\d:\d\d$/);
    expect(await page.locator('[data-testid="history-exec"] circle').count()).toBe(9); // P50/P95/P99 × 3 buckets
    await shot(page, 'history-1h.png');

    await page.selectOption('[data-testid="task-picker"]', 'charts.bad');
    await expect
      .poll(async () =>
        page
          .locator('[data-testid="history-throughput"] [data-testid="history-bar"][data-failed="1"]')
          .count(),
      )
      .toBe(3);
    await page.locator('[data-testid="ranges"] a', { hasText: '7d' }).click();
    await page
      .locator('[data-testid="history-summary"]', { hasText: 'buckets of 4 h' })
      .waitFor({ timeout: 15_000 });
    const weekLabels = await page
      .locator('[data-testid="history-throughput"] [data-testid="time-label"]')
      .allTextContents();
    for (const label of weekLabels) expect(label).toMatch(/^\d\d-\d\d \d\d:\d\d$/);
    await shot(page, 'history-7d.png');
    await page.close();
  });

  it('pages through more than 50 DLQ rows and links a row to its task and back', {
    timeout: 60_000,
  }, async () => {
    const page = await newPage();
    await page.goto(`${url}/#/queues/ops/dlq`);
    const rows = page.locator('[data-testid="dlq-row"]');
    await rows.first().waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(50);
    expect(await page.locator('[data-testid="dlq-total"]').textContent()).toBe('1–50 of 60');
    const first = await Promise.all((await rows.all()).map((r) => r.getAttribute('data-id')));
    await page.locator('[data-testid="page-older"]').click();
    await page.locator('[data-testid="dlq-total"]', { hasText: '51–60 of 60' }).waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(10);
    const second = await Promise.all((await rows.all()).map((r) => r.getAttribute('data-id')));
    expect(new Set([...first, ...second])).toEqual(new Set(dead.map((d) => d.dlqId)));
    await shot(page, 'dlq-page-2.png');

    const entry = dead.find((d) => d.dlqId === second[0])!;
    await rows.first().locator('[data-testid="task-link"]').click();
    await page.locator('[data-testid="task-fields"]').waitFor({ timeout: 15_000 });
    expect(page.url()).toContain(`#/tasks/${entry.taskId}`);
    await page.locator('[data-testid="dlq-link"]').click();
    await page.locator(`[data-testid="dlq-row"][data-id="${entry.dlqId}"]`).waitFor({ timeout: 15_000 });
    expect(await rows.count()).toBe(1);

    // Filters: error text and task name.
    await page.goto(`${url}/#/queues/ops/dlq?error=${encodeURIComponent('refused')}`);
    await page.locator('[data-testid="dlq-total"]', { hasText: 'of 30' }).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('requeues and deletes DLQ rows in bulk, and retries failed tasks in bulk (checked in the database)', {
    timeout: 120_000,
  }, async () => {
    const page = await newPage();
    await page.goto(`${url}/#/queues/ops/dlq?name=sync.pull`);
    await page.locator('[data-testid="dlq-row"]').first().waitFor({ timeout: 15_000 });
    const pulls = dead.filter((d) => d.taskName === 'sync.pull');
    const requeue = pulls.slice(0, 3).map((d) => d.dlqId);
    await selectRows(page, requeue);
    const pendingBefore = await broker.tasks.countByState('pending');
    await page.locator('[data-testid="bulk-requeue"]').click();
    await page.locator('#flash', { hasText: 'Requeued 3 DLQ entries' }).waitFor({ timeout: 15_000 });
    expect(await broker.tasks.countByState('pending')).toBe(pendingBefore + 3);
    let left = await dlqIds();
    for (const id of requeue) expect(left).not.toContain(id);

    const remove = pulls.slice(3, 5).map((d) => d.dlqId);
    await selectRows(page, remove);
    await page.locator('[data-testid="bulk-delete"]').click();
    await page.locator('#flash', { hasText: 'Deleted 2 DLQ entries' }).waitFor({ timeout: 15_000 });
    left = await dlqIds();
    expect(left).toHaveLength(55);
    for (const id of remove) expect(left).not.toContain(id);
    await shot(page, 'dlq-bulk.png');

    // Failed tasks (their DLQ copies still there) go back to pending from the task list.
    const shownDead = async () => {
      await page.locator('[data-testid="task-row"]').first().waitFor({ timeout: 15_000 });
      const ids = await page
        .locator('[data-testid="task-row"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
      return ids.map((id) => dead.find((d) => d.taskId === id)!);
    };
    await page.goto(`${url}/#/queues/ops/tasks?state=failed&name=sync.push`);
    const retry = (await shownDead()).slice(0, 2);
    await selectRows(
      page,
      retry.map((d) => d.taskId),
    );
    await page.locator('[data-testid="bulk-retry"]').click();
    await page.locator('#flash', { hasText: 'Retried 2 tasks' }).waitFor({ timeout: 15_000 });
    for (const d of retry) expect(await stateOf(d.taskId)).toBe('pending');
    left = await dlqIds();
    for (const d of retry) expect(left).not.toContain(d.dlqId);

    // Bulk delete of finished tasks from the task list.
    await page.goto(`${url}/#/queues/ops/tasks?state=failed&name=sync.push&offset=0`);
    const gone = (await shownDead()).filter((d) => !retry.includes(d)).slice(0, 2);
    await selectRows(
      page,
      gone.map((d) => d.taskId),
    );
    await page.locator('[data-testid="bulk-delete"]').click();
    await page.locator('#flash', { hasText: 'Deleted 2 tasks' }).waitFor({ timeout: 15_000 });
    for (const d of gone) expect(await stateOf(d.taskId)).toBeUndefined();
    await shot(page, 'tasks-bulk.png');
    await page.close();
  });

  it('retries one failed task from its page', async () => {
    // sync.pull tasks keep their failed rows in the bulk test above (only their DLQ entries changed).
    const d = dead.filter((x) => x.taskName === 'sync.pull')[10]!;
    const page = await newPage();
    await page.goto(`${url}/#/tasks/${d.taskId}?queue=ops`);
    await page.locator('[data-testid="retry"]').click();
    await page.locator('#flash', { hasText: 'Task is pending again' }).waitFor({ timeout: 15_000 });
    expect(await stateOf(d.taskId)).toBe('pending');
    await page.close();
  });

  it('deletes a phantom queue (paused under a mistyped name) from the overview', async () => {
    const typo = await broker.forQueue('opss');
    await typo.pause();
    await typo.close();
    const page = await newPage();
    await page.goto(`${url}/#/`);
    const row = page.locator('[data-testid="queue-row"][data-queue="opss"]');
    await row.locator('[data-testid="phantom"]').waitFor({ timeout: 15_000 });
    expect(
      await page.locator('[data-testid="queue-row"][data-queue="ops"] [data-testid="delete-queue"]').count(),
    ).toBe(0);
    await row.locator('[data-testid="delete-queue"]').click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    const config = await broker.database
      .selectFrom('celers_queue_config')
      .select('config_key')
      .where('queue_name', '=', 'opss')
      .execute();
    expect(config).toEqual([]);
    await page.close();
  });

  it('clears an error banner when the user navigates away', async () => {
    const page = await newPage();
    await page.goto(`${url}/#/tasks/00000000-0000-7000-8000-000000000000`);
    const banner = page.locator('#flash');
    await page.locator('#flash.flash-error', { hasText: 'Refresh failed' }).waitFor({ timeout: 15_000 });
    await shot(page, 'banner-error.png');
    await page.locator('.topbar a', { hasText: 'Queues' }).click();
    await page.locator('[data-testid="queue-row"]').first().waitFor({ timeout: 15_000 });
    expect(await banner.isVisible()).toBe(false);
    await page.close();
  });

  it('never scrolls the page sideways at 420 px', async () => {
    const page = await newPage(420);
    const views = [
      ['overview', '#/', '[data-testid="queue-row"]'],
      ['tasks', '#/queues/ops/tasks', '[data-testid="task-row"]'],
      ['dlq', '#/queues/ops/dlq', '[data-testid="dlq-row"]'],
      ['history', '#/queues/charts/history', '[data-testid="history-bar"]'],
      ['task', `#/tasks/${dead[40]!.taskId}?queue=ops`, '[data-testid="task-fields"]'],
    ] as const;
    for (const [name, hash, ready] of views) {
      await page.goto(`${url}/${hash}`);
      await page.locator(ready).first().waitFor({ state: 'attached', timeout: 15_000 });
      const width = Number(await page.evaluate('document.scrollingElement.scrollWidth'));
      expect(width, `${name} at 420 px`).toBeLessThanOrEqual(420);
      await shot(page, `narrow-${name}.png`);
    }
    await page.close();
  });
});
