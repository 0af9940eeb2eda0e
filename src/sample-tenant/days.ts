/**
 * Fast calendar-day arithmetic on trusted `YYYY-MM-DD` strings. Generating a 1,000-company
 * fleet does hundreds of thousands of date steps; the domain's `addDays` (parse, validate,
 * `toISOString`) is the right tool for untrusted input but too slow for this loop.
 */
import type { IsoDate } from '../domain/model.js';

/** Days since 1970-01-01 of a valid ISO date. */
export function dayNumber(date: IsoDate): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

/** The ISO date of a day number (civil-from-days, H. Hinnant's algorithm). */
export function fromDayNumber(days: number): IsoDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** `date` moved by `days` (negative = earlier). */
export function plusDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** Whole days from `a` to `b` (positive when `b` is later). */
export function daysFrom(a: IsoDate, b: IsoDate): number {
  return dayNumber(b) - dayNumber(a);
}
