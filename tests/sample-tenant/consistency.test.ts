import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addDays } from '../../src/domain/dates.js';
import {
  defaultSampleTenantId,
  startSampleTenant,
  type GeneratedCompany,
  type SampleTenant,
} from '../../src/sample-tenant/index.js';
import {
  apiRoot,
  cents,
  companySegment,
  cueCount,
  cueTextCents,
  fixedNow,
  odataRoot,
  q,
  request,
  sumCents,
  today,
  valueOf,
  type Row,
} from './support.js';

let tenant: SampleTenant;
let companies: readonly GeneratedCompany[];

beforeAll(async () => {
  // A few more companies than the default, so hard cases (legacy cues, foreign currency) recur.
  tenant = await startSampleTenant({
    now: fixedNow,
    fleet: {
      tenants: [
        { id: defaultSampleTenantId, environments: [{ name: 'production', companies: 6 }] },
      ],
    },
  });
  companies = tenant.fleet.environment(defaultSampleTenantId, 'production')?.companies ?? [];
});
afterAll(async () => {
  await tenant.close();
});

async function rowsOf(
  company: GeneratedCompany,
  set: string,
  options: Record<string, string> = {},
): Promise<Row[]> {
  const r = await request(
    `${apiRoot(tenant)}/companies(${company.id})/${set}${Object.keys(options).length ? q(options) : ''}`,
  );
  if (r.status !== 200) throw new Error(`${set}: ${r.status} ${JSON.stringify(r.body)}`);
  return valueOf(r);
}

async function cuesOf(company: GeneratedCompany): Promise<{ activity: Row; finance: Row }> {
  const base = `${odataRoot(tenant)}/${companySegment(company.name)}`;
  const activity = valueOf(await request(`${base}/AccountantPortalActivityCues`))[0] as Row;
  const finance = valueOf(await request(`${base}/AccountantPortalFinanceCues`))[0] as Row;
  return { activity, finance };
}

/** A cue amount in cents: the decimal field when present, else the padded text. */
function cueAmount(row: Row, name: string): number {
  const decimal = row[`${name}AmountDecimal`];
  const fromText = cueTextCents(row[`${name}Amount`]);
  if (typeof decimal === 'number') expect(cents(decimal)).toBe(fromText);
  return fromText;
}

const nextWeek = { from: addDays(today, 1), to: addDays(today, 7) };

describe('cues agree with the drill-downs', () => {
  it('overdue sales amount = Σ remainingAmount of open sales invoices due before today', async () => {
    for (const c of companies) {
      const { activity } = await cuesOf(c);
      const overdue = await rowsOf(c, 'salesInvoices', {
        $filter: `status eq 'Open' and dueDate lt ${today}`,
      });
      expect(overdue.length).toBeGreaterThan(0);
      expect(cueAmount(activity, 'OverdueSalesInvoice')).toBe(sumCents(overdue, 'remainingAmount'));
      expect(cueAmount(activity, 'OverdueSalesInvoice')).toBe(
        tenant.fleet.cues(c).overdueSalesInvoiceAmount,
      );
    }
  });

  it('overdue purchase amount = Σ totalAmountIncludingTax of open purchase invoices due before today', async () => {
    for (const c of companies) {
      const { activity, finance } = await cuesOf(c);
      const overdue = await rowsOf(c, 'purchaseInvoices', {
        $filter: `status eq 'Open' and dueDate lt ${today}`,
      });
      expect(overdue.length).toBeGreaterThan(0);
      expect(cueAmount(activity, 'OverduePurchInvoice')).toBe(
        sumCents(overdue, 'totalAmountIncludingTax'),
      );
      expect(cueCount(finance['OverduePurchaseDocumentsAmount'])).toBe(overdue.length);
    }
  });

  it('invoices due next week are counted over today+1 … today+7', async () => {
    for (const c of companies) {
      const { activity } = await cuesOf(c);
      const window = `status eq 'Open' and dueDate ge ${nextWeek.from} and dueDate le ${nextWeek.to}`;
      const purchases = await rowsOf(c, 'purchaseInvoices', { $filter: window });
      const sales = await rowsOf(c, 'salesInvoices', { $filter: window });
      expect(purchases.length).toBeGreaterThan(0);
      expect(cueCount(activity['PurchInvoicesDueNextWeekAmount'])).toBe(purchases.length);
      expect(cueCount(activity['SalesInvoicesDueNextWeekAmount'])).toBe(sales.length);
    }
  });

  it('ongoing quotes, orders and invoices count the unposted sales documents', async () => {
    for (const c of companies) {
      const { activity } = await cuesOf(c);
      expect(cueCount(activity['OngoingSalesQuotesAmount'])).toBe(
        (await rowsOf(c, 'salesQuotes')).length,
      );
      expect(cueCount(activity['OngoingSalesOrdersAmount'])).toBe(
        (await rowsOf(c, 'salesOrders')).length,
      );
      const drafts = await rowsOf(c, 'salesInvoices', {
        $filter: "status eq 'Draft' or status eq 'In_x0020_Review'",
      });
      expect(drafts.length).toBeGreaterThan(0);
      expect(cueCount(activity['OngoingSalesInvoicesAmount'])).toBe(drafts.length);
    }
  });

  it('overdue sales documents count the open sales invoices due before today', async () => {
    for (const c of companies) {
      const { finance } = await cuesOf(c);
      const overdue = await rowsOf(c, 'salesInvoices', {
        $filter: `status eq 'Open' and dueDate lt ${today}`,
      });
      expect(cueCount(finance['OverdueSalesDocumentsAmount'])).toBe(overdue.length);
    }
  });

  it('cash accounts balance = Σ of the cash G/L accounts = the ledger = the balance sheet', async () => {
    for (const c of companies) {
      const { finance } = await cuesOf(c);
      const cash = cueAmount(finance, 'CashAccountsBalance');
      const accounts = await rowsOf(c, 'accounts', {
        $filter: "subCategory eq 'Cash' and accountType eq 'Posting'",
      });
      expect(accounts.length).toBe(3);
      expect(sumCents(accounts, 'netChange')).toBe(cash);
      const numbers = new Set(accounts.map((a) => a['number']));
      const entries = (await rowsOf(c, 'generalLedgerEntries')).filter((e) =>
        numbers.has(e['accountNumber']),
      );
      expect(sumCents(entries, 'debitAmount') - sumCents(entries, 'creditAmount')).toBe(cash);
      const sheet = await rowsOf(c, 'balanceSheets', { $filter: `dateFilter eq ${today}` });
      expect(cents(sheet.find((l) => l['display'] === 'Cash')?.['balance'])).toBe(cash);
    }
  });

  it('formats cue amounts with the company currency symbol', async () => {
    const foreign = companies.find((c) => c.currencyCode !== 'USD');
    expect(foreign).toBeDefined();
    if (!foreign) return;
    const { activity } = await cuesOf(foreign);
    expect(
      String(activity['OverdueSalesInvoiceAmount']).trim().startsWith(foreign.currencySymbol),
    ).toBe(true);
    const info = (await rowsOf(foreign, 'companyInformation'))[0] as Row;
    expect(info['currencyCode']).toBe(foreign.currencyCode);
  });
});

describe('reports agree with the documents and the ledger', () => {
  it('aged receivables sum to the open receivables, with the overdue part in the periods', async () => {
    for (const c of companies) {
      const aged = await rowsOf(c, 'agedAccountsReceivables');
      const open = await rowsOf(c, 'salesInvoices', { $filter: "status eq 'Open'" });
      expect(sumCents(aged, 'balanceDue')).toBe(sumCents(open, 'remainingAmount'));
      const overdue = open.filter((i) => String(i['dueDate']) < today);
      const periods =
        sumCents(aged, 'period1Amount') +
        sumCents(aged, 'period2Amount') +
        sumCents(aged, 'period3Amount');
      expect(periods).toBe(sumCents(overdue, 'remainingAmount'));
      for (const row of aged) {
        expect(row['period1Label']).toBe('1-30 Days');
        expect(row['agedAsOfDate']).toBe(today);
      }
      const customers = await rowsOf(c, 'customers');
      expect(sumCents(customers, 'balanceDue')).toBe(sumCents(open, 'remainingAmount'));
    }
  });

  it('aged payables sum to the open purchase invoices and honour an as-of date and period length', async () => {
    const c = companies[0] as GeneratedCompany;
    const aged = await rowsOf(c, 'agedAccountsPayables');
    const open = await rowsOf(c, 'purchaseInvoices', { $filter: "status eq 'Open'" });
    expect(sumCents(aged, 'balanceDue')).toBe(sumCents(open, 'totalAmountIncludingTax'));
    const weekly = await rowsOf(c, 'agedAccountsPayables', {
      $filter: `agedAsOfDate eq ${today} and periodLengthFilter eq '1W'`,
    });
    expect(weekly[0]?.['period1Label']).toBe('1-7 Days');
    expect(weekly[0]?.['periodLengthFilter']).toBe('1W');
    const bad = await request(
      `${apiRoot(tenant)}/companies(${c.id})/agedAccountsPayables${q({ $filter: "periodLengthFilter eq 'soon'" })}`,
    );
    expect(bad.status).toBe(400);
  });

  it('the balance sheet balances', async () => {
    for (const c of companies) {
      const lines = await rowsOf(c, 'balanceSheets', { $filter: `dateFilter eq ${today}` });
      const line = (name: string): number =>
        cents(lines.find((l) => l['display'] === name)?.['balance']);
      expect(line('Total Assets')).toBe(line('Total Liabilities and Equity'));
      expect(line('Total Assets')).toBeGreaterThan(0);
      expect(line('Accounts Payable')).toBe(
        sumCents(
          await rowsOf(c, 'purchaseInvoices', { $filter: "status eq 'Open'" }),
          'totalAmountIncludingTax',
        ),
      );
    }
  });

  it("the cash-flow statement's net change is the change of cash, and its net income the income statement's", async () => {
    const from = '2025-01-01';
    for (const c of companies) {
      const filter = { $filter: `dateFilter ge ${from} and dateFilter le ${today}` };
      const flow = await rowsOf(c, 'cashFlowStatements', filter);
      const income = await rowsOf(c, 'incomeStatements', filter);
      const flowLine = (name: string): number =>
        cents(flow.find((l) => l['display'] === name)?.['netChange']);
      const incomeLine = (name: string): number =>
        cents(income.find((l) => l['display'] === name)?.['netChange']);
      expect(flowLine('Net Income')).toBe(incomeLine('Net Income'));
      const start = await rowsOf(c, 'balanceSheets', {
        $filter: `dateFilter eq ${addDays(from, -1)}`,
      });
      const end = await rowsOf(c, 'balanceSheets', { $filter: `dateFilter eq ${today}` });
      const cashAt = (lines: Row[]): number =>
        cents(lines.find((l) => l['display'] === 'Cash')?.['balance']);
      expect(flowLine('Net Change in Cash')).toBe(cashAt(end) - cashAt(start));
      expect(flowLine('Cash at End of Period')).toBe(cashAt(end));
      for (const l of flow) expect(l['dateFilter']).toBe(today);
    }
  });

  it('the trial balance debits equal its credits', async () => {
    for (const c of companies) {
      const lines = await rowsOf(c, 'trialBalances', {
        $filter: `dateFilter ge 2025-01-01 and dateFilter le ${today}`,
      });
      const posting = lines.filter((l) => l['accountType'] === 'Posting');
      const amount = (l: Row, f: string): number =>
        Math.round(Number(String(l[f]).replace(/,/g, '')) * 100);
      const sum = (f: string): number => posting.reduce((s, l) => s + amount(l, f), 0);
      expect(sum('balanceAtDateDebit')).toBe(sum('balanceAtDateCredit'));
      expect(sum('totalDebit')).toBe(sum('totalCredit'));
    }
  });

  it('posted invoices carry their tax, and the ledger posts it to the tax accounts', async () => {
    const c = companies[0] as GeneratedCompany;
    const invoices = await rowsOf(c, 'salesInvoices', {
      $filter: "status eq 'Open' or status eq 'Paid'",
    });
    for (const i of invoices) {
      expect(cents(i['totalAmountIncludingTax'])).toBe(
        cents(i['totalAmountExcludingTax']) + cents(i['totalTaxAmount']),
      );
      expect(cents(i['totalTaxAmount'])).toBeGreaterThan(0);
    }
    const entries = await rowsOf(c, 'generalLedgerEntries', {
      $filter: "accountNumber eq '20200'",
    });
    expect(sumCents(entries, 'creditAmount')).toBe(sumCents(invoices, 'totalTaxAmount'));
  });
});

describe('user tasks', () => {
  it("lists only the accountant's pending tasks: one overdue, one due today, none of another user's", async () => {
    for (const c of companies) {
      const rows = valueOf(
        await request(`${odataRoot(tenant)}/${companySegment(c.name)}/AccountantPortalUserTasks`),
      );
      const t = tenant.fleet.tenant(defaultSampleTenantId);
      for (const row of rows) {
        expect(row['Assigned_To']).toBe(t?.accountantUserId);
        expect(row['Percent_Complete']).toBeLessThan(100);
      }
      const generated = tenant.fleet.books(c).tasks;
      const others = generated.filter((g) => g.assignedTo === t?.otherUserId).map((g) => g.id);
      const done = generated.filter((g) => g.percentComplete === 100).map((g) => g.id);
      expect(others.length).toBeGreaterThan(0);
      expect(done.length).toBeGreaterThan(0);
      const ids = rows.map((r) => r['ID']);
      for (const id of [...others, ...done]) expect(ids).not.toContain(id);
      expect(ids).toEqual(tenant.fleet.myPendingTasks(c).map((task) => task.id));
      const due = rows.map((r) => String(r['Due_DateTime']));
      expect(due.some((d) => d !== '0001-01-01T00:00:00Z' && d < fixedNow().toISOString())).toBe(
        true,
      );
      expect(due.some((d) => d.startsWith(today) && d > fixedNow().toISOString())).toBe(true);
      expect(rows.some((r) => r['User_Task_Group_Assigned_To'] === 'FINANCE')).toBe(true);
    }
  });
});

describe('determinism', () => {
  it('gives the same data for the same seed and day, and other data for another seed', async () => {
    const twin = await startSampleTenant({
      now: fixedNow,
      fleet: {
        tenants: [
          { id: defaultSampleTenantId, environments: [{ name: 'production', companies: 6 }] },
        ],
      },
    });
    const other = await startSampleTenant({ now: fixedNow, seed: 2 });
    try {
      const c = companies[1] as GeneratedCompany;
      for (const set of ['salesInvoices', 'generalLedgerEntries', 'customers']) {
        const a = await request(`${apiRoot(tenant)}/companies(${c.id})/${set}`);
        const b = await request(`${apiRoot(twin)}/companies(${c.id})/${set}`);
        expect(JSON.stringify(b.body['value'])).toBe(JSON.stringify(a.body['value']));
      }
      const cuesA = await request(
        `${odataRoot(tenant)}/${companySegment(c.name)}/AccountantPortalFinanceCues`,
      );
      const cuesB = await request(
        `${odataRoot(twin)}/${companySegment(c.name)}/AccountantPortalFinanceCues`,
      );
      expect(cuesB.body['value']).toEqual(cuesA.body['value']);
      const otherIds = other.fleet.companies().map((x) => x.id);
      expect(otherIds).not.toContain(c.id);
    } finally {
      await twin.close();
      await other.close();
    }
  });

  it('dates the data relative to the clock: a later today still has something overdue and due next week', async () => {
    const later = await startSampleTenant({ now: () => new Date('2031-07-01T08:00:00Z') });
    try {
      const c = later.fleet.companies()[0] as GeneratedCompany;
      expect(c.id).toBe(tenant.fleet.companies()[0]?.id);
      const cues = later.fleet.cues(c);
      expect(cues.overdueSalesInvoiceAmount).toBeGreaterThan(0);
      expect(cues.purchaseInvoicesDueNextWeek).toBeGreaterThan(0);
      const overdue = valueOf(
        await request(
          `${apiRoot(later)}/companies(${c.id})/salesInvoices${q({ $filter: "status eq 'Open' and dueDate lt 2031-07-01" })}`,
        ),
      );
      expect(sumCents(overdue, 'remainingAmount')).toBe(cues.overdueSalesInvoiceAmount);
      for (const i of valueOf(
        await request(`${apiRoot(later)}/companies(${c.id})/salesInvoices`),
      )) {
        expect(String(i['postingDate']) <= '2031-07-01').toBe(true);
      }
    } finally {
      await later.close();
    }
  });
});
