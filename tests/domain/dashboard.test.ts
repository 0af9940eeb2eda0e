import { describe, expect, it } from '@jest/globals';
import { describeFailure, rowStatusOf } from '../../src/domain/dashboard.js';
import { asClientId, asCompanyId } from '../../src/domain/ids.js';
import type { ErrorReason } from '../../src/domain/errors.js';
import type { CompanyKpis, CompanySnapshot } from '../../src/domain/model.js';

const now = new Date('2025-06-11T12:00:00Z');
const usd = (minor: number) => ({ minor, currency: 'USD' });
const kpis: CompanyKpis = {
  currency: 'USD',
  overdueSalesInvoiceAmount: usd(0),
  overduePurchaseInvoiceAmount: usd(0),
  cashAccountsBalance: usd(0),
  openSalesDocuments: 0,
  salesInvoicesDueNextWeek: 0,
  purchaseInvoicesDueNextWeek: 0,
  overdueSalesDocuments: 0,
  overduePurchaseDocuments: 0,
  tasksAssignedToMe: 0,
  overdueTasks: 0,
  taxesDue: null,
};
const snapshot = (overrides: Partial<CompanySnapshot> = {}): CompanySnapshot => ({
  clientId: asClientId('c1'),
  companyId: asCompanyId('11111111-1111-1111-1111-111111111111'),
  kpis,
  refreshedAt: '2025-06-11T11:30:00Z',
  lastAttemptAt: '2025-06-11T11:30:00Z',
  lastError: null,
  tasks: [],
  ...overrides,
});
const failure = {
  reason: 'bc-unavailable' as const,
  message: 'BC is down.',
  at: '2025-06-11T11:59:00Z',
};

describe('rowStatusOf', () => {
  it('is never when there is no snapshot', () => {
    expect(rowStatusOf(null, now, 60)).toEqual({
      status: 'never',
      statusReason: 'Not refreshed yet.',
    });
  });

  it('is never for an empty snapshot without an error', () => {
    expect(rowStatusOf(snapshot({ kpis: null, refreshedAt: null }), now, 60).status).toBe('never');
  });

  it('is fresh when refreshed within the window without error', () => {
    expect(rowStatusOf(snapshot(), now, 60)).toEqual({ status: 'fresh', statusReason: null });
  });

  it('is stale when older than the window, saying how old', () => {
    expect(rowStatusOf(snapshot({ refreshedAt: '2025-06-11T09:00:00Z' }), now, 60)).toEqual({
      status: 'stale',
      statusReason: 'Last refreshed 3 hour(s) ago.',
    });
    expect(
      rowStatusOf(snapshot({ refreshedAt: '2025-06-01T09:00:00Z' }), now, 60).statusReason,
    ).toBe('Last refreshed 10 day(s) ago.');
  });

  it('is stale, with the failure, when the last attempt failed but old numbers exist', () => {
    const result = rowStatusOf(snapshot({ lastError: failure }), now, 60);
    expect(result.status).toBe('stale');
    expect(result.statusReason).toBe(
      'The last refresh failed: BC is down. Showing the numbers from 30 minute(s) ago.',
    );
  });

  it('is failed when the attempt failed and there were never numbers', () => {
    expect(
      rowStatusOf(snapshot({ kpis: null, refreshedAt: null, lastError: failure }), now, 60),
    ).toEqual({
      status: 'failed',
      statusReason: 'Refresh failed: BC is down.',
    });
  });

  it('treats an unreadable refresh time as stale rather than fresh', () => {
    expect(rowStatusOf(snapshot({ refreshedAt: 'garbage' }), now, 60).status).toBe('stale');
  });
});

describe('describeFailure', () => {
  const reasons: ErrorReason[] = [
    'validation',
    'not-found',
    'conflict',
    'unauthenticated',
    'forbidden',
    'rate-limited',
    'payload-too-large',
    'bc-tenant-not-found',
    'bc-company-not-found',
    'bc-access-denied',
    'bc-throttled',
    'bc-unavailable',
    'bc-timeout',
    'bc-unreachable',
    'bc-bad-response',
    'bc-rejected',
    'host-not-allowed',
    'storage',
    'config',
    'internal',
  ];

  it.each(reasons)('has a sentence for %s', (reason) => {
    expect(describeFailure(reason)).toMatch(/^[A-Z].*\.$/);
  });

  it('tells the accountant what to do about access problems', () => {
    expect(describeFailure('bc-access-denied')).toMatch(/Sign in again/);
  });
});
