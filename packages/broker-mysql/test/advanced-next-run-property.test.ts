import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globToLike } from '../src/dlq/dlq-policies.js';
import { computeNextRun, intervalMs, type RecurringSchedule } from '../src/index.js';
import { localWeekday, toLocal } from '../src/schedules/zoned-time.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
const instant = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
  .map((ms) => new Date(ms));
const zone = fc.constantFrom(...ZONES);
const hour = fc.integer({ min: 0, max: 23 });
const minute = fc.integer({ min: 0, max: 59 });
const DAY = 86_400_000;

/** In a spring-forward gap the run lands one hour later; otherwise the wall time is exact. */
function expectWallTime(at: Date, tz: string, h: number, m: number) {
  const l = toLocal(at, tz);
  expect(l.minute).toBe(m);
  expect([h, (h + 1) % 24]).toContain(l.hour);
}

describe('computeNextRun properties', () => {
  it('daily: strictly after, within ~a day, at the wall time', () => {
    fc.assert(
      fc.property(instant, zone, hour, minute, (after, tz, h, m) => {
        const next = computeNextRun({ kind: 'daily', hour: h, minute: m }, tz, after);
        expect(next.getTime()).toBeGreaterThan(after.getTime());
        expect(next.getTime() - after.getTime()).toBeLessThanOrEqual(DAY + 3_600_000);
        expectWallTime(next, tz, h, m);
      }),
      { numRuns: 300 },
    );
  });

  it('weekly: on the weekday, within a week', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: 0, max: 6 }), hour, minute, (after, tz, dow, h, m) => {
        const next = computeNextRun({ kind: 'weekly', dayOfWeek: dow, hour: h, minute: m }, tz, after);
        expect(next.getTime()).toBeGreaterThan(after.getTime());
        expect(next.getTime() - after.getTime()).toBeLessThanOrEqual(7 * DAY + 3_600_000);
        expect(localWeekday(toLocal(next, tz))).toBe(dow);
        expectWallTime(next, tz, h, m);
      }),
      { numRuns: 300 },
    );
  });

  it('monthly: on the (clamped) day, within a month', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: 1, max: 31 }), hour, minute, (after, tz, day, h, m) => {
        const next = computeNextRun({ kind: 'monthly', day, hour: h, minute: m }, tz, after);
        expect(next.getTime()).toBeGreaterThan(after.getTime());
        expect(next.getTime() - after.getTime()).toBeLessThanOrEqual(32 * DAY);
        const l = toLocal(next, tz);
        const lastDay = new Date(Date.UTC(l.year, l.month, 0)).getUTCDate();
        expect(l.day).toBe(Math.min(day, lastDay));
        expectWallTime(next, tz, h, m);
      }),
      { numRuns: 300 },
    );
  });

  it('every: on the grid of the previous run, the first point after `after`', () => {
    const schedule = fc.oneof(
      fc.integer({ min: 1, max: 86_400 }).map((seconds): RecurringSchedule => ({ kind: 'every', seconds })),
      fc.integer({ min: 1, max: 1_440 }).map((minutes): RecurringSchedule => ({ kind: 'every', minutes })),
      fc.integer({ min: 1, max: 48 }).map((hours): RecurringSchedule => ({ kind: 'every', hours })),
    );
    fc.assert(
      fc.property(schedule, instant, fc.integer({ min: 0, max: 30 * DAY }), (s, previous, lateMs) => {
        const step = intervalMs(s as Extract<RecurringSchedule, { kind: 'every' }>);
        const after = new Date(previous.getTime() + lateMs);
        const next = computeNextRun(s, 'UTC', after, previous);
        expect(next.getTime()).toBeGreaterThan(after.getTime());
        expect(next.getTime() - after.getTime()).toBeLessThanOrEqual(step);
        expect((next.getTime() - previous.getTime()) % step).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('globToLike', () => {
  it('keeps user % _ \\ literal and maps * ? to wildcards', () => {
    expect(globToLike('pay.*')).toBe('pay.%');
    expect(globToLike('a?c')).toBe('a_c');
    expect(globToLike('100%_\\x')).toBe('100\\%\\_\\\\x');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '%', '_', '\\', 'b') }), (text) => {
        // Without * or ?, every LIKE metacharacter in the output is escaped.
        expect(globToLike(text).replace(/\\[%_\\]/g, '')).not.toMatch(/[%_\\]/);
      }),
    );
  });
});
