import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_JOB_NAMES, MAX_DEQUEUE_BATCH, resolveMaintainerOptions } from '../src/index.js';
import { PURGE_CHUNK_SIZE } from '../src/maintenance/chunked-delete.js';
import { RECOVERY_CHUNK_SIZE } from '../src/queue/control-operations.js';
import { ENQUEUE_CHUNK_SIZE } from '../src/queue/enqueue.sql.js';
import { REPO_ROOT, readOpsPage } from './ops-doc-snippets.js';

// The operations pages state defaults, limits and APIs; these checks fail when the code drifts from them.

const UNITS: Record<string, number> = { s: 1_000, min: 60_000, h: 3_600_000, days: 86_400_000 };

function duration(text: string): number {
  const m = /^(\d+) (s|min|h|days)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

/** Rows of the "Jobs and defaults" table of maintenance.md: job → [interval, retention]. */
function jobTable(): Map<string, { interval: string; retention: string; off: boolean }> {
  const page = readOpsPage('maintenance.md');
  const section = page.slice(
    page.indexOf('## Jobs and defaults'),
    page.indexOf('Every setting is an option'),
  );
  const rows = new Map<string, { interval: string; retention: string; off: boolean }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const job = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
    if (job)
      rows.set(job, {
        interval: cells[3] as string,
        retention: cells[4] as string,
        off: (cells[2] as string).includes('off by default'),
      });
  }
  return rows;
}

describe('docs/operations pages', () => {
  it('the index links every page, and every link resolves', () => {
    const index = readOpsPage('README.md');
    for (const page of [
      'maintenance.md',
      'backup-restore.md',
      'data-migration.md',
      'tuning.md',
      'scaling.md',
    ]) {
      expect(index).toContain(`](${page})`);
      expect(existsSync(join(REPO_ROOT, 'docs/operations', page))).toBe(true);
    }
    expect(existsSync(join(REPO_ROOT, 'scripts/backup/celers-backup.sh'))).toBe(true);
  });

  it('maintenance.md lists every built-in job with the real default interval and retention', () => {
    const table = jobTable();
    expect([...table.keys()].sort()).toEqual([...BUILT_IN_JOB_NAMES].sort());
    const defaults = resolveMaintainerOptions();
    const everyJobOn = resolveMaintainerOptions({ priorityAging: {}, optimizeTables: {} });
    for (const [job, row] of table) {
      const name = job as (typeof BUILT_IN_JOB_NAMES)[number];
      expect(defaults.jobs[name] === undefined, `${job} off by default`).toBe(row.off);
      const settings = everyJobOn.jobs[name];
      expect(settings?.intervalMs, `${job} interval`).toBe(duration(row.interval));
      if (settings?.retentionMs !== undefined)
        expect(settings.retentionMs, `${job} retention`).toBe(duration(row.retention));
    }
  });

  it('tuning.md quotes the real chunk and batch limits', () => {
    const tuning = readOpsPage('tuning.md');
    expect(tuning).toContain(`\`PURGE_CHUNK_SIZE\` = ${PURGE_CHUNK_SIZE.toLocaleString('en-US')}`);
    expect(tuning).toContain(`\`RECOVERY_CHUNK_SIZE\` = ${RECOVERY_CHUNK_SIZE}`);
    expect(tuning).toContain(`\`ENQUEUE_CHUNK_SIZE\` = ${ENQUEUE_CHUNK_SIZE}`);
    expect(tuning).toContain(`\`MAX_DEQUEUE_BATCH\` = ${MAX_DEQUEUE_BATCH.toLocaleString('en-US')}`);
  });
});
