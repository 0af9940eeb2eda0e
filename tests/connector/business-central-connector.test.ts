import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createBusinessCentralConnector,
  type BusinessCentralConnectorOptions,
} from '../../src/connector/business-central-connector.js';
import type { CompanyTarget, EnvironmentTarget } from '../../src/connector/tenant-connector.js';
import type { TokenProvider } from '../../src/connector/token-provider.js';
import { tokenProviderFor } from '../../src/connector/token-providers.js';
import { AppError, err, ok } from '../../src/domain/errors.js';
import {
  asUserTaskId,
  type AccountantId,
  type ClientId,
  type CompanyId,
} from '../../src/domain/ids.js';
import type { FinancialStatementKind } from '../../src/domain/model.js';
import { createLogger } from '../../src/logging.js';
import { resolveAllowedAddresses } from '../../src/net/outbound-guard.js';
import { bcError, collection, startFakeBc, type FakeBc, type Route } from './fake-bc.js';

const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-payload.signature';
const COMPANY_ID = 'a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1';
const COMPANY_NAME = "O'Brien & Sons, Inc.";
const API = `api/v2.0/companies(${COMPANY_ID})`;
const ODATA = `ODataV4/Company('O''Brien & Sons, Inc.')`;

const env: EnvironmentTarget = {
  tenant: 'contoso.com',
  environment: 'production',
  accountantId: 'tid:oid' as AccountantId,
  clientId: 'client-1' as ClientId,
  connection: { kind: 'delegated' },
};
const company: CompanyTarget = {
  ...env,
  companyId: COMPANY_ID as CompanyId,
  companyName: COMPANY_NAME,
};

const tokenProvider: TokenProvider = { getToken: async () => ok(TOKEN) };

let fake: FakeBc;
let logLines: string[];
let sleeps: number[];

function connectorFor(overrides: Partial<BusinessCentralConnectorOptions> = {}) {
  return createBusinessCentralConnector({
    apiBaseUrl: fake.url,
    webClientBaseUrl: 'https://businesscentral.dynamics.com',
    tokenProvider,
    timeoutMs: 5_000,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    logger: createLogger({ level: 'debug', write: (l) => logLines.push(l) }),
    ...overrides,
  });
}

const companyInformation: Route = () =>
  collection([{ id: 'x', displayName: 'x', currencyCode: 'USD' }]);

const activityCues = {
  Primary_Key: '',
  OverduePurchInvoiceAmount: '                    $12,345.60',
  OverdueSalesInvoiceAmount: '                     $4,001.07',
  PurchInvoicesDueNextWeekAmount: '                             3',
  SalesInvoicesDueNextWeekAmount: '                            11',
  OngoingSalesInvoicesAmount: '                             2',
  OngoingSalesQuotesAmount: '                             1',
  OngoingSalesOrdersAmount: '                             4',
};
const financeCues = {
  OverduePurchaseDocumentsAmount: '                             7',
  OverdueSalesDocumentsAmount: '                             9',
  CashAccountsBalanceAmount: '                    $98,765.43',
  CashAccountsBalanceAmountDecimal: 98765.43,
};
const task = (id: number, extra: Record<string, unknown> = {}) => ({
  '@odata.etag': `W/"${id}"`,
  ID: id,
  Title: `Task ${id}`,
  Due_DateTime: '2025-03-01T00:00:00Z',
  Percent_Complete: 0,
  Priority: '_x0020_',
  Created_By_Name: 'ADMIN',
  Created_DateTime: '2025-02-01T09:00:00Z',
  Start_DateTime: '0001-01-01T00:00:00Z',
  Link: `https://businesscentral.dynamics.com/contoso.com/production?company=x&page=1171&Mode=Edit&id=${id}`,
  ...extra,
});

const salesInvoice = (n: number, dueDate: string, remainingAmount: number, status = 'Open') => ({
  '@odata.etag': 'W/"s"',
  id: `s-${n}`,
  number: `S-INV${n}`,
  customerNumber: '10000',
  customerName: 'Adatum Corporation',
  dueDate,
  postingDate: '2025-01-01',
  remainingAmount,
  currencyCode: '',
  status,
});
const purchaseInvoice = (n: number, dueDate: string, total: number) => ({
  id: `p-${n}`,
  number: `P-INV${n}`,
  vendorNumber: '20000',
  vendorName: 'First Up Consultants',
  dueDate,
  postingDate: '2025-01-05',
  totalAmountIncludingTax: total,
  currencyCode: 'EUR',
  status: 'Open',
});

beforeEach(async () => {
  fake = await startFakeBc();
  logLines = [];
  sleeps = [];
});
afterEach(async () => {
  await fake.close();
});

function expectNoTokenLeak(value: unknown) {
  expect(JSON.stringify(value)).not.toContain('secret-payload');
  for (const line of logLines) expect(line).not.toContain('secret-payload');
}

describe('listing companies', () => {
  test('follows @odata.nextLink across pages and sends the token and page size', async () => {
    fake.route('api/v2.0/companies', (req) => {
      const skip = req.query.get('$skiptoken');
      if (skip === null) {
        return collection(
          [{ id: COMPANY_ID.toUpperCase(), name: 'CRONUS USA', displayName: 'CRONUS USA, Inc.' }],
          `${fake.url}/v2.0/contoso.com/production/api/v2.0/companies?$skiptoken=p2`,
        );
      }
      if (skip === 'p2') {
        return collection(
          [{ id: 'b0b0b0b0-bbbb-cccc-dddd-e1e1e1e1e1e1', name: 'Second', displayName: '' }],
          `${fake.url}/v2.0/contoso.com/production/api/v2.0/companies?$skiptoken=p3`,
        );
      }
      return collection([
        { id: 'c0c0c0c0-bbbb-cccc-dddd-e1e1e1e1e1e1', name: 'Third', displayName: 'Third Ltd' },
      ]);
    });
    const r = await connectorFor({ pageSize: 1 }).listCompanies(env);
    expect(r).toEqual({
      ok: true,
      value: [
        { id: COMPANY_ID, name: 'CRONUS USA', displayName: 'CRONUS USA, Inc.' },
        { id: 'b0b0b0b0-bbbb-cccc-dddd-e1e1e1e1e1e1', name: 'Second', displayName: 'Second' },
        { id: 'c0c0c0c0-bbbb-cccc-dddd-e1e1e1e1e1e1', name: 'Third', displayName: 'Third Ltd' },
      ],
    });
    expect(fake.requests.map((q) => q.url)).toEqual([
      '/v2.0/contoso.com/production/api/v2.0/companies',
      '/v2.0/contoso.com/production/api/v2.0/companies?$skiptoken=p2',
      '/v2.0/contoso.com/production/api/v2.0/companies?$skiptoken=p3',
    ]);
    for (const q of fake.requests) {
      expect(q.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(q.headers.prefer).toBe('odata.maxpagesize=1');
      expect(q.headers.accept).toBe('application/json');
    }
    expectNoTokenLeak(r);
  });

  test('a page without a value array is a bad response', async () => {
    fake.route('api/v2.0/companies', () => ({ body: { companies: [] } }));
    const r = await connectorFor().listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-bad-response');
  });

  test('a company row without an id is a bad response', async () => {
    fake.route('api/v2.0/companies', () => collection([{ name: 'No id' }]));
    const r = await connectorFor().listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-bad-response');
  });

  test('a tenant name that would walk the URL path is refused before any request', async () => {
    const r = await connectorFor().listCompanies({ ...env, tenant: '..' });
    expect(r.ok || r.error.reason).toBe('validation');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('company snapshot', () => {
  function routeSnapshot(
    tasks: Route = () => collection([task(1), task(2, { Priority: 'High', Percent_Complete: 50 })]),
  ) {
    fake.route(`${ODATA}/AccountantPortalActivityCues`, () => collection([activityCues]));
    fake.route(`${ODATA}/AccountantPortalFinanceCues`, () => collection([financeCues]));
    fake.route(`${ODATA}/AccountantPortalUserTasks`, tasks);
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/salesInvoices`, () =>
      collection([
        { totalTaxAmount: 10.5, status: 'Paid' },
        { totalTaxAmount: 4.25, status: 'Open' },
        { totalTaxAmount: 100, status: 'Draft' },
        { totalTaxAmount: 100, status: 'In_x0020_Review' },
      ]),
    );
    fake.route(`${API}/purchaseInvoices`, () =>
      collection([
        { totalTaxAmount: 3.1, status: 'Paid' },
        { totalTaxAmount: 50, status: 'Canceled' },
      ]),
    );
  }

  test('reads cues, tasks and tax in two $batch calls', async () => {
    routeSnapshot();
    const r = await connectorFor().companySnapshot(company, {
      today: '2025-03-10',
      taxPeriod: { from: '2025-01-01', to: '2025-03-31' },
    });
    if (!r.ok) throw r.error;
    expect(r.value.cues).toEqual({
      currency: 'USD',
      overdueSalesInvoiceAmount: { minor: 400107, currency: 'USD' },
      overduePurchaseInvoiceAmount: { minor: 1234560, currency: 'USD' },
      cashAccountsBalance: { minor: 9876543, currency: 'USD' },
      ongoingSalesQuotes: 1,
      ongoingSalesOrders: 4,
      ongoingSalesInvoices: 2,
      salesInvoicesDueNextWeek: 11,
      purchaseInvoicesDueNextWeek: 3,
      overdueSalesDocuments: 9,
      overduePurchaseDocuments: 7,
    });
    expect(r.value.tasks.map((t) => [t.id, t.priority, t.startAt, t.percentComplete])).toEqual([
      [1, 'none', null, 0],
      [2, 'high', null, 50],
    ]);
    expect(r.value.tax).toEqual({
      currency: 'USD',
      salesTax: { minor: 1475, currency: 'USD' },
      purchaseTax: { minor: 310, currency: 'USD' },
      salesInvoiceCount: 2,
      purchaseInvoiceCount: 1,
    });

    const outer = fake.requests.filter((q) => !q.inBatch);
    expect(outer.map((q) => `${q.method} ${q.url}`).sort()).toEqual([
      'POST /v2.0/contoso.com/production/ODataV4/$batch',
      'POST /v2.0/contoso.com/production/api/v2.0/$batch',
    ]);
    const odataBatch = JSON.parse(outer.find((q) => q.url.includes('ODataV4'))!.body) as {
      requests: { id: string; method: string; url: string }[];
    };
    expect(odataBatch.requests.map((o) => [o.method, o.url])).toEqual([
      ['GET', "Company('O''Brien%20%26%20Sons%2C%20Inc.')/AccountantPortalActivityCues"],
      ['GET', "Company('O''Brien%20%26%20Sons%2C%20Inc.')/AccountantPortalFinanceCues"],
      ['GET', "Company('O''Brien%20%26%20Sons%2C%20Inc.')/AccountantPortalUserTasks"],
    ]);
    const apiBatch = JSON.parse(outer.find((q) => q.url.includes('api/v2.0'))!.body) as {
      requests: { url: string }[];
    };
    const sales = new URL(apiBatch.requests[1]!.url, 'http://x/');
    expect(sales.pathname).toBe(`/companies(${COMPANY_ID})/salesInvoices`);
    expect(sales.searchParams.get('$filter')).toBe(
      'postingDate ge 2025-01-01 and postingDate le 2025-03-31',
    );
    expect(sales.searchParams.get('$select')).toBe('totalTaxAmount,status');
    for (const q of outer) expect(q.headers['content-type']).toBe('application/json');
    expectNoTokenLeak(r);
  });

  test('follows a nextLink inside a batch answer with a plain GET', async () => {
    routeSnapshot((req) =>
      req.query.get('$skiptoken') === '2'
        ? collection([task(3)])
        : collection(
            [task(1)],
            `${fake.url}/v2.0/contoso.com/production/ODataV4/Company('O''Brien%20%26%20Sons%2C%20Inc.')/AccountantPortalUserTasks?$skiptoken=2`,
          ),
    );
    const r = await connectorFor().companySnapshot(company, {
      today: '2025-03-10',
      taxPeriod: { from: '2025-01-01', to: '2025-03-31' },
    });
    if (!r.ok) throw r.error;
    expect(r.value.tasks.map((t) => t.id)).toEqual([1, 3]);
    const paged = fake.requests.filter((q) => !q.inBatch && q.method === 'GET');
    expect(paged).toHaveLength(1);
    expect(paged[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('an unknown company inside the batch is company-not-found and is not retried', async () => {
    routeSnapshot();
    fake.route(`${ODATA}/AccountantPortalActivityCues`, () =>
      bcError(
        400,
        'Internal_CompanyNotFound',
        "Can't process the request because the default company can't be found.",
      ),
    );
    const r = await connectorFor().companySnapshot(company, {
      today: '2025-03-10',
      taxPeriod: { from: '2025-01-01', to: '2025-03-31' },
    });
    expect(r.ok || r.error.reason).toBe('bc-company-not-found');
    expect(sleeps).toEqual([]);
  });

  test('a 429 inside a batch retries the batch after its Retry-After', async () => {
    routeSnapshot();
    let calls = 0;
    fake.route(`${API}/companyInformation`, () =>
      ++calls === 1
        ? bcError(429, 'Application_TooManyRequests', 'Too many requests reached.', {
            'Retry-After': '2',
          })
        : companyInformation({} as never),
    );
    const r = await connectorFor().companySnapshot(company, {
      today: '2025-03-10',
      taxPeriod: { from: '2025-01-01', to: '2025-03-31' },
    });
    expect(r.ok).toBe(true);
    expect(sleeps).toEqual([2000]);
    expect(calls).toBe(2);
  });

  test('a cue that is not a number is a bad response, not a zero', async () => {
    routeSnapshot();
    fake.route(`${ODATA}/AccountantPortalActivityCues`, () =>
      collection([{ ...activityCues, OverdueSalesInvoiceAmount: '#Error' }]),
    );
    const r = await connectorFor().companySnapshot(company, {
      today: '2025-03-10',
      taxPeriod: { from: '2025-01-01', to: '2025-03-31' },
    });
    expect(r.ok || r.error.reason).toBe('bc-bad-response');
    expect(r.ok || r.error.details.detail).toMatch(/OverdueSalesInvoiceAmount/);
  });

  test('an empty cue service answer is a bad response', async () => {
    routeSnapshot();
    fake.route(`${ODATA}/AccountantPortalFinanceCues`, () => collection([]));
    const r = await connectorFor().companySnapshot(company, {
      today: '2025-03-10',
      taxPeriod: { from: '2025-01-01', to: '2025-03-31' },
    });
    expect(r.ok || r.error.reason).toBe('bc-bad-response');
  });

  test('a company id that is not a GUID is refused before any request', async () => {
    const r = await connectorFor().companySnapshot(
      { ...company, companyId: 'x)/../../admin' as CompanyId },
      { today: '2025-03-10', taxPeriod: { from: '2025-01-01', to: '2025-03-31' } },
    );
    expect(r.ok || r.error.reason).toBe('validation');
    expect(fake.requests).toHaveLength(0);
  });

  test('a tax period that ends before it starts is refused', async () => {
    const r = await connectorFor().companySnapshot(company, {
      today: '2025-03-10',
      taxPeriod: { from: '2025-03-31', to: '2025-01-01' },
    });
    expect(r.ok || r.error.reason).toBe('validation');
  });
});

describe('drill-downs', () => {
  test('overdue sales invoices ask for open ones due before today and sort by due date', async () => {
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/salesInvoices`, () =>
      collection([salesInvoice(2, '2025-03-01', 10.1), salesInvoice(1, '2025-02-01', 1234.5)]),
    );
    const r = await connectorFor().overdueSalesInvoices(company, '2025-03-10');
    if (!r.ok) throw r.error;
    expect(r.value).toEqual([
      {
        id: 's-1',
        number: 'S-INV1',
        partnerNumber: '10000',
        partnerName: 'Adatum Corporation',
        dueDate: '2025-02-01',
        postingDate: '2025-01-01',
        amount: { minor: 123450, currency: 'USD' },
        amountKind: 'remaining',
        status: 'open',
      },
      expect.objectContaining({ id: 's-2', amount: { minor: 1010, currency: 'USD' } }),
    ]);
    const inner = fake.requests.find((q) => q.inBatch && q.url.includes('salesInvoices'))!;
    const url = new URL(inner.url, 'http://x');
    expect(url.searchParams.get('$filter')).toBe("status eq 'Open' and dueDate lt 2025-03-10");
    expect(url.searchParams.get('$select')).toContain('remainingAmount');
  });

  test('overdue purchase invoices carry their total and own currency', async () => {
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/purchaseInvoices`, () =>
      collection([purchaseInvoice(1, '2025-02-01', 3310.17)]),
    );
    const r = await connectorFor().overduePurchaseInvoices(company, '2025-03-10');
    if (!r.ok) throw r.error;
    expect(r.value[0]).toMatchObject({
      amount: { minor: 331017, currency: 'EUR' },
      amountKind: 'total',
    });
  });

  test('purchase invoices due next week ask for today+1 … today+7', async () => {
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/purchaseInvoices`, () => collection([]));
    const r = await connectorFor().purchaseInvoicesDueNextWeek(company, '2025-03-10');
    expect(r).toEqual({ ok: true, value: [] });
    const inner = fake.requests.find((q) => q.inBatch && q.url.includes('purchaseInvoices'))!;
    expect(new URL(inner.url, 'http://x').searchParams.get('$filter')).toBe(
      "status eq 'Open' and dueDate ge 2025-03-11 and dueDate le 2025-03-17",
    );
  });

  test('a malformed date for today is refused', async () => {
    const r = await connectorFor().overdueSalesInvoices(company, "2025-03-10' or 1 eq 1");
    expect(r.ok || r.error.reason).toBe('validation');
    expect(fake.requests).toHaveLength(0);
  });

  test('forecast inputs combine the cash cue with open receivables and payables', async () => {
    fake.route(`${ODATA}/AccountantPortalFinanceCues`, () => collection([financeCues]));
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/salesInvoices`, () =>
      collection([
        { dueDate: '2025-04-01', remainingAmount: 50, currencyCode: '' },
        { dueDate: '2025-03-20', remainingAmount: 25.5, currencyCode: '' },
        { dueDate: '2025-03-21', remainingAmount: 0, currencyCode: '' },
      ]),
    );
    fake.route(`${API}/purchaseInvoices`, () =>
      collection([{ dueDate: '2025-03-15', totalAmountIncludingTax: 99.99, currencyCode: 'USD' }]),
    );
    const r = await connectorFor().forecastInputs(company, '2025-03-10');
    expect(r).toEqual({
      ok: true,
      value: {
        currency: 'USD',
        cashBalance: { minor: 9876543, currency: 'USD' },
        receivables: [
          { dueDate: '2025-03-20', amount: { minor: 2550, currency: 'USD' } },
          { dueDate: '2025-04-01', amount: { minor: 5000, currency: 'USD' } },
        ],
        payables: [{ dueDate: '2025-03-15', amount: { minor: 9999, currency: 'USD' } }],
        payablesSource: 'open-purchase-invoice-totals',
      },
    });
    const inner = fake.requests.filter((q) => q.inBatch).map((q) => new URL(q.url, 'http://x'));
    expect(
      inner
        .filter((u) => u.pathname.endsWith('Invoices'))
        .map((u) => u.searchParams.get('$filter')),
    ).toEqual(["status eq 'Open'", "status eq 'Open'"]);
  });

  test('tax inputs for a period come from one batch', async () => {
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/salesInvoices`, () => collection([{ totalTaxAmount: 1, status: 'Open' }]));
    fake.route(`${API}/purchaseInvoices`, () => collection([]));
    const r = await connectorFor().taxInputs(company, { from: '2025-01-01', to: '2025-01-31' });
    expect(r).toEqual({
      ok: true,
      value: {
        currency: 'USD',
        salesTax: { minor: 100, currency: 'USD' },
        purchaseTax: { minor: 0, currency: 'USD' },
        salesInvoiceCount: 1,
        purchaseInvoiceCount: 0,
      },
    });
    expect(fake.requests.filter((q) => !q.inBatch)).toHaveLength(1);
  });
});

describe('financial statements', () => {
  const period = { from: '2025-01-01', to: '2025-03-31' };
  const cases: [FinancialStatementKind, string, string, string, unknown[]][] = [
    [
      'trial-balance',
      'trialBalances',
      'number',
      'dateFilter ge 2025-01-01 and dateFilter le 2025-03-31',
      [
        {
          number: '1110',
          display: 'Accounts Receivable',
          accountType: 'Posting',
          totalDebit: '1,000.00',
          totalCredit: '0.00',
          balanceAtDateDebit: '72,893.84',
          balanceAtDateCredit: '0.00',
          dateFilter: '2025-03-31',
        },
      ],
    ],
    [
      'balance-sheet',
      'balanceSheets',
      'lineNumber',
      'dateFilter eq 2025-03-31',
      [
        {
          lineNumber: 10000,
          display: 'Assets',
          balance: 1234.5,
          lineType: 'header',
          indentation: 0,
        },
      ],
    ],
    [
      'income-statement',
      'incomeStatements',
      'lineNumber',
      'dateFilter ge 2025-01-01 and dateFilter le 2025-03-31',
      [
        {
          lineNumber: 10000,
          display: 'Income',
          netChange: -50,
          lineType: 'detail',
          indentation: 1,
        },
      ],
    ],
    [
      'cash-flow-statement',
      'cashFlowStatements',
      'lineNumber',
      'dateFilter ge 2025-01-01 and dateFilter le 2025-03-31',
      [
        {
          lineNumber: 10000,
          display: 'Operating Activities',
          netChange: 0,
          lineType: 'header',
          indentation: 0,
        },
      ],
    ],
    [
      'aged-receivables',
      'agedAccountsReceivables',
      'customerNumber',
      "agedAsOfDate eq 2025-03-31 and periodLengthFilter eq '30D'",
      [
        {
          customerId: 'x',
          customerNumber: '10000',
          name: 'Adatum',
          currencyCode: '',
          balanceDue: 100,
          currentAmount: 10,
          period1Amount: 20,
          period2Amount: 30,
          period3Amount: 40,
          agedAsOfDate: '2025-03-31',
          periodLengthFilter: '30D',
        },
      ],
    ],
    [
      'aged-payables',
      'agedAccountsPayables',
      'vendorNumber',
      "agedAsOfDate eq 2025-03-31 and periodLengthFilter eq '30D'",
      [
        {
          vendorId: 'y',
          vendorNumber: '20000',
          name: 'Fabrikam, Inc.',
          currencyCode: '',
          balanceDue: 2071.13,
          currentAmount: 0,
          period1Amount: 0,
          period2Amount: 0,
          period3Amount: 2071.13,
          agedAsOfDate: '2025-03-31',
          periodLengthFilter: '30D',
        },
      ],
    ],
  ];

  test.each(cases)('%s reads %s ordered by %s', async (kind, entity, orderby, filter, rows) => {
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/${entity}`, () => collection(rows));
    const r = await connectorFor().financialStatement(company, kind, period);
    if (!r.ok) throw r.error;
    expect(r.value.kind).toBe(kind);
    expect(r.value.currency).toBe('USD');
    expect(r.value.lines).toHaveLength(1);
    const inner = new URL(
      fake.requests.find((q) => q.inBatch && q.url.includes(entity))!.url,
      'http://x',
    );
    expect(inner.searchParams.get('$orderby')).toBe(orderby);
    expect(inner.searchParams.get('$filter')).toBe(filter);
  });

  test('trial balance text amounts arrive as numbers', async () => {
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/trialBalances`, () => collection(cases[0]![4]));
    const r = await connectorFor().financialStatement(company, 'trial-balance', period);
    if (!r.ok || r.value.kind !== 'trial-balance') throw new Error('expected a trial balance');
    expect(r.value.lines[0]).toMatchObject({ totalDebit: 1000, balanceAtDateDebit: 72893.84 });
  });

  test('aged payables keep their buckets and labels', async () => {
    fake.route(`${API}/companyInformation`, companyInformation);
    fake.route(`${API}/agedAccountsPayables`, () => collection(cases[5]![4]));
    const r = await connectorFor().financialStatement(company, 'aged-payables', period);
    if (!r.ok || r.value.kind !== 'aged-payables') throw new Error('expected aged payables');
    expect(r.value).toMatchObject({
      asOf: '2025-03-31',
      periodLength: '30D',
      periodLabels: ['1-30 days', '31-60 days', 'Over 60 days'],
      lines: [
        {
          partnerNumber: '20000',
          name: 'Fabrikam, Inc.',
          currency: 'USD',
          balanceDue: 2071.13,
          period3: 2071.13,
        },
      ],
    });
  });
});

describe('completing a task', () => {
  test('POSTs NAV.SetComplete with a JSON content type and an empty body', async () => {
    fake.route(`${ODATA}/UserTaskSetComplete(7)/NAV.SetComplete`, () => ({ status: 204 }));
    const r = await connectorFor().completeUserTask(company, asUserTaskId(7));
    expect(r).toEqual({ ok: true, value: undefined });
    expect(fake.requests).toHaveLength(1);
    const q = fake.requests[0]!;
    expect(q.method).toBe('POST');
    expect(q.url).toBe(
      "/v2.0/contoso.com/production/ODataV4/Company('O''Brien%20%26%20Sons%2C%20Inc.')/UserTaskSetComplete(7)/NAV.SetComplete",
    );
    expect(q.headers['content-type']).toBe('application/json');
    expect(q.body).toBe('');
  });

  test('a task BC no longer has is rejected with BC’s explanation', async () => {
    fake.route(`${ODATA}/UserTaskSetComplete(9)/NAV.SetComplete`, () =>
      bcError(
        404,
        'Internal_RecordNotFound',
        'The User Task does not exist. Identification fields and values: ID=9',
      ),
    );
    const r = await connectorFor().completeUserTask(company, asUserTaskId(9));
    expect(r.ok || r.error.reason).toBe('bc-rejected');
    expect(r.ok || r.error.message).toContain('The User Task does not exist');
  });

  test('a task id that is not a positive integer is refused', async () => {
    const r = await connectorFor().completeUserTask(company, asUserTaskId(-1));
    expect(r.ok || r.error.reason).toBe('validation');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('failures', () => {
  test('401 is access denied, and the token appears in no error or log', async () => {
    fake.route('api/v2.0/companies', () =>
      bcError(
        401,
        'Authentication_InvalidCredentials',
        'The server has rejected the client credentials.',
      ),
    );
    const r = await connectorFor().listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    expect(fake.requests).toHaveLength(1);
    expect(logLines.length).toBeGreaterThan(0);
    expectNoTokenLeak(r);
  });

  test('404 Internal_TenantUnavailable is tenant-not-found', async () => {
    fake.route('api/v2.0/companies', () =>
      bcError(404, 'Internal_TenantUnavailable', "The tenant 'contoso.com' is not accessible"),
    );
    const r = await connectorFor().listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-tenant-not-found');
  });

  test('429 with Retry-After waits that long and then succeeds', async () => {
    let calls = 0;
    fake.route('api/v2.0/companies', () =>
      ++calls < 3
        ? bcError(429, 'Application_TooManyRequests', 'Too many requests reached.', {
            'Retry-After': '3',
          })
        : collection([]),
    );
    const r = await connectorFor().listCompanies(env);
    expect(r).toEqual({ ok: true, value: [] });
    expect(sleeps).toEqual([3000, 3000]);
  });

  test('503 that persists gives up after the attempt cap with bc-unavailable', async () => {
    fake.route('api/v2.0/companies', () => ({
      status: 503,
      raw: '<html>Service Unavailable</html>',
    }));
    const r = await connectorFor({ retry: { maxAttempts: 3 } }).listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-unavailable');
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]);
  });

  test('a 400 is not retried', async () => {
    fake.route('api/v2.0/companies', () =>
      bcError(400, 'BadRequest_NotFound', 'Bad Request - Error in query syntax'),
    );
    const r = await connectorFor().listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-rejected');
    expect(fake.requests).toHaveLength(1);
  });

  test('malformed JSON is a bad response and is not retried', async () => {
    fake.route('api/v2.0/companies', () => ({ raw: '{"value": [ {"id": ' }));
    const r = await connectorFor().listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-bad-response');
    expect(fake.requests).toHaveLength(1);
  });

  test('a hanging server yields bc-timeout instead of a hang', async () => {
    fake.route('api/v2.0/companies', () => 'hang');
    const r = await connectorFor({ timeoutMs: 150 }).listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-timeout');
    expect(r.ok || r.error.details.timeoutMs).toBe(150);
  });

  test('the caller’s abort ends a hanging request as cancelled', async () => {
    fake.route('api/v2.0/companies', () => 'hang');
    const controller = new AbortController();
    const pending = connectorFor({ timeoutMs: 60_000 }).listCompanies(env, controller.signal);
    await new Promise<void>((resolve) => {
      const wait = (): void => (fake.requests.length > 0 ? resolve() : void setTimeout(wait, 5));
      wait();
    });
    controller.abort();
    const r = await pending;
    expect(r.ok || r.error.details.cancelled).toBe(true);
  });

  test('an address with nothing listening is bc-unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await connectorFor({ apiBaseUrl: `http://127.0.0.1:${port}` }).listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-unreachable');
  });

  test('a nextLink to another host is refused and that host never sees the token', async () => {
    const other = await startFakeBc({ 'api/v2.0/companies': () => collection([]) });
    try {
      fake.route('api/v2.0/companies', () =>
        collection([], `${other.url}/v2.0/contoso.com/production/api/v2.0/companies?$skiptoken=2`),
      );
      const r = await connectorFor().listCompanies(env);
      expect(r.ok || r.error.reason).toBe('host-not-allowed');
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  test('a redirect is not followed', async () => {
    const other = await startFakeBc({ 'api/v2.0/companies': () => collection([]) });
    try {
      fake.route('api/v2.0/companies', () => ({
        status: 302,
        headers: { Location: `${other.url}/v2.0/contoso.com/production/api/v2.0/companies` },
      }));
      const r = await connectorFor().listCompanies(env);
      expect(r.ok || r.error.reason).toBe('bc-bad-response');
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  test('a custom allow-list is checked before the first request', async () => {
    const r = await connectorFor({
      isAllowedUrl: (u) => u.hostname === 'api.businesscentral.dynamics.com',
    }).listCompanies(env);
    expect(r.ok || r.error.reason).toBe('host-not-allowed');
    expect(fake.requests).toHaveLength(0);
  });

  test('an answer larger than the cap is refused', async () => {
    fake.route('api/v2.0/companies', () =>
      collection(Array.from({ length: 2000 }, (_, i) => ({ id: `${i}`, name: 'x'.repeat(50) }))),
    );
    const r = await connectorFor({ maxResponseBytes: 10_000 }).listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-bad-response');
    expect(r.ok || r.error.details.detail).toMatch(/larger than/);
  });

  test('with the outbound guard resolving names, one that points inside is refused unsent', async () => {
    const port = new URL(fake.url).port;
    const policy = (allowLoopback: boolean) => ({
      allowedOrigins: [`http://bc.test:${port}`],
      allowLoopback,
    });
    // bc.test "resolves" to this machine, as a rebinding DNS answer would make it.
    const lookup = async () => [{ address: '127.0.0.1', family: 4 }];
    fake.route('api/v2.0/companies', () => collection([{ id: COMPANY_ID, name: 'x' }]));
    const guarded = connectorFor({
      apiBaseUrl: `http://bc.test:${port}`,
      resolveHost: (host) => resolveAllowedAddresses(policy(false), host, { lookup }),
    });
    const refused = await guarded.listCompanies(env);
    expect(refused.ok || refused.error.reason).toBe('host-not-allowed');
    expect(fake.requests).toHaveLength(0);
    const sample = connectorFor({
      apiBaseUrl: `http://bc.test:${port}`,
      resolveHost: (host) => resolveAllowedAddresses(policy(true), host, { lookup }),
    });
    const allowed = await sample.listCompanies(env);
    expect(allowed.ok && allowed.value.map((c) => c.id)).toEqual([COMPANY_ID]);
  });

  test('a failing token provider stops the call before any request', async () => {
    const failing: TokenProvider = {
      getToken: async () => err(new AppError('bc-access-denied', 'Sign in again.')),
    };
    const r = await connectorFor({ tokenProvider: failing }).listCompanies(env);
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('sample mode', () => {
  test('sample targets go to the sample tenant without a token', async () => {
    const production = await startFakeBc();
    try {
      fake.route('api/v2.0/companies', () => collection([]));
      const connector = createBusinessCentralConnector({
        apiBaseUrl: production.url,
        sampleApiBaseUrl: fake.url,
        webClientBaseUrl: 'https://businesscentral.dynamics.com',
        tokenProvider: tokenProviderFor({ delegated: tokenProvider }),
      });
      const r = await connector.listCompanies({ ...env, connection: { kind: 'sample' } });
      expect(r).toEqual({ ok: true, value: [] });
      expect(production.requests).toHaveLength(0);
      expect(fake.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      await production.close();
    }
  });

  test('without a sample tenant, a sample target is a configuration error', async () => {
    const r = await connectorFor().listCompanies({ ...env, connection: { kind: 'sample' } });
    expect(r.ok || r.error.reason).toBe('config');
  });
});

describe('limits', () => {
  /** Holds every answer until released, so the test sees exactly how many are in flight. */
  function gate() {
    const waiting: (() => void)[] = [];
    let arrived = 0;
    const listeners: (() => void)[] = [];
    const route: Route = () =>
      new Promise((resolve) => {
        arrived++;
        listeners.forEach((l) => l());
        waiting.push(() => resolve(collection([])));
      });
    return {
      route,
      arrived: () => arrived,
      until: (n: number) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (arrived >= n) resolve();
          };
          listeners.push(check);
          check();
        }),
      releaseAll: () => waiting.splice(0).forEach((r) => r()),
    };
  }

  test('at most five requests per environment are in flight, and environments run side by side', async () => {
    const g = gate();
    fake.fallback(g.route);
    const connector = connectorFor();
    const envB: EnvironmentTarget = { ...env, environment: 'sandbox' };
    const all = Promise.all([
      ...Array.from({ length: 12 }, () => connector.listCompanies(env)),
      ...Array.from({ length: 12 }, () => connector.listCompanies(envB)),
    ]);
    await g.until(10);
    await new Promise((r) => setTimeout(r, 50));
    expect(g.arrived()).toBe(10);
    const inProduction = fake.requests.filter((q) => q.url.includes('/production/')).length;
    expect(inProduction).toBe(5);
    while (g.arrived() < 24) {
      g.releaseAll();
      await new Promise((r) => setImmediate(r));
    }
    g.releaseAll();
    const results = await all;
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.maxInFlight()).toBe(10);
  });

  test('app-only and delegated callers of one environment have separate limits', async () => {
    const g = gate();
    fake.fallback(g.route);
    const connector = connectorFor();
    const app: EnvironmentTarget = {
      ...env,
      connection: { kind: 'app', appClientId: 'app-1', hasSecret: true },
    };
    const all = Promise.all([
      ...Array.from({ length: 6 }, () => connector.listCompanies(env)),
      ...Array.from({ length: 6 }, () => connector.listCompanies(app)),
    ]);
    await g.until(10);
    while (g.arrived() < 12) {
      g.releaseAll();
      await new Promise((r) => setImmediate(r));
    }
    g.releaseAll();
    expect((await all).every((r) => r.ok)).toBe(true);
  });
});
