/**
 * The connector against the real sample tenant over loopback HTTP: the numbers it reads must
 * agree with the data the sample tenant generated, and with each other.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createBusinessCentralConnector } from '../../src/connector/business-central-connector.js';
import type {
  CompanyTarget,
  EnvironmentTarget,
  TenantConnector,
} from '../../src/connector/tenant-connector.js';
import { tokenProviderFor } from '../../src/connector/token-providers.js';
import { addDays } from '../../src/domain/dates.js';
import {
  asCompanyId,
  asUserTaskId,
  type AccountantId,
  type ClientId,
} from '../../src/domain/ids.js';
import { financialStatementKinds, type IsoDate } from '../../src/domain/model.js';
import { sumMoney } from '../../src/domain/money.js';
import {
  defaultSampleTenantId,
  startSampleTenant,
  type GeneratedCompany,
  type SampleTenant,
} from '../../src/sample-tenant/index.js';

const NOW = new Date('2025-03-12T10:00:00Z');
const TODAY: IsoDate = '2025-03-12';
const TAX_PERIOD = { from: '2025-01-01', to: '2025-03-31' };

let sample: SampleTenant;
let connector: TenantConnector;
let sleeps: number[] = [];

const envTarget = (
  tenant = defaultSampleTenantId,
  environment = 'production',
): EnvironmentTarget => ({
  tenant,
  environment,
  accountantId: 'local:accountant' as AccountantId,
  clientId: 'sample-client' as ClientId,
  connection: { kind: 'sample' },
});

const companyTarget = (c: GeneratedCompany): CompanyTarget => ({
  ...envTarget(c.tenantId, c.environment),
  companyId: asCompanyId(c.id),
  companyName: c.name,
});

function makeConnector(sampleUrl: string, timeoutMs = 5_000): TenantConnector {
  return createBusinessCentralConnector({
    apiBaseUrl: 'https://api.businesscentral.dynamics.com',
    sampleApiBaseUrl: sampleUrl,
    webClientBaseUrl: sampleUrl,
    tokenProvider: tokenProviderFor({}),
    timeoutMs,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

beforeAll(async () => {
  sample = await startSampleTenant({ now: () => NOW });
  connector = makeConnector(sample.url);
});
afterAll(async () => {
  await sample.close();
});

const companies = (): GeneratedCompany[] => sample.fleet.companies();

describe('reading the sample tenant', () => {
  test('lists the companies the sample tenant generated, odd names included', async () => {
    const r = await connector.listCompanies(envTarget());
    if (!r.ok) throw r.error;
    expect(r.value.map((c) => [c.id, c.name])).toEqual(companies().map((c) => [c.id, c.name]));
    expect(r.value.some((c) => c.name.includes("'"))).toBe(true);
  });

  test.each([0, 1, 2])('company %i: the snapshot shows the cues BC computed', async (i) => {
    const company = companies()[i]!;
    const r = await connector.companySnapshot(companyTarget(company), {
      today: TODAY,
      taxPeriod: TAX_PERIOD,
    });
    if (!r.ok) throw r.error;
    const cues = sample.fleet.cues(company);
    expect(r.value.cues).toEqual({
      currency: company.currencyCode,
      overdueSalesInvoiceAmount: {
        minor: cues.overdueSalesInvoiceAmount,
        currency: company.currencyCode,
      },
      overduePurchaseInvoiceAmount: {
        minor: cues.overduePurchaseInvoiceAmount,
        currency: company.currencyCode,
      },
      cashAccountsBalance: { minor: cues.cashAccountsBalance, currency: company.currencyCode },
      ongoingSalesQuotes: cues.ongoingSalesQuotes,
      ongoingSalesOrders: cues.ongoingSalesOrders,
      ongoingSalesInvoices: cues.ongoingSalesInvoices,
      salesInvoicesDueNextWeek: cues.salesInvoicesDueNextWeek,
      purchaseInvoicesDueNextWeek: cues.purchaseInvoicesDueNextWeek,
      overdueSalesDocuments: cues.overdueSalesDocuments,
      overduePurchaseDocuments: cues.overduePurchaseDocuments,
    });
    expect(r.value.tasks.map((t) => t.id).sort((a, b) => a - b)).toEqual(
      sample.fleet
        .myPendingTasks(company)
        .map((t) => t.id)
        .sort((a, b) => a - b),
    );
  });

  test('the snapshot’s tax agrees with the posted invoices of the period', async () => {
    const company = companies()[0]!;
    const r = await connector.companySnapshot(companyTarget(company), {
      today: TODAY,
      taxPeriod: TAX_PERIOD,
    });
    if (!r.ok) throw r.error;
    const books = sample.fleet.books(company);
    const inPeriod = (d: string) => d >= TAX_PERIOD.from && d <= TAX_PERIOD.to;
    const posted = (s: string) => s === 'Open' || s === 'Paid' || s === 'Corrective';
    const sales = books.salesInvoices.filter((i) => inPeriod(i.postingDate) && posted(i.status));
    const purchases = books.purchaseInvoices.filter(
      (i) => inPeriod(i.postingDate) && posted(i.status),
    );
    expect(r.value.tax.salesInvoiceCount).toBe(sales.length);
    expect(r.value.tax.purchaseInvoiceCount).toBe(purchases.length);
    expect(r.value.tax.salesTax.minor).toBe(sales.reduce((s, i) => s + i.taxAmount, 0));
  });

  test('the overdue sales amount on the dashboard equals the sum of the overdue invoices', async () => {
    for (const company of companies()) {
      const target = companyTarget(company);
      const [snap, overdue] = await Promise.all([
        connector.companySnapshot(target, { today: TODAY, taxPeriod: TAX_PERIOD }),
        connector.overdueSalesInvoices(target, TODAY),
      ]);
      if (!snap.ok) throw snap.error;
      if (!overdue.ok) throw overdue.error;
      expect(overdue.value.every((i) => i.dueDate < TODAY && i.status === 'open')).toBe(true);
      expect(
        sumMoney(
          overdue.value.map((i) => i.amount),
          company.currencyCode,
        ),
      ).toEqual(snap.value.cues.overdueSalesInvoiceAmount);
    }
  });

  test('purchase invoices due next week fall in the next seven days', async () => {
    const company = companies()[0]!;
    const r = await connector.purchaseInvoicesDueNextWeek(companyTarget(company), TODAY);
    if (!r.ok) throw r.error;
    for (const i of r.value) {
      expect(i.dueDate >= addDays(TODAY, 1) && i.dueDate <= addDays(TODAY, 7)).toBe(true);
    }
    const expected = sample.fleet
      .books(company)
      .purchaseInvoices.filter(
        (i) =>
          i.status === 'Open' && i.dueDate >= addDays(TODAY, 1) && i.dueDate <= addDays(TODAY, 7),
      );
    expect(r.value.map((i) => i.id).sort()).toEqual(expected.map((i) => i.id).sort());
  });

  test('overdue purchase invoices are open and past due', async () => {
    const company = companies()[0]!;
    const r = await connector.overduePurchaseInvoices(companyTarget(company), TODAY);
    if (!r.ok) throw r.error;
    const expected = sample.fleet
      .books(company)
      .purchaseInvoices.filter((i) => i.status === 'Open' && i.dueDate < TODAY);
    expect(r.value.map((i) => i.id).sort()).toEqual(expected.map((i) => i.id).sort());
    expect(r.value.every((i) => i.amountKind === 'total')).toBe(true);
  });

  test('forecast inputs start from the cash cue and list every open receivable', async () => {
    const company = companies()[2]!;
    const r = await connector.forecastInputs(companyTarget(company), TODAY);
    if (!r.ok) throw r.error;
    expect(r.value.cashBalance.minor).toBe(sample.fleet.cues(company).cashAccountsBalance);
    const open = sample.fleet
      .books(company)
      .salesInvoices.filter((i) => i.status === 'Open' && i.remainingAmount !== 0);
    expect(r.value.receivables).toHaveLength(open.length);
    expect(r.value.payablesSource).toBe('open-purchase-invoice-totals');
  });

  test.each(financialStatementKinds.map((k) => [k]))('the %s statement reads', async (kind) => {
    const company = companies()[1]!;
    const r = await connector.financialStatement(companyTarget(company), kind, TAX_PERIOD);
    if (!r.ok) throw r.error;
    expect(r.value.kind).toBe(kind);
    expect(r.value.currency).toBe(company.currencyCode);
    expect(r.value.lines.length).toBeGreaterThan(0);
  });

  test('marking a task complete removes it from my tasks', async () => {
    const company = companies()[1]!;
    const target = companyTarget(company);
    const before = await connector.companySnapshot(target, { today: TODAY, taxPeriod: TAX_PERIOD });
    if (!before.ok) throw before.error;
    const task = before.value.tasks[0];
    if (!task) throw new Error('the sample company has no pending task');
    const done = await connector.completeUserTask(target, task.id);
    expect(done).toEqual({ ok: true, value: undefined });
    expect(sample.fleet.completedTasks(company).has(task.id)).toBe(true);
    const after = await connector.companySnapshot(target, { today: TODAY, taxPeriod: TAX_PERIOD });
    if (!after.ok) throw after.error;
    expect(after.value.tasks.map((t) => t.id)).not.toContain(task.id);
    expect(after.value.tasks).toHaveLength(before.value.tasks.length - 1);
  });

  test('completing a task that does not exist is rejected', async () => {
    const r = await connector.completeUserTask(
      companyTarget(companies()[0]!),
      asUserTaskId(999_999),
    );
    expect(r.ok).toBe(false);
  });

  test('an unknown tenant is tenant-not-found', async () => {
    const r = await connector.listCompanies(envTarget('nobody.example.com'));
    expect(r.ok || r.error.reason).toBe('bc-tenant-not-found');
  });

  test('an unknown environment is tenant-not-found', async () => {
    const r = await connector.listCompanies(envTarget(defaultSampleTenantId, 'sandbox'));
    expect(r.ok || r.error.reason).toBe('bc-tenant-not-found');
  });

  test('an unknown company is company-not-found', async () => {
    const r = await connector.companySnapshot(
      {
        ...envTarget(),
        companyId: asCompanyId('00000000-0000-4000-8000-000000000001'),
        companyName: 'No Such Company',
      },
      { today: TODAY, taxPeriod: TAX_PERIOD },
    );
    expect(r.ok || r.error.reason).toBe('bc-company-not-found');
  });
});

describe('a tenant in trouble', () => {
  const company = () => companyTarget(companies()[0]!);
  const clear = () => sample.setFault(defaultSampleTenantId, null);

  test('two 503s are retried after their Retry-After and the snapshot succeeds', async () => {
    sleeps = [];
    sample.setFault(defaultSampleTenantId, { kind: 'status', status: 503, times: 2 });
    try {
      const r = await connector.listCompanies(envTarget());
      expect(r.ok).toBe(true);
      expect(sleeps).toEqual([1000, 1000]);
    } finally {
      clear();
    }
  });

  test('a 429 is retried', async () => {
    sleeps = [];
    sample.setFault(defaultSampleTenantId, {
      kind: 'status',
      status: 429,
      times: 1,
      retryAfterSeconds: 2,
    });
    try {
      const r = await connector.listCompanies(envTarget());
      expect(r.ok).toBe(true);
      expect(sleeps).toEqual([2000]);
    } finally {
      clear();
    }
  });

  test('a 503 that persists ends as bc-unavailable', async () => {
    sample.setFault(defaultSampleTenantId, { kind: 'status', status: 503 });
    try {
      const r = await connector.companySnapshot(company(), { today: TODAY, taxPeriod: TAX_PERIOD });
      expect(r.ok || r.error.reason).toBe('bc-unavailable');
    } finally {
      clear();
    }
  });

  test.each([
    [401, 'bc-access-denied'],
    [403, 'bc-access-denied'],
    [404, 'bc-tenant-not-found'],
    [500, 'bc-unavailable'],
  ] as const)('a %i answers %s at once', async (status, reason) => {
    sleeps = [];
    sample.setFault(defaultSampleTenantId, { kind: 'status', status });
    try {
      const r = await connector.listCompanies(envTarget());
      expect(r.ok || r.error.reason).toBe(reason);
      expect(sleeps).toEqual([]);
    } finally {
      clear();
    }
  });

  test('malformed JSON is a bad response', async () => {
    sample.setFault(defaultSampleTenantId, { kind: 'malformed-json' });
    try {
      const r = await connector.listCompanies(envTarget());
      expect(r.ok || r.error.reason).toBe('bc-bad-response');
    } finally {
      clear();
    }
  });

  test('a hanging tenant times out instead of hanging the hub', async () => {
    sample.setFault(defaultSampleTenantId, { kind: 'hang' });
    try {
      const r = await makeConnector(sample.url, 200).companySnapshot(company(), {
        today: TODAY,
        taxPeriod: TAX_PERIOD,
      });
      expect(r.ok || r.error.reason).toBe('bc-timeout');
    } finally {
      clear();
    }
  });
});

describe('limits against the sample tenant', () => {
  test('refreshing many companies keeps at most five requests per environment in flight, with no 429', async () => {
    const busy = await startSampleTenant({
      now: () => NOW,
      latencyMs: 50,
      fleet: {
        tenants: [
          {
            id: 'contoso.example.com',
            environments: [
              { name: 'production', companies: 8 },
              { name: 'sandbox', companies: 8 },
            ],
          },
        ],
      },
    });
    try {
      const c = makeConnector(busy.url, 30_000);
      const results = await Promise.all(
        busy.fleet
          .companies()
          .map((co) =>
            c.companySnapshot(companyTarget(co), { today: TODAY, taxPeriod: TAX_PERIOD }),
          ),
      );
      expect(results.flatMap((r) => (r.ok ? [] : [r.error.reason]))).toEqual([]);
      const stats = busy.stats();
      expect(stats.throttled).toBe(0);
      expect(Object.values(stats.peakConcurrentByEnvironment)).toEqual([5, 5]);
      expect(stats.requests).toBe(32);
      // Kept-alive connections: one per request that ran at once, not one per request.
      expect(stats.connections).toBeLessThanOrEqual(10);

      busy.resetStats();
      const again = await Promise.all(
        busy.fleet
          .companies()
          .map((co) =>
            c.companySnapshot(companyTarget(co), { today: TODAY, taxPeriod: TAX_PERIOD }),
          ),
      );
      expect(again.every((r) => r.ok)).toBe(true);
      expect(busy.stats().requests).toBe(32);
      expect(busy.stats().connections).toBe(0);
    } finally {
      await busy.close();
    }
  });
});
