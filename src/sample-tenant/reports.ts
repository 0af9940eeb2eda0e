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

function sumRole(
  books: CompanyBooks,
  changes: Map<string, number>,
  roles: readonly AccountRole[],
): number {
  return books.accounts
    .filter((a) => a.accountType === 'Posting' && roles.includes(a.role))
    .reduce((s, a) => s + (changes.get(a.number) ?? 0), 0);
}

function byNumber(changes: Map<string, number>, number: string): number {
  return changes.get(number) ?? 0;
}

const profitAndLossRoles: readonly AccountRole[] = ['revenue', 'cogs', 'expense'];

/** Balance sheet at `date`; liabilities and equity are shown as positive amounts. */
export function balanceSheet(books: CompanyBooks, date: IsoDate): StatementLineRecord[] {
  const bal = netChanges(books.glEntries, null, date);
  const cash = sumRole(books, bal, ['cash']);
  const receivables = sumRole(books, bal, ['receivables']);
  const otherCurrent = sumRole(books, bal, ['inputTax']);
  const fixed = sumRole(books, bal, ['equipment', 'accumulatedDepreciation']);
  const totalAssets = cash + receivables + otherCurrent + fixed;
  const payables = -sumRole(books, bal, ['payables']);
  const taxPayable = -sumRole(books, bal, ['taxPayable']);
  const totalLiabilities = payables + taxPayable;
  const capital = -sumRole(books, bal, ['capital']);
  const retained =
    -sumRole(books, bal, ['retainedEarnings']) - sumRole(books, bal, profitAndLossRoles);
  const totalEquity = capital + retained;
  return numbered([
    ['Assets', 'header', 0, 0],
    ['Cash', 'detail', 1, cash],
    ['Accounts Receivable', 'detail', 1, receivables],
    ['Other Current Assets', 'detail', 1, otherCurrent],
    ['Fixed Assets', 'detail', 1, fixed],
    ['Total Assets', 'total', 0, totalAssets],
    ['Liabilities', 'header', 0, 0],
    ['Accounts Payable', 'detail', 1, payables],
    ['Sales Tax Payable', 'detail', 1, taxPayable],
    ['Total Liabilities', 'total', 0, totalLiabilities],
    ['Equity', 'header', 0, 0],
    ["Owner's Capital", 'detail', 1, capital],
    ['Retained Earnings', 'detail', 1, retained],
    ['Total Equity', 'total', 0, totalEquity],
    ['Total Liabilities and Equity', 'total', 0, totalLiabilities + totalEquity],
  ]);
}

/** Income statement for the period: income and costs as positive amounts, net income last. */
export function incomeStatement(
  books: CompanyBooks,
  from: IsoDate,
  to: IsoDate,
): StatementLineRecord[] {
  const nc = netChanges(books.glEntries, from, to);
  const services = -byNumber(nc, '40100');
  const products = -byNumber(nc, '40200');
  const income = services + products;
  const materials = byNumber(nc, '50100');
  const expenseLines = books.accounts
    .filter((a) => a.accountType === 'Posting' && a.role === 'expense')
    .map((a): LineSpec => [a.name, 'detail', 1, byNumber(nc, a.number)]);
  const expenses = expenseLines.reduce((s, l) => s + l[3], 0);
  const gross = income - materials;
  return numbered([
    ['Income', 'header', 0, 0],
    ['Sales, Services', 'detail', 1, services],
    ['Sales, Products', 'detail', 1, products],
    ['Total Income', 'total', 0, income],
    ['Cost of Goods Sold', 'header', 0, 0],
    ['Cost of Materials', 'detail', 1, materials],
    ['Total Cost of Goods Sold', 'total', 0, materials],
    ['Gross Profit', 'total', 0, gross],
    ['Expenses', 'header', 0, 0],
    ...expenseLines,
    ['Total Expenses', 'total', 0, expenses],
    ['Net Income', 'total', 0, gross - expenses],
  ]);
}

/** Indirect-method cash-flow statement; its net change equals the change of the cash accounts. */
export function cashFlowStatement(
  books: CompanyBooks,
  from: IsoDate,
  to: IsoDate,
): StatementLineRecord[] {
  const nc = netChanges(books.glEntries, from, to);
  const netIncome = -sumRole(books, nc, profitAndLossRoles);
  const depreciation = -sumRole(books, nc, ['accumulatedDepreciation']);
  const receivables = -sumRole(books, nc, ['receivables']);
  const otherCurrent = -sumRole(books, nc, ['inputTax']);
  const payables = -sumRole(books, nc, ['payables']);
  const taxPayable = -sumRole(books, nc, ['taxPayable']);
  const operating = netIncome + depreciation + receivables + otherCurrent + payables + taxPayable;
  const investing = -sumRole(books, nc, ['equipment']);
  const financing = -sumRole(books, nc, ['capital', 'retainedEarnings']);
  const opening = sumRole(books, netChanges(books.glEntries, null, plusDays(from, -1)), ['cash']);
  const change = operating + investing + financing;
  return numbered([
    ['Operating Activities', 'header', 0, 0],
    ['Net Income', 'detail', 1, netIncome],
    ['Depreciation', 'detail', 1, depreciation],
    ['Accounts Receivable', 'detail', 1, receivables],
    ['Other Current Assets', 'detail', 1, otherCurrent],
    ['Accounts Payable', 'detail', 1, payables],
    ['Sales Tax Payable', 'detail', 1, taxPayable],
    ['Net Cash from Operating Activities', 'total', 0, operating],
    ['Investing Activities', 'header', 0, 0],
    ['Equipment', 'detail', 1, investing],
    ['Net Cash from Investing Activities', 'total', 0, investing],
    ['Financing Activities', 'header', 0, 0],
    ["Owner's Capital", 'detail', 1, financing],
    ['Net Cash from Financing Activities', 'total', 0, financing],
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
