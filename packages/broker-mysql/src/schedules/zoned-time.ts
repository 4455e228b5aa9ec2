// Wall-clock arithmetic in an IANA time zone with nothing but Intl: the runtime's tz database decides offsets
// and daylight-saving transitions, so schedules follow the zone's rules without a date library.

/** A calendar date and wall-clock time in some zone. Months are 1–12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function toLocal(instant: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's UTC offset at `instantMs`, in ms (east positive). */
function offsetMs(instantMs: number, timeZone: string): number {
  const l = toLocal(new Date(instantMs), timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local time. In a fall-back overlap (the time
 * happens twice) it is the first of the two instants; in a spring-forward gap (the time does not exist) it lands
 * one gap later (02:30 → 03:30 on a one-hour gap), as cron daemons do.
 */
export function fromLocal(
  local: Omit<LocalDateTime, 'second'> & { second?: number },
  timeZone: string,
): Date {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  // Offsets a day either side bracket any transition near this wall time (zones change at most once a day).
  const before = offsetMs(guess - DAY_MS, timeZone);
  const after = offsetMs(guess + DAY_MS, timeZone);
  const candidates = [...new Set([guess - before, guess - after, guess - offsetMs(guess, timeZone)])].sort(
    (a, b) => a - b,
  );
  const wanted = guess;
  for (const instant of candidates) {
    const l = toLocal(new Date(instant), timeZone);
    if (Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) === wanted) return new Date(instant);
  }
  // A gap: no instant shows this time. The pre-transition offset maps it past the gap.
  return new Date(guess - before);
}

/** A local calendar date `days` after the given one (any sign). */
export function addLocalDays(date: { year: number; month: number; day: number }, days: number) {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day of the week of a local calendar date (0 = Sunday). */
export function localWeekday(date: { year: number; month: number; day: number }): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** Number of days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
