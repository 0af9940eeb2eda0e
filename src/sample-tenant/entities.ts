/**
 * The entity sets the sample tenant serves, rendered in BC's JSON forms: dates `YYYY-MM-DD`,
 * date-times with `Z`, decimals as numbers, enum members `_x0020_`-encoded, trial-balance
 * amounts as formatted text, cue values as text right-aligned in 30 characters. Each set
 * declares its property types, which the query engine uses to check `$filter`, `$select` and
 * `$orderby` the way BC does.
 */
import { plusDays } from './days.js';
import type { IsoDate } from '../domain/model.js';
import {
  accountCategories,
  accountTypes,
  customerBlockedValues,
  emptyDate,
  emptyDateTime,
  emptyGuid,
  glDocumentTypes,
  invoiceStatuses,
  salesOrderStatuses,
  salesQuoteStatuses,
  taskPriorities,
  vendorBlockedValues,
  type Account,
  type Address,
  type CompanyBooks,
  type CompanyInformation,
  type GlEntry,
  type Party,
  type PurchaseInvoice,
  type SalesInvoice,
  type SalesOrder,
  type SalesQuote,
  type UserTaskRecord,
} from './books.js';
import { BcHttpError } from './bc-errors.js';
import type { GeneratedCompany, GeneratedEnvironment, GeneratedTenant } from './fleet.js';
import {
  t,
  type EntityShape,
  type FilterNode,
  type PropType,
  type WireRow,
  type WireValue,
} from './odata-query.js';
import { Rng, hashOf } from './prng.js';
import {
  agedReport,
  balanceSheet,
  cashFlowStatement,
  computeCues,
  incomeStatement,
  periodLengthDays,
  trialBalance,
  netChanges,
  accountAmount,
  type AgedReport,
  type AgedRow,
  type SampleCues,
  type StatementLineRecord,
  type TrialBalanceRecord,
} from './reports.js';

/** What rendering a company's entities needs beyond the books. */
export interface RenderContext {
  readonly books: CompanyBooks;
  readonly tenant: GeneratedTenant;
  /** `${serverUrl}/${tenant}/${environment}`: the sample web client of this environment. */
  readonly webClientBase: string;
  /** Tasks completed through `NAV.SetComplete`, by ID, with when. */
  readonly completedTasks: ReadonlyMap<number, string>;
}

/** An entity set: its property types (for queries), key, and how to render its rows. */
export interface EntitySet {
  readonly name: string;
  readonly shape: EntityShape;
  /** Key property for `set(key)` addressing. */
  readonly key: string;
  readonly keyKind: 'guid' | 'int' | 'string';
  /** Report sets compute their rows from `$filter` parameters (dates, period length). */
  readonly parameterized?: boolean;
  /** Every row, fully rendered, without etags. */
  rows(ctx: RenderContext, filter: FilterNode | null): WireRow[];
  /**
   * Sets every refresh reads (company information, invoices): rows rendered on demand, a property
   * at a time for `$filter` and `$orderby` and only for the rows sent. Absent: {@link renderRows}.
   */
  lazy?(ctx: RenderContext): LazyRows;
}

/**
 * A set's rows as the query engine and the server see them: a property of any row, and a row as
 * sent (its `@odata.etag` first, then every property or the `$select`ed ones).
 */
export interface LazyRows {
  readonly length: number;
  /** A property of row `index`; `null` when the row has none. */
  get(index: number, prop: string): WireValue;
  render(index: number, select: readonly string[] | null): WireRow;
  /** {@link render} as JSON text. */
  json(index: number, select: readonly string[] | null): string;
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers

/** Cents as a JSON decimal. */
export function dec(cents: number): number {
  return cents / 100;
}

/** `1234567` cents → `12,345.67` (en-US, two decimals, minus sign first). */
export function formatCents(cents: number): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.round(cents));
  const units = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${units}.${String(abs % 100).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** BC's `GetPaddedString(x, 30, ' ', Right)`: right-aligned in 30 characters. */
export function padCue(text: string): string {
  return text.padStart(30, ' ');
}

function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** AL `Format(Date)` in en-US: `MM/DD/YY`. */
function formatAlDate(date: IsoDate): string {
  return `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(2, 4)}`;
}

/** BC's weak etag form: base64 of `'36;{version};00;'`. */
function etagFromVersion(version: number): string {
  const v = version.toString().padStart(10, '0');
  return `W/"${Buffer.from(`'36;${v};00;'`).toString('base64')}"`;
}

/** A row's version from its set's version and its position (murmur3's finaliser). */
function rowVersion(setVersion: number, index: number): number {
  let h = Math.imul(setVersion ^ (index + 1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A weak etag in BC's form (base64 of a version string), changing whenever the row does. */
export function etagOf(row: WireRow): string {
  return etagFromVersion(hashOf(JSON.stringify(row)));
}

const etagCache = new WeakMap<WireRow, string>();

/** {@link etagOf}, computed once per row object (rendered rows are cached and never changed). */
function cachedEtagOf(row: WireRow): string {
  let etag = etagCache.get(row);
  if (etag === undefined) {
    etag = etagOf(row);
    etagCache.set(row, etag);
  }
  return etag;
}

/** The row with its `@odata.etag` first, as BC writes entities. */
export function withEtag(row: WireRow): WireRow {
  return { '@odata.etag': etagOf(row), ...row };
}

const jsonCache = new WeakMap<WireRow, string>();

/**
 * The JSON text of a row that already carries its etag, made once per row object. Cue and task
 * rows are kept (per books) and sent whole to every refresh: serialising them once per day
 * instead of once per request is most of what the cue services cost.
 */
export function jsonOfRow(row: WireRow): string {
  let text = jsonCache.get(row);
  if (text === undefined) {
    text = JSON.stringify(row);
    jsonCache.set(row, text);
  }
  return text;
}

/**
 * Rendered rows as {@link LazyRows}. A row that has no etag gets one when it is sent, so the
 * etags of rows a filter leaves out are never computed.
 */
export function eagerRows(rows: readonly WireRow[]): LazyRows {
  const render = (index: number, select: readonly string[] | null): WireRow => {
    const row = rows[index] ?? {};
    const etag = row['@odata.etag'] ?? cachedEtagOf(row);
    if (select === null) {
      return row['@odata.etag'] === undefined ? { '@odata.etag': etag, ...row } : row;
    }
    const out: WireRow = { '@odata.etag': etag };
    for (const name of select) out[name] = row[name] ?? null;
    return out;
  };
  return {
    length: rows.length,
    get: (index, prop) => rows[index]?.[prop] ?? null,
    render,
    json(index, select) {
      const row = rows[index];
      if (select === null && row?.['@odata.etag'] !== undefined) return jsonOfRow(row);
      return JSON.stringify(render(index, select));
    },
  };
}

const rowCache = new WeakMap<CompanyBooks, Map<string, WireRow[]>>();

/**
 * A set's rows (without etags). Rows that depend only on the books are rendered once per books
 * (books are immutable and cached by the store), which keeps repeated requests cheap; report
 * sets depend on the filter and are rendered per request.
 */
export function renderRows(
  set: EntitySet,
  ctx: RenderContext,
  filter: FilterNode | null,
): WireRow[] {
  if (set.parameterized) return set.rows(ctx, filter);
  let perBooks = rowCache.get(ctx.books);
  if (!perBooks) {
    perBooks = new Map();
    rowCache.set(ctx.books, perBooks);
  }
  let rows = perBooks.get(set.name);
  if (!rows) {
    rows = set.rows(ctx, null);
    perBooks.set(set.name, rows);
  }
  return rows;
}

/** A set's rows for a query: lazily rendered documents, or the cached rendered rows. */
export function rowsOf(set: EntitySet, ctx: RenderContext, filter: FilterNode | null): LazyRows {
  return set.lazy ? set.lazy(ctx) : eagerRows(renderRows(set, ctx, filter));
}

const cueCache = new WeakMap<CompanyBooks, SampleCues>();

/** The books' cues, computed once per books. */
export function cuesOf(books: CompanyBooks): SampleCues {
  let cues = cueCache.get(books);
  if (!cues) {
    cues = computeCues(books);
    cueCache.set(books, cues);
  }
  return cues;
}

function guidFor(...parts: readonly (string | number)[]): string {
  return new Rng(hashOf(...parts)).guid();
}

// ---------------------------------------------------------------------------------------------
// Report parameters from $filter

interface DateRange {
  readonly from: IsoDate | null;
  readonly to: IsoDate | null;
}

/** Reads `dateFilter ge X and dateFilter le Y` / `dateFilter eq X` the way BC's report pages do. */
export function dateRangeOf(filter: FilterNode | null, prop: string): DateRange {
  let from: IsoDate | null = null;
  let to: IsoDate | null = null;
  const visit = (node: FilterNode): void => {
    if (node.kind === 'and') {
      visit(node.left);
      visit(node.right);
    } else if (node.kind === 'cmp' && node.prop === prop && typeof node.value === 'string') {
      const v = node.value;
      if (node.op === 'eq') {
        from = v;
        to = v;
      } else if (node.op === 'ge') from = v;
      else if (node.op === 'gt') from = plusDays(v, 1);
      else if (node.op === 'le') to = v;
      else if (node.op === 'lt') to = plusDays(v, -1);
    }
  };
  if (filter) visit(filter);
  return { from, to };
}

function stringParam(filter: FilterNode | null, prop: string): string | null {
  let found: string | null = null;
  const visit = (node: FilterNode): void => {
    if (node.kind === 'and') {
      visit(node.left);
      visit(node.right);
    } else if (
      node.kind === 'cmp' &&
      node.op === 'eq' &&
      node.prop === prop &&
      typeof node.value === 'string'
    ) {
      found = node.value;
    }
  };
  if (filter) visit(filter);
  return found;
}

function yearStart(date: IsoDate): IsoDate {
  return `${date.slice(0, 4)}-01-01`;
}

// ---------------------------------------------------------------------------------------------
// Rows as tables of columns

/**
 * A property of a row: its type (for queries), and how it is read from the source item. `C` is
 * what the read may also consult: the books for API sets, the render context for task pages.
 */
interface Column<T, C = CompanyBooks> {
  readonly type: PropType;
  readonly read: (item: T, context: C) => WireValue;
}
type Columns<T, C = CompanyBooks> = Readonly<Record<string, Column<T, C>>>;

function col<T, C = CompanyBooks>(
  type: PropType,
  read: (item: T, context: C) => WireValue,
): Column<T, C> {
  return { type, read };
}

/** A column the sample does not model: the same value in every row (empty text, empty GUID, …). */
function fixed(type: PropType, value: WireValue): Column<unknown, unknown> {
  return { type, read: () => value };
}

/**
 * A table's columns, ready to render: its property types, and a row (every column, in the
 * declared order, which is the order BC writes them) or one property of an item.
 */
interface Table<T, C> {
  readonly props: Record<string, PropType>;
  readonly names: readonly string[];
  render(item: T, context: C): WireRow;
  read(item: T, prop: string, context: C): WireValue;
}

function table<T, C>(columns: Columns<T, C>): Table<T, C> {
  const entries = Object.entries(columns);
  const props: Record<string, PropType> = {};
  for (const [n, c] of entries) props[n] = c.type;
  return {
    props,
    names: entries.map(([n]) => n),
    render(item, context) {
      const row: WireRow = {};
      for (const [n, c] of entries) row[n] = c.read(item, context);
      return row;
    },
    read: (item, prop, context) => columns[prop]?.read(item, context) ?? null,
  };
}

/** `address`'s properties without a prefix, as companies, customers and vendors name them. */
function postalColumns<T>(addressOf: (item: T, books: CompanyBooks) => Address): Columns<T> {
  return {
    addressLine1: col(t.string, (i, b) => addressOf(i, b).line1),
    addressLine2: col(t.string, (i, b) => addressOf(i, b).line2),
    city: col(t.string, (i, b) => addressOf(i, b).city),
    state: col(t.string, (i, b) => addressOf(i, b).state),
    country: col(t.string, (i, b) => addressOf(i, b).country),
    postalCode: col(t.string, (i, b) => addressOf(i, b).postCode),
  };
}

/** The six address properties of a party, e.g. `sellToAddressLine1` … `sellToPostCode`. */
function addressColumns<T>(
  prefix: string,
  addressOf: (item: T, books: CompanyBooks) => Address,
): Columns<T> {
  return {
    [`${prefix}AddressLine1`]: col(t.string, (i, b) => addressOf(i, b).line1),
    [`${prefix}AddressLine2`]: col(t.string, (i, b) => addressOf(i, b).line2),
    [`${prefix}City`]: col(t.string, (i, b) => addressOf(i, b).city),
    [`${prefix}Country`]: col(t.string, (i, b) => addressOf(i, b).country),
    [`${prefix}State`]: col(t.string, (i, b) => addressOf(i, b).state),
    [`${prefix}PostCode`]: col(t.string, (i, b) => addressOf(i, b).postCode),
  };
}

/** A sales document's customer: sell-to, bill-to and ship-to are the customer in the sample. */
function customerColumns<T extends { readonly customer: Party }>(): Columns<T> {
  return {
    customerId: col(t.guid, (i) => i.customer.id),
    customerNumber: col(t.string, (i) => i.customer.number),
    customerName: col(t.string, (i) => i.customer.name),
    billToName: col(t.string, (i) => i.customer.name),
    billToCustomerId: col(t.guid, (i) => i.customer.id),
    billToCustomerNumber: col(t.string, (i) => i.customer.number),
    shipToName: col(t.string, (i) => i.customer.name),
    shipToContact: col(t.string, (i) => i.customer.contact),
    ...addressColumns<T>('sellTo', (i) => i.customer.address),
    ...addressColumns<T>('billTo', (i) => i.customer.address),
    ...addressColumns<T>('shipTo', (i) => i.customer.address),
  };
}

/** Dimensions and currency of a document: the company's own currency, no dimensions. */
const dimensionAndCurrencyColumns: Columns<unknown> = {
  shortcutDimension1Code: fixed(t.string, ''),
  shortcutDimension2Code: fixed(t.string, ''),
  currencyId: fixed(t.guid, emptyGuid),
  currencyCode: col(t.string, (_i, b) => b.company.currencyCode),
};

interface Totals {
  readonly amountExcludingTax: number;
  readonly taxAmount: number;
}

/** A document's three totals, from its net amount and tax. */
const totalColumns: Columns<Totals> = {
  totalAmountExcludingTax: col(t.number, (i) => dec(i.amountExcludingTax)),
  totalTaxAmount: col(t.number, (i) => dec(i.taxAmount)),
  totalAmountIncludingTax: col(t.number, (i) => dec(i.amountExcludingTax + i.taxAmount)),
};

// ---------------------------------------------------------------------------------------------
// API v2.0 entity sets

const styles = ['None', 'Favorable', 'Unfavorable', 'Ambiguous', 'Subordinate'] as const;

function shape(typeName: string, props: Record<string, PropType>): EntityShape {
  return { typeName: `Microsoft.NAV.${typeName}`, props };
}

/** An API v2.0 set rendered from a table of columns over items of the books. */
interface TableSetSpec<T> {
  readonly name: string;
  /** BC's entity type name, without the `Microsoft.NAV.` namespace. */
  readonly typeName: string;
  /** The key property for `set(key)` addressing (a GUID); default `id`. */
  readonly key?: string;
  /** Report sets: the items depend on `$filter` parameters and are rendered per request. */
  readonly parameterized?: boolean;
  readonly items: (books: CompanyBooks, filter: FilterNode | null) => readonly T[];
  readonly columns: Columns<T>;
}

/**
 * A set whose rows are rendered whole, cached per books (see {@link renderRows}) unless it is
 * parameterized; etags come from each row's text.
 */
function tableSet<T>(spec: TableSetSpec<T>): EntitySet {
  const { items } = spec;
  const columns = table(spec.columns);
  return {
    name: spec.name,
    key: spec.key ?? 'id',
    keyKind: 'guid',
    shape: shape(spec.typeName, columns.props),
    parameterized: spec.parameterized ?? false,
    rows: ({ books }, filter) => items(books, filter).map((item) => columns.render(item, books)),
  };
}

/**
 * A set whose rows are rendered on demand from the books' records. A refresh asks every company
 * for its currency and the tax of its period's invoices (`$filter` on `postingDate`, `$select` of
 * two fields): reading the filtered property straight from the record, and rendering only the
 * rows and properties sent, keeps those requests cheap however many columns a row has.
 *
 * Etags come from a row version, as BC's do (the record's SystemRowVersion), not from the row's
 * text: a record changes only when its books do, which is per company and day.
 */
function recordSet<T extends { readonly id: string }>(spec: TableSetSpec<T>): EntitySet {
  const { name, items } = spec;
  const columns = table(spec.columns);
  return {
    ...tableSet(spec),
    lazy: ({ books }) => {
      const list = items(books, null);
      const version = hashOf(books.company.seed, books.today, name);
      const render = (index: number, select: readonly string[] | null): WireRow => {
        const item = list[index];
        if (item === undefined) return {};
        const row: WireRow = { '@odata.etag': etagFromVersion(rowVersion(version, index)) };
        for (const n of select ?? columns.names) row[n] = columns.read(item, n, books);
        return row;
      };
      return {
        length: list.length,
        get: (index, prop) => {
          const item = list[index];
          return item === undefined ? null : columns.read(item, prop, books);
        },
        render,
        json: (index, select) => JSON.stringify(render(index, select)),
      };
    },
  };
}

/** A company with the values BC stamps on its row, drawn from its seed. */
interface StampedCompany {
  readonly company: GeneratedCompany;
  readonly created: string;
  readonly user: string;
  readonly timestamp: number;
}

const companyColumns = table<StampedCompany, null>({
  id: col(t.guid, (s) => s.company.id),
  systemVersion: fixed(t.string, '26.0.30643.33517'),
  timestamp: col(t.number, (s) => s.timestamp),
  name: col(t.string, (s) => s.company.name),
  displayName: col(t.string, (s) => s.company.displayName),
  businessProfileId: fixed(t.string, ''),
  systemCreatedAt: col(t.datetime, (s) => s.created),
  systemCreatedBy: col(t.guid, (s) => s.user),
  systemModifiedAt: col(t.datetime, (s) => s.created),
  systemModifiedBy: col(t.guid, (s) => s.user),
});

/** API v2.0 `companies`; its rows come from the fleet, see {@link companyRows}. */
export const companiesSet: EntitySet = {
  name: 'companies',
  key: 'id',
  keyKind: 'guid',
  shape: shape('company', companyColumns.props),
  rows: () => [],
};

const companyRowCache = new WeakMap<GeneratedEnvironment, { api: WireRow[]; odata: WireRow[] }>();

/** An environment's company rows with etags, API v2.0 (`companies`) and ODataV4 (`Company`). */
export function companyRows(env: GeneratedEnvironment): { api: WireRow[]; odata: WireRow[] } {
  let rows = companyRowCache.get(env);
  if (!rows) {
    rows = {
      api: env.companies.map((c) => withEtag(companyRow(c))),
      odata: env.companies.map((c) => withEtag(odataCompanyRow(c))),
    };
    companyRowCache.set(env, rows);
  }
  return rows;
}

/** A company row (the companies set is rendered from the fleet, without books). */
export function companyRow(c: GeneratedCompany): WireRow {
  const rng = new Rng(hashOf(c.seed, 'company-row'));
  const created = `2023-0${rng.int(1, 9)}-1${rng.int(0, 9)}T0${rng.int(0, 9)}:${rng.int(10, 59)}:${rng.int(10, 59)}.${rng.int(100, 999)}Z`;
  const user = rng.guid();
  return companyColumns.render(
    { company: c, created, user, timestamp: rng.int(1000, 99999) },
    null,
  );
}

const companyInformationSet = recordSet<CompanyInformation>({
  name: 'companyInformation',
  typeName: 'companyInformation',
  items: (books) => [books.info],
  columns: {
    id: col(t.guid, (i) => i.id),
    name: col(t.string, (_i, b) => b.company.name),
    displayName: col(t.string, (_i, b) => b.company.displayName),
    ...postalColumns<CompanyInformation>((i) => i.address),
    phoneNumber: col(t.string, (i) => i.phone),
    faxNumber: col(t.string, (i) => i.fax),
    email: col(t.string, (i) => i.email),
    website: col(t.string, (i) => i.website),
    taxRegistrationNumber: col(t.string, (i) => i.taxRegistrationNumber),
    currencyCode: col(t.string, (_i, b) => b.company.currencyCode),
    currentFiscalYearStartDate: col(t.date, (_i, b) => yearStart(b.today)),
    industry: col(t.string, (i) => i.industry),
    lastModifiedDateTime: col(t.datetime, (i) => i.lastModified),
  },
});

/** The first properties of a customer or vendor row. */
function partyColumns(): Columns<Party> {
  return {
    id: col(t.guid, (p) => p.id),
    number: col(t.string, (p) => p.number),
    displayName: col(t.string, (p) => p.name),
  };
}

/** A party's contact properties, after its address. */
const partyContactColumns: Columns<Party> = {
  phoneNumber: col(t.string, (p) => p.phone),
  email: col(t.string, (p) => p.email),
  website: col(t.string, (p) => p.website),
};

const customersSet = tableSet<Party>({
  name: 'customers',
  typeName: 'customer',
  items: (books) => books.customers,
  columns: {
    ...partyColumns(),
    type: col(t.enum(['Company', 'Person']), (c) => c.type),
    ...postalColumns<Party>((c) => c.address),
    ...partyContactColumns,
    salespersonCode: fixed(t.string, ''),
    balanceDue: col(t.number, (c, b) =>
      dec(
        b.salesInvoices
          .filter((i) => i.status === 'Open' && i.customer.id === c.id)
          .reduce((s, i) => s + i.remainingAmount, 0),
      ),
    ),
    creditLimit: col(t.number, (c) => dec(c.creditLimit)),
    taxLiable: col(t.boolean, (c) => c.taxLiable),
    taxAreaId: fixed(t.guid, emptyGuid),
    taxAreaDisplayName: fixed(t.string, ''),
    taxRegistrationNumber: col(t.string, (c) => c.taxRegistrationNumber),
    currencyId: fixed(t.guid, emptyGuid),
    currencyCode: col(t.string, (_c, b) => b.company.currencyCode),
    paymentTermsId: col(t.guid, (c) => c.terms.id),
    shipmentMethodId: fixed(t.guid, emptyGuid),
    paymentMethodId: fixed(t.guid, emptyGuid),
    blocked: col(t.enum(customerBlockedValues), (c) => c.blocked),
    lastModifiedDateTime: col(t.datetime, (c) => c.lastModified),
  },
});

const vendorsSet = tableSet<Party>({
  name: 'vendors',
  typeName: 'vendor',
  items: (books) => books.vendors,
  columns: {
    ...partyColumns(),
    ...postalColumns<Party>((v) => v.address),
    ...partyContactColumns,
    taxRegistrationNumber: col(t.string, (v) => v.taxRegistrationNumber),
    currencyId: fixed(t.guid, emptyGuid),
    currencyCode: col(t.string, (_v, b) => b.company.currencyCode),
    irs1099Code: fixed(t.string, ''),
    paymentTermsId: col(t.guid, (v) => v.terms.id),
    paymentMethodId: fixed(t.guid, emptyGuid),
    taxLiable: col(t.boolean, (v) => v.taxLiable),
    blocked: col(t.enum(vendorBlockedValues), (v) => v.blocked),
    balance: col(t.number, (v, b) =>
      dec(
        b.purchaseInvoices
          .filter((i) => i.status === 'Open' && i.vendor.id === v.id)
          .reduce((s, i) => s + i.amountExcludingTax + i.taxAmount, 0),
      ),
    ),
    lastModifiedDateTime: col(t.datetime, (v) => v.lastModified),
  },
});

const salesInvoicesSet = recordSet<SalesInvoice>({
  name: 'salesInvoices',
  typeName: 'salesInvoice',
  items: (books) => books.salesInvoices,
  columns: {
    id: col(t.guid, (i) => i.id),
    number: col(t.string, (i) => i.number),
    externalDocumentNumber: col(t.string, (i) => i.externalDocumentNumber),
    invoiceDate: col(t.date, (i) => i.invoiceDate),
    postingDate: col(t.date, (i) => i.postingDate),
    dueDate: col(t.date, (i) => i.dueDate),
    promisedPayDate: fixed(t.date, emptyDate),
    customerPurchaseOrderReference: fixed(t.string, ''),
    ...customerColumns<SalesInvoice>(),
    currencyId: fixed(t.guid, emptyGuid),
    shortcutDimension1Code: fixed(t.string, ''),
    shortcutDimension2Code: fixed(t.string, ''),
    currencyCode: col(t.string, (_i, b) => b.company.currencyCode),
    orderId: fixed(t.guid, emptyGuid),
    orderNumber: fixed(t.string, ''),
    paymentTermsId: col(t.guid, (i) => i.customer.terms.id),
    shipmentMethodId: fixed(t.guid, emptyGuid),
    salesperson: col(t.string, (i) => i.salesperson),
    disputeStatusId: fixed(t.guid, emptyGuid),
    disputeStatus: fixed(t.string, ''),
    pricesIncludeTax: fixed(t.boolean, false),
    remainingAmount: col(t.number, (i) => dec(i.remainingAmount)),
    discountAmount: col(t.number, (i) => dec(i.discountAmount)),
    discountAppliedBeforeTax: fixed(t.boolean, true),
    ...totalColumns,
    status: col(t.enum(invoiceStatuses), (i) => i.status),
    lastModifiedDateTime: col(t.datetime, (i) => i.lastModified),
    phoneNumber: col(t.string, (i) => i.customer.phone),
    email: col(t.string, (i) => i.customer.email),
  },
});

const purchaseInvoicesSet = recordSet<PurchaseInvoice>({
  name: 'purchaseInvoices',
  typeName: 'purchaseInvoice',
  items: (books) => books.purchaseInvoices,
  columns: {
    id: col(t.guid, (i) => i.id),
    number: col(t.string, (i) => i.number),
    postingDate: col(t.date, (i) => i.postingDate),
    invoiceDate: col(t.date, (i) => i.invoiceDate),
    dueDate: col(t.date, (i) => i.dueDate),
    vendorInvoiceNumber: col(t.string, (i) => i.vendorInvoiceNumber),
    vendorId: col(t.guid, (i) => i.vendor.id),
    vendorNumber: col(t.string, (i) => i.vendor.number),
    vendorName: col(t.string, (i) => i.vendor.name),
    payToName: col(t.string, (i) => i.vendor.name),
    payToContact: col(t.string, (i) => i.vendor.contact),
    payToVendorId: col(t.guid, (i) => i.vendor.id),
    payToVendorNumber: col(t.string, (i) => i.vendor.number),
    shipToName: col(t.string, (_i, b) => b.company.displayName),
    shipToContact: fixed(t.string, ''),
    ...addressColumns<PurchaseInvoice>('buyFrom', (i) => i.vendor.address),
    ...addressColumns<PurchaseInvoice>('shipTo', (_i, b) => b.info.address),
    ...addressColumns<PurchaseInvoice>('payTo', (i) => i.vendor.address),
    ...dimensionAndCurrencyColumns,
    orderId: fixed(t.guid, emptyGuid),
    orderNumber: fixed(t.string, ''),
    purchaser: col(t.string, (i) => i.purchaser),
    pricesIncludeTax: fixed(t.boolean, false),
    discountAmount: col(t.number, (i) => dec(i.discountAmount)),
    discountAppliedBeforeTax: fixed(t.boolean, true),
    ...totalColumns,
    status: col(t.enum(invoiceStatuses), (i) => i.status),
    lastModifiedDateTime: col(t.datetime, (i) => i.lastModified),
  },
});

const salesQuotesSet = tableSet<SalesQuote>({
  name: 'salesQuotes',
  typeName: 'salesQuote',
  items: (books) => books.salesQuotes,
  columns: {
    id: col(t.guid, (q) => q.id),
    number: col(t.string, (q) => q.number),
    externalDocumentNumber: fixed(t.string, ''),
    documentDate: col(t.date, (q) => q.documentDate),
    postingDate: col(t.date, (q) => q.documentDate),
    dueDate: col(t.date, (q) => q.dueDate),
    ...customerColumns<SalesQuote>(),
    ...dimensionAndCurrencyColumns,
    paymentTermsId: col(t.guid, (q) => q.customer.terms.id),
    shipmentMethodId: fixed(t.guid, emptyGuid),
    salesperson: col(t.string, (q) => q.salesperson),
    discountAmount: fixed(t.number, 0),
    ...totalColumns,
    status: col(t.enum(salesQuoteStatuses), (q) => q.status),
    sentDate: col(t.datetime, (q) => q.sentDate),
    validUntilDate: col(t.date, (q) => q.validUntilDate),
    acceptedDate: col(t.date, (q) => q.acceptedDate),
    lastModifiedDateTime: col(t.datetime, (q) => q.lastModified),
    phoneNumber: col(t.string, (q) => q.customer.phone),
    email: col(t.string, (q) => q.customer.email),
  },
});

const salesOrdersSet = tableSet<SalesOrder>({
  name: 'salesOrders',
  typeName: 'salesOrder',
  items: (books) => books.salesOrders,
  columns: {
    id: col(t.guid, (o) => o.id),
    number: col(t.string, (o) => o.number),
    externalDocumentNumber: fixed(t.string, ''),
    orderDate: col(t.date, (o) => o.orderDate),
    postingDate: col(t.date, (o) => o.postingDate),
    ...customerColumns<SalesOrder>(),
    ...dimensionAndCurrencyColumns,
    pricesIncludeTax: fixed(t.boolean, false),
    paymentTermsId: col(t.guid, (o) => o.customer.terms.id),
    shipmentMethodId: fixed(t.guid, emptyGuid),
    salesperson: col(t.string, (o) => o.salesperson),
    partialShipping: col(t.boolean, (o) => o.partialShipping),
    requestedDeliveryDate: col(t.date, (o) => o.requestedDeliveryDate),
    discountAmount: fixed(t.number, 0),
    discountAppliedBeforeTax: fixed(t.boolean, true),
    ...totalColumns,
    fullyShipped: fixed(t.boolean, false),
    status: col(t.enum(salesOrderStatuses), (o) => o.status),
    lastModifiedDateTime: col(t.datetime, (o) => o.lastModified),
    phoneNumber: col(t.string, (o) => o.customer.phone),
    email: col(t.string, (o) => o.customer.email),
  },
});

/** An account with its net change to date (computed once per books, not per row). */
interface AccountWithChange {
  readonly account: Account;
  readonly netChange: number;
}

const accountsSet = tableSet<AccountWithChange>({
  name: 'accounts',
  typeName: 'account',
  items: (books) => {
    const changes = netChanges(books.glEntries, null, books.today);
    return books.accounts.map((account) => ({
      account,
      netChange: accountAmount(account, books.accounts, changes),
    }));
  },
  columns: {
    id: col(t.guid, ({ account: a }) => a.id),
    number: col(t.string, ({ account: a }) => a.number),
    displayName: col(t.string, ({ account: a }) => a.name),
    category: col(t.enum(accountCategories), ({ account: a }) => a.category),
    subCategory: col(t.string, ({ account: a }) => a.subCategory),
    blocked: fixed(t.boolean, false),
    accountType: col(t.enum(accountTypes), ({ account: a }) => a.accountType),
    directPosting: col(
      t.boolean,
      ({ account: a }) =>
        a.accountType === 'Posting' && a.role !== 'receivables' && a.role !== 'payables',
    ),
    netChange: col(t.number, (a) => dec(a.netChange)),
    consolidationTranslationMethod: col(t.string, ({ account: a }) =>
      a.category === 'Income' || a.category === 'Expense'
        ? 'Average_x0020_Rate'
        : 'Closing_x0020_Rate',
    ),
    consolidationDebitAccount: fixed(t.string, ''),
    consolidationCreditAccount: fixed(t.string, ''),
    excludeFromConsolidation: fixed(t.boolean, false),
    lastModifiedDateTime: col(t.datetime, ({ account: a }) => a.lastModified),
  },
});

/** A G/L entry with the id of its account (looked up once per books). */
interface EntryWithAccount {
  readonly entry: GlEntry;
  readonly accountId: string;
}

const generalLedgerEntriesSet = tableSet<EntryWithAccount>({
  name: 'generalLedgerEntries',
  typeName: 'generalLedgerEntry',
  items: (books) => {
    const ids = new Map(books.accounts.map((a) => [a.number, a.id]));
    return books.glEntries.map((entry) => ({
      entry,
      accountId: ids.get(entry.accountNumber) ?? emptyGuid,
    }));
  },
  columns: {
    id: col(t.guid, ({ entry: e }, b) => guidFor(b.company.seed, 'gl', e.entryNumber)),
    entryNumber: col(t.number, ({ entry: e }) => e.entryNumber),
    postingDate: col(t.date, ({ entry: e }) => e.postingDate),
    documentNumber: col(t.string, ({ entry: e }) => e.documentNumber),
    documentType: col(t.enum(glDocumentTypes), ({ entry: e }) => e.documentType),
    accountId: col(t.guid, (e) => e.accountId),
    accountNumber: col(t.string, ({ entry: e }) => e.accountNumber),
    description: col(t.string, ({ entry: e }) => e.description),
    debitAmount: col(t.number, ({ entry: e }) => dec(e.debit)),
    creditAmount: col(t.number, ({ entry: e }) => dec(e.credit)),
    additionalCurrencyDebitAmount: fixed(t.number, 0),
    additionalCurrencyCreditAmount: fixed(t.number, 0),
    lastModifiedDateTime: col(
      t.datetime,
      ({ entry: e }) =>
        `${e.postingDate}T${String(8 + (e.entryNumber % 10)).padStart(2, '0')}:${String((e.entryNumber * 7) % 60).padStart(2, '0')}:00.000Z`,
    ),
  },
});

/** A row of an aged report with the parameters it was computed for. */
interface AgedItem extends AgedRow {
  readonly labels: AgedReport['labels'];
  readonly asOf: IsoDate;
  readonly periodLength: string;
}

function agedSet(kind: 'receivables' | 'payables'): EntitySet {
  const party = kind === 'receivables' ? 'customer' : 'vendor';
  return tableSet<AgedItem>({
    name: kind === 'receivables' ? 'agedAccountsReceivables' : 'agedAccountsPayables',
    typeName: kind === 'receivables' ? 'agedAccountsReceivable' : 'agedAccountsPayable',
    key: `${party}Id`,
    parameterized: true,
    items: (books, filter) => {
      const asOf = dateRangeOf(filter, 'agedAsOfDate').to ?? books.today;
      const periodLength = stringParam(filter, 'periodLengthFilter') ?? '30D';
      if (periodLengthDays(periodLength) === null) {
        throw new BcHttpError(
          400,
          'BadRequest',
          `The period length '${periodLength}' is not a valid date formula.`,
        );
      }
      const report = agedReport(books, kind, asOf, periodLength);
      return report.rows.map((r) => ({ ...r, labels: report.labels, asOf, periodLength }));
    },
    columns: {
      [`${party}Id`]: col(t.guid, (r) => r.party.id),
      [`${party}Number`]: col(t.string, (r) => r.party.number),
      name: col(t.string, (r) => r.party.name),
      currencyCode: fixed(t.string, ''),
      balanceDue: col(t.number, (r) => dec(r.balanceDue)),
      currentAmount: col(t.number, (r) => dec(r.current)),
      period1Label: col(t.string, (r) => r.labels[0]),
      period1Amount: col(t.number, (r) => dec(r.period1)),
      period2Label: col(t.string, (r) => r.labels[1]),
      period2Amount: col(t.number, (r) => dec(r.period2)),
      period3Label: col(t.string, (r) => r.labels[2]),
      period3Amount: col(t.number, (r) => dec(r.period3)),
      agedAsOfDate: col(t.date, (r) => r.asOf),
      periodLengthFilter: col(t.string, (r) => r.periodLength),
    },
  });
}

/** A debit or credit side of a (debit − credit) amount, as the trial balance writes it. */
const debit = (amount: number): string => formatCents(Math.max(0, amount));
const credit = (amount: number): string => formatCents(Math.max(0, -amount));

const trialBalancesSet = tableSet<TrialBalanceRecord & { readonly to: IsoDate }>({
  name: 'trialBalances',
  typeName: 'trialBalance',
  key: 'accountId',
  parameterized: true,
  items: (books, filter) => {
    const range = dateRangeOf(filter, 'dateFilter');
    const to = range.to ?? books.today;
    const from = range.from ?? yearStart(to);
    return trialBalance(books, from, to).map((r) => ({ ...r, to }));
  },
  columns: {
    number: col(t.string, (r) => r.account.number),
    accountId: col(t.guid, (r) => r.account.id),
    accountType: col(t.enum(accountTypes), (r) => r.account.accountType),
    display: col(t.string, (r) => r.account.name),
    totalDebit: col(t.string, (r) => debit(r.netChange)),
    totalCredit: col(t.string, (r) => credit(r.netChange)),
    balanceAtDateDebit: col(t.string, (r) => debit(r.balance)),
    balanceAtDateCredit: col(t.string, (r) => credit(r.balance)),
    dateFilter: col(t.date, (r) => r.to),
  },
});

function statementSet(
  name: 'balanceSheets' | 'incomeStatements' | 'cashFlowStatements',
  typeName: string,
): EntitySet {
  const amountProp = name === 'balanceSheets' ? 'balance' : 'netChange';
  return tableSet<StatementLineRecord & { readonly to: IsoDate }>({
    name,
    typeName,
    parameterized: true,
    items: (books, filter) => {
      const range = dateRangeOf(filter, 'dateFilter');
      const to = range.to ?? range.from ?? books.today;
      const lines =
        name === 'balanceSheets'
          ? balanceSheet(books, to)
          : name === 'incomeStatements'
            ? incomeStatement(books, range.from ?? yearStart(to), to)
            : cashFlowStatement(books, range.from ?? yearStart(to), to);
      return lines.map((l) => ({ ...l, to }));
    },
    columns: {
      id: col(t.guid, (l, b) => guidFor(b.company.seed, name, l.lineNumber)),
      lineNumber: col(t.number, (l) => l.lineNumber),
      display: col(t.string, (l) => l.display),
      [amountProp]: col(t.number, (l) => dec(l.amount)),
      lineType: col(t.string, (l) => l.lineType),
      indentation: col(t.number, (l) => l.indentation),
      dateFilter: col(t.date, (l) => l.to),
    },
  });
}

/** API v2.0 entity sets under `companies({id})/`, by name. */
export const apiEntitySets: ReadonlyMap<string, EntitySet> = new Map(
  [
    companyInformationSet,
    customersSet,
    vendorsSet,
    salesInvoicesSet,
    purchaseInvoicesSet,
    salesQuotesSet,
    salesOrdersSet,
    accountsSet,
    generalLedgerEntriesSet,
    agedSet('receivables'),
    agedSet('payables'),
    trialBalancesSet,
    statementSet('balanceSheets', 'balanceSheet'),
    statementSet('incomeStatements', 'incomeStatement'),
    statementSet('cashFlowStatements', 'cashFlowStatement'),
  ].map((s) => [s.name, s]),
);

// ---------------------------------------------------------------------------------------------
// ODataV4 page services

const odataCompanyColumns = table<GeneratedCompany, null>({
  Name: col(t.string, (c) => c.name),
  Evaluation_Company: col(t.boolean, (c) => c.evaluationCompany),
  Display_Name: col(t.string, (c) => c.displayName),
  Id: col(t.guid, (c) => c.id),
  Business_Profile_Id: fixed(t.string, ''),
});

/** ODataV4 `Company` (Name is the key used in `Company('…')`). */
export const odataCompanyShape: EntityShape = {
  typeName: 'NAV.Company',
  props: odataCompanyColumns.props,
};

/** A company as ODataV4 `Company` lists it. */
export function odataCompanyRow(c: GeneratedCompany): WireRow {
  return odataCompanyColumns.render(c, null);
}

type Style = (typeof styles)[number];
type CueValue = { readonly text: string; readonly style: Style; readonly decimal?: number };

function amountCue(cues: SampleCues, cents: number, style: Style, withDecimal: boolean): CueValue {
  return {
    text: `${cues.currencySymbol}${formatCents(cents)}`,
    style,
    ...(withDecimal ? { decimal: dec(cents) } : {}),
  };
}

/** A count; `whenAny` is its style when it is not zero (BC's cue style thresholds). */
function countCue(n: number, whenAny: Style = 'None'): CueValue {
  return { text: formatCount(n), style: n > 0 ? whenAny : 'None' };
}

function cueRow(
  cues: Readonly<Record<string, CueValue>>,
  currencySymbol: string,
  legacy: boolean,
): WireRow {
  const row: WireRow = { Primary_Key: '' };
  for (const [name, cue] of Object.entries(cues)) {
    row[`${name}Amount`] = padCue(cue.text);
    if (cue.decimal !== undefined && !legacy) row[`${name}AmountDecimal`] = cue.decimal;
    row[`${name}Style`] = cue.style;
  }
  row['CurrencySymbol'] = currencySymbol;
  return row;
}

function cueShape(typeName: string, row: WireRow): EntityShape {
  const props: Record<string, PropType> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('@')) continue;
    if (key.endsWith('Style')) props[key] = t.enum(styles);
    else if (typeof value === 'number') props[key] = t.number;
    else props[key] = t.string;
  }
  return { typeName: `NAV.${typeName}`, props };
}

/** The two cue rows of a company (with etags) and their property types. */
export interface CueRows {
  readonly activity: WireRow;
  readonly finance: WireRow;
  readonly activityShape: EntityShape;
  readonly financeShape: EntityShape;
}

const cueRowCache = new WeakMap<CompanyBooks, CueRows>();

/**
 * The two cue rows of the books, rendered once per books. Cues are the costliest thing a company
 * serves (they run over its ledger and documents) and depend on nothing but the books, so they are
 * kept with them; the sample tenant's `warm()` computes them ahead of a benchmark.
 */
export function cueRows(books: CompanyBooks): CueRows {
  let rows = cueRowCache.get(books);
  if (!rows) {
    const activity = withEtag(activityCuesRow(books));
    const finance = withEtag(financeCuesRow(books));
    rows = {
      activity,
      finance,
      activityShape: activityCuesShape(activity),
      financeShape: financeCuesShape(finance),
    };
    cueRowCache.set(books, rows);
  }
  return rows;
}

/** The single row of `AccountantPortalActivityCues` (page 1314). */
export function activityCuesRow(books: CompanyBooks): WireRow {
  const c = cuesOf(books);
  const d = true;
  return cueRow(
    {
      OverduePurchInvoice: amountCue(
        c,
        c.overduePurchaseInvoiceAmount,
        c.overduePurchaseInvoiceAmount > 0 ? 'Unfavorable' : 'Favorable',
        d,
      ),
      OverdueSalesInvoice: amountCue(
        c,
        c.overdueSalesInvoiceAmount,
        c.overdueSalesInvoiceAmount > 0 ? 'Unfavorable' : 'Favorable',
        d,
      ),
      NonAppliedPayments: countCue(c.nonAppliedPayments),
      PurchInvoicesDueNextWeek: countCue(c.purchaseInvoicesDueNextWeek, 'Ambiguous'),
      SalesInvoicesDueNextWeek: countCue(c.salesInvoicesDueNextWeek, 'Ambiguous'),
      OngoingPurchaseInvoices: countCue(c.ongoingPurchaseInvoices),
      OngoingSalesInvoices: countCue(c.ongoingSalesInvoices),
      SalesThisMonth: amountCue(c, c.salesThisMonth, 'Favorable', false),
      Top10CustomerSalesYTD: amountCue(c, c.top10CustomerSalesYtd, 'None', false),
      AverageCollectionDays: { text: c.averageCollectionDays.toFixed(1), style: 'None' },
      OngoingSalesQuotes: countCue(c.ongoingSalesQuotes),
      OngoingSalesOrders: countCue(c.ongoingSalesOrders),
      RequeststoApprove: countCue(c.requestsToApprove, 'Ambiguous'),
      PurchaseOrders: countCue(c.purchaseOrders),
      SalesInvPendDocExchange: countCue(c.salesInvPendDocExchange),
      SalesCrMPendDocExchange: countCue(c.salesCrMPendDocExchange),
      MyIncomingDocuments: countCue(c.myIncomingDocuments),
      IncDocAwaitingVerif: countCue(c.incDocAwaitingVerification),
      ContactName: { text: c.contactName, style: 'Subordinate' },
    },
    c.currencySymbol,
    books.company.legacyCues,
  );
}

/** The single row of `AccountantPortalFinanceCues` (page 1315). */
export function financeCuesRow(books: CompanyBooks): WireRow {
  const c = cuesOf(books);
  return cueRow(
    {
      OverduePurchaseDocuments: countCue(c.overduePurchaseDocuments, 'Unfavorable'),
      PurchaseDiscountsNextWeek: countCue(c.purchaseDiscountsNextWeek),
      OverdueSalesDocuments: countCue(c.overdueSalesDocuments, 'Unfavorable'),
      PurchaseDocumentsDueToday: countCue(c.purchaseDocumentsDueToday, 'Ambiguous'),
      VendorsPaymentsOnHold: countCue(c.vendorsPaymentsOnHold),
      POsPendingApproval: countCue(c.posPendingApproval),
      SOsPendingApproval: countCue(c.sosPendingApproval),
      ApprovedSalesOrders: countCue(c.approvedSalesOrders),
      ApprovedPurchaseOrders: countCue(c.approvedPurchaseOrders),
      PurchaseReturnOrders: countCue(c.purchaseReturnOrders),
      SalesReturnOrdersAll: countCue(c.salesReturnOrders),
      CustomersBlocked: countCue(c.customersBlocked, 'Ambiguous'),
      NewIncomingDocuments: countCue(c.newIncomingDocuments),
      ApprovedIncomingDocuments: countCue(c.approvedIncomingDocuments),
      OCRPending: countCue(c.ocrPending),
      OCRCompleted: countCue(c.ocrCompleted),
      RequeststoApprove: countCue(c.requestsToApprove),
      RequestsSentForApproval: countCue(c.requestsSentForApproval),
      CashAccountsBalance: amountCue(
        c,
        c.cashAccountsBalance,
        c.cashAccountsBalance < 0 ? 'Unfavorable' : 'Favorable',
        true,
      ),
      LastDepreciatedPostedDate: {
        text: c.lastDepreciationDate === null ? '' : formatAlDate(c.lastDepreciationDate),
        style: 'Subordinate',
      },
      LastLoginDate: { text: formatAlDate(books.today), style: 'Subordinate' },
    },
    c.currencySymbol,
    books.company.legacyCues,
  );
}

/** Property types of an activity cue row (legacy rows lack the `…Decimal` fields). */
export function activityCuesShape(row: WireRow): EntityShape {
  return cueShape('AccountantPortalActivityCues', row);
}

/** Property types of a finance cue row. */
export function financeCuesShape(row: WireRow): EntityShape {
  return cueShape('AccountantPortalFinanceCues', row);
}

/** User groups the sample accountant belongs to. */
export const accountantGroups: ReadonlySet<string> = new Set(['FINANCE']);

/** A task as it stands now: completion through the API overrides the generated percentage. */
function effectivePercent(task: UserTaskRecord, ctx: RenderContext): number {
  return ctx.completedTasks.has(task.id) ? 100 : task.percentComplete;
}

/** BC's "my pending tasks": assigned to me or to a group of mine, and not complete. */
export function isMyPendingTask(task: UserTaskRecord, ctx: RenderContext): boolean {
  const mine =
    task.assignedTo === ctx.tenant.accountantUserId ||
    (task.assignedTo === emptyGuid && accountantGroups.has(task.userTaskGroup));
  return mine && effectivePercent(task, ctx) !== 100;
}

/** The task's deep link: page 1171 of the sample web client, as BC's `GetUrl(…) + '&Mode=Edit'`. */
export function taskLink(ctx: RenderContext, task: UserTaskRecord): string {
  const bookmark = `27;${Buffer.from(`UserTask:${task.id}`).toString('base64')}`;
  return `${ctx.webClientBase}/?company=${encodeURIComponent(ctx.books.company.name)}&page=1171&bookmark=${encodeURIComponent(bookmark)}&Mode=Edit`;
}

/** Page 1316 "Accountant Portal User Tasks" as published over ODataV4. */
const userTaskColumns = table<UserTaskRecord, RenderContext>({
  ID: col(t.number, (task) => task.id),
  Title: col(t.string, (task) => task.title),
  Due_DateTime: col(t.datetime, (task) => task.dueAt ?? emptyDateTime),
  Percent_Complete: col(t.number, (task, ctx) => effectivePercent(task, ctx)),
  Priority: col(t.enum(taskPriorities), (task) => task.priority),
  Created_By_Name: col(t.string, (task) => task.createdBy),
  Created_DateTime: col(t.datetime, (task) => task.createdAt),
  Start_DateTime: col(t.datetime, (task) => task.startAt ?? emptyDateTime),
  // BC's page sets an unassigned (group) task's Assigned To to the caller.
  Assigned_To: col(t.guid, (task, ctx) =>
    task.assignedTo === emptyGuid ? ctx.tenant.accountantUserId : task.assignedTo,
  ),
  Link: col(t.string, (task, ctx) => taskLink(ctx, task)),
  User_Task_Group_Assigned_To: col(t.string, (task) => task.userTaskGroup),
});

/** Property types of `AccountantPortalUserTasks`. */
export const userTaskShape: EntityShape = {
  typeName: 'NAV.AccountantPortalUserTasks',
  props: userTaskColumns.props,
};

/** The caller's pending tasks, as `AccountantPortalUserTasks` answers them. */
export function userTaskRows(ctx: RenderContext): WireRow[] {
  return ctx.books.tasks
    .filter((task) => isMyPendingTask(task, ctx))
    .map((task) => userTaskColumns.render(task, ctx));
}

/** A task of page 1170 with what the page derives from it and from the store. */
interface ListedTask {
  readonly task: UserTaskRecord;
  readonly percent: number;
  readonly assignee: string;
  /** When it was completed through `NAV.SetComplete`, if it was. */
  readonly completedAt: string | undefined;
}

/** Page 1170 "User Task List" (web service `UserTaskSetComplete`): every user's tasks. */
const userTaskListColumns = table<ListedTask, RenderContext>({
  ID: col(t.number, ({ task }) => task.id),
  Title: col(t.string, ({ task }) => task.title),
  Due_DateTime: col(t.datetime, ({ task }) => task.dueAt ?? emptyDateTime),
  Priority: col(t.enum(taskPriorities), ({ task }) => task.priority),
  Percent_Complete: col(t.number, (l) => l.percent),
  Assigned_To_User_Name: col(t.string, (l) => l.assignee),
  User_Task_Group_Assigned_To: col(t.string, ({ task }) => task.userTaskGroup),
  Created_DateTime: col(t.datetime, ({ task }) => task.createdAt),
  Completed_DateTime: col(
    t.datetime,
    (l) => l.completedAt ?? (l.percent === 100 ? l.task.createdAt : emptyDateTime),
  ),
  Start_DateTime: col(t.datetime, ({ task }) => task.startAt ?? emptyDateTime),
  Created_By_User_Name: col(t.string, ({ task }) => task.createdBy),
  Completed_By_User_Name: col(t.string, (l, ctx) =>
    l.completedAt !== undefined
      ? ctx.tenant.accountantUserName
      : l.percent === 100
        ? l.assignee
        : '',
  ),
});

/** Property types of `UserTaskSetComplete`. */
export const userTaskListShape: EntityShape = {
  typeName: 'NAV.UserTaskSetComplete',
  props: userTaskListColumns.props,
};

/** Every user's tasks, as page 1170 (`UserTaskSetComplete`) answers them. */
export function userTaskListRows(ctx: RenderContext): WireRow[] {
  return ctx.books.tasks.map((task) => {
    const assignee =
      task.assignedTo === ctx.tenant.accountantUserId
        ? ctx.tenant.accountantUserName
        : task.assignedTo === emptyGuid
          ? ''
          : 'OTHER.USER';
    return userTaskListColumns.render(
      {
        task,
        percent: effectivePercent(task, ctx),
        assignee,
        completedAt: ctx.completedTasks.get(task.id),
      },
      ctx,
    );
  });
}
