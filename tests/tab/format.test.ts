import { describe, expect, it } from '@jest/globals';
import { fileNameFrom } from '../../tab/src/api.js';
import { niceTicks } from '../../tab/src/chart-scale.js';
import { formatMoney, formatRelative, plural, safeHref } from '../../tab/src/format.js';
import { parseThemeName, parseView } from '../../tab/src/host-params.js';

describe('amounts', () => {
  it('show their currency code and two decimals', () => {
    expect(formatMoney({ minor: 123456, currency: 'USD' }, 'en-US')).toBe('USD 1,234.56');
    expect(formatMoney({ minor: -5, currency: 'EUR' }, 'en-US')).toBe('-EUR 0.05');
  });

  it('spell out a currency code Intl does not know instead of failing', () => {
    expect(formatMoney({ minor: 1000, currency: 'X$1' }, 'en-US')).toBe('X$1 10.00');
  });
});

describe('links from client data', () => {
  it('keep http(s) URLs and drop everything else', () => {
    expect(safeHref('https://businesscentral.dynamics.com/a/b?page=43')).toBe(
      'https://businesscentral.dynamics.com/a/b?page=43',
    );
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref(' JaVaScRiPt:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,<script>alert(1)</script>')).toBeUndefined();
    expect(safeHref('/relative')).toBeUndefined();
    expect(safeHref(null)).toBeUndefined();
  });
});

describe('times and counts', () => {
  const now = new Date('2026-03-02T12:00:00Z');
  it('say how long ago in words', () => {
    expect(formatRelative('2026-03-02T11:59:40Z', now)).toBe('just now');
    expect(formatRelative('2026-03-02T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-03-02T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelative('2026-03-01T09:00:00Z', now)).toBe('yesterday');
    expect(formatRelative('not a date', now)).toBe('not a date');
  });

  it('pluralize', () => {
    expect(plural(1, 'company', 'companies')).toBe('1 company');
    expect(plural(2000, 'company', 'companies')).toBe('2,000 companies');
  });
});

describe('download file names', () => {
  it('prefer the UTF-8 form and strip path characters', () => {
    expect(
      fileNameFrom(
        `attachment; filename="a.xlsx"; filename*=UTF-8''Cronus%20%E2%80%93%20Balance.xlsx`,
      ),
    ).toBe('Cronus – Balance.xlsx');
    expect(fileNameFrom('attachment; filename="../../etc/passwd"')).toBe('.._.._etc_passwd');
    expect(fileNameFrom('attachment')).toBeNull();
    expect(fileNameFrom(null)).toBeNull();
  });
});

describe('chart axis', () => {
  it('spans the data with round steps', () => {
    expect(niceTicks(-1200, 8700)).toEqual([-2000, 0, 2000, 4000, 6000, 8000, 10000]);
    expect(niceTicks(0, 0)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});

describe('Teams host parameters', () => {
  it('map Teams theme names and ignore unknown ones', () => {
    expect(parseThemeName('default')).toBe('default');
    expect(parseThemeName('DARK')).toBe('dark');
    expect(parseThemeName('contrast')).toBe('contrast');
    expect(parseThemeName('purple')).toBeNull();
    expect(parseThemeName(null)).toBeNull();
  });

  it('map a tab entity id or view parameter to a view', () => {
    expect(parseView('tasks')).toBe('tasks');
    expect(parseView('dashboard')).toBe('dashboard');
    expect(parseView('index')).toBeNull();
  });
});
