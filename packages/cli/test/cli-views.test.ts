import { MysqlBroker } from '@celers/broker-mysql';
import { createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, describeSchedule } from '../src/output/schedule-views.js';
import { buildPackages } from './helpers/build-packages.js';
import { jsonOf, runCelers } from './helpers/run-celers.js';

const QUEUE = 'cli-views';
let tdb: TestDatabase;
let broker: MysqlBroker;

function celers(...args: string[]) {
  return runCelers([...args, '--queue', QUEUE], { CELERS_DATABASE_URL: tdb.url });
}

beforeAll(async () => {
  buildPackages(['cli']);
  tdb = await createTestDatabase();
  broker = await MysqlBroker.connect({ url: tdb.url, queue: QUEUE, migrate: true });
}, 600_000);

afterAll(async () => {
  await broker?.close();
  await tdb?.drop();
});

describe('tasks show', () => {
  it('includes the decoded payload, as JSON and in the human view', async () => {
    const id = await broker.enqueue(createTask('reports.build', { month: '2026-11', rows: [1, 2] }));
    const shown = jsonOf<{ id: string; payload: unknown }>(await celers('tasks', 'show', id, '--json'));
    expect(shown).toMatchObject({ id, payload: { month: '2026-11', rows: [1, 2] } });
    const human = await celers('tasks', 'show', id);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('payload:');
    expect(human.stdout).toContain('"month": "2026-11"');
  });

  it('shows raw bytes as their size and base64', async () => {
    const id = await broker.enqueue(createTask('blob', new Uint8Array([1, 2, 3])));
    const shown = jsonOf<{ payload: unknown }>(await celers('tasks', 'show', id, '--json'));
    expect(shown.payload).toEqual({ bytes: 3, base64: 'AQID' });
  });
});

describe('schedules list', () => {
  it('spells the schedule out and shows the next run relative to now', async () => {
    await broker.schedules.register({
      name: 'weekday-report',
      taskName: 'reports.build',
      payload: {},
      schedule: { kind: 'weekly', dayOfWeek: 1, hour: 9, minute: 5 },
      timezone: 'Europe/Paris',
    });
    await broker.schedules.register({
      name: 'ping',
      taskName: 'ops.ping',
      payload: {},
      schedule: { kind: 'every', minutes: 5 },
    });
    const run = await celers('schedules', 'list');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('weekly on Monday at 09:05 (Europe/Paris)');
    expect(run.stdout).toContain('every 5 minutes');
    expect(run.stdout).toMatch(/\(in [0-9dhms]+\)/);
    expect(run.stdout).not.toContain('"kind"');
  });

  it('describes every schedule kind', () => {
    expect(describeSchedule({ kind: 'every', seconds: 1 }, 'UTC')).toBe('every second');
    expect(describeSchedule({ kind: 'every', hours: 2 }, 'UTC')).toBe('every 2 hours');
    expect(describeSchedule({ kind: 'daily', hour: 7, minute: 0 }, 'UTC')).toBe('daily at 07:00 (UTC)');
    expect(describeSchedule({ kind: 'daily', hour: 7, minute: 30, everyDays: 3 }, 'UTC')).toBe(
      'every 3 days at 07:30 (UTC)',
    );
    expect(describeSchedule({ kind: 'monthly', day: 31, hour: 23, minute: 59 }, 'Asia/Tokyo')).toBe(
      'monthly on day 31 at 23:59 (Asia/Tokyo)',
    );
    expect(describeSchedule({ kind: 'cron', expression: '0 9 * * 1-5' }, 'UTC')).toBe(
      'cron 0 9 * * 1-5 (UTC)',
    );
    const now = new Date('2026-12-03T08:00:00Z');
    expect(describeRun(new Date('2026-12-03T09:30:00Z'), now)).toBe('2026-12-03 09:30:00Z (in 1h30m)');
    expect(describeRun(new Date('2026-12-03T07:59:55Z'), now)).toBe('2026-12-03 07:59:55Z (5s ago)');
    expect(describeRun(null, now)).toBe('-');
  });
});
