import { MysqlBroker } from '@celers/broker-mysql';
import { CelersError, createTask } from '@celers/core';
import { createTestDatabase, type TestDatabase } from '@celers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationOption, formatDuration, parseDuration } from '../src/internal/duration-option.js';
import { buildPackages } from './helpers/build-packages.js';
import { jsonOf, runCelers } from './helpers/run-celers.js';

const QUEUE = 'cli-durations';
let tdb: TestDatabase;
let broker: MysqlBroker;

function celers(...args: string[]) {
  return runCelers([...args, '--queue', QUEUE], { CELERS_DATABASE_URL: tdb.url });
}

function argumentOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (CelersError.isInstance(error) && error.code === 'INVALID_ARGUMENT') return error.argument;
    throw error;
  }
  throw new Error('expected INVALID_ARGUMENT');
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

describe('human durations', () => {
  it('parses units and combinations into milliseconds, and formats them back', () => {
    expect(parseDuration('7d', '--x')).toBe(604_800_000);
    expect(parseDuration('90m', '--x')).toBe(5_400_000);
    expect(parseDuration('1h30m', '--x')).toBe(5_400_000);
    expect(parseDuration('1.5h', '--x')).toBe(5_400_000);
    expect(parseDuration('2w1d', '--x')).toBe(15 * 86_400_000);
    expect(parseDuration(' 250MS ', '--x')).toBe(250);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(604_800_000)).toBe('7d');
    expect(formatDuration(250)).toBe('250ms');
  });

  it('refuses unitless, unknown and trailing input naming the flag; the -ms alias takes plain ms', () => {
    for (const bad of ['', '90', '7 days', '1h30', 'h', '-5m', '5y'])
      expect(argumentOf(() => parseDuration(bad, '--older-than'))).toBe('--older-than');
    expect(argumentOf(() => durationOption('7d', '100', '--older-than'))).toBe('--older-than');
    expect(argumentOf(() => durationOption(undefined, '1m', '--older-than'))).toBe('--older-than-ms');
    expect(argumentOf(() => durationOption('0s', undefined, '--stale-after', 1))).toBe('--stale-after');
    expect(durationOption(undefined, '604800000', '--older-than')).toBe(604_800_000);
    expect(durationOption(undefined, undefined, '--older-than')).toBeUndefined();
  });

  it('enqueue --delay 10m schedules the task ten minutes out', async () => {
    const run = await celers('enqueue', 'later', '--delay', '10m');
    expect(run.code, run.stderr).toBe(0);
    const info = await broker.tasks.get(run.stdout.trim());
    expect(info?.state).toBe('pending');
    const delay = (info?.scheduledAt.getTime() ?? 0) - (info?.createdAt.getTime() ?? 0);
    expect(delay).toBeGreaterThanOrEqual(590_000);
    expect(delay).toBeLessThanOrEqual(610_000);
  });

  it('purge --older-than keeps younger tasks; a bad duration deletes nothing', async () => {
    const young = await broker.enqueue(createTask('young', {}));
    const bad = await celers('purge', '--state', 'pending', '--older-than', '7days', '--yes');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^celers: INVALID_ARGUMENT: .*--older-than/);
    const kept = jsonOf<{ deleted: number }>(
      await celers('purge', '--state', 'pending', '--older-than', '7d', '--yes', '--json'),
    );
    expect(kept).toEqual({ deleted: 0 });
    expect((await broker.tasks.get(young))?.state).toBe('pending');
    const aliased = await celers(
      'purge',
      '--state',
      'pending',
      '--older-than-ms',
      '604800000',
      '--yes',
      '--json',
    );
    expect(jsonOf<{ deleted: number }>(aliased)).toEqual({ deleted: 0 });
  });

  it('workers --stale-after 5m is accepted, and both forms at once are refused', async () => {
    expect((await celers('workers', '--stale-after', '5m', '--json')).code).toBe(0);
    const both = await celers('workers', '--stale-after', '5m', '--stale-after-ms', '1000');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('--stale-after');
  });
});
