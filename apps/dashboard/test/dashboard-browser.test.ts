import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp, type Dashboard } from '../src/index.js';
import { artifact, launchChromium, listen } from './fixtures/browser.js';
import { type SeededQueue, seedQueue } from './fixtures/seed-queue.js';

/** A name an attacker controls, pointed at 127.0.0.1 inside the browser. */
const REBOUND_HOST = 'evil.example';

let tdb: TestDatabase;
let broker: MysqlBroker;
let browser: Browser;
let seeded: SeededQueue;
const stops: Array<() => Promise<void>> = [];
const dashboards: Dashboard[] = [];

async function startDashboard(readOnly: boolean): Promise<string> {
  const d = await createDashboardApp({ database: broker.database, readOnly });
  dashboards.push(d);
  const { url, stop } = await listen(d);
  stops.push(stop);
  return url;
}

/** A read-write dashboard on 127.0.0.1 (a free port); its base URL. */
function startDashboardServerUrl(): Promise<string> {
  return startDashboard(false);
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('close', () => expect(errors, 'uncaught errors in the page').toEqual([]));
  return page;
}

async function dlqCount(): Promise<number> {
  const row = await broker.database
    .selectFrom('celers_dead_letter_queue')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue_name', '=', 'web')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  // evil.example resolves to this machine, as after a DNS rebinding attack.
  browser = await launchChromium([`--host-resolver-rules=MAP ${REBOUND_HOST} 127.0.0.1`]);
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: 'web', migrate: true });
  seeded = await seedQueue(broker);
});
afterAll(async () => {
  for (const stop of stops) await stop();
  for (const d of dashboards) await d.close();
  await browser?.close();
  await broker?.close();
  await tdb?.drop();
});

describe('dashboard in Chromium', () => {
  it('overview shows the counts of the database and draws the metric charts', async () => {
    const url = await startDashboard(false);
    const page = await newPage();
    await page.goto(`${url}/#/`);
    const row = page.locator('[data-testid="queue-row"][data-queue="web"]');
    await row.waitFor({ timeout: 15_000 });
    const stats = await broker.tasks.statistics();
    for (const key of ['pending', 'scheduled', 'processing', 'completed', 'failed', 'dlq'] as const) {
      expect(await row.locator(`[data-testid="${key}"]`).textContent(), key).toBe(String(stats[key]));
    }
    expect(await page.locator('#mode').isVisible()).toBe(false);
    expect(stats).toMatchObject({ pending: 4, scheduled: 1, processing: 1, completed: 2, dlq: 1 });
    // The page keeps polling: after two samples the charts draw lines instead of "collecting samples…".
    // (A flat line has an empty bounding box, so wait for it to be attached rather than "visible".)
    const lines = page.locator('[data-testid="chart-card"][data-queue="web"] polyline');
    await lines.first().waitFor({ state: 'attached', timeout: 15_000 });
    expect(await lines.count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: artifact('overview.png'), fullPage: true });
    await page.close();
  });

  it('live-updates the overview when the database changes, without a reload', async () => {
    const url = await startDashboard(false);
    const page = await newPage();
    await page.goto(`${url}/#/`);
    const row = page.locator('[data-testid="queue-row"][data-queue="web"]');
    await row.waitFor({ timeout: 15_000 });
    const before = Number(await row.locator('[data-testid="pending"]').textContent());
    await broker.enqueue(createTask('live.update', {}));
    await expect
      .poll(async () => Number(await row.locator('[data-testid="pending"]').textContent()), {
        timeout: 15_000,
      })
      .toBe(before + 1);
    await page.close();
  });

  it('filters the task list and opens a task with its payload, progress and history', async () => {
    const url = await startDashboard(false);
    const page = await newPage();
    await page.goto(`${url}/#/queues/web/tasks?metaPath=${encodeURIComponent('$.tenant')}&metaValue=acme`);
    await page.locator('[data-testid="task-row"]').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="task-row"]').count()).toBe(1);
    expect(await page.locator('[data-testid="task-row"]').getAttribute('data-id')).toBe(seeded.pendingIds[0]);
    await page.goto(`${url}/#/tasks/${seeded.processingId}?queue=web`);
    await page.locator('[data-testid="payload"]').waitFor({ timeout: 15_000 });
    expect(JSON.parse((await page.locator('[data-testid="payload"]').textContent()) ?? '')).toEqual({
      w: 100,
    });
    expect(await page.locator('.progress-label').textContent()).toContain('40%');
    await page.screenshot({ path: artifact('task-detail.png'), fullPage: true });
    await page.close();
  });

  it('requeues a DLQ task by clicking (confirm accepted): pending in the database and gone from the page', async () => {
    const url = await startDashboard(false);
    const page = await newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.goto(`${url}/#/queues/web/dlq`);
    const row = page.locator('[data-testid="dlq-row"]');
    await row.first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: artifact('dlq.png'), fullPage: true });
    expect(await dlqCount()).toBe(1);
    await row.first().locator('[data-testid="requeue"]').click();
    await page.locator('.flash-ok').waitFor({ timeout: 15_000 });
    const message = (await page.locator('#flash').textContent()) ?? '';
    const newId = /pending task (\S+)/.exec(message)?.[1];
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toContain('reports.build');
    expect(await dlqCount()).toBe(0);
    expect((await broker.tasks.get(newId ?? ''))?.state).toBe('pending');
    await page.locator('text=The dead letter queue is empty.').waitFor({ timeout: 15_000 });
    // The requeued task is listed as pending on the task page too.
    await page.goto(`${url}/#/queues/web/tasks?state=pending&name=reports.build`);
    await page.locator(`[data-testid="task-row"][data-id="${newId}"]`).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('shows workers with heartbeat age and schedules with their next run', async () => {
    await broker.workers.heartbeat('worker-2', 'busy', 1);
    await broker.schedules.register({
      name: 'hourly-report',
      taskName: 'reports.build',
      payload: {},
      schedule: { kind: 'every', hours: 1 },
    });
    const [schedule] = await broker.schedules.list();
    const url = await startDashboard(false);
    const page = await newPage();
    await page.goto(`${url}/#/queues/web/workers`);
    const worker = page.locator('[data-testid="worker-row"][data-id="worker-2"]');
    await worker.waitFor({ timeout: 15_000 });
    expect(await worker.textContent()).toMatch(/busy.*\d+(\.\d)? (ms|s)/);
    expect(await worker.textContent()).toContain('1 running');
    await page.screenshot({ path: artifact('workers.png'), fullPage: true });
    await page.goto(`${url}/#/queues/web/schedules`);
    const next = page.locator('[data-testid="schedule-row"] [data-testid="next-run"]');
    await next.waitFor({ timeout: 15_000 });
    expect(await next.textContent()).toBe(
      `${schedule?.nextRunAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    );
    expect(await page.locator('[data-testid="schedule-row"]').textContent()).toContain('every 1 h');
    await page.close();
  });

  it('shows user strings as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__xss=1">';
    const task = createTask(evil, { html: '<script>window.__xss=2</script>' }, { metadata: { note: evil } });
    await broker.enqueue(task);
    const url = await startDashboard(false);
    const page = await newPage();
    await page.goto(`${url}/#/queues/web/tasks?name=${encodeURIComponent(evil)}`);
    const row = page.locator(`[data-testid="task-row"][data-id="${task.metadata.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    // cells: select box, id, name, ...
    expect(await row.locator('td').nth(2).textContent()).toBe(evil);
    expect(await page.locator('[data-testid="task-list"] img').count()).toBe(0);
    await page.goto(`${url}/#/tasks/${task.metadata.id}`);
    await page.locator('[data-testid="payload"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('h1').textContent()).toContain(evil);
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await broker.cancel(task.metadata.id);
    await page.close();
  });

  it('read-only dashboard: buttons are disabled and a forced click gets the 403 message', async () => {
    await broker.enqueue(createTask('ro.fail', {}, { maxRetries: 0 }));
    for (const msg of await broker.dequeueBatch(50)) {
      if (msg.task.metadata.name === 'ro.fail')
        await broker.reject(msg.task.metadata.id, msg.receiptHandle, { error: 'nope' });
      else await broker.release(msg.task.metadata.id, msg.receiptHandle);
    }
    const before = await dlqCount();
    expect(before).toBe(1);
    const url = await startDashboard(true);
    const page = await newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${url}/#/queues/web/dlq`);
    const requeue = page.locator('[data-testid="dlq-row"] [data-testid="requeue"]').first();
    await requeue.waitFor({ timeout: 15_000 });
    expect(await page.locator('#mode').isVisible()).toBe(true);
    expect(await requeue.isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="purge-all"]').isDisabled()).toBe(true);
    // Even a request made behind the UI's back is refused, and the page reports it.
    // (a string: this package's tsconfig has no DOM lib)
    await page.evaluate("document.querySelectorAll('button').forEach((b) => { b.disabled = false; })");
    await page.locator('[data-testid="purge-all"]').click();
    await page.locator('.flash-error').waitFor({ timeout: 15_000 });
    expect(await page.locator('#flash').textContent()).toContain('read-only');
    expect(await dlqCount()).toBe(before);
    await page.screenshot({ path: artifact('read-only.png'), fullPage: true });
    await page.close();
  });
});

describe('attacks from other pages, in Chromium', () => {
  it('DNS rebinding: the dashboard under an attacker name answers 421 and its page never loads', async () => {
    const url = await startDashboardServerUrl();
    const port = new URL(url).port;
    const page = await newPage();
    const response = await page.goto(`http://${REBOUND_HOST}:${port}/#/`);
    expect(response?.status()).toBe(421);
    expect(await page.locator('[data-testid="queue-row"]').count()).toBe(0);
    // Scripts of the rebound origin cannot reach the API either (same origin as far as the browser knows).
    const answer = await page.evaluate(
      "fetch('/api/queues/web/pause', { method: 'POST', body: '{}' }).then((r) => r.status)",
    );
    expect(answer).toBe(421);
    expect(await broker.isPaused()).toBe(false);
    await page.close();
  });

  it('a page on another port of this machine cannot pause a queue, though the browser holds a session', async () => {
    const url = await startDashboardServerUrl();
    const attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      // A classic CSRF form: submits itself to the dashboard, the browser follows with the answer.
      res.end(`<!doctype html>
        <form method="POST" enctype="text/plain" action="${url}/api/queues/web/pause">
          <input name='{"confirm":true,"x":"' value='"}'>
        </form>
        <script>document.forms[0].submit();</script>`);
    });
    attacker.listen(0, '127.0.0.1');
    await once(attacker, 'listening');
    try {
      const page = await newPage();
      await page.goto(`${url}/#/`); // the victim has the dashboard open: a session cookie exists
      await page.locator('[data-testid="queue-row"][data-queue="web"]').waitFor({ timeout: 15_000 });
      const evil = await newPage();
      await evil.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      await evil.waitForURL(`${url}/api/queues/web/pause`, { timeout: 15_000 });
      // The request reached the dashboard (the browser shows its answer) and was refused.
      expect(await evil.locator('body').textContent()).toContain('CSRF_REJECTED');
      expect(await broker.isPaused()).toBe(false);
      await evil.close();
      await page.close();
    } finally {
      attacker.close();
    }
  });
});
