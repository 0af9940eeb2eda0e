/**
 * The domain: what an accountant works with. BC wire shapes (`Bc…`) are mapped to these once,
 * at the connector's edge; nothing past the connector sees a BC field name.
 */
import type { AccountantId, ClientId, CompanyId, UserTaskId } from './ids.js';
import type { Money } from './money.js';
import type { ErrorReason } from './errors.js';

/** ISO date `YYYY-MM-DD` (BC `Edm.Date`). */
export type IsoDate = string;
/** ISO date-time in UTC with `Z`. */
export type IsoDateTime = string;

export interface AccountantProfile {
  readonly id: AccountantId;
  readonly entraTenantId: string;
  readonly userObjectId: string;
  readonly displayName: string;
  readonly createdAt: IsoDateTime;
}

/** Where a client's BC lives: one environment of one Entra tenant. */
export interface BcEnvironmentRef {
  /** Entra tenant GUID or verified domain, lowercase, as in the Client URL. */
  readonly tenant: string;
  /** Environment name, lowercase (`production` when the URL names none). */
  readonly environment: string;
}

/**
 * How the hub authenticates to a client's BC.
 * - `sample`: the embedded sample tenant, no token.
 * - `delegated`: the accountant's own guest account, on-behalf-of their Teams sign-in.
 * - `app`: client credentials of an Entra app the client registered; the secret lives encrypted
 *   in the registry and is never returned by the API.
 */
export type ConnectionMode =
  | { readonly kind: 'sample' }
  | { readonly kind: 'delegated' }
  | { readonly kind: 'app'; readonly appClientId: string; readonly hasSecret: boolean };

/** How often the client files tax returns and when payment is due, for the taxes-due estimate. */
export interface TaxSettings {
  readonly frequency: 'monthly' | 'quarterly' | 'yearly';
  /** Days after the period ends that the return and payment are due (e.g. 10, or 30). */
  readonly dueDaysAfterPeriodEnd: number;
}

export const defaultTaxSettings: TaxSettings = {
  frequency: 'quarterly',
  dueDaysAfterPeriodEnd: 30,
};

export interface Client {
  readonly id: ClientId;
  readonly name: string;
  /** The Client URL exactly as the accountant entered it (validated). */
  readonly url: string;
  readonly target: BcEnvironmentRef;
  readonly contact: string;
  readonly notes: string;
  readonly connection: ConnectionMode;
  readonly taxSettings: TaxSettings;
  /** The sample client shown on first run. */
  readonly isSample: boolean;
  readonly createdAt: IsoDateTime;
  readonly updatedAt: IsoDateTime;
}

export interface Company {
  readonly clientId: ClientId;
  readonly id: CompanyId;
  /** BC company `name`: the key ODataV4 uses in `Company('{name}')`. */
  readonly name: string;
  /** BC company `displayName`: what people call it. */
  readonly displayName: string;
}

/** The numbers one company contributes to the dashboard. */
export interface CompanyKpis {
  /** The company's local currency (LCY) code. */
  readonly currency: string;
  readonly overdueSalesInvoiceAmount: Money;
  readonly overduePurchaseInvoiceAmount: Money;
  readonly cashAccountsBalance: Money;
  /** Unposted sales quotes + orders + invoices ("Ongoing …" cues). */
  readonly openSalesDocuments: number;
  readonly salesInvoicesDueNextWeek: number;
  readonly purchaseInvoicesDueNextWeek: number;
  readonly overdueSalesDocuments: number;
  readonly overduePurchaseDocuments: number;
  readonly tasksAssignedToMe: number;
  readonly overdueTasks: number;
  /** Computed estimate; null when it could not be computed. */
  readonly taxesDue: TaxesDueEstimate | null;
}

export interface TaxesDueEstimate {
  /** Tax on posted sales less tax on posted purchases for the period; negative = refund. */
  readonly amount: Money;
  readonly periodStart: IsoDate;
  readonly periodEnd: IsoDate;
  readonly dueDate: IsoDate;
  readonly isEstimate: true;
}

export interface SnapshotError {
  readonly reason: ErrorReason;
  readonly message: string;
  readonly at: IsoDateTime;
}

/** The last known state of one company. A failed refresh keeps the last good `kpis`. */
export interface CompanySnapshot {
  readonly clientId: ClientId;
  readonly companyId: CompanyId;
  readonly kpis: CompanyKpis | null;
  /** When `kpis` were fetched successfully. */
  readonly refreshedAt: IsoDateTime | null;
  readonly lastAttemptAt: IsoDateTime | null;
  /** Set when the last attempt failed; cleared by the next success. */
  readonly lastError: SnapshotError | null;
  /** My open user tasks at the last refresh, for My User Tasks and the digest. */
  readonly tasks: readonly UserTask[];
}

export type TaskPriority = 'none' | 'low' | 'normal' | 'high';

export interface UserTask {
  readonly id: UserTaskId;
  readonly title: string;
  readonly dueAt: IsoDateTime | null;
  readonly startAt: IsoDateTime | null;
  readonly createdAt: IsoDateTime | null;
  readonly createdBy: string;
  readonly percentComplete: number;
  readonly priority: TaskPriority;
  /** Deep link to the task (page 1171) in the BC web client. */
  readonly link: string;
}

/** A sales or purchase invoice as the details pane and the bot show it. */
export interface InvoiceSummary {
  readonly id: string;
  readonly number: string;
  readonly partnerNumber: string;
  readonly partnerName: string;
  readonly dueDate: IsoDate;
  readonly postingDate: IsoDate;
  /** Sales: `remainingAmount`. Purchase: total including tax (BC has no remaining amount there). */
  readonly amount: Money;
  readonly amountKind: 'remaining' | 'total';
  readonly status: 'draft' | 'in-review' | 'open' | 'paid' | 'canceled' | 'corrective' | 'none';
}

/** An open receivable or payable, for the cash-flow forecast. */
export interface OpenItem {
  readonly dueDate: IsoDate;
  readonly amount: Money;
}

export interface ForecastInputs {
  readonly currency: string;
  readonly cashBalance: Money;
  readonly receivables: readonly OpenItem[];
  readonly payables: readonly OpenItem[];
  /** Where open payables came from (BC purchase invoices carry no remaining amount). */
  readonly payablesSource: 'open-purchase-invoice-totals' | 'aged-accounts-payable';
}

export interface TaxInputs {
  readonly currency: string;
  readonly salesTax: Money;
  readonly purchaseTax: Money;
  readonly salesInvoiceCount: number;
  readonly purchaseInvoiceCount: number;
}

export type FinancialStatementKind =
  | 'trial-balance'
  | 'balance-sheet'
  | 'income-statement'
  | 'cash-flow-statement'
  | 'aged-receivables'
  | 'aged-payables';

export const financialStatementKinds: readonly FinancialStatementKind[] = [
  'balance-sheet',
  'income-statement',
  'trial-balance',
  'cash-flow-statement',
  'aged-receivables',
  'aged-payables',
];

/** A line of an account-schedule statement (balance sheet, income, cash flow). */
export interface StatementLine {
  readonly lineNumber: number;
  readonly label: string;
  /** Balance (balance sheet) or net change (income, cash flow). */
  readonly amount: number;
  readonly lineType: string;
  readonly indentation: number;
}

export interface TrialBalanceLine {
  readonly accountNumber: string;
  readonly accountName: string;
  readonly accountType: string;
  readonly totalDebit: number;
  readonly totalCredit: number;
  readonly balanceAtDateDebit: number;
  readonly balanceAtDateCredit: number;
}

export interface AgedLine {
  readonly partnerNumber: string;
  readonly name: string;
  readonly currency: string;
  readonly balanceDue: number;
  readonly current: number;
  readonly period1: number;
  readonly period2: number;
  readonly period3: number;
}

export type FinancialStatement =
  | {
      readonly kind: 'balance-sheet' | 'income-statement' | 'cash-flow-statement';
      readonly currency: string;
      readonly from: IsoDate | null;
      readonly to: IsoDate;
      readonly lines: readonly StatementLine[];
    }
  | {
      readonly kind: 'trial-balance';
      readonly currency: string;
      readonly from: IsoDate;
      readonly to: IsoDate;
      readonly lines: readonly TrialBalanceLine[];
    }
  | {
      readonly kind: 'aged-receivables' | 'aged-payables';
      readonly currency: string;
      readonly asOf: IsoDate;
      readonly periodLength: string;
      readonly periodLabels: readonly [string, string, string];
      readonly lines: readonly AgedLine[];
    };

/** Columns an accountant can show on the dashboard. */
export type DashboardColumn =
  | 'taxesDue'
  | 'openSalesDocuments'
  | 'purchaseInvoicesDueNextWeek'
  | 'overdueSalesInvoiceAmount'
  | 'overduePurchaseInvoiceAmount'
  | 'cashAccountsBalance'
  | 'tasksAssignedToMe'
  | 'overdueTasks'
  | 'lastRefreshed'
  | 'status';

export const allDashboardColumns: readonly DashboardColumn[] = [
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

export interface DashboardView {
  readonly columns: readonly DashboardColumn[];
  /** Free text matched against client and company names. */
  readonly text: string;
  readonly filters: {
    readonly hasOverdueInvoices?: boolean;
    readonly refreshFailed?: boolean;
    readonly clientId?: ClientId | null;
  };
  readonly sort: {
    readonly column: DashboardColumn | 'clientName' | 'companyName';
    readonly direction: 'asc' | 'desc';
  };
}

export const defaultDashboardView: DashboardView = {
  columns: [
    'overdueSalesInvoiceAmount',
    'overduePurchaseInvoiceAmount',
    'cashAccountsBalance',
    'tasksAssignedToMe',
    'overdueTasks',
    'lastRefreshed',
    'status',
  ],
  text: '',
  filters: {},
  sort: { column: 'clientName', direction: 'asc' },
};
