/**
 * What the hub hands to its edges: the REST API serialises these as JSON unchanged, the bot turns
 * them into cards, and the tab imports them as types only. Plain data, no classes.
 */
import type { ClientId, CompanyId, RefreshJobId, UserTaskId } from '../domain/ids.js';
import type { Money } from '../domain/money.js';
import type {
  BcEnvironmentRef,
  DashboardColumn,
  DashboardView,
  FinancialStatementKind,
  InvoiceSummary,
  IsoDate,
  IsoDateTime,
  TaskPriority,
  TaxSettings,
} from '../domain/model.js';
import type { ErrorReason } from '../domain/errors.js';
import type { CashFlowForecast } from '../domain/forecast.js';

export type {
  DashboardColumn,
  DashboardView,
  FinancialStatementKind,
  InvoiceSummary,
  Money,
  TaxSettings,
};

/** A client as the API shows it: secrets are never included, only whether one is stored. */
export interface ClientDto {
  readonly id: ClientId;
  readonly name: string;
  readonly url: string;
  readonly target: BcEnvironmentRef;
  readonly contact: string;
  readonly notes: string;
  readonly connection:
    | { kind: 'sample' }
    | { kind: 'delegated' }
    | { kind: 'app'; appClientId: string; hasSecret: boolean };
  readonly taxSettings: TaxSettings;
  readonly isSample: boolean;
  readonly createdAt: IsoDateTime;
  readonly updatedAt: IsoDateTime;
  readonly companies: readonly CompanyDto[];
}

export interface CompanyDto {
  readonly id: CompanyId;
  readonly name: string;
  readonly displayName: string;
}

export interface ClientInput {
  readonly name: string;
  readonly url: string;
  readonly contact?: string;
  readonly notes?: string;
  readonly taxSettings?: TaxSettings;
  /** App-only access: the client's Entra app id and secret. Omit for delegated (or sample). */
  readonly appCredentials?: { readonly appClientId: string; readonly clientSecret: string };
}

export interface TestClientUrlResult {
  readonly url: string;
  readonly target: BcEnvironmentRef;
  readonly isSample: boolean;
  readonly companies: readonly CompanyDto[];
}

/** fresh: refreshed recently without error. stale: old, or the last attempt failed but older numbers exist. failed: no numbers at all. never: not refreshed yet. */
export type RowStatus = 'fresh' | 'stale' | 'failed' | 'never';

export interface DashboardRow {
  readonly clientId: ClientId;
  readonly clientName: string;
  readonly companyId: CompanyId;
  readonly companyName: string;
  readonly isSample: boolean;
  readonly status: RowStatus;
  /** Why the row is stale or failed, in words an accountant understands. */
  readonly statusReason: string | null;
  readonly errorReason: ErrorReason | null;
  readonly refreshedAt: IsoDateTime | null;
  readonly currency: string | null;
  readonly taxesDue: {
    readonly amount: Money;
    readonly dueDate: IsoDate;
    readonly periodStart: IsoDate;
    readonly periodEnd: IsoDate;
  } | null;
  readonly openSalesDocuments: number | null;
  readonly purchaseInvoicesDueNextWeek: number | null;
  readonly overdueSalesInvoiceAmount: Money | null;
  readonly overduePurchaseInvoiceAmount: Money | null;
  readonly cashAccountsBalance: Money | null;
  readonly tasksAssignedToMe: number | null;
  readonly overdueTasks: number | null;
  /** Opens the client's BC web client on this company. */
  readonly goToClientUrl: string;
}

export interface DashboardDto {
  readonly rows: readonly DashboardRow[];
  readonly view: DashboardView;
  readonly generatedAt: IsoDateTime;
}

export type { CashFlowForecast, ForecastWeek } from '../domain/forecast.js';

export interface InvoiceRow extends InvoiceSummary {
  readonly daysOverdue: number;
  /** Opens the posted document in BC. */
  readonly link: string;
}

export interface CompanyDetailsDto {
  readonly clientId: ClientId;
  readonly clientName: string;
  readonly companyId: CompanyId;
  readonly companyName: string;
  readonly currency: string;
  readonly cashAccountsBalance: Money;
  readonly forecast: CashFlowForecast;
  readonly overdueSalesInvoices: readonly InvoiceRow[];
  readonly overduePurchaseInvoices: readonly InvoiceRow[];
  readonly taxesDue: (DashboardRow['taxesDue'] & { readonly method: string }) | null;
  readonly tasks: readonly TaskRow[];
  readonly goToClientUrl: string;
  readonly fetchedAt: IsoDateTime;
}

export interface TaskRow {
  readonly clientId: ClientId;
  readonly clientName: string;
  readonly companyId: CompanyId;
  readonly companyName: string;
  readonly id: UserTaskId;
  readonly title: string;
  readonly dueAt: IsoDateTime | null;
  readonly priority: TaskPriority;
  readonly percentComplete: number;
  readonly createdBy: string;
  readonly isOverdue: boolean;
  readonly daysOverdue: number;
  readonly link: string;
}

export type TaskSort = 'dueDate' | 'client' | 'priority';

export interface TaskQuery {
  readonly sort?: TaskSort;
  readonly direction?: 'asc' | 'desc';
  readonly clientId?: ClientId;
  /** Only tasks due within this window (overdue ones included). */
  readonly due?: 'overdue' | 'today' | 'this-week' | 'all';
}

export type RefreshScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'client'; readonly clientId: ClientId }
  | {
      readonly kind: 'companies';
      readonly companies: readonly { clientId: ClientId; companyId: CompanyId }[];
    };

export interface RefreshFailure {
  readonly clientId: ClientId;
  readonly clientName: string;
  readonly companyId: CompanyId;
  readonly companyName: string;
  readonly reason: ErrorReason;
  readonly message: string;
}

export interface RefreshProgress {
  readonly jobId: RefreshJobId;
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly failures: readonly RefreshFailure[];
  readonly finished: boolean;
  readonly startedAt: IsoDateTime;
  readonly finishedAt: IsoDateTime | null;
}

export type ReportPeriod = { readonly from: IsoDate; readonly to: IsoDate };
