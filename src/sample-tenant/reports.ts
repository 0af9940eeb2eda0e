/**
 * Figures computed from a company's books: the Accountant Portal cues, aged receivables and
 * payables, trial balance and the account-schedule statements. Each is computed from the same
 * documents and ledger the drill-down endpoints return, so they agree by construction
 * (e.g. overdue sales amount = Σ `remainingAmount` of open sales invoices due before today).
 */
import { daysFrom, plusDays } from './days.js';
import type { IsoDate } from '../domain/model.js';
import type {
  Account,
  AccountRole,
  CompanyBooks,
  GlEntry,
  OtherCueCounts,
  Party,
} from './books.js';

/** The cue values of a company, in cents for amounts. */
export interface SampleCues extends OtherCueCounts {
  readonly currencyCode: string;
  readonly currencySymbol: string;
  readonly overdueSalesInvoiceAmount: number;
  readonly overduePurchaseInvoiceAmount: number;
  readonly cashAccountsBalance: number;
  readonly salesInvoicesDueNextWeek: number;
  readonly purchaseInvoicesDueNextWeek: number;
  readonly ongoingSalesInvoices: number;
  readonly ongoingPurchaseInvoices: number;
  readonly ongoingSalesQuotes: number;
  readonly ongoingSalesOrders: number;
  readonly overdueSalesDocuments: number;
  readonly overduePurchaseDocuments: number;
  readonly purchaseDocumentsDueToday: number;
  readonly salesThisMonth: number;
  readonly top10CustomerSalesYtd: number;
  /** Average days from posting to payment of invoices paid in the last 90 days. */
  readonly averageCollectionDays: number;
  readonly customersBlocked: number;
  readonly vendorsPaymentsOnHold: number;
  readonly lastDepreciationDate: IsoDate | null;
  readonly contactName: string;
}

const isUnposted = (status: string): boolean => status === 'Draft' || status === 'In_x0020_Review';

/** The Accountant Portal cue values of the books (definitions in the reference, section 4). */
export function computeCues(books: CompanyBooks): SampleCues {
  const today = books.today;
  const nextWeekFrom = plusDays(today, 1);
  const nextWeekTo = plusDays(today, 7);
  const openSales = books.salesInvoices.filter((i) => i.status === 'Open');
  const openPurchases = books.purchaseInvoices.filter((i) => i.status === 'Open');
  const overdueSales = openSales.filter((i) => i.dueDate < today);
  const overduePurchases = openPurchases.filter((i) => i.dueDate < today);
  const purchaseTotal = (i: { amountExcludingTax: number; taxAmount: number }): number =>
    i.amountExcludingTax + i.taxAmount;
  const monthStart = `${today.slice(0, 7)}-01`;
  const yearStart = `${today.slice(0, 4)}-01-01`;
  const posted = books.salesInvoices.filter((i) => i.status === 'Open' || i.status === 'Paid');

  const salesByCustomer = new Map<string, number>();
  for (const inv of posted) {
    if (inv.postingDate < yearStart || inv.postingDate > today) continue;
    salesByCustomer.set(
      inv.customer.id,
      (salesByCustomer.get(inv.customer.id) ?? 0) + inv.amountExcludingTax,
    );
  }
  const top10 = [...salesByCustomer.values()]
    .sort((a, b) => b - a)
    .slice(0, 10)
    .reduce((s, v) => s + v, 0);

  const collectionFrom = plusDays(today, -90);
  const collectionDays: number[] = [];
  for (const inv of books.salesInvoices) {
    if (inv.status !== 'Paid') continue;
    const last = inv.payments[inv.payments.length - 1];
    if (last && last.date >= collectionFrom)
      collectionDays.push(daysFrom(inv.postingDate, last.date));
  }
  const averageCollectionDays =
    collectionDays.length === 0
      ? 0
      : Math.round((collectionDays.reduce((s, d) => s + d, 0) / collectionDays.length) * 10) / 10;

  const cashAccounts = new Set(
    books.accounts.filter((a) => a.role === 'cash').map((a) => a.number),
  );
  let cash = 0;
  let lastDepreciation: IsoDate | null = null;
  for (const e of books.glEntries) {
    if (e.postingDate > today) continue;
    if (cashAccounts.has(e.accountNumber)) cash += e.debit - e.credit;
    if (
      e.documentNumber.startsWith('DEPR') &&
      (lastDepreciation === null || e.postingDate > lastDepreciation)
    ) {
      lastDepreciation = e.postingDate;
    }
  }

  return {
    ...books.otherCues,
    currencyCode: books.company.currencyCode,
    currencySymbol: books.company.currencySymbol,
    overdueSalesInvoiceAmount: overdueSales.reduce((s, i) => s + i.remainingAmount, 0),
    overduePurchaseInvoiceAmount: overduePurchases.reduce((s, i) => s + purchaseTotal(i), 0),
    cashAccountsBalance: cash,
    salesInvoicesDueNextWeek: openSales.filter(
      (i) => i.dueDate >= nextWeekFrom && i.dueDate <= nextWeekTo,
    ).length,
    purchaseInvoicesDueNextWeek: openPurchases.filter(
      (i) => i.dueDate >= nextWeekFrom && i.dueDate <= nextWeekTo,
    ).length,
    ongoingSalesInvoices: books.salesInvoices.filter((i) => isUnposted(i.status)).length,
    ongoingPurchaseInvoices: books.purchaseInvoices.filter((i) => isUnposted(i.status)).length,
    ongoingSalesQuotes: books.salesQuotes.length,
    ongoingSalesOrders: books.salesOrders.length,
    overdueSalesDocuments: overdueSales.length,
    overduePurchaseDocuments: overduePurchases.length,
    purchaseDocumentsDueToday: openPurchases.filter((i) => i.dueDate <= today).length,
    salesThisMonth: posted
      .filter((i) => i.postingDate >= monthStart && i.postingDate <= today)
      .reduce((s, i) => s + i.amountExcludingTax, 0),
    top10CustomerSalesYtd: top10,
    averageCollectionDays,
    customersBlocked: books.customers.filter((c) => c.blocked !== '_x0020_').length,
    vendorsPaymentsOnHold: books.vendors.filter((v) => v.blocked === 'Payment').length,
    lastDepreciationDate: lastDepreciation,
    contactName: books.info.contactPerson,
  };
}

// ---------------------------------------------------------------------------------------------
// Aged receivables and payables

export interface AgedRow {
  readonly party: Party;
  readonly balanceDue: number;
  readonly current: number;
  readonly period1: number;
  readonly period2: number;
  readonly period3: number;
}

export interface AgedReport {
  readonly asOf: IsoDate;
  readonly periodLength: string;
  readonly labels: readonly [string, string, string];
  readonly rows: readonly AgedRow[];
}

/** Days in one aging period for BC date formulas `30D`, `2W`, `1M` (a month counts 30 days). */
export function periodLengthDays(formula: string): number | null {
  const m = /^(\d{1,3})([DWM])$/i.exec(formula.trim());
  if (!m) return null;
  const n = Number(m[1]);
  if (n < 1) return null;
  const unit = (m[2] ?? 'D').toUpperCase();
  return unit === 'D' ? n : unit === 'W' ? n * 7 : n * 30;
}

/** Aged receivables or payables per customer/vendor, from the open invoices posted by `asOf`. */
export function agedReport(
  books: CompanyBooks,
  kind: 'receivables' | 'payables',
  asOf: IsoDate,
  periodLength: string,
): AgedReport {
  const days = periodLengthDays(periodLength) ?? 30;
  const items =
    kind === 'receivables'
      ? books.salesInvoices
          .filter((i) => i.status === 'Open' && i.postingDate <= asOf)
          .map((i) => ({ party: i.customer, dueDate: i.dueDate, amount: i.remainingAmount }))
      : books.purchaseInvoices
          .filter((i) => i.status === 'Open' && i.postingDate <= asOf)
          .map((i) => ({
            party: i.vendor,
            dueDate: i.dueDate,
            amount: i.amountExcludingTax + i.taxAmount,
          }));
  const byParty = new Map<
    string,
    { party: Party; b: number; c: number; p1: number; p2: number; p3: number }
  >();
  for (const item of items) {
    const row = byParty.get(item.party.id) ?? {
      party: item.party,
      b: 0,
      c: 0,
      p1: 0,
      p2: 0,
      p3: 0,
    };
    const overdue = daysFrom(item.dueDate, asOf);
    row.b += item.amount;
    if (overdue <= 0) row.c += item.amount;
    else if (overdue <= days) row.p1 += item.amount;
    else if (overdue <= 2 * days) row.p2 += item.amount;
    else row.p3 += item.amount;
    byParty.set(item.party.id, row);
  }
  const rows = [...byParty.values()]
    .sort((a, b) => Number(a.party.number) - Number(b.party.number))
    .map((r) => ({
      party: r.party,
      balanceDue: r.b,
      current: r.c,
      period1: r.p1,
      period2: r.p2,
      period3: r.p3,
    }));
  return {
    asOf,
    periodLength: periodLength.toUpperCase(),
    labels: [`1-${days} Days`, `${days + 1}-${2 * days} Days`, `Over ${2 * days} Days`],
    rows,
  };
}

// ---------------------------------------------------------------------------------------------
// Ledger balances and statements

/** Σ (debit − credit) per account for entries posted in [from, to] (`from` null = since the start). */
export function netChanges(
  entries: readonly GlEntry[],
  from: IsoDate | null,
  to: IsoDate,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entries) {
    if (e.postingDate > to || (from !== null && e.postingDate < from)) continue;
    out.set(e.accountNumber, (out.get(e.accountNumber) ?? 0) + e.debit - e.credit);
  }
  return out;
}

/** An account's (debit − credit) amount; totals sum the posting accounts in their range. */
export function accountAmount(
  account: Account,
  accounts: readonly Account[],
  changes: Map<string, number>,
): number {
  if (account.accountType === 'Posting') return changes.get(account.number) ?? 0;
  if (account.totaling === null) return 0;
  const [lo, hi] = account.totaling;
  return accounts
    .filter((a) => a.accountType === 'Posting' && a.number >= lo && a.number <= hi)
    .reduce((s, a) => s + (changes.get(a.number) ?? 0), 0);
}

export interface StatementLineRecord {
  readonly lineNumber: number;
  readonly display: string;
  readonly amount: number;
  readonly lineType: 'header' | 'detail' | 'total';
  readonly indentation: number;
}

type LineSpec = readonly [
  display: string,
  lineType: 'header' | 'detail' | 'total',
  indentation: number,
  amount: number,
];

function numbered(lines: readonly LineSpec[]): StatementLineRecord[] {
  return lines.map(([display, lineType, indentation, amount], i) => ({
    lineNumber: (i + 1) * 10000,
    display,
    amount,
    lineType,
    indentation,
  }));
}

/** A detail line of a statement section: its caption and amount. */
type Detail = readonly [display: string, amount: number];

/** A section of a statement: its lines (header, details, total) and the total. */
interface Section {
  readonly lines: readonly LineSpec[];
  readonly total: number;
}

/** A header, its indented detail lines, and a total line that sums them. */
function section(header: string, details: readonly Detail[], totalCaption: string): Section {
  const total = details.reduce((s, [, amount]) => s + amount, 0);
  return {
    lines: [
      [header, 'header', 0, 0],
      ...details.map(([display, amount]): LineSpec => [display, 'detail', 1, amount]),
      [totalCaption, 'total', 0, total],
    ],
    total,
  };
}

function sumRole(
  books: CompanyBooks,
  changes: Map<string, number>,
  roles: readonly AccountRole[],
): number {
  return books.accounts
    .filter((a) => a.accountType === 'Posting' && roles.includes(a.role))
    .reduce((s, a) => s + (changes.get(a.number) ?? 0), 0);
}

/**
 * Detail lines that sum the posting accounts of roles, times `sign`: −1 shows credit balances
 * (liabilities, equity, income) and decreases of assets as positive amounts.
 */
function roleDetails(
  books: CompanyBooks,
  changes: Map<string, number>,
  sign: 1 | -1,
  lines: readonly (readonly [display: string, roles: readonly AccountRole[]])[],
): Detail[] {
  return lines.map(([display, roles]) => [display, sign * sumRole(books, changes, roles)]);
}

/** One detail line per posting account of `role`, captioned with the account's name. */
function accountDetails(
  books: CompanyBooks,
  changes: Map<string, number>,
  sign: 1 | -1,
  role: AccountRole,
): Detail[] {
  return books.accounts
    .filter((a) => a.accountType === 'Posting' && a.role === role)
    .map((a) => [a.name, sign * (changes.get(a.number) ?? 0)]);
}

const profitAndLossRoles: readonly AccountRole[] = ['revenue', 'cogs', 'expense'];

/** Balance sheet at `date`; liabilities and equity are shown as positive amounts. */
export function balanceSheet(books: CompanyBooks, date: IsoDate): StatementLineRecord[] {
  const bal = netChanges(books.glEntries, null, date);
  const assets = section(
    'Assets',
    roleDetails(books, bal, 1, [
      ['Cash', ['cash']],
      ['Accounts Receivable', ['receivables']],
      ['Other Current Assets', ['inputTax']],
      ['Fixed Assets', ['equipment', 'accumulatedDepreciation']],
    ]),
    'Total Assets',
  );
  const liabilities = section(
    'Liabilities',
    roleDetails(books, bal, -1, [
      ['Accounts Payable', ['payables']],
      ['Sales Tax Payable', ['taxPayable']],
    ]),
    'Total Liabilities',
  );
  // Retained earnings include this year's profit: the P&L accounts are not closed yet.
  const equity = section(
    'Equity',
    roleDetails(books, bal, -1, [
      ["Owner's Capital", ['capital']],
      ['Retained Earnings', ['retainedEarnings', ...profitAndLossRoles]],
    ]),
    'Total Equity',
  );
  return numbered([
    ...assets.lines,
    ...liabilities.lines,
    ...equity.lines,
    ['Total Liabilities and Equity', 'total', 0, liabilities.total + equity.total],
  ]);
}

/** Income statement for the period: income and costs as positive amounts, net income last. */
export function incomeStatement(
  books: CompanyBooks,
  from: IsoDate,
  to: IsoDate,
): StatementLineRecord[] {
  const nc = netChanges(books.glEntries, from, to);
  const income = section('Income', accountDetails(books, nc, -1, 'revenue'), 'Total Income');
  const costs = section(
    'Cost of Goods Sold',
    accountDetails(books, nc, 1, 'cogs'),
    'Total Cost of Goods Sold',
  );
  const expenses = section('Expenses', accountDetails(books, nc, 1, 'expense'), 'Total Expenses');
  const gross = income.total - costs.total;
  return numbered([
    ...income.lines,
    ...costs.lines,
    ['Gross Profit', 'total', 0, gross],
    ...expenses.lines,
    ['Net Income', 'total', 0, gross - expenses.total],
  ]);
}

/** Indirect-method cash-flow statement; its net change equals the change of the cash accounts. */
export function cashFlowStatement(
  books: CompanyBooks,
  from: IsoDate,
  to: IsoDate,
): StatementLineRecord[] {
  const nc = netChanges(books.glEntries, from, to);
  // Every line is the negated change of its accounts: cash rises as assets fall and credits grow.
  const operating = section(
    'Operating Activities',
    roleDetails(books, nc, -1, [
      ['Net Income', profitAndLossRoles],
      ['Depreciation', ['accumulatedDepreciation']],
      ['Accounts Receivable', ['receivables']],
      ['Other Current Assets', ['inputTax']],
      ['Accounts Payable', ['payables']],
      ['Sales Tax Payable', ['taxPayable']],
    ]),
    'Net Cash from Operating Activities',
  );
  const investing = section(
    'Investing Activities',
    roleDetails(books, nc, -1, [['Equipment', ['equipment']]]),
    'Net Cash from Investing Activities',
  );
  const financing = section(
    'Financing Activities',
    roleDetails(books, nc, -1, [["Owner's Capital", ['capital', 'retainedEarnings']]]),
    'Net Cash from Financing Activities',
  );
  const opening = sumRole(books, netChanges(books.glEntries, null, plusDays(from, -1)), ['cash']);
  const change = operating.total + investing.total + financing.total;
  return numbered([
    ...operating.lines,
    ...investing.lines,
    ...financing.lines,
    ['Net Change in Cash', 'total', 0, change],
    ['Cash at Beginning of Period', 'detail', 0, opening],
    ['Cash at End of Period', 'total', 0, opening + change],
  ]);
}

export interface TrialBalanceRecord {
  readonly account: Account;
  /** Net change in the period (debit − credit). */
  readonly netChange: number;
  /** Balance at the period's end (debit − credit). */
  readonly balance: number;
}

/** Net change in [from, to] and balance at `to` for every account (totals summed). */
export function trialBalance(
  books: CompanyBooks,
  from: IsoDate,
  to: IsoDate,
): TrialBalanceRecord[] {
  const nc = netChanges(books.glEntries, from, to);
  const bal = netChanges(books.glEntries, null, to);
  return books.accounts.map((account) => ({
    account,
    netChange: accountAmount(account, books.accounts, nc),
    balance: accountAmount(account, books.accounts, bal),
  }));
}
