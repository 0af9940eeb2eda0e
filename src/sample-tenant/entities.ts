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
  type Address,
  type CompanyBooks,
  type CompanyInformation,
  type Party,
  type PurchaseInvoice,
  type SalesInvoice,
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
  type SampleCues,
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
// API v2.0 entity sets

const styles = ['None', 'Favorable', 'Unfavorable', 'Ambiguous', 'Subordinate'] as const;

function shape(typeName: string, props: Record<string, PropType>): EntityShape {
  return { typeName: `Microsoft.NAV.${typeName}`, props };
}

const addressProps = (prefix: string): Record<string, PropType> => ({
  [`${prefix}AddressLine1`]: t.string,
  [`${prefix}AddressLine2`]: t.string,
  [`${prefix}City`]: t.string,
  [`${prefix}Country`]: t.string,
  [`${prefix}State`]: t.string,
  [`${prefix}PostCode`]: t.string,
});

function addressFields(prefix: string, p: Party): WireRow {
  return {
    [`${prefix}AddressLine1`]: p.address.line1,
    [`${prefix}AddressLine2`]: p.address.line2,
    [`${prefix}City`]: p.address.city,
    [`${prefix}Country`]: p.address.country,
    [`${prefix}State`]: p.address.state,
    [`${prefix}PostCode`]: p.address.postCode,
  };
}

/** A property of a row: its type, and how it is read from the source record. */
interface Column<T> {
  readonly type: PropType;
  readonly read: (item: T, books: CompanyBooks) => WireValue;
}
type Columns<T> = Readonly<Record<string, Column<T>>>;

function col<T>(type: PropType, read: (item: T, books: CompanyBooks) => WireValue): Column<T> {
  return { type, read };
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

/**
 * A set whose rows are rendered on demand from the books' records. A refresh asks every company
 * for its currency and the tax of its period's invoices (`$filter` on `postingDate`, `$select` of
 * two fields): reading the filtered property straight from the record, and rendering only the
 * rows and properties sent, keeps those requests cheap however many columns a row has.
 *
 * Etags come from a row version, as BC's do (the record's SystemRowVersion), not from the row's
 * text: a record changes only when its books do, which is per company and day.
 */
function recordSet<T extends { readonly id: string }>(spec: {
  readonly name: string;
  readonly typeName: string;
  readonly items: (books: CompanyBooks) => readonly T[];
  readonly columns: Columns<T>;
}): EntitySet {
  const { name, items, columns } = spec;
  const names = Object.keys(columns);
  const props: Record<string, PropType> = {};
  for (const n of names) props[n] = (columns[n] as Column<T>).type;
  const renderAll = (item: T, books: CompanyBooks): WireRow => {
    const row: WireRow = {};
    for (const n of names) row[n] = (columns[n] as Column<T>).read(item, books);
    return row;
  };
  return {
    name,
    key: 'id',
    keyKind: 'guid',
    shape: shape(spec.typeName, props),
    rows: ({ books }) => items(books).map((item) => renderAll(item, books)),
    lazy: ({ books }) => {
      const list = items(books);
      const version = hashOf(books.company.seed, books.today, name);
      const render = (index: number, select: readonly string[] | null): WireRow => {
        const item = list[index];
        if (item === undefined) return {};
        const row: WireRow = { '@odata.etag': etagFromVersion(rowVersion(version, index)) };
        for (const n of select ?? names) row[n] = columns[n]?.read(item, books) ?? null;
        return row;
      };
      return {
        length: list.length,
        get: (index, prop) => {
          const item = list[index];
          const column = columns[prop];
          return item === undefined || column === undefined ? null : column.read(item, books);
        },
        render,
        json: (index, select) => JSON.stringify(render(index, select)),
      };
    },
  };
}

/** API v2.0 `companies`; its rows come from the fleet, see {@link companyRows}. */
export const companiesSet: EntitySet = {
  name: 'companies',
  key: 'id',
  keyKind: 'guid',
  shape: shape('company', {
    id: t.guid,
    systemVersion: t.string,
    timestamp: t.number,
    name: t.string,
    displayName: t.string,
    businessProfileId: t.string,
    systemCreatedAt: t.datetime,
    systemCreatedBy: t.guid,
    systemModifiedAt: t.datetime,
    systemModifiedBy: t.guid,
  }),
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
  return {
    id: c.id,
    systemVersion: '26.0.30643.33517',
    timestamp: rng.int(1000, 99999),
    name: c.name,
    displayName: c.displayName,
    businessProfileId: '',
    systemCreatedAt: created,
    systemCreatedBy: user,
    systemModifiedAt: created,
    systemModifiedBy: user,
  };
}

const companyInformationSet = recordSet<CompanyInformation>({
  name: 'companyInformation',
  typeName: 'companyInformation',
  items: (books) => [books.info],
  columns: {
    id: col(t.guid, (i) => i.id),
    name: col(t.string, (_i, b) => b.company.name),
    displayName: col(t.string, (_i, b) => b.company.displayName),
    addressLine1: col(t.string, (i) => i.address.line1),
    addressLine2: col(t.string, (i) => i.address.line2),
    city: col(t.string, (i) => i.address.city),
    state: col(t.string, (i) => i.address.state),
    country: col(t.string, (i) => i.address.country),
    postalCode: col(t.string, (i) => i.address.postCode),
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

const customersSet: EntitySet = {
  name: 'customers',
  key: 'id',
  keyKind: 'guid',
  shape: shape('customer', {
    id: t.guid,
    number: t.string,
    displayName: t.string,
    type: t.enum(['Company', 'Person']),
    addressLine1: t.string,
    addressLine2: t.string,
    city: t.string,
    state: t.string,
    country: t.string,
    postalCode: t.string,
    phoneNumber: t.string,
    email: t.string,
    website: t.string,
    salespersonCode: t.string,
    balanceDue: t.number,
    creditLimit: t.number,
    taxLiable: t.boolean,
    taxAreaId: t.guid,
    taxAreaDisplayName: t.string,
    taxRegistrationNumber: t.string,
    currencyId: t.guid,
    currencyCode: t.string,
    paymentTermsId: t.guid,
    shipmentMethodId: t.guid,
    paymentMethodId: t.guid,
    blocked: t.enum(customerBlockedValues),
    lastModifiedDateTime: t.datetime,
  }),
  rows: ({ books }) =>
    books.customers.map((c) => ({
      id: c.id,
      number: c.number,
      displayName: c.name,
      type: c.type,
      addressLine1: c.address.line1,
      addressLine2: c.address.line2,
      city: c.address.city,
      state: c.address.state,
      country: c.address.country,
      postalCode: c.address.postCode,
      phoneNumber: c.phone,
      email: c.email,
      website: c.website,
      salespersonCode: '',
      balanceDue: dec(
        books.salesInvoices
          .filter((i) => i.status === 'Open' && i.customer.id === c.id)
          .reduce((s, i) => s + i.remainingAmount, 0),
      ),
      creditLimit: dec(c.creditLimit),
      taxLiable: c.taxLiable,
      taxAreaId: emptyGuid,
      taxAreaDisplayName: '',
      taxRegistrationNumber: c.taxRegistrationNumber,
      currencyId: emptyGuid,
      currencyCode: books.company.currencyCode,
      paymentTermsId: c.terms.id,
      shipmentMethodId: emptyGuid,
      paymentMethodId: emptyGuid,
      blocked: c.blocked,
      lastModifiedDateTime: c.lastModified,
    })),
};

const vendorsSet: EntitySet = {
  name: 'vendors',
  key: 'id',
  keyKind: 'guid',
  shape: shape('vendor', {
    id: t.guid,
    number: t.string,
    displayName: t.string,
    addressLine1: t.string,
    addressLine2: t.string,
    city: t.string,
    state: t.string,
    country: t.string,
    postalCode: t.string,
    phoneNumber: t.string,
    email: t.string,
    website: t.string,
    taxRegistrationNumber: t.string,
    currencyId: t.guid,
    currencyCode: t.string,
    irs1099Code: t.string,
    paymentTermsId: t.guid,
    paymentMethodId: t.guid,
    taxLiable: t.boolean,
    blocked: t.enum(vendorBlockedValues),
    balance: t.number,
    lastModifiedDateTime: t.datetime,
  }),
  rows: ({ books }) =>
    books.vendors.map((v) => ({
      id: v.id,
      number: v.number,
      displayName: v.name,
      addressLine1: v.address.line1,
      addressLine2: v.address.line2,
      city: v.address.city,
      state: v.address.state,
      country: v.address.country,
      postalCode: v.address.postCode,
      phoneNumber: v.phone,
      email: v.email,
      website: v.website,
      taxRegistrationNumber: v.taxRegistrationNumber,
      currencyId: emptyGuid,
      currencyCode: books.company.currencyCode,
      irs1099Code: '',
      paymentTermsId: v.terms.id,
      paymentMethodId: emptyGuid,
      taxLiable: v.taxLiable,
      blocked: v.blocked,
      balance: dec(
        books.purchaseInvoices
          .filter((i) => i.status === 'Open' && i.vendor.id === v.id)
          .reduce((s, i) => s + i.amountExcludingTax + i.taxAmount, 0),
      ),
      lastModifiedDateTime: v.lastModified,
    })),
};

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
    promisedPayDate: col(t.date, () => emptyDate),
    customerPurchaseOrderReference: col(t.string, () => ''),
    customerId: col(t.guid, (i) => i.customer.id),
    customerNumber: col(t.string, (i) => i.customer.number),
    customerName: col(t.string, (i) => i.customer.name),
    billToName: col(t.string, (i) => i.customer.name),
    billToCustomerId: col(t.guid, (i) => i.customer.id),
    billToCustomerNumber: col(t.string, (i) => i.customer.number),
    shipToName: col(t.string, (i) => i.customer.name),
    shipToContact: col(t.string, (i) => i.customer.contact),
    ...addressColumns<SalesInvoice>('sellTo', (i) => i.customer.address),
    ...addressColumns<SalesInvoice>('billTo', (i) => i.customer.address),
    ...addressColumns<SalesInvoice>('shipTo', (i) => i.customer.address),
    currencyId: col(t.guid, () => emptyGuid),
    shortcutDimension1Code: col(t.string, () => ''),
    shortcutDimension2Code: col(t.string, () => ''),
    currencyCode: col(t.string, (_i, b) => b.company.currencyCode),
    orderId: col(t.guid, () => emptyGuid),
    orderNumber: col(t.string, () => ''),
    paymentTermsId: col(t.guid, (i) => i.customer.terms.id),
    shipmentMethodId: col(t.guid, () => emptyGuid),
    salesperson: col(t.string, (i) => i.salesperson),
    disputeStatusId: col(t.guid, () => emptyGuid),
    disputeStatus: col(t.string, () => ''),
    pricesIncludeTax: col(t.boolean, () => false),
    remainingAmount: col(t.number, (i) => dec(i.remainingAmount)),
    discountAmount: col(t.number, (i) => dec(i.discountAmount)),
    discountAppliedBeforeTax: col(t.boolean, () => true),
    totalAmountExcludingTax: col(t.number, (i) => dec(i.amountExcludingTax)),
    totalTaxAmount: col(t.number, (i) => dec(i.taxAmount)),
    totalAmountIncludingTax: col(t.number, (i) => dec(i.amountExcludingTax + i.taxAmount)),
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
    shipToContact: col(t.string, () => ''),
    ...addressColumns<PurchaseInvoice>('buyFrom', (i) => i.vendor.address),
    ...addressColumns<PurchaseInvoice>('shipTo', (_i, b) => b.info.address),
    ...addressColumns<PurchaseInvoice>('payTo', (i) => i.vendor.address),
    shortcutDimension1Code: col(t.string, () => ''),
    shortcutDimension2Code: col(t.string, () => ''),
    currencyId: col(t.guid, () => emptyGuid),
    currencyCode: col(t.string, (_i, b) => b.company.currencyCode),
    orderId: col(t.guid, () => emptyGuid),
    orderNumber: col(t.string, () => ''),
    purchaser: col(t.string, (i) => i.purchaser),
    pricesIncludeTax: col(t.boolean, () => false),
    discountAmount: col(t.number, (i) => dec(i.discountAmount)),
    discountAppliedBeforeTax: col(t.boolean, () => true),
    totalAmountExcludingTax: col(t.number, (i) => dec(i.amountExcludingTax)),
    totalTaxAmount: col(t.number, (i) => dec(i.taxAmount)),
    totalAmountIncludingTax: col(t.number, (i) => dec(i.amountExcludingTax + i.taxAmount)),
    status: col(t.enum(invoiceStatuses), (i) => i.status),
    lastModifiedDateTime: col(t.datetime, (i) => i.lastModified),
  },
});

const salesQuotesSet: EntitySet = {
  name: 'salesQuotes',
  key: 'id',
  keyKind: 'guid',
  shape: shape('salesQuote', {
    id: t.guid,
    number: t.string,
    externalDocumentNumber: t.string,
    documentDate: t.date,
    postingDate: t.date,
    dueDate: t.date,
    customerId: t.guid,
    customerNumber: t.string,
    customerName: t.string,
    billToName: t.string,
    billToCustomerId: t.guid,
    billToCustomerNumber: t.string,
    shipToName: t.string,
    shipToContact: t.string,
    ...addressProps('sellTo'),
    ...addressProps('billTo'),
    ...addressProps('shipTo'),
    shortcutDimension1Code: t.string,
    shortcutDimension2Code: t.string,
    currencyId: t.guid,
    currencyCode: t.string,
    paymentTermsId: t.guid,
    shipmentMethodId: t.guid,
    salesperson: t.string,
    discountAmount: t.number,
    totalAmountExcludingTax: t.number,
    totalTaxAmount: t.number,
    totalAmountIncludingTax: t.number,
    status: t.enum(salesQuoteStatuses),
    sentDate: t.datetime,
    validUntilDate: t.date,
    acceptedDate: t.date,
    lastModifiedDateTime: t.datetime,
    phoneNumber: t.string,
    email: t.string,
  }),
  rows: ({ books }) =>
    books.salesQuotes.map((q) => ({
      id: q.id,
      number: q.number,
      externalDocumentNumber: '',
      documentDate: q.documentDate,
      postingDate: q.documentDate,
      dueDate: q.dueDate,
      customerId: q.customer.id,
      customerNumber: q.customer.number,
      customerName: q.customer.name,
      billToName: q.customer.name,
      billToCustomerId: q.customer.id,
      billToCustomerNumber: q.customer.number,
      shipToName: q.customer.name,
      shipToContact: q.customer.contact,
      ...addressFields('sellTo', q.customer),
      ...addressFields('billTo', q.customer),
      ...addressFields('shipTo', q.customer),
      shortcutDimension1Code: '',
      shortcutDimension2Code: '',
      currencyId: emptyGuid,
      currencyCode: books.company.currencyCode,
      paymentTermsId: q.customer.terms.id,
      shipmentMethodId: emptyGuid,
      salesperson: q.salesperson,
      discountAmount: 0,
      totalAmountExcludingTax: dec(q.amountExcludingTax),
      totalTaxAmount: dec(q.taxAmount),
      totalAmountIncludingTax: dec(q.amountExcludingTax + q.taxAmount),
      status: q.status,
      sentDate: q.sentDate,
      validUntilDate: q.validUntilDate,
      acceptedDate: q.acceptedDate,
      lastModifiedDateTime: q.lastModified,
      phoneNumber: q.customer.phone,
      email: q.customer.email,
    })),
};

const salesOrdersSet: EntitySet = {
  name: 'salesOrders',
  key: 'id',
  keyKind: 'guid',
  shape: shape('salesOrder', {
    id: t.guid,
    number: t.string,
    externalDocumentNumber: t.string,
    orderDate: t.date,
    postingDate: t.date,
    customerId: t.guid,
    customerNumber: t.string,
    customerName: t.string,
    billToName: t.string,
    billToCustomerId: t.guid,
    billToCustomerNumber: t.string,
    shipToName: t.string,
    shipToContact: t.string,
    ...addressProps('sellTo'),
    ...addressProps('billTo'),
    ...addressProps('shipTo'),
    shortcutDimension1Code: t.string,
    shortcutDimension2Code: t.string,
    currencyId: t.guid,
    currencyCode: t.string,
    pricesIncludeTax: t.boolean,
    paymentTermsId: t.guid,
    shipmentMethodId: t.guid,
    salesperson: t.string,
    partialShipping: t.boolean,
    requestedDeliveryDate: t.date,
    discountAmount: t.number,
    discountAppliedBeforeTax: t.boolean,
    totalAmountExcludingTax: t.number,
    totalTaxAmount: t.number,
    totalAmountIncludingTax: t.number,
    fullyShipped: t.boolean,
    status: t.enum(salesOrderStatuses),
    lastModifiedDateTime: t.datetime,
    phoneNumber: t.string,
    email: t.string,
  }),
  rows: ({ books }) =>
    books.salesOrders.map((o) => ({
      id: o.id,
      number: o.number,
      externalDocumentNumber: '',
      orderDate: o.orderDate,
      postingDate: o.postingDate,
      customerId: o.customer.id,
      customerNumber: o.customer.number,
      customerName: o.customer.name,
      billToName: o.customer.name,
      billToCustomerId: o.customer.id,
      billToCustomerNumber: o.customer.number,
      shipToName: o.customer.name,
      shipToContact: o.customer.contact,
      ...addressFields('sellTo', o.customer),
      ...addressFields('billTo', o.customer),
      ...addressFields('shipTo', o.customer),
      shortcutDimension1Code: '',
      shortcutDimension2Code: '',
      currencyId: emptyGuid,
      currencyCode: books.company.currencyCode,
      pricesIncludeTax: false,
      paymentTermsId: o.customer.terms.id,
      shipmentMethodId: emptyGuid,
      salesperson: o.salesperson,
      partialShipping: o.partialShipping,
      requestedDeliveryDate: o.requestedDeliveryDate,
      discountAmount: 0,
      discountAppliedBeforeTax: true,
      totalAmountExcludingTax: dec(o.amountExcludingTax),
      totalTaxAmount: dec(o.taxAmount),
      totalAmountIncludingTax: dec(o.amountExcludingTax + o.taxAmount),
      fullyShipped: false,
      status: o.status,
      lastModifiedDateTime: o.lastModified,
      phoneNumber: o.customer.phone,
      email: o.customer.email,
    })),
};

const accountsSet: EntitySet = {
  name: 'accounts',
  key: 'id',
  keyKind: 'guid',
  shape: shape('account', {
    id: t.guid,
    number: t.string,
    displayName: t.string,
    category: t.enum(accountCategories),
    subCategory: t.string,
    blocked: t.boolean,
    accountType: t.enum(accountTypes),
    directPosting: t.boolean,
    netChange: t.number,
    consolidationTranslationMethod: t.string,
    consolidationDebitAccount: t.string,
    consolidationCreditAccount: t.string,
    excludeFromConsolidation: t.boolean,
    lastModifiedDateTime: t.datetime,
  }),
  rows: ({ books }) => {
    const changes = netChanges(books.glEntries, null, books.today);
    return books.accounts.map((a) => ({
      id: a.id,
      number: a.number,
      displayName: a.name,
      category: a.category,
      subCategory: a.subCategory,
      blocked: false,
      accountType: a.accountType,
      directPosting:
        a.accountType === 'Posting' && a.role !== 'receivables' && a.role !== 'payables',
      netChange: dec(accountAmount(a, books.accounts, changes)),
      consolidationTranslationMethod:
        a.category === 'Income' || a.category === 'Expense'
          ? 'Average_x0020_Rate'
          : 'Closing_x0020_Rate',
      consolidationDebitAccount: '',
      consolidationCreditAccount: '',
      excludeFromConsolidation: false,
      lastModifiedDateTime: a.lastModified,
    }));
  },
};

const generalLedgerEntriesSet: EntitySet = {
  name: 'generalLedgerEntries',
  key: 'id',
  keyKind: 'guid',
  shape: shape('generalLedgerEntry', {
    id: t.guid,
    entryNumber: t.number,
    postingDate: t.date,
    documentNumber: t.string,
    documentType: t.enum(glDocumentTypes),
    accountId: t.guid,
    accountNumber: t.string,
    description: t.string,
    debitAmount: t.number,
    creditAmount: t.number,
    additionalCurrencyDebitAmount: t.number,
    additionalCurrencyCreditAmount: t.number,
    lastModifiedDateTime: t.datetime,
  }),
  rows: ({ books }) => {
    const ids = new Map(books.accounts.map((a) => [a.number, a.id]));
    return books.glEntries.map((e) => ({
      id: guidFor(books.company.seed, 'gl', e.entryNumber),
      entryNumber: e.entryNumber,
      postingDate: e.postingDate,
      documentNumber: e.documentNumber,
      documentType: e.documentType,
      accountId: ids.get(e.accountNumber) ?? emptyGuid,
      accountNumber: e.accountNumber,
      description: e.description,
      debitAmount: dec(e.debit),
      creditAmount: dec(e.credit),
      additionalCurrencyDebitAmount: 0,
      additionalCurrencyCreditAmount: 0,
      lastModifiedDateTime: `${e.postingDate}T${String(8 + (e.entryNumber % 10)).padStart(2, '0')}:${String((e.entryNumber * 7) % 60).padStart(2, '0')}:00.000Z`,
    }));
  },
};

function agedSet(kind: 'receivables' | 'payables'): EntitySet {
  const party = kind === 'receivables' ? 'customer' : 'vendor';
  return {
    name: kind === 'receivables' ? 'agedAccountsReceivables' : 'agedAccountsPayables',
    key: `${party}Id`,
    keyKind: 'guid',
    shape: shape(kind === 'receivables' ? 'agedAccountsReceivable' : 'agedAccountsPayable', {
      [`${party}Id`]: t.guid,
      [`${party}Number`]: t.string,
      name: t.string,
      currencyCode: t.string,
      balanceDue: t.number,
      currentAmount: t.number,
      period1Label: t.string,
      period1Amount: t.number,
      period2Label: t.string,
      period2Amount: t.number,
      period3Label: t.string,
      period3Amount: t.number,
      agedAsOfDate: t.date,
      periodLengthFilter: t.string,
    }),
    parameterized: true,
    rows: ({ books }, filter) => {
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
      return report.rows.map((r) => ({
        [`${party}Id`]: r.party.id,
        [`${party}Number`]: r.party.number,
        name: r.party.name,
        currencyCode: '',
        balanceDue: dec(r.balanceDue),
        currentAmount: dec(r.current),
        period1Label: report.labels[0],
        period1Amount: dec(r.period1),
        period2Label: report.labels[1],
        period2Amount: dec(r.period2),
        period3Label: report.labels[2],
        period3Amount: dec(r.period3),
        agedAsOfDate: asOf,
        periodLengthFilter: periodLength,
      }));
    },
  };
}

const trialBalancesSet: EntitySet = {
  name: 'trialBalances',
  key: 'accountId',
  keyKind: 'guid',
  shape: shape('trialBalance', {
    number: t.string,
    accountId: t.guid,
    accountType: t.enum(accountTypes),
    display: t.string,
    totalDebit: t.string,
    totalCredit: t.string,
    balanceAtDateDebit: t.string,
    balanceAtDateCredit: t.string,
    dateFilter: t.date,
  }),
  parameterized: true,
  rows: ({ books }, filter) => {
    const range = dateRangeOf(filter, 'dateFilter');
    const to = range.to ?? books.today;
    const from = range.from ?? yearStart(to);
    return trialBalance(books, from, to).map((r) => ({
      number: r.account.number,
      accountId: r.account.id,
      accountType: r.account.accountType,
      display: r.account.name,
      totalDebit: formatCents(Math.max(0, r.netChange)),
      totalCredit: formatCents(Math.max(0, -r.netChange)),
      balanceAtDateDebit: formatCents(Math.max(0, r.balance)),
      balanceAtDateCredit: formatCents(Math.max(0, -r.balance)),
      dateFilter: to,
    }));
  },
};

function statementSet(
  name: 'balanceSheets' | 'incomeStatements' | 'cashFlowStatements',
  typeName: string,
): EntitySet {
  const amountProp = name === 'balanceSheets' ? 'balance' : 'netChange';
  return {
    name,
    key: 'id',
    keyKind: 'guid',
    shape: shape(typeName, {
      id: t.guid,
      lineNumber: t.number,
      display: t.string,
      [amountProp]: t.number,
      lineType: t.string,
      indentation: t.number,
      dateFilter: t.date,
    }),
    parameterized: true,
    rows: ({ books }, filter) => {
      const range = dateRangeOf(filter, 'dateFilter');
      const to = range.to ?? range.from ?? books.today;
      const lines =
        name === 'balanceSheets'
          ? balanceSheet(books, to)
          : name === 'incomeStatements'
            ? incomeStatement(books, range.from ?? yearStart(to), to)
            : cashFlowStatement(books, range.from ?? yearStart(to), to);
      return lines.map((l) => ({
        id: guidFor(books.company.seed, name, l.lineNumber),
        lineNumber: l.lineNumber,
        display: l.display,
        [amountProp]: dec(l.amount),
        lineType: l.lineType,
        indentation: l.indentation,
        dateFilter: to,
      }));
    },
  };
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

/** ODataV4 `Company` (Name is the key used in `Company('…')`). */
export const odataCompanyShape: EntityShape = {
  typeName: 'NAV.Company',
  props: {
    Name: t.string,
    Evaluation_Company: t.boolean,
    Display_Name: t.string,
    Id: t.guid,
    Business_Profile_Id: t.string,
  },
};

/** A company as ODataV4 `Company` lists it. */
export function odataCompanyRow(c: GeneratedCompany): WireRow {
  return {
    Name: c.name,
    Evaluation_Company: c.evaluationCompany,
    Display_Name: c.displayName,
    Id: c.id,
    Business_Profile_Id: '',
  };
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

function countCue(n: number, style: Style = 'None'): CueValue {
  return { text: formatCount(n), style };
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
      PurchInvoicesDueNextWeek: countCue(
        c.purchaseInvoicesDueNextWeek,
        c.purchaseInvoicesDueNextWeek > 0 ? 'Ambiguous' : 'None',
      ),
      SalesInvoicesDueNextWeek: countCue(
        c.salesInvoicesDueNextWeek,
        c.salesInvoicesDueNextWeek > 0 ? 'Ambiguous' : 'None',
      ),
      OngoingPurchaseInvoices: countCue(c.ongoingPurchaseInvoices),
      OngoingSalesInvoices: countCue(c.ongoingSalesInvoices),
      SalesThisMonth: amountCue(c, c.salesThisMonth, 'Favorable', false),
      Top10CustomerSalesYTD: amountCue(c, c.top10CustomerSalesYtd, 'None', false),
      AverageCollectionDays: { text: c.averageCollectionDays.toFixed(1), style: 'None' },
      OngoingSalesQuotes: countCue(c.ongoingSalesQuotes),
      OngoingSalesOrders: countCue(c.ongoingSalesOrders),
      RequeststoApprove: countCue(
        c.requestsToApprove,
        c.requestsToApprove > 0 ? 'Ambiguous' : 'None',
      ),
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
      OverduePurchaseDocuments: countCue(
        c.overduePurchaseDocuments,
        c.overduePurchaseDocuments > 0 ? 'Unfavorable' : 'None',
      ),
      PurchaseDiscountsNextWeek: countCue(c.purchaseDiscountsNextWeek),
      OverdueSalesDocuments: countCue(
        c.overdueSalesDocuments,
        c.overdueSalesDocuments > 0 ? 'Unfavorable' : 'None',
      ),
      PurchaseDocumentsDueToday: countCue(
        c.purchaseDocumentsDueToday,
        c.purchaseDocumentsDueToday > 0 ? 'Ambiguous' : 'None',
      ),
      VendorsPaymentsOnHold: countCue(c.vendorsPaymentsOnHold),
      POsPendingApproval: countCue(c.posPendingApproval),
      SOsPendingApproval: countCue(c.sosPendingApproval),
      ApprovedSalesOrders: countCue(c.approvedSalesOrders),
      ApprovedPurchaseOrders: countCue(c.approvedPurchaseOrders),
      PurchaseReturnOrders: countCue(c.purchaseReturnOrders),
      SalesReturnOrdersAll: countCue(c.salesReturnOrders),
      CustomersBlocked: countCue(c.customersBlocked, c.customersBlocked > 0 ? 'Ambiguous' : 'None'),
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
export const userTaskShape: EntityShape = {
  typeName: 'NAV.AccountantPortalUserTasks',
  props: {
    ID: t.number,
    Title: t.string,
    Due_DateTime: t.datetime,
    Percent_Complete: t.number,
    Priority: t.enum(taskPriorities),
    Created_By_Name: t.string,
    Created_DateTime: t.datetime,
    Start_DateTime: t.datetime,
    Assigned_To: t.guid,
    Link: t.string,
    User_Task_Group_Assigned_To: t.string,
  },
};

/** The caller's pending tasks, as `AccountantPortalUserTasks` answers them. */
export function userTaskRows(ctx: RenderContext): WireRow[] {
  return ctx.books.tasks
    .filter((task) => isMyPendingTask(task, ctx))
    .map((task) => ({
      ID: task.id,
      Title: task.title,
      Due_DateTime: task.dueAt ?? emptyDateTime,
      Percent_Complete: effectivePercent(task, ctx),
      Priority: task.priority,
      Created_By_Name: task.createdBy,
      Created_DateTime: task.createdAt,
      Start_DateTime: task.startAt ?? emptyDateTime,
      // BC's page sets an unassigned (group) task's Assigned To to the caller.
      Assigned_To: task.assignedTo === emptyGuid ? ctx.tenant.accountantUserId : task.assignedTo,
      Link: taskLink(ctx, task),
      User_Task_Group_Assigned_To: task.userTaskGroup,
    }));
}

/** Page 1170 "User Task List" (web service `UserTaskSetComplete`): every user's tasks. */
export const userTaskListShape: EntityShape = {
  typeName: 'NAV.UserTaskSetComplete',
  props: {
    ID: t.number,
    Title: t.string,
    Due_DateTime: t.datetime,
    Priority: t.enum(taskPriorities),
    Percent_Complete: t.number,
    Assigned_To_User_Name: t.string,
    User_Task_Group_Assigned_To: t.string,
    Created_DateTime: t.datetime,
    Completed_DateTime: t.datetime,
    Start_DateTime: t.datetime,
    Created_By_User_Name: t.string,
    Completed_By_User_Name: t.string,
  },
};

/** Every user's tasks, as page 1170 (`UserTaskSetComplete`) answers them. */
export function userTaskListRows(ctx: RenderContext): WireRow[] {
  return ctx.books.tasks.map((task) => {
    const completedAt = ctx.completedTasks.get(task.id);
    const percent = effectivePercent(task, ctx);
    const assignee =
      task.assignedTo === ctx.tenant.accountantUserId
        ? ctx.tenant.accountantUserName
        : task.assignedTo === emptyGuid
          ? ''
          : 'OTHER.USER';
    return {
      ID: task.id,
      Title: task.title,
      Due_DateTime: task.dueAt ?? emptyDateTime,
      Priority: task.priority,
      Percent_Complete: percent,
      Assigned_To_User_Name: assignee,
      User_Task_Group_Assigned_To: task.userTaskGroup,
      Created_DateTime: task.createdAt,
      Completed_DateTime: completedAt ?? (percent === 100 ? task.createdAt : emptyDateTime),
      Start_DateTime: task.startAt ?? emptyDateTime,
      Created_By_User_Name: task.createdBy,
      Completed_By_User_Name:
        completedAt !== undefined ? ctx.tenant.accountantUserName : percent === 100 ? assignee : '',
    };
  });
}
