import { Cron } from 'croner';
import type { RecurringSchedule } from './recurring-schedule.js';
import { addLocalDays, daysInMonth, fromLocal, localWeekday, toLocal } from './zoned-time.js';

const DAY_MS = 86_400_000;

/** The fixed interval of an `every` schedule, in ms. */
export function intervalMs(schedule: Extract<RecurringSchedule, { kind: 'every' }>): number {
  return ((schedule.seconds ?? 0) + (schedule.minutes ?? 0) * 60 + (schedule.hours ?? 0) * 3600) * 1000;
}

/**
 * The next run of a (validated) schedule strictly after `after`. Pure: no clock, no I/O.
 *
 * `previous` is the run that just fired (its scheduled time), if any. Interval kinds keep their cadence from
 * it (`every 5 min` stays on the same grid; `daily` with `everyDays: 3` runs 3 local days after the previous
 * run); runs missed while no scheduler was running are skipped, not replayed, so a scheduler that was down for
 * a day enqueues one task per schedule, not a burst. Without `previous` (a new or re-enabled schedule):
 * `every` first runs one interval after `after`; the wall-clock kinds at their first matching local time.
 *
 * @example
 * ```ts
 * computeNextRun({ kind: 'daily', hour: 9, minute: 0 }, 'Europe/Berlin', new Date('2026-03-28T12:00:00Z'));
 * // 2026-03-29T07:00:00Z (09:00 CEST, the day the clocks go forward)
 * ```
 */
export function computeNextRun(
  schedule: RecurringSchedule,
  timezone: string,
  after: Date,
  previous?: Date | null,
): Date {
  const afterMs = after.getTime();
  switch (schedule.kind) {
    case 'every': {
      const step = intervalMs(schedule);
      if (!previous) return new Date(afterMs + step);
      const prev = previous.getTime();
      if (prev > afterMs) return new Date(prev + step);
      return new Date(prev + (Math.floor((afterMs - prev) / step) + 1) * step);
    }
    case 'daily': {
      const every = schedule.everyDays ?? 1;
      if (previous && every > 1) {
        let date = addLocalDays(toLocal(previous, timezone), every);
        const behindDays = Math.floor(
          (afterMs -
            fromLocal({ ...date, hour: schedule.hour, minute: schedule.minute }, timezone).getTime()) /
            DAY_MS,
        );
        if (behindDays > 0) date = addLocalDays(date, Math.floor(behindDays / every) * every);
        for (;;) {
          const candidate = fromLocal({ ...date, hour: schedule.hour, minute: schedule.minute }, timezone);
          if (candidate.getTime() > afterMs) return candidate;
          date = addLocalDays(date, every);
        }
      }
      return firstMatchingDay(after, timezone, schedule.hour, schedule.minute, () => true);
    }
    case 'weekly':
      return firstMatchingDay(
        after,
        timezone,
        schedule.hour,
        schedule.minute,
        (d) => localWeekday(d) === schedule.dayOfWeek,
      );
    case 'monthly': {
      const start = toLocal(after, timezone);
      for (let i = 0; ; i++) {
        const monthIndex = start.month - 1 + i;
        const year = start.year + Math.floor(monthIndex / 12);
        const month = (monthIndex % 12) + 1;
        const day = Math.min(schedule.day, daysInMonth(year, month));
        const candidate = fromLocal(
          { year, month, day, hour: schedule.hour, minute: schedule.minute },
          timezone,
        );
        if (candidate.getTime() > afterMs) return candidate;
      }
    }
    case 'cron': {
      const next = new Cron(schedule.expression, { timezone, paused: true }).nextRun(after);
      // Validation guarantees a future run; a far-past `after` cannot make one disappear.
      return next ?? new Date(afterMs + DAY_MS);
    }
  }
}

/** The first local day (from `after`'s local date on) passing `matches`, at hour:minute, strictly after `after`. */
function firstMatchingDay(
  after: Date,
  timezone: string,
  hour: number,
  minute: number,
  matches: (date: { year: number; month: number; day: number }) => boolean,
): Date {
  const start = toLocal(after, timezone);
  for (let i = 0; ; i++) {
    const date = addLocalDays(start, i);
    if (!matches(date)) continue;
    const candidate = fromLocal({ ...date, hour, minute }, timezone);
    if (candidate.getTime() > after.getTime()) return candidate;
  }
}
