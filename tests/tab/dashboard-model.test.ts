import { describe, expect, it } from '@jest/globals';
import type { ClientId, CompanyId } from '../../src/domain/ids.js';
import type { DashboardRow, DashboardView } from '../../src/hub/api-types.js';
import {
  applyView,
  defaultView,
  filterRows,
  isFiltered,
  nextSort,
  normalizeColumns,
  normalizeView,
  sortRows,
} from '../../tab/src/dashboard-model.js';

function row(
  overrides: Partial<DashboardRow> & { clientName: string; companyName: string },
): DashboardRow {
  return {
    clientId: overrides.clientName.toLowerCase().replace(/\W+/g, '-') as ClientId,
    companyId: overrides.companyName.toLowerCase().replace(/\W+/g, '-') as CompanyId,
    isSample: false,
    status: 'fresh',
    statusReason: null,
    errorReason: null,
    refreshedAt: '2026-03-02T08:00:00.000Z',
    currency: 'USD',
    taxesDue: null,
    openSalesDocuments: 0,
    purchaseInvoicesDueNextWeek: 0,
    overdueSalesInvoiceAmount: { minor: 0, currency: 'USD' },
    overduePurchaseInvoiceAmount: { minor: 0, currency: 'USD' },
    cashAccountsBalance: { minor: 0, currency: 'USD' },
    tasksAssignedToMe: 0,
    overdueTasks: 0,
    goToClientUrl: 'https://businesscentral.dynamics.com/t/production',
    ...overrides,
  };
}

const rows: DashboardRow[] = [
  row({
    clientName: 'Contoso',
    companyName: 'Contoso US',
    overdueSalesInvoiceAmount: { minor: 500_00, currency: 'USD' },
  }),
  row({
    clientName: 'Contoso',
    companyName: 'Contoso DE',
    currency: 'EUR',
    cashAccountsBalance: { minor: 90_00, currency: 'EUR' },
  }),
  row({
    clientName: 'Fabrikam',
    companyName: 'Fabrikam Ltd',
    status: 'failed',
    errorReason: 'bc-unavailable',
    statusReason: 'Not answering',
    overdueSalesInvoiceAmount: null,
    cashAccountsBalance: null,
    refreshedAt: null,
  }),
  row({
    clientName: 'adatum',
    companyName: 'Adatum 2',
    overduePurchaseInvoiceAmount: { minor: 1, currency: 'USD' },
    cashAccountsBalance: { minor: 1_000_00, currency: 'USD' },
  }),
  row({
    clientName: 'Adatum',
    companyName: 'Adatum 10',
    status: 'stale',
    errorReason: 'bc-timeout',
    statusReason: 'Timed out; older numbers shown',
  }),
];

const view = (patch: Partial<DashboardView>): DashboardView => ({ ...defaultView, ...patch });
const names = (rs: readonly DashboardRow[]): string[] => rs.map((r) => r.companyName);

describe('dashboard filters', () => {
  it('matches the text against client and company names, ignoring case and spaces around it', () => {
    expect(names(filterRows(rows, view({ text: '  contoso ' })))).toEqual([
      'Contoso US',
      'Contoso DE',
    ]);
    expect(names(filterRows(rows, view({ text: 'ltd' })))).toEqual(['Fabrikam Ltd']);
  });

  it('"has overdue invoices" keeps rows with money overdue on either side', () => {
    expect(names(filterRows(rows, view({ filters: { hasOverdueInvoices: true } })))).toEqual([
      'Contoso US',
      'Adatum 2',
    ]);
  });

  it('"refresh failed" keeps failed rows and stale rows whose last attempt failed', () => {
    expect(names(filterRows(rows, view({ filters: { refreshFailed: true } })))).toEqual([
      'Fabrikam Ltd',
      'Adatum 10',
    ]);
  });

  it('a client filter keeps only that client and combines with the other filters', () => {
    const contoso = rows[0]!.clientId;
    expect(names(filterRows(rows, view({ filters: { clientId: contoso } })))).toEqual([
      'Contoso US',
      'Contoso DE',
    ]);
    expect(
      names(filterRows(rows, view({ filters: { clientId: contoso, hasOverdueInvoices: true } }))),
    ).toEqual(['Contoso US']);
  });

  it('says whether any filter narrows the rows', () => {
    expect(isFiltered(defaultView)).toBe(false);
    expect(isFiltered(view({ text: '   ' }))).toBe(false);
    expect(isFiltered(view({ text: 'a' }))).toBe(true);
    expect(isFiltered(view({ filters: { refreshFailed: true } }))).toBe(true);
  });
});

describe('dashboard sorting', () => {
  it('sorts names naturally and without regard to case', () => {
    expect(names(sortRows(rows, { column: 'companyName', direction: 'asc' }))).toEqual([
      'Adatum 2',
      'Adatum 10',
      'Contoso DE',
      'Contoso US',
      'Fabrikam Ltd',
    ]);
  });

  it('puts rows without a number last in both directions', () => {
    const asc = names(sortRows(rows, { column: 'cashAccountsBalance', direction: 'asc' }));
    const desc = names(sortRows(rows, { column: 'cashAccountsBalance', direction: 'desc' }));
    expect(asc[asc.length - 1]).toBe('Fabrikam Ltd');
    expect(desc[desc.length - 1]).toBe('Fabrikam Ltd');
    expect(desc[0]).toBe('Adatum 2');
  });

  it('breaks ties by client then company name so the order is stable', () => {
    expect(names(sortRows(rows, { column: 'tasksAssignedToMe', direction: 'desc' }))).toEqual([
      'Adatum 2',
      'Adatum 10',
      'Contoso DE',
      'Contoso US',
      'Fabrikam Ltd',
    ]);
  });

  it('sorts by status with failures first', () => {
    expect(names(sortRows(rows, { column: 'status', direction: 'asc' })).slice(0, 2)).toEqual([
      'Fabrikam Ltd',
      'Adatum 10',
    ]);
  });

  it('applies filters then sort, leaving the input untouched', () => {
    const before = names(rows);
    const shown = applyView(
      rows,
      view({ text: 'contoso', sort: { column: 'companyName', direction: 'desc' } }),
    );
    expect(names(shown)).toEqual(['Contoso US', 'Contoso DE']);
    expect(names(rows)).toEqual(before);
  });

  it('clicking a header sorts by it, clicking again flips the direction', () => {
    expect(nextSort({ column: 'clientName', direction: 'asc' }, 'clientName')).toEqual({
      column: 'clientName',
      direction: 'desc',
    });
    expect(
      nextSort({ column: 'clientName', direction: 'asc' }, 'overdueSalesInvoiceAmount'),
    ).toEqual({
      column: 'overdueSalesInvoiceAmount',
      direction: 'desc',
    });
    expect(nextSort({ column: 'overdueTasks', direction: 'desc' }, 'companyName').direction).toBe(
      'asc',
    );
  });

  it('sorts 5,000 rows by an amount correctly', () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      row({
        clientName: `Client ${i % 97}`,
        companyName: `Company ${i}`,
        cashAccountsBalance: { minor: (i * 7919) % 10007, currency: 'USD' },
      }),
    );
    const sorted = sortRows(many, { column: 'cashAccountsBalance', direction: 'asc' });
    expect(sorted).toHaveLength(5000);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i - 1]!.cashAccountsBalance!.minor).toBeLessThanOrEqual(
        sorted[i]!.cashAccountsBalance!.minor,
      );
    }
  });
});

describe('saved views from the server', () => {
  it('keeps known columns in the picker order and drops unknown or repeated ones', () => {
    expect(normalizeColumns(['status', 'bogus', 'taxesDue', 'status', 42])).toEqual([
      'taxesDue',
      'status',
    ]);
  });

  it('falls back to defaults for a missing or malformed view', () => {
    expect(normalizeView(null)).toEqual(defaultView);
    const odd = normalizeView({
      columns: ['cashAccountsBalance'],
      text: 7 as unknown as string,
      filters: { refreshFailed: true, hasOverdueInvoices: false },
      sort: { column: 'nonsense' as 'clientName', direction: 'up' as 'asc' },
    });
    expect(odd).toEqual({
      columns: ['cashAccountsBalance'],
      text: '',
      filters: { refreshFailed: true },
      sort: defaultView.sort,
    });
  });
});
