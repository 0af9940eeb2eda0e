/**
 * Display formatting: amounts in their own currency, dates as the accountant reads them, and
 * links that are safe to put in an `href`. Formatters are cached because a grid of thousands of
 * rows formats the same few currencies over and over.
 */
import type { Money, TaskRow } from '../../src/hub/api-types.js';

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, locale: string | undefined): Intl.NumberFormat | null {
  const key = `${locale ?? ''}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        currencyDisplay: 'code',
      });
    } catch {
      return null; // Not an ISO 4217 code (BC allows custom codes): the caller spells it out.
    }
    moneyFormats.set(key, format);
  }
  return format;
}

/**
 * `USD 1,234.56`. The ISO code, not a symbol, is shown: an accountant with clients in several
 * countries must never confuse dollars of one country with another's.
 */
export function formatMoney(m: Money, locale?: string): string {
  const value = m.minor / 100;
  const format = moneyFormat(m.currency, locale);
  if (format) return format.format(value).replace(/\u00a0/g, ' ');
  const digits = value.toLocaleString(locale, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return `${m.currency} ${digits}`;
}

const countFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return countFormat.format(n);
}

const dateFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeZone: 'UTC',
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** An ISO date (`YYYY-MM-DD`, a calendar day in BC: shown as that day everywhere). */
export function formatDate(isoDate: string): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? isoDate : dateFormat.format(d);
}

/** An instant, in the viewer's time zone. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat.format(d);
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "5 minutes ago", "yesterday". */
export function formatRelative(iso: string, now: Date): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((then - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 45 * 60) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return relativeFormat.format(Math.round(seconds / 86400), 'day');
  return formatDateTime(iso);
}

/**
 * The URL when it is an absolute http(s) URL, else undefined. Links come from client data
 * (BC documents, URLs typed by people); a `javascript:` URL must never become a live link.
 */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** "1 company", "3 companies". */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function priorityLabel(p: TaskRow['priority']): string {
  switch (p) {
    case 'high':
      return 'High';
    case 'normal':
      return 'Normal';
    case 'low':
      return 'Low';
    case 'none':
      return '—';
  }
}
