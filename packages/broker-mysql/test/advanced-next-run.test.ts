import { describe, expect, it } from 'vitest';
import {
  assertRecurringSchedule,
  assertTimeZone,
  computeNextRun,
  type RecurringSchedule,
} from '../src/index.js';

const at = (iso: string) => new Date(iso);
const next = (s: RecurringSchedule, tz: string, after: string, previous?: string) =>
  computeNextRun(s, tz, at(after), previous ? at(previous) : null).toISOString();

describe('computeNextRun (pure)', () => {
  it('every: one interval after registration, then on the grid of the previous run, skipping missed runs', () => {
    expect(next({ kind: 'every', seconds: 30 }, 'UTC', '2026-01-01T00:00:00Z')).toBe(
      '2026-01-01T00:00:30.000Z',
    );
    expect(next({ kind: 'every', minutes: 5 }, 'UTC', '2026-01-01T00:05:01Z', '2026-01-01T00:05:00Z')).toBe(
      '2026-01-01T00:10:00.000Z',
    );
    // The scheduler was down for 17 minutes: one run now, the next on the original grid.
    expect(next({ kind: 'every', minutes: 5 }, 'UTC', '2026-01-01T00:22:00Z', '2026-01-01T00:05:00Z')).toBe(
      '2026-01-01T00:25:00.000Z',
    );
    expect(next({ kind: 'every', hours: 2 }, 'UTC', '2026-01-01T00:00:00Z')).toBe('2026-01-01T02:00:00.000Z');
  });

  it('daily in a time zone, across the spring-forward day', () => {
    // Berlin is UTC+1 in winter, UTC+2 from 2026-03-29 02:00 local.
    expect(next({ kind: 'daily', hour: 9, minute: 0 }, 'Europe/Berlin', '2026-03-28T07:59:00Z')).toBe(
      '2026-03-28T08:00:00.000Z',
    );
    expect(next({ kind: 'daily', hour: 9, minute: 0 }, 'Europe/Berlin', '2026-03-28T08:00:00Z')).toBe(
      '2026-03-29T07:00:00.000Z',
    );
    // 02:30 does not exist on 2026-03-29 in Berlin: it lands one hour later (03:30 CEST).
    expect(next({ kind: 'daily', hour: 2, minute: 30 }, 'Europe/Berlin', '2026-03-29T00:00:00Z')).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // Fall back (2026-10-25): 02:30 happens twice; the first one (CEST) is taken.
    expect(next({ kind: 'daily', hour: 2, minute: 30 }, 'Europe/Berlin', '2026-10-24T23:00:00Z')).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('daily every N days keeps the cadence from the previous run', () => {
    const s: RecurringSchedule = { kind: 'daily', hour: 6, minute: 15, everyDays: 3 };
    expect(next(s, 'UTC', '2026-01-01T06:15:00.001Z', '2026-01-01T06:15:00Z')).toBe(
      '2026-01-04T06:15:00.000Z',
    );
    // Ten days late: the next run stays on the every-3-days grid.
    expect(next(s, 'UTC', '2026-01-11T00:00:00Z', '2026-01-01T06:15:00Z')).toBe('2026-01-13T06:15:00.000Z');
    // A new schedule starts at the first 06:15 after registration.
    expect(next(s, 'UTC', '2026-01-01T07:00:00Z')).toBe('2026-01-02T06:15:00.000Z');
  });

  it('weekly on a weekday (0 = Sunday) in New York', () => {
    // 2026-01-01 is a Thursday. Monday 2026-01-05 10:00 EST = 15:00Z.
    expect(
      next({ kind: 'weekly', dayOfWeek: 1, hour: 10, minute: 0 }, 'America/New_York', '2026-01-01T12:00:00Z'),
    ).toBe('2026-01-05T15:00:00.000Z');
    // Sunday, same day later.
    expect(next({ kind: 'weekly', dayOfWeek: 0, hour: 23, minute: 59 }, 'UTC', '2026-01-04T10:00:00Z')).toBe(
      '2026-01-04T23:59:00.000Z',
    );
  });

  it('monthly clamps day 31 to the end of shorter months', () => {
    const s: RecurringSchedule = { kind: 'monthly', day: 31, hour: 12, minute: 0 };
    expect(next(s, 'UTC', '2026-01-31T12:00:00Z')).toBe('2026-02-28T12:00:00.000Z');
    expect(next(s, 'UTC', '2026-04-01T00:00:00Z')).toBe('2026-04-30T12:00:00.000Z');
    expect(next({ kind: 'monthly', day: 1, hour: 0, minute: 0 }, 'UTC', '2026-12-15T00:00:00Z')).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('cron expressions via croner, in the zone', () => {
    expect(next({ kind: 'cron', expression: '0 9 * * 1-5' }, 'Europe/Berlin', '2026-03-28T12:00:00Z')).toBe(
      '2026-03-30T07:00:00.000Z',
    );
    expect(next({ kind: 'cron', expression: '*/15 * * * *' }, 'UTC', '2026-01-01T00:07:00Z')).toBe(
      '2026-01-01T00:15:00.000Z',
    );
  });
});

describe('schedule validation', () => {
  const invalid = (value: unknown, argument: string, tz = 'UTC') => {
    expect(() => assertRecurringSchedule(value, tz)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  };

  it('rejects malformed schedules naming the field', () => {
    invalid(null, 'schedule');
    invalid({ kind: 'hourly' }, 'schedule.kind');
    invalid({ kind: 'every' }, 'schedule');
    invalid({ kind: 'every', seconds: 5, minutes: 1 }, 'schedule');
    invalid({ kind: 'every', seconds: 0 }, 'schedule.seconds');
    invalid({ kind: 'every', minutes: 1.5 }, 'schedule.minutes');
    invalid({ kind: 'daily', hour: 24, minute: 0 }, 'schedule.hour');
    invalid({ kind: 'daily', hour: 1, minute: 60 }, 'schedule.minute');
    invalid({ kind: 'daily', hour: 1, minute: 0, everyDays: 0 }, 'schedule.everyDays');
    invalid({ kind: 'weekly', dayOfWeek: 7, hour: 1, minute: 0 }, 'schedule.dayOfWeek');
    invalid({ kind: 'monthly', day: 0, hour: 1, minute: 0 }, 'schedule.day');
    invalid({ kind: 'cron', expression: 'not a cron' }, 'schedule.expression');
    invalid({ kind: 'cron', expression: '61 * * * *' }, 'schedule.expression');
    invalid({ kind: 'cron', expression: '' }, 'schedule.expression');
  });

  it('normalizes valid schedules and checks IANA zones', () => {
    expect(assertRecurringSchedule({ kind: 'daily', hour: 1, minute: 2 }, 'UTC')).toEqual({
      kind: 'daily',
      hour: 1,
      minute: 2,
      everyDays: 1,
    });
    expect(assertTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'timezone' }),
    );
  });
});
