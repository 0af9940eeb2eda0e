/**
 * Calendar arithmetic on ISO dates. BC's `Edm.Date` values carry no time zone, so dates are
 * handled as UTC calendar days throughout; the clock is injected so tests can move "today".
 */
import type { IsoDate, IsoDateTime } from './model.js';

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of the instant, in UTC. */
export function toIsoDate(d: Date): IsoDate {
  return d.toISOString().slice(0, 10);
}

export function toIsoDateTime(d: Date): IsoDateTime {
  return d.toISOString();
}

/** Parses `YYYY-MM-DD` as UTC midnight; throws on anything else. */
export function parseIsoDate(s: IsoDate): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error(`Not an ISO date: ${s}`);
  const d = new Date(`${s}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || toIsoDate(d) !== s) throw new Error(`Not a calendar date: ${s}`);
  return d;
}

export function isIsoDate(s: unknown): s is IsoDate {
  if (typeof s !== 'string') return false;
  try {
    parseIsoDate(s);
    return true;
  } catch {
    return false;
  }
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return toIsoDate(new Date(parseIsoDate(date).getTime() + days * DAY_MS));
}

/** Whole days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((parseIsoDate(b).getTime() - parseIsoDate(a).getTime()) / DAY_MS);
}

/** The Monday on or before the date (ISO weeks start on Monday). */
export function startOfWeek(date: IsoDate): IsoDate {
  const dow = parseIsoDate(date).getUTCDay(); // 0 = Sunday
  return addDays(date, -((dow + 6) % 7));
}

export function endOfMonth(date: IsoDate): IsoDate {
  const d = parseIsoDate(date);
  return toIsoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)));
}

export function addMonths(date: IsoDate, months: number): IsoDate {
  const d = parseIsoDate(date);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return toIsoDate(target);
}
