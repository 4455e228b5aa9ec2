// Recurring schedules spelled out for people: "every 5 minutes", "weekly on Monday at 09:00 (Europe/Paris)",
// "cron 0 9 * * 1-5", and next runs relative to now ("in 4m").
import type { RecurringSchedule } from '@celers/broker-mysql';
import { formatDuration } from '../internal/duration-option.js';
import { formatValue } from './format-value.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

const clock = (hour: number, minute: number) =>
  `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
const plural = (n: number, unit: string) => (n === 1 ? unit : `${n} ${unit}s`);

/** A schedule in words; the time zone is added to the calendar kinds, whose times are local. */
export function describeSchedule(schedule: RecurringSchedule, timezone: string): string {
  const zone = timezone === 'UTC' ? 'UTC' : timezone;
  switch (schedule.kind) {
    case 'every': {
      const [unit, n] = schedule.seconds
        ? ['second', schedule.seconds]
        : schedule.minutes
          ? ['minute', schedule.minutes]
          : ['hour', schedule.hours ?? 0];
      return `every ${plural(n, unit)}`;
    }
    case 'daily':
      return `${(schedule.everyDays ?? 1) === 1 ? 'daily' : `every ${schedule.everyDays} days`} at ${clock(schedule.hour, schedule.minute)} (${zone})`;
    case 'weekly':
      return `weekly on ${WEEKDAYS[schedule.dayOfWeek] ?? `day ${schedule.dayOfWeek}`} at ${clock(schedule.hour, schedule.minute)} (${zone})`;
    case 'monthly':
      return `monthly on day ${schedule.day} at ${clock(schedule.hour, schedule.minute)} (${zone})`;
    case 'cron':
      return `cron ${schedule.expression} (${zone})`;
  }
}

/** A date with how far it is from `now`: `2026-12-03 08:00:00Z (in 4m)` or `(5s ago)`. */
export function describeRun(at: Date | null, now: Date = new Date()): string {
  if (at === null) return '-';
  const delta = at.getTime() - now.getTime();
  const distance = formatDuration(Math.abs(delta)) || '0s';
  return `${formatValue(at)} (${delta >= 0 ? `in ${distance}` : `${distance} ago`})`;
}
