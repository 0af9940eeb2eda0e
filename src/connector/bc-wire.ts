/**
 * Business Central wire shapes (`Bc…`) and their mapping to domain types, done here once. Every
 * response is checked against a schema before it is used: a tenant that sends something else gets
 * a `bc-bad-response`, never a `TypeError` three layers up.
 *
 * Schemas describe only the fields the hub reads (`$select` keeps responses to these); text fields
 * BC might leave out default to `''`, while amounts, dates and keys are required.
 */
import { z } from 'zod';
import { asCompanyId, asUserTaskId } from '../domain/ids.js';
import { moneyFromDecimal, sumMoney, type Money } from '../domain/money.js';
import { isIsoDate } from '../domain/dates.js';
import type {
  AgedLine,
  InvoiceSummary,
  IsoDateTime,
  OpenItem,
  StatementLine,
  TaskPriority,
  TaxInputs,
  TrialBalanceLine,
  UserTask,
} from '../domain/model.js';
import type { CompanyCues, CompanyInfo } from './tenant-connector.js';
import { decodeEnumValue, parseFormattedNumber } from './odata.js';
import { compareDocumentNumbers } from '../domain/names.js';

/** Thrown by the mappers when a response passed its schema but its content makes no sense. */
export class BcWireError extends Error {
  override readonly name = 'BcWireError';
}

const text = z.string().default('');
/**
 * BC decimals are at most 999,999,999,999.99 in practice; anything far beyond would overflow the
 * integer minor units money is kept in, so it is refused as a bad response.
 */
const amount = z.number().min(-1e15).max(1e15);
const isoDate = z.string().refine(isIsoDate, { message: 'expected a YYYY-MM-DD date' });
/** Amounts BC formats as text on some pages (trial balance) and as numbers on others. */
const numberOrText = z.union([z.number(), z.string()]);
const optionalNumberOrText = numberOrText.nullish();

// ---------------------------------------------------------------------------------------------
// Envelopes

/** `{"error":{"code","message"}}`, BC's error body. */
export const bcErrorBody = z.object({
  error: z.object({ code: z.string().default(''), message: z.string().default('') }),
});
export type BcErrorBody = z.infer<typeof bcErrorBody>;

/** A collection page: `value` and the opaque `@odata.nextLink`. */
export const bcCollection = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().nullish(),
});
export type BcCollection = z.infer<typeof bcCollection>;

/** JSON `$batch` response: `{"responses":[{"id","status","headers","body"}]}`. */
export const bcBatchResponse = z.object({
  responses: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).nullish(),
      status: z.number().int(),
      headers: z.record(z.string(), z.unknown()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});
export type BcBatchResponse = z.infer<typeof bcBatchResponse>;

// ---------------------------------------------------------------------------------------------
// API v2.0 entities

/** `companies` rows (API v2.0). */
export const bcCompany = z.object({ id: z.string().min(1), name: z.string(), displayName: text });
export type BcCompany = z.infer<typeof bcCompany>;

/** `companyInformation` with `$select=currencyCode`: the local currency. */
export const bcCompanyInformation = z.object({ currencyCode: text });
export type BcCompanyInformation = z.infer<typeof bcCompanyInformation>;

/** The `$select` that asks for exactly a schema's fields, in the order the schema lists them. */
function selectOf(schema: z.ZodObject): string {
  return Object.keys(schema.shape).join(',');
}

/**
 * An invoice row for the drill-downs: its party's fields and the amount the hub shows differ
 * between sales and purchases; the rest, and the order, are the same.
 */
function invoiceRow<Party extends z.ZodRawShape, Amount extends z.ZodRawShape>(
  party: Party,
  shownAmount: Amount,
) {
  return z.object({
    id: z.string().min(1),
    number: text,
    ...party,
    dueDate: isoDate,
    postingDate: isoDate,
    ...shownAmount,
    currencyCode: text,
    status: text,
  });
}

/** An open item for the forecast: when it is due, what is owed, in which currency. */
function openItem<Amount extends z.ZodRawShape>(owed: Amount) {
  return z.object({ dueDate: isoDate, ...owed, currencyCode: text });
}

/** `salesInvoices` rows for the drill-downs. */
export const bcSalesInvoice = invoiceRow(
  { customerNumber: text, customerName: text },
  { remainingAmount: amount },
);
export type BcSalesInvoice = z.infer<typeof bcSalesInvoice>;
/** `$select` matching {@link bcSalesInvoice}. */
export const SALES_INVOICE_SELECT = selectOf(bcSalesInvoice);

/** `purchaseInvoices` rows for the drill-downs (no `remainingAmount` in BC). */
export const bcPurchaseInvoice = invoiceRow(
  { vendorNumber: text, vendorName: text },
  { totalAmountIncludingTax: amount },
);
export type BcPurchaseInvoice = z.infer<typeof bcPurchaseInvoice>;
/** `$select` matching {@link bcPurchaseInvoice}. */
export const PURCHASE_INVOICE_SELECT = selectOf(bcPurchaseInvoice);

/** `salesInvoices`/`purchaseInvoices` with `$select=totalTaxAmount,status`. */
export const bcInvoiceTax = z.object({ totalTaxAmount: amount, status: text });
export type BcInvoiceTax = z.infer<typeof bcInvoiceTax>;
/** `$select` matching {@link bcInvoiceTax}. */
export const INVOICE_TAX_SELECT = selectOf(bcInvoiceTax);

/** Open receivables for the forecast. */
export const bcOpenSalesItem = openItem({ remainingAmount: amount });
export type BcOpenSalesItem = z.infer<typeof bcOpenSalesItem>;
/** `$select` matching {@link bcOpenSalesItem}. */
export const OPEN_SALES_SELECT = selectOf(bcOpenSalesItem);

/** Open payables for the forecast (invoice totals). */
export const bcOpenPurchaseItem = openItem({ totalAmountIncludingTax: amount });
export type BcOpenPurchaseItem = z.infer<typeof bcOpenPurchaseItem>;
/** `$select` matching {@link bcOpenPurchaseItem}. */
export const OPEN_PURCHASE_SELECT = selectOf(bcOpenPurchaseItem);

/** `balanceSheets`, `incomeStatements`, `cashFlowStatements` lines. */
export const bcStatementLine = z.object({
  lineNumber: z.number().int(),
  display: text,
  balance: optionalNumberOrText,
  netChange: optionalNumberOrText,
  lineType: text,
  indentation: z.number().int().nullish(),
});
export type BcStatementLine = z.infer<typeof bcStatementLine>;

/** `trialBalances`: amounts arrive as formatted text (`"72,893.84"`). */
export const bcTrialBalance = z.object({
  number: text,
  display: text,
  accountType: text,
  totalDebit: optionalNumberOrText,
  totalCredit: optionalNumberOrText,
  balanceAtDateDebit: optionalNumberOrText,
  balanceAtDateCredit: optionalNumberOrText,
});
export type BcTrialBalance = z.infer<typeof bcTrialBalance>;

/** `agedAccountsReceivables` (customer…) and `agedAccountsPayables` (vendor…). */
export const bcAgedAccount = z.object({
  customerNumber: z.string().nullish(),
  vendorNumber: z.string().nullish(),
  name: text,
  currencyCode: text,
  balanceDue: numberOrText,
  currentAmount: optionalNumberOrText,
  period1Amount: optionalNumberOrText,
  period2Amount: optionalNumberOrText,
  period3Amount: optionalNumberOrText,
  period1Label: z.string().nullish(),
  period2Label: z.string().nullish(),
  period3Label: z.string().nullish(),
  agedAsOfDate: z.string().nullish(),
  periodLengthFilter: z.string().nullish(),
});
export type BcAgedAccount = z.infer<typeof bcAgedAccount>;

// ---------------------------------------------------------------------------------------------
// ODataV4 Accountant Portal services

const cueField = z.union([z.string(), z.number()]).nullish();

/** `AccountantPortalActivityCues` (page 1314): padded text `…Amount` plus newer `…Decimal`. */
export const bcActivityCues = z.object({
  OverduePurchInvoiceAmount: cueField,
  OverduePurchInvoiceAmountDecimal: amount.nullish(),
  OverdueSalesInvoiceAmount: cueField,
  OverdueSalesInvoiceAmountDecimal: amount.nullish(),
  PurchInvoicesDueNextWeekAmount: cueField,
  SalesInvoicesDueNextWeekAmount: cueField,
  OngoingSalesInvoicesAmount: cueField,
  OngoingSalesQuotesAmount: cueField,
  OngoingSalesOrdersAmount: cueField,
  CurrencySymbol: z.string().nullish(),
});
export type BcActivityCues = z.infer<typeof bcActivityCues>;

/** `AccountantPortalFinanceCues` (page 1315). */
export const bcFinanceCues = z.object({
  OverduePurchaseDocumentsAmount: cueField,
  OverdueSalesDocumentsAmount: cueField,
  CashAccountsBalanceAmount: cueField,
  CashAccountsBalanceAmountDecimal: amount.nullish(),
  CurrencySymbol: z.string().nullish(),
});
export type BcFinanceCues = z.infer<typeof bcFinanceCues>;

/** `AccountantPortalUserTasks` (page 1316): the caller's pending tasks. */
export const bcUserTask = z.object({
  ID: z.number().int().positive(),
  Title: text,
  Due_DateTime: z.string().nullish(),
  Start_DateTime: z.string().nullish(),
  Created_DateTime: z.string().nullish(),
  Created_By_Name: text.nullable(),
  Percent_Complete: z.number().nullish(),
  Priority: z.union([z.string(), z.number()]).nullish(),
  Link: z.string().nullish(),
});
export type BcUserTask = z.infer<typeof bcUserTask>;

// ---------------------------------------------------------------------------------------------
// Mapping to the domain

/** A company as the registry keeps it; a blank display name falls back to the name. */
export function toCompanyInfo(c: BcCompany): CompanyInfo {
  return { id: asCompanyId(c.id), name: c.name, displayName: c.displayName || c.name };
}

/**
 * The company's local currency. BC leaves `currencyCode` blank when General Ledger Setup names
 * none; `XXX` is ISO 4217's "no currency", so amounts still carry a code.
 */
export function localCurrencyOf(info: BcCompanyInformation): string {
  const code = info.currencyCode.trim().toUpperCase();
  return code === '' ? 'XXX' : code;
}

/** A cue's value: the `…Decimal` field when BC sends one, else its padded text. */
export function cueValue(
  name: string,
  textValue: string | number | null | undefined,
  decimal?: number | null,
): number {
  if (typeof decimal === 'number' && Number.isFinite(decimal)) return decimal;
  if (textValue === null || textValue === undefined) return 0;
  const parsed = typeof textValue === 'number' ? textValue : parseFormattedNumber(textValue);
  if (parsed === null) {
    throw new BcWireError(
      `cue ${name} is not a number: ${JSON.stringify(String(textValue).slice(0, 40))}`,
    );
  }
  if (!Number.isFinite(parsed) || Math.abs(parsed) > 1e15) {
    throw new BcWireError(`${name} is out of range`);
  }
  return parsed;
}

function cueCount(name: string, textValue: string | number | null | undefined): number {
  return Math.max(0, Math.round(cueValue(name, textValue)));
}

/** The dashboard cues of one company, amounts in the local currency. */
export function toCompanyCues(
  activity: BcActivityCues,
  finance: BcFinanceCues,
  currency: string,
): CompanyCues {
  const amount = (name: string, t: string | number | null | undefined, d?: number | null): Money =>
    moneyFromDecimal(cueValue(name, t, d), currency);
  return {
    currency,
    overdueSalesInvoiceAmount: amount(
      'OverdueSalesInvoiceAmount',
      activity.OverdueSalesInvoiceAmount,
      activity.OverdueSalesInvoiceAmountDecimal,
    ),
    overduePurchaseInvoiceAmount: amount(
      'OverduePurchInvoiceAmount',
      activity.OverduePurchInvoiceAmount,
      activity.OverduePurchInvoiceAmountDecimal,
    ),
    cashAccountsBalance: amount(
      'CashAccountsBalanceAmount',
      finance.CashAccountsBalanceAmount,
      finance.CashAccountsBalanceAmountDecimal,
    ),
    ongoingSalesQuotes: cueCount('OngoingSalesQuotesAmount', activity.OngoingSalesQuotesAmount),
    ongoingSalesOrders: cueCount('OngoingSalesOrdersAmount', activity.OngoingSalesOrdersAmount),
    ongoingSalesInvoices: cueCount(
      'OngoingSalesInvoicesAmount',
      activity.OngoingSalesInvoicesAmount,
    ),
    salesInvoicesDueNextWeek: cueCount(
      'SalesInvoicesDueNextWeekAmount',
      activity.SalesInvoicesDueNextWeekAmount,
    ),
    purchaseInvoicesDueNextWeek: cueCount(
      'PurchInvoicesDueNextWeekAmount',
      activity.PurchInvoicesDueNextWeekAmount,
    ),
    overdueSalesDocuments: cueCount(
      'OverdueSalesDocumentsAmount',
      finance.OverdueSalesDocumentsAmount,
    ),
    overduePurchaseDocuments: cueCount(
      'OverduePurchaseDocumentsAmount',
      finance.OverduePurchaseDocumentsAmount,
    ),
  };
}

/** The cash balance alone, for the forecast. */
export function toCashBalance(finance: BcFinanceCues, currency: string): Money {
  return moneyFromDecimal(
    cueValue(
      'CashAccountsBalanceAmount',
      finance.CashAccountsBalanceAmount,
      finance.CashAccountsBalanceAmountDecimal,
    ),
    currency,
  );
}

/** `YYYY-MM-DDTHH:MM:SS[.mmm]Z` with a day of 01–28, hours 00–23, minutes and seconds 00–59. */
const PLAIN_INSTANT =
  /^(\d{4}-(\d{2})-(0\d|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)(\.\d{3})?Z$/;

/**
 * A BC DateTime as an ISO instant, or `null` for BC's empty value (`0001-01-01T00:00:00Z`, the
 * year-1 "0DT") and for anything unreadable.
 */
export function toInstant(value: string | null | undefined): IsoDateTime | null {
  if (!value) return null;
  if (/^0001-01-01/.test(value)) return null;
  // BC's usual `2025-01-31T09:30:00Z` (or with milliseconds), on a day every month has: already
  // what `toISOString` would give, once it carries milliseconds. Anything else goes through Date.
  const m = PLAIN_INSTANT.exec(value);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1) {
    return `${m[1]}${m[4] ?? '.000'}Z`;
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Page 1170's Priority option `,Low,Normal,High`; blank arrives as `_x0020_`, `''` or `0`. */
export function toTaskPriority(value: string | number | null | undefined): TaskPriority {
  if (value === null || value === undefined) return 'none';
  const v = typeof value === 'number' ? String(value) : decodeEnumValue(value).toLowerCase();
  switch (v) {
    case 'low':
    case '1':
      return 'low';
    case 'normal':
    case '2':
      return 'normal';
    case 'high':
    case '3':
      return 'high';
    default:
      return 'none';
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * A task's deep link as BC sends it, when it is a web link: the tab and the bot render it as a
 * clickable link, so anything else (`javascript:`, plain http to a remote host) is replaced.
 */
export function safeWebLink(value: string | null | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol === 'https:') return url.toString();
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return url.toString();
  return null;
}

/** One task of page 1316 in domain form; the fallback link is built only when it is needed. */
export function toUserTask(t: BcUserTask, fallbackLink: string | (() => string)): UserTask {
  const percent = t.Percent_Complete ?? 0;
  return {
    id: asUserTaskId(t.ID),
    title: t.Title,
    dueAt: toInstant(t.Due_DateTime),
    startAt: toInstant(t.Start_DateTime),
    createdAt: toInstant(t.Created_DateTime),
    createdBy: t.Created_By_Name ?? '',
    percentComplete: Math.min(100, Math.max(0, Math.round(percent))),
    priority: toTaskPriority(t.Priority),
    link: safeWebLink(t.Link) ?? (typeof fallbackLink === 'string' ? fallbackLink : fallbackLink()),
  };
}

/** Pending tasks only: page 1316 already filters, but a finished task must never show as due. */
export function toPendingUserTasks(
  tasks: readonly BcUserTask[],
  fallbackLink: (id: number) => string,
): UserTask[] {
  return tasks
    .filter((t) => (t.Percent_Complete ?? 0) < 100)
    .map((t) => toUserTask(t, () => fallbackLink(t.ID)));
}

/** `NAV.invoiceEntityAggregateStatus` (`_x0020_`, Draft, In_x0020_Review, Open, Paid, Canceled, Corrective). */
export function toInvoiceStatus(wire: string): InvoiceSummary['status'] {
  switch (decodeEnumValue(wire).toLowerCase()) {
    case 'draft':
      return 'draft';
    case 'in review':
      return 'in-review';
    case 'open':
      return 'open';
    case 'paid':
      return 'paid';
    case 'canceled':
      return 'canceled';
    case 'corrective':
      return 'corrective';
    default:
      return 'none';
  }
}

/** Posted invoices count for tax: Open, Paid and Corrective; not drafts, not canceled ones. */
export function isPostedForTax(wire: string): boolean {
  const s = toInvoiceStatus(wire);
  return s === 'open' || s === 'paid' || s === 'corrective';
}

/** A document's currency: its own code, or the company's when BC leaves it blank (LCY). */
function currencyOfDocument(code: string, lcy: string): string {
  const c = code.trim().toUpperCase();
  return c === '' ? lcy : c;
}

/** A sales invoice for the details pane; the amount is what is still owed. */
export function toSalesInvoiceSummary(i: BcSalesInvoice, lcy: string): InvoiceSummary {
  return {
    id: i.id,
    number: i.number,
    partnerNumber: i.customerNumber,
    partnerName: i.customerName,
    dueDate: i.dueDate,
    postingDate: i.postingDate,
    amount: moneyFromDecimal(i.remainingAmount, currencyOfDocument(i.currencyCode, lcy)),
    amountKind: 'remaining',
    status: toInvoiceStatus(i.status),
  };
}

/** A purchase invoice for the details pane; the amount is its total including tax. */
export function toPurchaseInvoiceSummary(i: BcPurchaseInvoice, lcy: string): InvoiceSummary {
  return {
    id: i.id,
    number: i.number,
    partnerNumber: i.vendorNumber,
    partnerName: i.vendorName,
    dueDate: i.dueDate,
    postingDate: i.postingDate,
    amount: moneyFromDecimal(i.totalAmountIncludingTax, currencyOfDocument(i.currencyCode, lcy)),
    amountKind: 'total',
    status: toInvoiceStatus(i.status),
  };
}

/** Oldest due first, then by number, so lists read the same on every refresh. */
export function byDueDate(a: InvoiceSummary, b: InvoiceSummary): number {
  return a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.number.localeCompare(b.number);
}

/** Sales and purchase tax of posted invoices, summed in cents. */
export function toTaxInputs(
  sales: readonly BcInvoiceTax[],
  purchases: readonly BcInvoiceTax[],
  currency: string,
): TaxInputs {
  const postedSales = sales.filter((s) => isPostedForTax(s.status));
  const postedPurchases = purchases.filter((p) => isPostedForTax(p.status));
  return {
    currency,
    salesTax: sumMoney(
      postedSales.map((s) => moneyFromDecimal(s.totalTaxAmount, currency)),
      currency,
    ),
    purchaseTax: sumMoney(
      postedPurchases.map((p) => moneyFromDecimal(p.totalTaxAmount, currency)),
      currency,
    ),
    salesInvoiceCount: postedSales.length,
    purchaseInvoiceCount: postedPurchases.length,
  };
}

/** Open receivables with something still owed. */
export function toReceivables(items: readonly BcOpenSalesItem[], lcy: string): OpenItem[] {
  return items
    .filter((i) => i.remainingAmount !== 0)
    .map((i) => ({
      dueDate: i.dueDate,
      amount: moneyFromDecimal(i.remainingAmount, currencyOfDocument(i.currencyCode, lcy)),
    }));
}

/** Open payables (invoice totals: BC keeps no remaining amount on purchase invoices). */
export function toPayables(items: readonly BcOpenPurchaseItem[], lcy: string): OpenItem[] {
  return items
    .filter((i) => i.totalAmountIncludingTax !== 0)
    .map((i) => ({
      dueDate: i.dueDate,
      amount: moneyFromDecimal(i.totalAmountIncludingTax, currencyOfDocument(i.currencyCode, lcy)),
    }));
}

/** A statement amount: a JSON number, or text as the trial balance sends it. */
export function statementAmount(name: string, value: string | number | null | undefined): number {
  return cueValue(name, value);
}

/** Account-schedule lines in BC's line order. */
export function toStatementLines(
  lines: readonly BcStatementLine[],
  amountField: 'balance' | 'netChange',
): StatementLine[] {
  return [...lines]
    .sort((a, b) => a.lineNumber - b.lineNumber)
    .map((l) => ({
      lineNumber: l.lineNumber,
      label: l.display,
      amount: statementAmount(amountField, l[amountField]),
      lineType: l.lineType,
      indentation: l.indentation ?? 0,
    }));
}

/** Trial balance lines by account number, text amounts parsed. */
export function toTrialBalanceLines(lines: readonly BcTrialBalance[]): TrialBalanceLine[] {
  return [...lines]
    .sort((a, b) => compareDocumentNumbers(a.number, b.number))
    .map((l) => ({
      accountNumber: l.number,
      accountName: l.display,
      accountType: decodeEnumValue(l.accountType),
      totalDebit: statementAmount('totalDebit', l.totalDebit),
      totalCredit: statementAmount('totalCredit', l.totalCredit),
      balanceAtDateDebit: statementAmount('balanceAtDateDebit', l.balanceAtDateDebit),
      balanceAtDateCredit: statementAmount('balanceAtDateCredit', l.balanceAtDateCredit),
    }));
}

/** Aged receivables/payables lines by partner number. */
export function toAgedLines(lines: readonly BcAgedAccount[], lcy: string): AgedLine[] {
  return lines
    .map((l) => ({
      partnerNumber: l.customerNumber ?? l.vendorNumber ?? '',
      name: l.name,
      currency: currencyOfDocument(l.currencyCode, lcy),
      balanceDue: statementAmount('balanceDue', l.balanceDue),
      current: statementAmount('currentAmount', l.currentAmount),
      period1: statementAmount('period1Amount', l.period1Amount),
      period2: statementAmount('period2Amount', l.period2Amount),
      period3: statementAmount('period3Amount', l.period3Amount),
    }))
    .sort((a, b) => compareDocumentNumbers(a.partnerNumber, b.partnerNumber));
}

/**
 * Column labels of an aged report: BC's own when the lines carry them, else derived from the
 * period length (`30D` → `1-30 days`, `31-60 days`, `Over 60 days`).
 */
export function agedPeriodLabels(
  lines: readonly BcAgedAccount[],
  periodLength: string,
): readonly [string, string, string] {
  const first = lines[0];
  if (first?.period1Label && first.period2Label && first.period3Label) {
    return [first.period1Label, first.period2Label, first.period3Label];
  }
  const m = /^(\d+)D$/i.exec(periodLength);
  const days = m ? Number(m[1]) : 30;
  return [`1-${days} days`, `${days + 1}-${2 * days} days`, `Over ${2 * days} days`];
}

// ---------------------------------------------------------------------------------------------
// Parsing, with hand-written fast paths for the shapes every refresh reads

/**
 * Checks for the schemas a refresh runs thousands of times (batch envelopes, pages, tax rows,
 * cues, tasks). Each returns the parsed value when the input is plainly valid, and `undefined`
 * when in any doubt, in which case the zod schema decides, so error messages and edge cases stay
 * the schema's. A fast check must never accept what its schema refuses, nor return a different
 * value (`tests/connector/bc-wire.test.ts` compares them).
 */
const fastPaths = new WeakMap<z.ZodType, (value: unknown) => unknown>();

function withFastPath<S extends z.ZodType>(
  schema: S,
  fast: (value: unknown) => z.output<S> | undefined,
): void {
  fastPaths.set(schema, fast);
}

type Fields = Record<string, unknown>;

const isFields = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a flat object's field is checked, mirroring the zod field it stands for. */
type FieldCheck =
  /** `text`: a string, `''` when absent. */
  | 'text'
  /** `text.nullable()`: a string or null, `''` when absent. */
  | 'text-or-null'
  /** `z.string().min(1)` */
  | 'id'
  /** `amount` */
  | 'amount'
  /** `amount.nullish()` */
  | 'amount?'
  /** `isoDate` */
  | 'date'
  /** `z.string().nullish()` */
  | 'string?'
  /** `z.number().nullish()` */
  | 'number?'
  /** `z.number().int().positive()` */
  | 'positive-int'
  /** `z.union([z.string(), z.number()]).nullish()` */
  | 'string-or-number?';

const isAmount = (v: unknown): v is number => typeof v === 'number' && v >= -1e15 && v <= 1e15;

/** A fast check for a flat object of the given fields; unknown fields are dropped, as zod does. */
function flatObject(
  fields: Readonly<Record<string, FieldCheck>>,
): (value: unknown) => Fields | undefined {
  const entries = Object.entries(fields);
  return (value) => {
    if (!isFields(value)) return undefined;
    const out: Fields = {};
    for (const [name, check] of entries) {
      const v = value[name];
      switch (check) {
        case 'text':
          if (v === undefined) out[name] = '';
          else if (typeof v === 'string') out[name] = v;
          else return undefined;
          break;
        case 'text-or-null':
          if (v === undefined) out[name] = '';
          else if (typeof v === 'string' || v === null) out[name] = v;
          else return undefined;
          break;
        case 'id':
          if (typeof v !== 'string' || v.length === 0) return undefined;
          out[name] = v;
          break;
        case 'amount':
          if (!isAmount(v)) return undefined;
          out[name] = v;
          break;
        case 'date':
          if (typeof v !== 'string' || !isIsoDate(v)) return undefined;
          out[name] = v;
          break;
        case 'positive-int':
          if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) return undefined;
          out[name] = v;
          break;
        case 'amount?':
          if (v === undefined) break;
          if (v !== null && !isAmount(v)) return undefined;
          out[name] = v;
          break;
        case 'string?':
          if (v === undefined) break;
          if (v !== null && typeof v !== 'string') return undefined;
          out[name] = v;
          break;
        case 'number?':
          if (v === undefined) break;
          if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) return undefined;
          out[name] = v;
          break;
        case 'string-or-number?':
          if (v === undefined) break;
          if (v !== null && typeof v !== 'string' && (typeof v !== 'number' || !Number.isFinite(v)))
            return undefined;
          out[name] = v;
          break;
      }
    }
    return out;
  };
}

withFastPath(bcCollection, (value) => {
  if (!isFields(value) || !Array.isArray(value.value)) return undefined;
  const next = value['@odata.nextLink'];
  if (next === undefined) return { value: value.value };
  if (next !== null && typeof next !== 'string') return undefined;
  return { value: value.value, '@odata.nextLink': next };
});

withFastPath(bcBatchResponse, (value) => {
  if (!isFields(value) || !Array.isArray(value.responses)) return undefined;
  const responses: BcBatchResponse['responses'] = [];
  for (const part of value.responses as unknown[]) {
    if (!isFields(part)) return undefined;
    const { id, status, headers, body } = part;
    if (typeof status !== 'number' || !Number.isSafeInteger(status)) return undefined;
    if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number')
      return undefined;
    if (typeof id === 'number' && !Number.isFinite(id)) return undefined;
    if (headers !== undefined && headers !== null && !isFields(headers)) return undefined;
    const out: BcBatchResponse['responses'][number] = { status };
    if (id !== undefined) out.id = id as string | number | null;
    if (headers !== undefined) out.headers = headers as Record<string, unknown> | null;
    if ('body' in part) out.body = body;
    responses.push(out);
  }
  return { responses };
});

withFastPath(
  bcCompanyInformation,
  flatObject({ currencyCode: 'text' }) as (v: unknown) => BcCompanyInformation | undefined,
);
withFastPath(
  bcInvoiceTax,
  flatObject({ totalTaxAmount: 'amount', status: 'text' }) as (
    v: unknown,
  ) => BcInvoiceTax | undefined,
);
withFastPath(
  bcSalesInvoice,
  flatObject({
    id: 'id',
    number: 'text',
    customerNumber: 'text',
    customerName: 'text',
    dueDate: 'date',
    postingDate: 'date',
    remainingAmount: 'amount',
    currencyCode: 'text',
    status: 'text',
  }) as (v: unknown) => BcSalesInvoice | undefined,
);
withFastPath(
  bcPurchaseInvoice,
  flatObject({
    id: 'id',
    number: 'text',
    vendorNumber: 'text',
    vendorName: 'text',
    dueDate: 'date',
    postingDate: 'date',
    totalAmountIncludingTax: 'amount',
    currencyCode: 'text',
    status: 'text',
  }) as (v: unknown) => BcPurchaseInvoice | undefined,
);
withFastPath(
  bcActivityCues,
  flatObject({
    OverduePurchInvoiceAmount: 'string-or-number?',
    OverduePurchInvoiceAmountDecimal: 'amount?',
    OverdueSalesInvoiceAmount: 'string-or-number?',
    OverdueSalesInvoiceAmountDecimal: 'amount?',
    PurchInvoicesDueNextWeekAmount: 'string-or-number?',
    SalesInvoicesDueNextWeekAmount: 'string-or-number?',
    OngoingSalesInvoicesAmount: 'string-or-number?',
    OngoingSalesQuotesAmount: 'string-or-number?',
    OngoingSalesOrdersAmount: 'string-or-number?',
    CurrencySymbol: 'string?',
  }) as (v: unknown) => BcActivityCues | undefined,
);
withFastPath(
  bcFinanceCues,
  flatObject({
    OverduePurchaseDocumentsAmount: 'string-or-number?',
    OverdueSalesDocumentsAmount: 'string-or-number?',
    CashAccountsBalanceAmount: 'string-or-number?',
    CashAccountsBalanceAmountDecimal: 'amount?',
    CurrencySymbol: 'string?',
  }) as (v: unknown) => BcFinanceCues | undefined,
);
withFastPath(
  bcUserTask,
  flatObject({
    ID: 'positive-int',
    Title: 'text',
    Due_DateTime: 'string?',
    Start_DateTime: 'string?',
    Created_DateTime: 'string?',
    Created_By_Name: 'text-or-null',
    Percent_Complete: 'number?',
    Priority: 'string-or-number?',
    Link: 'string?',
  }) as (v: unknown) => BcUserTask | undefined,
);

/** The fast check registered for `schema`, if any (tests compare it with the schema). */
export function fastPathOf(schema: z.ZodType): ((value: unknown) => unknown) | undefined {
  return fastPaths.get(schema);
}

/** Parses `value` with `schema`, or throws a {@link BcWireError} naming what was wrong. */
export function parseWire<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const fast = fastPaths.get(schema)?.(value);
  if (fast !== undefined) return fast as T;
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new BcWireError(`${what}: ${issue?.message ?? 'unexpected shape'}${where}`);
  }
  return r.data;
}

/** `value` parsed with `schema`, or `null` when it does not fit. */
export function tryParseWire<T>(schema: z.ZodType<T>, value: unknown): T | null {
  const fast = fastPaths.get(schema)?.(value);
  if (fast !== undefined) return fast as T;
  const r = schema.safeParse(value);
  return r.success ? r.data : null;
}
