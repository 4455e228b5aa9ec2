import { assertInteger, assertName, assertOptionalObject, CelersError } from '@celers/core';
import { Cron } from 'croner';

/**
 * When a recurring task runs (the seed's `RecurringSchedule`, plus standard cron expressions). Wall-clock
 * kinds (`daily`, `weekly`, `monthly`, `cron`) are read in the schedule's IANA time zone.
 *
 * @example
 * ```ts
 * const everyFiveMinutes: RecurringSchedule = { kind: 'every', minutes: 5 };
 * const weekdaysAtNine: RecurringSchedule = { kind: 'cron', expression: '0 9 * * 1-5' };
 * ```
 */
export type RecurringSchedule =
  /** A fixed interval: exactly one of `seconds`, `minutes` or `hours` (the seed's EverySeconds/Minutes/Hours). */
  | { kind: 'every'; seconds?: number; minutes?: number; hours?: number }
  /** At `hour:minute` local time, every `everyDays` days (default 1; the seed's EveryDays). */
  | { kind: 'daily'; hour: number; minute: number; everyDays?: number }
  /** At `hour:minute` local time on `dayOfWeek` (0 = Sunday). */
  | { kind: 'weekly'; dayOfWeek: number; hour: number; minute: number }
  /** At `hour:minute` local time on `day` of each month (clamped to the month's last day: 31 → 30 Apr, 28/29 Feb). */
  | { kind: 'monthly'; day: number; hour: number; minute: number }
  /** A standard 5-field (or 6-field, with seconds) cron expression, evaluated by croner. */
  | { kind: 'cron'; expression: string };

/** The kinds of {@link RecurringSchedule}. */
export const RECURRING_SCHEDULE_KINDS = ['every', 'daily', 'weekly', 'monthly', 'cron'] as const;

/** Longest fixed interval accepted: one year. */
const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;

/** Asserts an IANA time zone name known to this runtime (e.g. `Europe/Berlin`, `UTC`). */
export function assertTimeZone(value: unknown, argument = 'timezone'): string {
  const name = assertName(value, argument);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    throw CelersError.invalidArgument(argument, `unknown IANA time zone "${name}"`);
  }
  return name;
}

/** Validates a schedule (every field, cron syntax included) and returns a normalized copy. */
export function assertRecurringSchedule(
  value: unknown,
  timezone: string,
  argument = 'schedule',
): RecurringSchedule {
  const s = assertOptionalObject(value, argument);
  if (s === undefined) throw CelersError.invalidArgument(argument, 'expected a schedule object');
  switch (s.kind) {
    case 'every': {
      const units = (['seconds', 'minutes', 'hours'] as const).filter((u) => s[u] !== undefined);
      if (units.length !== 1)
        throw CelersError.invalidArgument(argument, 'give exactly one of seconds, minutes or hours');
      const unit = units[0] as 'seconds' | 'minutes' | 'hours';
      const factor = unit === 'seconds' ? 1 : unit === 'minutes' ? 60 : 3600;
      assertInteger(s[unit], `${argument}.${unit}`, 1, Math.floor(MAX_INTERVAL_SECONDS / factor));
      return { kind: 'every', [unit]: s[unit] as number };
    }
    case 'daily':
      return {
        kind: 'daily',
        hour: assertInteger(s.hour, `${argument}.hour`, 0, 23),
        minute: assertInteger(s.minute, `${argument}.minute`, 0, 59),
        everyDays:
          s.everyDays === undefined ? 1 : assertInteger(s.everyDays, `${argument}.everyDays`, 1, 366),
      };
    case 'weekly':
      return {
        kind: 'weekly',
        dayOfWeek: assertInteger(s.dayOfWeek, `${argument}.dayOfWeek`, 0, 6),
        hour: assertInteger(s.hour, `${argument}.hour`, 0, 23),
        minute: assertInteger(s.minute, `${argument}.minute`, 0, 59),
      };
    case 'monthly':
      return {
        kind: 'monthly',
        day: assertInteger(s.day, `${argument}.day`, 1, 31),
        hour: assertInteger(s.hour, `${argument}.hour`, 0, 23),
        minute: assertInteger(s.minute, `${argument}.minute`, 0, 59),
      };
    case 'cron':
      return {
        kind: 'cron',
        expression: assertCronExpression(s.expression, timezone, `${argument}.expression`),
      };
    default:
      throw CelersError.invalidArgument(
        `${argument}.kind`,
        `expected one of ${RECURRING_SCHEDULE_KINDS.join(', ')}`,
      );
  }
}

/** Asserts a cron expression croner accepts and that fires at least once in the future. */
export function assertCronExpression(value: unknown, timezone: string, argument = 'expression'): string {
  const expression = assertName(value, argument).trim();
  let next: Date | null;
  try {
    next = new Cron(expression, { timezone, paused: true }).nextRun();
  } catch (cause) {
    throw CelersError.invalidArgument(argument, `invalid cron expression (${(cause as Error).message})`);
  }
  if (next === null) throw CelersError.invalidArgument(argument, 'the expression never fires');
  return expression;
}
