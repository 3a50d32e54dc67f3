/**
 * Calendar arithmetic on "wall" milliseconds for the cron matcher (pure): a local date-time written as
 * if it were UTC, so that field arithmetic never meets a DST transition.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Civil date of a day number (days since 1970-01-01), after Howard Hinnant's `civil_from_days`. */
export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

export function yearOfInstant(ms: number): number {
  return civilFromDays(Math.floor(ms / DAY_MS))[0];
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month]!;
}

export function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** `HH:mm`, or `HH:mm:ss` when `withSeconds` and the seconds are not zero, of a wall (or UTC) ms value. */
export function formatClock(ms: number, withSeconds: boolean): string {
  const msOfDay = ms - Math.floor(ms / DAY_MS) * DAY_MS;
  const hour = Math.floor(msOfDay / HOUR_MS);
  const minute = Math.floor((msOfDay % HOUR_MS) / MINUTE_MS);
  const second = Math.floor((msOfDay % MINUTE_MS) / SECOND_MS);
  const clock = `${pad2(hour)}:${pad2(minute)}`;
  return withSeconds && second !== 0 ? `${clock}:${pad2(second)}` : clock;
}

export function formatDate(ms: number): string {
  const [year, month, day] = civilFromDays(Math.floor(ms / DAY_MS));
  return `${year}-${pad2(month)}-${pad2(day)}`;
}
