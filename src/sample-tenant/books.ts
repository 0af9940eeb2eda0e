/**
 * A sample company's books: customers, vendors, sales and purchase documents, a chart of
 * accounts with a general ledger that is posted *from* those documents, and user tasks.
 *
 * Everything is dated relative to "today" and drawn from the company's seed, so the same seed
 * and day give the same books. Amounts are integer cents. The ledger is double-entry and derived
 * from the documents (invoice → receivable/revenue/tax, payment → cash/receivable, …), which is
 * what keeps the cues, the drill-downs and the financial statements in agreement.
 */
import { addMonths } from '../domain/dates.js';
import { daysFrom, plusDays } from './days.js';
import type { IsoDate, IsoDateTime } from '../domain/model.js';
import { currencyProfiles, type GeneratedCompany, type GeneratedTenant } from './fleet.js';
import {
  customerNames,
  firstNames,
  industries,
  lastNames,
  placesByCountry,
  salespeople,
  streets,
  taskTitles,
  userNames,
  vendorNames,
} from './names.js';
import { Rng, hashOf } from './prng.js';

/** BC's empty `Edm.DateTimeOffset` and `Edm.Date` values. */
export const emptyDateTime = '0001-01-01T00:00:00Z';
export const emptyDate = '0001-01-01';
export const emptyGuid = '00000000-0000-0000-0000-000000000000';

/** Enum members exactly as they travel on the wire (`_x0020_` = space). */
export const invoiceStatuses = [
  '_x0020_',
  'Draft',
  'In_x0020_Review',
  'Open',
  'Paid',
  'Canceled',
  'Corrective',
] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];
export const salesOrderStatuses = ['Draft', 'In_x0020_Review', 'Open'] as const;
export type SalesOrderStatus = (typeof salesOrderStatuses)[number];
export const salesQuoteStatuses = ['Draft', 'Sent', 'Accepted', 'Expired_x0020_'] as const;
export type SalesQuoteStatus = (typeof salesQuoteStatuses)[number];
export const customerBlockedValues = ['_x0020_', 'Ship', 'Invoice', 'All'] as const;
export const vendorBlockedValues = ['_x0020_', 'Payment', 'All'] as const;
export const taskPriorities = ['_x0020_', 'Low', 'Normal', 'High'] as const;
export type TaskPriorityWire = (typeof taskPriorities)[number];
export const glDocumentTypes = [
  '_x0020_',
  'Payment',
  'Invoice',
  'Credit_x0020_Memo',
  'Finance_x0020_Charge_x0020_Memo',
  'Reminder',
  'Refund',
] as const;
export type GlDocumentType = (typeof glDocumentTypes)[number];
export const accountCategories = [
  '_x0020_',
  'Assets',
  'Liabilities',
  'Equity',
  'Income',
  'Cost_x0020_of_x0020_Goods_x0020_Sold',
  'Expense',
] as const;
export type AccountCategory = (typeof accountCategories)[number];
export const accountTypes = [
  'Posting',
  'Heading',
  'Total',
  'Begin_x0020_Total',
  'End_x0020_Total',
] as const;
export type AccountType = (typeof accountTypes)[number];

export interface Address {
  readonly line1: string;
  readonly line2: string;
  readonly city: string;
  readonly state: string;
  readonly country: string;
  readonly postCode: string;
}

export interface PaymentTerms {
  readonly id: string;
  readonly code: string;
  readonly days: number;
}

/** A customer or vendor. */
export interface Party {
  readonly id: string;
  readonly number: string;
  readonly name: string;
  readonly type: 'Company' | 'Person';
  readonly contact: string;
  readonly address: Address;
  readonly phone: string;
  readonly email: string;
  readonly website: string;
  /** Wire value of `blocked`. */
  readonly blocked: string;
  readonly creditLimit: number;
  readonly taxLiable: boolean;
  readonly taxRegistrationNumber: string;
  readonly terms: PaymentTerms;
  readonly lastModified: IsoDateTime;
}

export interface Payment {
  readonly date: IsoDate;
  readonly amount: number;
}

export interface SalesInvoice {
  readonly id: string;
  readonly number: string;
  readonly externalDocumentNumber: string;
  readonly invoiceDate: IsoDate;
  readonly postingDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly customer: Party;
  readonly status: InvoiceStatus;
  readonly amountExcludingTax: number;
  readonly taxAmount: number;
  readonly discountAmount: number;
  readonly payments: readonly Payment[];
  /** Total including tax less payments (the unpaid total for drafts, 0 when canceled). */
  readonly remainingAmount: number;
  readonly salesperson: string;
  readonly revenueAccount: string;
  readonly lastModified: IsoDateTime;
}

export interface PurchaseInvoice {
  readonly id: string;
  readonly number: string;
  readonly vendorInvoiceNumber: string;
  readonly invoiceDate: IsoDate;
  readonly postingDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly vendor: Party;
  readonly status: InvoiceStatus;
  readonly amountExcludingTax: number;
  readonly taxAmount: number;
  readonly discountAmount: number;
  /** Open purchase invoices are wholly unpaid; paid ones have one payment. */
  readonly paidOn: IsoDate | null;
  readonly expenseAccount: string;
  readonly purchaser: string;
  readonly lastModified: IsoDateTime;
}

export interface SalesQuote {
  readonly id: string;
  readonly number: string;
  readonly documentDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly validUntilDate: IsoDate;
  readonly sentDate: IsoDateTime;
  readonly acceptedDate: IsoDate;
  readonly customer: Party;
  readonly status: SalesQuoteStatus;
  readonly amountExcludingTax: number;
  readonly taxAmount: number;
  readonly salesperson: string;
  readonly lastModified: IsoDateTime;
}

export interface SalesOrder {
  readonly id: string;
  readonly number: string;
  readonly orderDate: IsoDate;
  readonly postingDate: IsoDate;
  readonly requestedDeliveryDate: IsoDate;
  readonly customer: Party;
  readonly status: SalesOrderStatus;
  readonly amountExcludingTax: number;
  readonly taxAmount: number;
  readonly partialShipping: boolean;
  readonly salesperson: string;
  readonly lastModified: IsoDateTime;
}

/** What an account is for, so the statements know where it belongs. */
export type AccountRole =
  | 'heading'
  | 'total'
  | 'cash'
  | 'receivables'
  | 'inputTax'
  | 'equipment'
  | 'accumulatedDepreciation'
  | 'payables'
  | 'taxPayable'
  | 'capital'
  | 'retainedEarnings'
  | 'revenue'
  | 'cogs'
  | 'expense';

export interface Account {
  readonly id: string;
  readonly number: string;
  readonly name: string;
  readonly category: AccountCategory;
  readonly subCategory: string;
  readonly accountType: AccountType;
  readonly role: AccountRole;
  /** For totals: the account-number range summed (inclusive). */
  readonly totaling: readonly [string, string] | null;
  readonly lastModified: IsoDateTime;
}

/** A G/L entry; its id and timestamp are derived when rendered (few clients read the ledger). */
export interface GlEntry {
  readonly entryNumber: number;
  readonly postingDate: IsoDate;
  readonly documentNumber: string;
  readonly documentType: GlDocumentType;
  readonly accountNumber: string;
  readonly description: string;
  readonly debit: number;
  readonly credit: number;
}

/** A row of BC table 1170 "User Task". */
export interface UserTaskRecord {
  readonly id: number;
  readonly title: string;
  /** ISO datetime, or null when the task has no due date. */
  readonly dueAt: IsoDateTime | null;
  readonly startAt: IsoDateTime | null;
  readonly createdAt: IsoDateTime;
  readonly createdBy: string;
  /** As generated; completing a task through the API is tracked by the store. */
  readonly percentComplete: number;
  readonly priority: TaskPriorityWire;
  /** User security id, or the empty GUID for a task assigned to a user group. */
  readonly assignedTo: string;
  readonly userTaskGroup: string;
}

export interface CompanyInformation {
  readonly id: string;
  readonly address: Address;
  readonly phone: string;
  readonly fax: string;
  readonly email: string;
  readonly website: string;
  readonly taxRegistrationNumber: string;
  readonly industry: string;
  readonly contactPerson: string;
  readonly lastModified: IsoDateTime;
}

/** Counts behind cues the sample has no documents for (incoming documents, approvals, …). */
export interface OtherCueCounts {
  readonly nonAppliedPayments: number;
  readonly purchaseOrders: number;
  readonly requestsToApprove: number;
  readonly requestsSentForApproval: number;
  readonly salesInvPendDocExchange: number;
  readonly salesCrMPendDocExchange: number;
  readonly myIncomingDocuments: number;
  readonly incDocAwaitingVerification: number;
  readonly purchaseDiscountsNextWeek: number;
  readonly posPendingApproval: number;
  readonly sosPendingApproval: number;
  readonly approvedSalesOrders: number;
  readonly approvedPurchaseOrders: number;
  readonly purchaseReturnOrders: number;
  readonly salesReturnOrders: number;
  readonly newIncomingDocuments: number;
  readonly approvedIncomingDocuments: number;
  readonly ocrPending: number;
  readonly ocrCompleted: number;
}

/** Everything one sample company holds, as of `today`; immutable once generated. */
export interface CompanyBooks {
  readonly company: GeneratedCompany;
  readonly today: IsoDate;
  readonly taxRate: number;
  readonly info: CompanyInformation;
  readonly paymentTerms: readonly PaymentTerms[];
  readonly customers: readonly Party[];
  readonly vendors: readonly Party[];
  readonly salesInvoices: readonly SalesInvoice[];
  readonly purchaseInvoices: readonly PurchaseInvoice[];
  readonly salesQuotes: readonly SalesQuote[];
  readonly salesOrders: readonly SalesOrder[];
  readonly accounts: readonly Account[];
  readonly glEntries: readonly GlEntry[];
  readonly tasks: readonly UserTaskRecord[];
  readonly otherCues: OtherCueCounts;
}
/** A line of the chart of accounts: an account without what is drawn per company. */
type ChartLine = Omit<Account, 'id' | 'lastModified'>;

/** A posting account of a category block: number, name, subcategory and what it is for. */
type PostingLine = readonly [number: string, name: string, subCategory: string, role: AccountRole];

function chartLine(
  number: string,
  name: string,
  category: AccountCategory,
  accountType: AccountType,
  role: AccountRole,
  subCategory = '',
  totaling: readonly [string, string] | null = null,
): ChartLine {
  return { number, name, category, subCategory, accountType, role, totaling };
}

/**
 * A category's block as BC numbers it: a Begin-Total line, the posting accounts, and an End-Total
 * line (`TOTAL …`) that sums everything from the Begin-Total to itself.
 */
function categoryBlock(
  category: AccountCategory,
  title: string,
  [begin, end]: readonly [string, string],
  postings: readonly PostingLine[],
): ChartLine[] {
  return [
    chartLine(begin, title, category, 'Begin_x0020_Total', 'heading'),
    ...postings.map(([number, name, subCategory, role]) =>
      chartLine(number, name, category, 'Posting', role, subCategory),
    ),
    chartLine(end, `TOTAL ${title}`, category, 'End_x0020_Total', 'total', '', [begin, end]),
  ];
}

/** A small US-style chart of accounts, in BC's numbering. */
export const chartOfAccounts: readonly ChartLine[] = [
  chartLine('10000', 'BALANCE SHEET', 'Assets', 'Heading', 'heading'),
  ...categoryBlock(
    'Assets',
    'ASSETS',
    ['10001', '19999'],
    [
      ['10100', 'Checking Account', 'Cash', 'cash'],
      ['10200', 'Savings Account', 'Cash', 'cash'],
      ['10300', 'Petty Cash', 'Cash', 'cash'],
      ['10400', 'Accounts Receivable', 'Accounts Receivable', 'receivables'],
      ['10500', 'Purchase Tax Receivable', 'Prepaid Expenses', 'inputTax'],
      ['12100', 'Equipment', 'Equipment', 'equipment'],
      ['12200', 'Accumulated Depreciation', 'Accumulated Depreciation', 'accumulatedDepreciation'],
    ],
  ),
  ...categoryBlock(
    'Liabilities',
    'LIABILITIES',
    ['20001', '29999'],
    [
      ['20100', 'Accounts Payable', 'Current Liabilities', 'payables'],
      ['20200', 'Sales Tax Payable', 'Current Liabilities', 'taxPayable'],
    ],
  ),
  ...categoryBlock(
    'Equity',
    'EQUITY',
    ['30001', '39999'],
    [
      ['30100', "Owner's Capital", 'Common Stock', 'capital'],
      ['30200', 'Retained Earnings', 'Retained Earnings', 'retainedEarnings'],
    ],
  ),
  chartLine('40000', 'INCOME STATEMENT', 'Income', 'Heading', 'heading'),
  ...categoryBlock(
    'Income',
    'INCOME',
    ['40001', '49999'],
    [
      ['40100', 'Sales, Services', 'Income, Services', 'revenue'],
      ['40200', 'Sales, Products', 'Income, Product Sales', 'revenue'],
    ],
  ),
  ...categoryBlock(
    'Cost_x0020_of_x0020_Goods_x0020_Sold',
    'COST OF GOODS SOLD',
    ['50001', '59999'],
    [['50100', 'Cost of Materials', 'Materials', 'cogs']],
  ),
  ...categoryBlock(
    'Expense',
    'EXPENSES',
    ['60001', '69999'],
    [
      ['60100', 'Rent Expense', 'Rent Expense', 'expense'],
      ['60200', 'Salaries', 'Payroll Expense', 'expense'],
      ['60300', 'Utilities', 'Utilities Expense', 'expense'],
      ['60400', 'Office Supplies', 'Office Supplies', 'expense'],
      ['60500', 'Depreciation Expense', 'Depreciation', 'expense'],
    ],
  ),
  chartLine('99999', 'NET INCOME', '_x0020_', 'Total', 'total', '', ['40000', '69999']),
];

/** Account numbers the generator posts to. */
export const ACCOUNT = {
  checking: '10100',
  savings: '10200',
  pettyCash: '10300',
  receivables: '10400',
  inputTax: '10500',
  equipment: '12100',
  accumulatedDepreciation: '12200',
  payables: '20100',
  taxPayable: '20200',
  capital: '30100',
  servicesRevenue: '40100',
  productRevenue: '40200',
  materials: '50100',
  rent: '60100',
  salaries: '60200',
  utilities: '60300',
  officeSupplies: '60400',
  depreciation: '60500',
} as const;

/** Cents from a decimal amount drawn in whole currency units with cents. */
function centsBetween(rng: Rng, minUnits: number, maxUnits: number): number {
  return rng.int(minUnits * 100, maxUnits * 100);
}

function roundCents(x: number): number {
  return Math.round(x);
}

function stamp(rng: Rng, date: IsoDate): IsoDateTime {
  const h = String(rng.int(7, 18)).padStart(2, '0');
  const m = String(rng.int(0, 59)).padStart(2, '0');
  const s = String(rng.int(0, 59)).padStart(2, '0');
  const ms = String(rng.int(0, 999)).padStart(3, '0');
  return `${date}T${h}:${m}:${s}.${ms}Z`;
}

function personName(rng: Rng): string {
  return `${rng.pick(firstNames)} ${rng.pick(lastNames)}`;
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 20) || 'company'
  );
}

function address(rng: Rng, country: string): Address {
  const places = placesByCountry[country] ?? placesByCountry['US'] ?? [];
  const place = rng.pick(places);
  return {
    line1: `${rng.int(1, 999)} ${rng.pick(streets)}`,
    line2: rng.chance(0.2) ? `Suite ${rng.int(100, 900)}` : '',
    city: place.city,
    state: place.state,
    country,
    postCode: place.postCode,
  };
}

function phone(rng: Rng): string {
  return `+1 ${rng.int(200, 989)} ${rng.int(200, 989)} ${String(rng.int(0, 9999)).padStart(4, '0')}`;
}

function taxRegistration(rng: Rng, country: string): string {
  return `${country}${rng.int(100000000, 999999999)}`;
}

function makeParty(
  rng: Rng,
  kind: 'customer' | 'vendor',
  index: number,
  name: string,
  country: string,
  terms: readonly PaymentTerms[],
  today: IsoDate,
): Party {
  const contact = personName(rng);
  const domain = `${slug(name)}.example.com`;
  const blocked =
    kind === 'customer'
      ? rng.weighted<string>([
          ['_x0020_', 90],
          ['Ship', 3],
          ['Invoice', 4],
          ['All', 3],
        ])
      : rng.weighted<string>([
          ['_x0020_', 88],
          ['Payment', 9],
          ['All', 3],
        ]);
  return {
    id: rng.guid(),
    number: String((index + 1) * 10000),
    name,
    type: rng.chance(0.9) ? 'Company' : 'Person',
    contact,
    address: address(rng, country),
    phone: phone(rng),
    email: `${
      contact
        .split(' ')[0]
        ?.toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z]/g, '') ?? 'info'
    }@${domain}`,
    website: `www.${domain}`,
    blocked,
    creditLimit: rng.pick([0, 0, 500000, 1000000, 2500000]),
    taxLiable: rng.chance(0.8),
    taxRegistrationNumber: taxRegistration(rng, country),
    terms: rng.pick(terms),
    lastModified: stamp(rng, plusDays(today, -rng.int(10, 400))),
  };
}

/** Draws names without repeats while the list lasts. */
function uniqueNames(rng: Rng, names: readonly string[], count: number): string[] {
  const shuffled = rng.shuffle(names);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = shuffled[i % shuffled.length] ?? 'Customer';
    out.push(i < shuffled.length ? base : `${base} ${Math.floor(i / shuffled.length) + 1}`);
  }
  return out;
}

function clampToToday(date: IsoDate, today: IsoDate): IsoDate {
  return date > today ? today : date;
}

interface LedgerLine {
  readonly account: string;
  /** Positive = debit, negative = credit. */
  readonly amount: number;
}

class LedgerBuilder {
  private readonly pending: {
    date: IsoDate;
    seq: number;
    documentNumber: string;
    documentType: GlDocumentType;
    description: string;
    lines: readonly LedgerLine[];
  }[] = [];
  private seq = 0;

  post(
    date: IsoDate,
    documentNumber: string,
    documentType: GlDocumentType,
    description: string,
    lines: readonly LedgerLine[],
  ): void {
    const sum = lines.reduce((s, l) => s + l.amount, 0);
    if (sum !== 0) throw new Error(`unbalanced posting ${documentNumber}: ${sum}`);
    this.pending.push({ date, seq: this.seq++, documentNumber, documentType, description, lines });
  }

  build(): GlEntry[] {
    const sorted = [...this.pending].sort((a, b) =>
      a.date === b.date ? a.seq - b.seq : a.date < b.date ? -1 : 1,
    );
    const entries: GlEntry[] = [];
    for (const p of sorted) {
      for (const line of p.lines) {
        if (line.amount === 0) continue;
        entries.push({
          entryNumber: entries.length + 1,
          postingDate: p.date,
          documentNumber: p.documentNumber,
          documentType: p.documentType,
          accountNumber: line.account,
          description: p.description,
          debit: line.amount > 0 ? line.amount : 0,
          credit: line.amount < 0 ? -line.amount : 0,
        });
      }
    }
    return entries;
  }
}

/**
 * Generates a company's books as of `today`. Pure: the same company (seed) and day always give
 * the same books.
 */
export function generateBooks(
  company: GeneratedCompany,
  tenant: GeneratedTenant,
  today: IsoDate,
): CompanyBooks {
  const rng = new Rng(hashOf(company.seed, 'books'));
  const profile = currencyProfiles[company.currencyCode];
  const country = profile.country;
  const taxRate = rng.pick(profile.taxRates);
  const scale = rng.pick([0.5, 1, 1, 2, 4]);

  const paymentTerms: PaymentTerms[] = [
    { id: rng.guid(), code: '14 DAYS', days: 14 },
    { id: rng.guid(), code: '30 DAYS', days: 30 },
    { id: rng.guid(), code: '1M(8D)', days: 45 },
  ];

  const info: CompanyInformation = {
    id: rng.guid(),
    address: address(rng, country),
    phone: phone(rng),
    fax: rng.chance(0.3) ? phone(rng) : '',
    email: `office@${slug(company.name)}.example.com`,
    website: `www.${slug(company.name)}.example.com`,
    taxRegistrationNumber: taxRegistration(rng, country),
    industry: rng.pick(industries),
    contactPerson: personName(rng),
    lastModified: stamp(rng, plusDays(today, -rng.int(30, 700))),
  };

  const customers = uniqueNames(rng, customerNames, rng.int(8, 20)).map((name, i) =>
    makeParty(rng, 'customer', i, name, country, paymentTerms, today),
  );
  const vendors = uniqueNames(rng, vendorNames, rng.int(5, 12)).map((name, i) =>
    makeParty(rng, 'vendor', i, name, country, paymentTerms, today),
  );

  const draw: DocumentDraw = { rng, today, taxRate, scale };
  const salesInvoices = generateSalesInvoices(draw, customers);
  const purchaseInvoices = generatePurchaseInvoices(draw, vendors);
  const salesQuotes = generateQuotes(draw, customers);
  const salesOrders = generateOrders(draw, customers);

  const accounts: Account[] = chartOfAccounts.map((line) => ({
    id: rng.guid(),
    ...line,
    lastModified: stamp(rng, plusDays(today, -rng.int(200, 900))),
  }));

  const glEntries = generateLedger(
    new Rng(hashOf(company.seed, 'ledger')),
    today,
    scale,
    salesInvoices,
    purchaseInvoices,
  );
  const tasks = generateTasks(new Rng(hashOf(company.seed, 'tasks')), tenant, today);

  const small = (max: number): number => (rng.chance(0.5) ? 0 : rng.int(1, max));
  const otherCues: OtherCueCounts = {
    nonAppliedPayments: small(3),
    purchaseOrders: rng.int(0, 6),
    requestsToApprove: small(4),
    requestsSentForApproval: small(3),
    salesInvPendDocExchange: small(2),
    salesCrMPendDocExchange: small(1),
    myIncomingDocuments: small(5),
    incDocAwaitingVerification: small(2),
    purchaseDiscountsNextWeek: small(3),
    posPendingApproval: small(2),
    sosPendingApproval: small(2),
    approvedSalesOrders: small(4),
    approvedPurchaseOrders: small(3),
    purchaseReturnOrders: small(2),
    salesReturnOrders: small(2),
    newIncomingDocuments: small(4),
    approvedIncomingDocuments: small(3),
    ocrPending: small(2),
    ocrCompleted: small(3),
  };

  return {
    company,
    today,
    taxRate,
    info,
    paymentTerms,
    customers,
    vendors,
    salesInvoices,
    purchaseInvoices,
    salesQuotes,
    salesOrders,
    accounts,
    glEntries,
    tasks,
    otherCues,
  };
}

function taxOf(amount: number, rate: number): number {
  return roundCents(amount * rate);
}

/** What drawing a company's documents needs: its random stream, day, tax rate and size. */
interface DocumentDraw {
  readonly rng: Rng;
  readonly today: IsoDate;
  readonly taxRate: number;
  /** Multiplies drawn amounts, so companies range from small to four times the usual size. */
  readonly scale: number;
}

type Range = readonly [min: number, max: number];

/** A net amount in cents: drawn in whole units with cents, scaled to the company's size. */
function drawAmount(rng: Rng, [minUnits, maxUnits]: Range, scale: number): number {
  return roundCents(centsBetween(rng, minUnits, maxUnits) * scale);
}

/** A party and a document date up to `maxAgeDays` before today. */
function drawRecent(
  { rng, today }: DocumentDraw,
  parties: readonly Party[],
  maxAgeDays: number,
): { party: Party; date: IsoDate } {
  const party = rng.pick(parties);
  return { party, date: plusDays(today, -rng.int(0, maxAgeDays)) };
}

/** An invoice's party, dates, status and net amount before its discount. */
interface InvoiceDraw {
  readonly party: Party;
  readonly invoiceDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly status: InvoiceStatus;
  readonly excl: number;
  readonly discount: number;
}

/** How one kind of posted invoice (sales or purchase) is drawn. */
interface PostedInvoiceOdds {
  /** How many days overdue the first invoice is. */
  readonly firstOverdueDays: Range;
  /** Chance of a canceled invoice; absent (no chance drawn at all) for purchases. */
  readonly canceled?: number;
  readonly paidWhenOverdue: number;
  readonly openWhenNotDue: number;
  readonly amountUnits: Range;
  /** Chance of a 2 % discount. */
  readonly discount: number;
}

const salesInvoiceOdds: PostedInvoiceOdds = {
  firstOverdueDays: [3, 45],
  canceled: 0.03,
  paidWhenOverdue: 0.65,
  openWhenNotDue: 0.8,
  amountUnits: [150, 12000],
  discount: 0.15,
};

const purchaseInvoiceOdds: PostedInvoiceOdds = {
  firstOverdueDays: [2, 40],
  paidWhenOverdue: 0.75,
  openWhenNotDue: 0.85,
  amountUnits: [80, 6000],
  discount: 0.1,
};

/**
 * The `i`th posted invoice of a company. The first two are always an overdue open invoice and one
 * due next week, so every company has something on both dashboard columns.
 */
function drawPostedInvoice(
  { rng, today, scale }: DocumentDraw,
  parties: readonly Party[],
  i: number,
  odds: PostedInvoiceOdds,
): InvoiceDraw {
  const party = rng.pick(parties);
  const days = party.terms.days;
  let dueDate: IsoDate;
  if (i === 0) dueDate = plusDays(today, -rng.int(...odds.firstOverdueDays));
  else if (i === 1) dueDate = plusDays(today, rng.int(1, 7));
  else dueDate = plusDays(plusDays(today, -rng.int(0, 150)), days);
  const invoiceDate = clampToToday(plusDays(dueDate, -days), today);
  let status: InvoiceStatus;
  if (i < 2) status = 'Open';
  else if (odds.canceled !== undefined && rng.chance(odds.canceled)) status = 'Canceled';
  else if (dueDate < today) status = rng.chance(odds.paidWhenOverdue) ? 'Paid' : 'Open';
  else status = rng.chance(odds.openWhenNotDue) ? 'Open' : 'Paid';
  const excl = drawAmount(rng, odds.amountUnits, scale);
  const discount = rng.chance(odds.discount) ? roundCents(excl * 0.02) : 0;
  return { party, invoiceDate, dueDate, status, excl, discount };
}

/** An unposted invoice of the last `maxAgeDays` days, due on its party's terms, undiscounted. */
function drawDraftInvoice(
  d: DocumentDraw,
  parties: readonly Party[],
  maxAgeDays: number,
  amountUnits: Range,
  status: InvoiceStatus,
): InvoiceDraw {
  const { party, date: invoiceDate } = drawRecent(d, parties, maxAgeDays);
  const excl = drawAmount(d.rng, amountUnits, d.scale);
  const dueDate = plusDays(invoiceDate, party.terms.days);
  return { party, invoiceDate, dueDate, status, excl, discount: 0 };
}

/** The last day a payment of an invoice may fall on: yesterday, or its date when later. */
function lastPaymentDay(invoiceDate: IsoDate, today: IsoDate): IsoDate {
  return maxDate(plusDays(today, -1), invoiceDate);
}

function byInvoiceDate(a: { invoiceDate: IsoDate }, b: { invoiceDate: IsoDate }): number {
  return a.invoiceDate < b.invoiceDate ? -1 : a.invoiceDate > b.invoiceDate ? 1 : 0;
}

function generateSalesInvoices(d: DocumentDraw, customers: readonly Party[]): SalesInvoice[] {
  const { rng, today, taxRate } = d;
  interface Draft extends InvoiceDraw {
    readonly payments: readonly Payment[];
    readonly revenueAccount: string;
  }
  const posted: Draft[] = [];
  const count = rng.int(18, 40);
  for (let i = 0; i < count; i++) {
    const invoice = drawPostedInvoice(d, customers, i, salesInvoiceOdds);
    const { invoiceDate, dueDate, status } = invoice;
    const net = invoice.excl - invoice.discount;
    const total = net + taxOf(net, taxRate);
    const payments: Payment[] = [];
    const lastDay = lastPaymentDay(invoiceDate, today);
    if (status === 'Paid') {
      const paidOn = plusDays(dueDate, rng.int(-10, 15));
      payments.push({
        date: paidOn < invoiceDate ? invoiceDate : clampToToday(paidOn, lastDay),
        amount: total,
      });
    } else if (status === 'Open' && rng.chance(0.25) && invoiceDate < today) {
      const span = Math.max(0, daysFrom(invoiceDate, lastDay));
      payments.push({
        date: plusDays(invoiceDate, rng.int(0, span)),
        amount: roundCents(total * rng.pick([0.2, 0.25, 0.4, 0.5, 0.6])),
      });
    }
    posted.push({
      ...invoice,
      payments,
      revenueAccount: rng.chance(0.5) ? ACCOUNT.servicesRevenue : ACCOUNT.productRevenue,
    });
  }
  posted.sort(byInvoiceDate);

  const drafts: Draft[] = [];
  const draftCount = rng.int(1, 4) + (rng.chance(0.4) ? 1 : 0);
  for (let i = 0; i < draftCount; i++) {
    const status = i === draftCount - 1 && draftCount > 1 ? 'In_x0020_Review' : 'Draft';
    drafts.push({
      ...drawDraftInvoice(d, customers, 10, [150, 8000], status),
      payments: [],
      revenueAccount: ACCOUNT.servicesRevenue,
    });
  }

  const toInvoice = (draft: Draft, number: string): SalesInvoice => {
    const net = draft.excl - draft.discount;
    const tax = taxOf(net, taxRate);
    const total = net + tax;
    const paid = draft.payments.reduce((s, p) => s + p.amount, 0);
    const lastEvent = draft.payments.reduce((m, p) => (p.date > m ? p.date : m), draft.invoiceDate);
    return {
      id: rng.guid(),
      number,
      externalDocumentNumber: rng.chance(0.3) ? `PO-${rng.int(1000, 9999)}` : '',
      invoiceDate: draft.invoiceDate,
      postingDate: draft.invoiceDate,
      dueDate: draft.dueDate,
      customer: draft.party,
      status: draft.status,
      amountExcludingTax: net,
      taxAmount: tax,
      discountAmount: draft.discount,
      payments: draft.payments,
      remainingAmount: draft.status === 'Canceled' || draft.status === 'Paid' ? 0 : total - paid,
      salesperson: rng.pick(salespeople),
      revenueAccount: draft.revenueAccount,
      lastModified: stamp(rng, lastEvent),
    };
  };
  return [
    ...posted.map((draft, i) => toInvoice(draft, `PS-INV${103001 + i}`)),
    ...drafts.map((draft, i) => toInvoice(draft, `S-INV${100001 + i}`)),
  ];
}

function generatePurchaseInvoices(d: DocumentDraw, vendors: readonly Party[]): PurchaseInvoice[] {
  const { rng, today, taxRate } = d;
  const expenseAccounts = [
    ACCOUNT.materials,
    ACCOUNT.materials,
    ACCOUNT.utilities,
    ACCOUNT.officeSupplies,
  ];
  const toRow = (
    invoice: InvoiceDraw,
    paidOn: IsoDate | null,
  ): Omit<PurchaseInvoice, 'id' | 'number' | 'lastModified'> => {
    const net = invoice.excl - invoice.discount;
    return {
      vendorInvoiceNumber: `${invoice.party.number.slice(0, 2)}-${rng.int(10000, 99999)}`,
      invoiceDate: invoice.invoiceDate,
      postingDate: invoice.invoiceDate,
      dueDate: invoice.dueDate,
      vendor: invoice.party,
      status: invoice.status,
      amountExcludingTax: net,
      taxAmount: taxOf(net, taxRate),
      discountAmount: invoice.discount,
      paidOn,
      expenseAccount: rng.pick(expenseAccounts),
      purchaser: rng.pick(salespeople),
    };
  };
  const rows: Omit<PurchaseInvoice, 'id' | 'number' | 'lastModified'>[] = [];
  const count = rng.int(10, 28);
  for (let i = 0; i < count; i++) {
    const invoice = drawPostedInvoice(d, vendors, i, purchaseInvoiceOdds);
    const paidOn =
      invoice.status === 'Paid'
        ? clampToToday(
            maxDate(plusDays(invoice.dueDate, rng.int(-7, 5)), invoice.invoiceDate),
            lastPaymentDay(invoice.invoiceDate, today),
          )
        : null;
    rows.push(toRow(invoice, paidOn));
  }
  rows.sort(byInvoiceDate);
  const draftCount = rng.int(0, 3);
  for (let i = 0; i < draftCount; i++) {
    rows.push(toRow(drawDraftInvoice(d, vendors, 7, [80, 4000], 'Draft'), null));
  }
  let postedNo = 108001;
  let draftNo = 100001;
  return rows.map((r) => ({
    ...r,
    id: rng.guid(),
    number: r.status === 'Draft' ? `P-INV${draftNo++}` : String(postedNo++),
    lastModified: stamp(rng, r.paidOn ?? r.invoiceDate),
  }));
}

function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a > b ? a : b;
}

function generateQuotes(d: DocumentDraw, customers: readonly Party[]): SalesQuote[] {
  const { rng, today, taxRate } = d;
  return Array.from({ length: rng.int(1, 6) }, (_, i): SalesQuote => {
    const { party: customer, date: documentDate } = drawRecent(d, customers, 45);
    const validUntilDate = plusDays(documentDate, 30);
    const status: SalesQuoteStatus =
      validUntilDate < today
        ? 'Expired_x0020_'
        : rng.pick(['Draft', 'Sent', 'Sent', 'Accepted'] as const);
    const excl = drawAmount(rng, [200, 15000], d.scale);
    const sent = status !== 'Draft';
    return {
      id: rng.guid(),
      number: `S-QUO${1001 + i}`,
      documentDate,
      dueDate: plusDays(documentDate, customer.terms.days),
      validUntilDate,
      sentDate: sent
        ? stamp(rng, clampToToday(plusDays(documentDate, rng.int(0, 2)), today))
        : emptyDateTime,
      acceptedDate:
        status === 'Accepted'
          ? clampToToday(plusDays(documentDate, rng.int(1, 10)), today)
          : emptyDate,
      customer,
      status,
      amountExcludingTax: excl,
      taxAmount: taxOf(excl, taxRate),
      salesperson: rng.pick(salespeople),
      lastModified: stamp(rng, documentDate),
    };
  });
}

function generateOrders(d: DocumentDraw, customers: readonly Party[]): SalesOrder[] {
  const { rng, taxRate } = d;
  return Array.from({ length: rng.int(1, 8) }, (_, i): SalesOrder => {
    const { party: customer, date: orderDate } = drawRecent(d, customers, 30);
    const excl = drawAmount(rng, [200, 20000], d.scale);
    return {
      id: rng.guid(),
      number: `S-ORD${101001 + i}`,
      orderDate,
      postingDate: orderDate,
      requestedDeliveryDate: rng.chance(0.6) ? plusDays(orderDate, rng.int(5, 40)) : emptyDate,
      customer,
      status: rng.weighted<SalesOrderStatus>([
        ['Open', 6],
        ['Draft', 3],
        ['In_x0020_Review', 1],
      ]),
      amountExcludingTax: excl,
      taxAmount: taxOf(excl, taxRate),
      partialShipping: rng.chance(0.3),
      salesperson: rng.pick(salespeople),
      lastModified: stamp(rng, orderDate),
    };
  });
}

function firstOfMonth(date: IsoDate): IsoDate {
  return `${date.slice(0, 7)}-01`;
}

function generateLedger(
  rng: Rng,
  today: IsoDate,
  scale: number,
  salesInvoices: readonly SalesInvoice[],
  purchaseInvoices: readonly PurchaseInvoice[],
): GlEntry[] {
  const ledger = new LedgerBuilder();
  const opening = firstOfMonth(plusDays(today, -200));
  const checking = drawAmount(rng, [60000, 250000], scale);
  const savings = drawAmount(rng, [10000, 80000], scale);
  const petty = centsBetween(rng, 200, 800);
  const equipment = drawAmount(rng, [20000, 90000], scale);
  ledger.post(opening, 'OPENING', '_x0020_', 'Opening balance', [
    { account: ACCOUNT.checking, amount: checking },
    { account: ACCOUNT.savings, amount: savings },
    { account: ACCOUNT.pettyCash, amount: petty },
    { account: ACCOUNT.equipment, amount: equipment },
    { account: ACCOUNT.capital, amount: -(checking + savings + petty + equipment) },
  ]);

  const rent = drawAmount(rng, [1500, 5000], scale);
  const salaries = drawAmount(rng, [9000, 22000], scale);
  const depreciation = roundCents(equipment / 60);
  const transfer = drawAmount(rng, [500, 3000], scale);
  for (let month = addMonths(opening, 1), n = 1; month <= today; month = addMonths(month, 1), n++) {
    const tag = month.slice(0, 7).replace('-', '');
    ledger.post(month, `RENT${tag}`, 'Payment', 'Office rent', [
      { account: ACCOUNT.rent, amount: rent },
      { account: ACCOUNT.checking, amount: -rent },
    ]);
    ledger.post(month, `PAY${tag}`, 'Payment', 'Salaries', [
      { account: ACCOUNT.salaries, amount: salaries },
      { account: ACCOUNT.checking, amount: -salaries },
    ]);
    ledger.post(month, `DEPR${tag}`, '_x0020_', 'Depreciation', [
      { account: ACCOUNT.depreciation, amount: depreciation },
      { account: ACCOUNT.accumulatedDepreciation, amount: -depreciation },
    ]);
    if (n % 2 === 0) {
      ledger.post(month, `TRF${tag}`, '_x0020_', 'Transfer to savings', [
        { account: ACCOUNT.savings, amount: transfer },
        { account: ACCOUNT.checking, amount: -transfer },
      ]);
    }
  }

  for (const inv of salesInvoices) {
    if (inv.status !== 'Open' && inv.status !== 'Paid') continue;
    const total = inv.amountExcludingTax + inv.taxAmount;
    ledger.post(inv.postingDate, inv.number, 'Invoice', `Invoice ${inv.number}`, [
      { account: ACCOUNT.receivables, amount: total },
      { account: inv.revenueAccount, amount: -inv.amountExcludingTax },
      { account: ACCOUNT.taxPayable, amount: -inv.taxAmount },
    ]);
    for (const p of inv.payments) {
      ledger.post(p.date, `PMT-${inv.number}`, 'Payment', `Payment ${inv.customer.name}`, [
        { account: ACCOUNT.checking, amount: p.amount },
        { account: ACCOUNT.receivables, amount: -p.amount },
      ]);
    }
  }
  for (const inv of purchaseInvoices) {
    if (inv.status !== 'Open' && inv.status !== 'Paid') continue;
    const total = inv.amountExcludingTax + inv.taxAmount;
    ledger.post(inv.postingDate, inv.number, 'Invoice', `Invoice ${inv.vendorInvoiceNumber}`, [
      { account: inv.expenseAccount, amount: inv.amountExcludingTax },
      { account: ACCOUNT.inputTax, amount: inv.taxAmount },
      { account: ACCOUNT.payables, amount: -total },
    ]);
    if (inv.paidOn !== null) {
      ledger.post(inv.paidOn, `VPMT-${inv.number}`, 'Payment', `Payment ${inv.vendor.name}`, [
        { account: ACCOUNT.payables, amount: total },
        { account: ACCOUNT.checking, amount: -total },
      ]);
    }
  }
  return ledger.build();
}

function at(date: IsoDate, time: string): IsoDateTime {
  return `${date}T${time}Z`;
}

function generateTasks(rng: Rng, tenant: GeneratedTenant, today: IsoDate): UserTaskRecord[] {
  const me = tenant.accountantUserId;
  const other = tenant.otherUserId;
  const count = rng.int(6, 10);
  const firstId = rng.int(1, 40);
  const tasks: UserTaskRecord[] = [];
  const titles = rng.shuffle(taskTitles);
  for (let i = 0; i < count; i++) {
    let assignedTo = me;
    let group = '';
    let due: IsoDateTime | null;
    let percent = rng.pick([0, 0, 10, 25, 50, 75]);
    // Fixed slots first: an overdue task, one due today, one due this week, another user's
    // overdue task and a completed one of mine (those two must never be listed as mine).
    switch (i) {
      case 0:
        due = at(plusDays(today, -rng.int(1, 10)), '17:00:00');
        break;
      case 1:
        due = at(today, '23:00:00');
        break;
      case 2:
        due = at(plusDays(today, rng.int(1, 6)), '12:00:00');
        break;
      case 3:
        assignedTo = other;
        due = at(plusDays(today, -rng.int(1, 5)), '09:00:00');
        break;
      case 4:
        percent = 100;
        due = at(plusDays(today, -rng.int(1, 5)), '12:00:00');
        break;
      case 5:
        // A task for a user group the accountant belongs to: BC lists it as assigned to the caller.
        assignedTo = emptyGuid;
        group = 'FINANCE';
        due = at(plusDays(today, rng.int(2, 20)), '15:00:00');
        break;
      default:
        if (rng.chance(0.3)) assignedTo = other;
        due = rng.chance(0.2) ? null : at(plusDays(today, rng.int(-20, 30)), '16:30:00');
    }
    const created = plusDays(today, -rng.int(1, 30));
    tasks.push({
      id: firstId + i,
      title: titles[i % titles.length] ?? 'Follow up',
      dueAt: due,
      startAt: rng.chance(0.5) ? at(created, '09:00:00') : null,
      createdAt: at(
        created,
        `${String(rng.int(8, 17)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00`,
      ),
      createdBy: rng.pick(userNames),
      percentComplete: percent,
      priority: rng.pick(taskPriorities),
      assignedTo,
      userTaskGroup: group,
    });
  }
  return tasks;
}
