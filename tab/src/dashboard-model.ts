/**
 * The dashboard's rules without any UI: which columns exist, how each sorts, and which rows a
 * view's filters keep. Pure functions, so they are tested directly and stay fast with thousands
 * of rows (one pass to filter, one sort with precomputed keys).
 */
import type {
  DashboardColumn,
  DashboardRow,
  DashboardView,
  RowStatus,
} from '../../src/hub/api-types.js';

/** Every column the dashboard can show: the two fixed name columns and the chosen data points. */
export type SortColumn = DashboardView['sort']['column'];

export type ColumnKind = 'text' | 'money' | 'count' | 'taxes' | 'time' | 'status';

export interface ColumnDef {
  readonly id: SortColumn;
  readonly label: string;
  /** Longer text for the column picker and screen readers. */
  readonly description: string;
  readonly kind: ColumnKind;
  /** Width in pixels; the grid lays rows out with these so cells line up without a table. */
  readonly width: number;
}

/** The data points, in the order the picker lists them (and the grid shows them). */
export const dataColumns: readonly DashboardColumn[] = [
  'taxesDue',
  'openSalesDocuments',
  'purchaseInvoicesDueNextWeek',
  'overdueSalesInvoiceAmount',
  'overduePurchaseInvoiceAmount',
  'cashAccountsBalance',
  'tasksAssignedToMe',
  'overdueTasks',
  'lastRefreshed',
  'status',
];

export const defaultColumns: readonly DashboardColumn[] = [
  'overdueSalesInvoiceAmount',
  'overduePurchaseInvoiceAmount',
  'cashAccountsBalance',
  'tasksAssignedToMe',
  'overdueTasks',
  'lastRefreshed',
  'status',
];

export const defaultView: DashboardView = {
  columns: defaultColumns,
  text: '',
  filters: {},
  sort: { column: 'clientName', direction: 'asc' },
};

export const columnDefs: Readonly<Record<SortColumn, ColumnDef>> = {
  clientName: {
    id: 'clientName',
    label: 'Client Name',
    description: 'Client name',
    kind: 'text',
    width: 250,
  },
  companyName: {
    id: 'companyName',
    label: 'Company Name',
    description: 'Company name',
    kind: 'text',
    width: 240,
  },
  taxesDue: {
    id: 'taxesDue',
    label: 'Taxes Due',
    description: 'Taxes due (estimate)',
    kind: 'taxes',
    width: 235,
  },
  openSalesDocuments: {
    id: 'openSalesDocuments',
    label: 'Open Sales Docs',
    description: 'Open sales documents',
    kind: 'count',
    width: 130,
  },
  purchaseInvoicesDueNextWeek: {
    id: 'purchaseInvoicesDueNextWeek',
    label: 'Purch. Inv. Due Next Week',
    description: 'Purchase invoices due next week',
    kind: 'count',
    width: 150,
  },
  overdueSalesInvoiceAmount: {
    id: 'overdueSalesInvoiceAmount',
    label: 'Overdue Sales Invoices',
    description: 'Overdue sales invoice amount',
    kind: 'money',
    width: 175,
  },
  overduePurchaseInvoiceAmount: {
    id: 'overduePurchaseInvoiceAmount',
    label: 'Overdue Purch. Invoices',
    description: 'Overdue purchase invoice amount',
    kind: 'money',
    width: 175,
  },
  cashAccountsBalance: {
    id: 'cashAccountsBalance',
    label: 'Cash Balance',
    description: 'Cash accounts balance',
    kind: 'money',
    width: 165,
  },
  tasksAssignedToMe: {
    id: 'tasksAssignedToMe',
    label: 'My Tasks',
    description: 'Tasks assigned to me',
    kind: 'count',
    width: 100,
  },
  overdueTasks: {
    id: 'overdueTasks',
    label: 'Overdue Tasks',
    description: 'Overdue tasks',
    kind: 'count',
    width: 120,
  },
  lastRefreshed: {
    id: 'lastRefreshed',
    label: 'Last Refreshed',
    description: 'Last refreshed',
    kind: 'time',
    width: 150,
  },
  status: {
    id: 'status',
    label: 'Status',
    description: 'Status: fresh, stale or failed',
    kind: 'status',
    width: 230,
  },
};

export function isDashboardColumn(v: unknown): v is DashboardColumn {
  return typeof v === 'string' && (dataColumns as readonly string[]).includes(v);
}

/** Keeps the chosen columns in the picker's order, without duplicates or unknown names. */
export function normalizeColumns(columns: readonly unknown[]): DashboardColumn[] {
  const chosen = new Set(columns.filter(isDashboardColumn));
  return dataColumns.filter((c) => chosen.has(c));
}

/** A stable key for a row: one company of one client. */
export function rowKey(row: { clientId: string; companyId: string }): string {
  return `${row.clientId}/${row.companyId}`;
}

/** A row needs attention when money is overdue on either side. */
export function hasOverdueInvoices(row: DashboardRow): boolean {
  return (
    (row.overdueSalesInvoiceAmount?.minor ?? 0) > 0 ||
    (row.overduePurchaseInvoiceAmount?.minor ?? 0) > 0
  );
}

/** The last attempt failed, whether or not older numbers are still shown. */
export function refreshFailed(row: DashboardRow): boolean {
  return row.status === 'failed' || row.errorReason !== null;
}

/** Whether any filter of the view is narrowing the rows. */
export function isFiltered(view: DashboardView): boolean {
  return (
    view.text.trim() !== '' ||
    view.filters.hasOverdueInvoices === true ||
    view.filters.refreshFailed === true ||
    Boolean(view.filters.clientId)
  );
}

/** The rows a view keeps: text matched against client and company names, then conditions. */
export function filterRows(rows: readonly DashboardRow[], view: DashboardView): DashboardRow[] {
  const needle = view.text.trim().toLocaleLowerCase();
  const { hasOverdueInvoices: overdueOnly, refreshFailed: failedOnly, clientId } = view.filters;
  return rows.filter(
    (row) =>
      (!needle ||
        row.clientName.toLocaleLowerCase().includes(needle) ||
        row.companyName.toLocaleLowerCase().includes(needle)) &&
      (!overdueOnly || hasOverdueInvoices(row)) &&
      (!failedOnly || refreshFailed(row)) &&
      (!clientId || row.clientId === clientId),
  );
}

const statusRank: Record<RowStatus, number> = { failed: 0, stale: 1, never: 2, fresh: 3 };

type SortKey = string | number | null;

function sortKeyOf(row: DashboardRow, column: SortColumn): SortKey {
  switch (column) {
    case 'clientName':
      return row.clientName;
    case 'companyName':
      return row.companyName;
    case 'taxesDue':
      return row.taxesDue?.amount.minor ?? null;
    case 'openSalesDocuments':
      return row.openSalesDocuments;
    case 'purchaseInvoicesDueNextWeek':
      return row.purchaseInvoicesDueNextWeek;
    case 'overdueSalesInvoiceAmount':
      return row.overdueSalesInvoiceAmount?.minor ?? null;
    case 'overduePurchaseInvoiceAmount':
      return row.overduePurchaseInvoiceAmount?.minor ?? null;
    case 'cashAccountsBalance':
      return row.cashAccountsBalance?.minor ?? null;
    case 'tasksAssignedToMe':
      return row.tasksAssignedToMe;
    case 'overdueTasks':
      return row.overdueTasks;
    case 'lastRefreshed':
      return row.refreshedAt ? Date.parse(row.refreshedAt) : null;
    case 'status':
      return statusRank[row.status];
    default:
      return assertNever(column);
  }
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * Sorts by the view's column; rows without a value (never refreshed) always go last, whichever
 * the direction, and ties fall back to client then company name so the order is stable.
 * Amounts sort by their number: rows in different currencies are not converted.
 */
export function sortRows(
  rows: readonly DashboardRow[],
  sort: DashboardView['sort'],
): DashboardRow[] {
  const sign = sort.direction === 'desc' ? -1 : 1;
  const keyed = rows.map((row) => ({ row, key: sortKeyOf(row, sort.column) }));
  keyed.sort((a, b) => {
    if (a.key === null || b.key === null) {
      if (a.key !== b.key) return a.key === null ? 1 : -1;
    } else {
      const c =
        typeof a.key === 'number' && typeof b.key === 'number'
          ? a.key - b.key
          : collator.compare(String(a.key), String(b.key));
      if (c !== 0) return c * sign;
    }
    return (
      collator.compare(a.row.clientName, b.row.clientName) ||
      collator.compare(a.row.companyName, b.row.companyName)
    );
  });
  return keyed.map((k) => k.row);
}

/** Filter, then sort: what the grid shows. */
export function applyView(rows: readonly DashboardRow[], view: DashboardView): DashboardRow[] {
  return sortRows(filterRows(rows, view), view.sort);
}

/** Clicking a header sorts by it; clicking the sorted header again flips the direction. */
export function nextSort(
  current: DashboardView['sort'],
  column: SortColumn,
): DashboardView['sort'] {
  if (current.column === column) {
    return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  }
  // Amounts and counts are most useful largest first; names alphabetically.
  const kind = columnDefs[column].kind;
  return { column, direction: kind === 'text' || kind === 'status' ? 'asc' : 'desc' };
}

/** Reads a view from the server defensively: unknown columns or sorts fall back to defaults. */
export function normalizeView(view: Partial<DashboardView> | null | undefined): DashboardView {
  if (!view) return defaultView;
  const columns = Array.isArray(view.columns) ? normalizeColumns(view.columns) : defaultColumns;
  const sortColumn = view.sort?.column;
  const sort: DashboardView['sort'] =
    sortColumn && sortColumn in columnDefs
      ? { column: sortColumn, direction: view.sort?.direction === 'desc' ? 'desc' : 'asc' }
      : defaultView.sort;
  return {
    columns,
    text: typeof view.text === 'string' ? view.text : '',
    filters: {
      ...(view.filters?.hasOverdueInvoices ? { hasOverdueInvoices: true } : {}),
      ...(view.filters?.refreshFailed ? { refreshFailed: true } : {}),
      ...(view.filters?.clientId ? { clientId: view.filters.clientId } : {}),
    },
    sort,
  };
}

function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}
