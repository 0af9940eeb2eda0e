/**
 * The tenant connector port: what the hub needs from a client's Business Central, named for the
 * hub's needs rather than BC's endpoints. The Business Central adapter
 * (`business-central-connector.ts`) speaks the real wire formats; every method returns a
 * {@link Result} whose error is an {@link AppError} with a `bc-*` (or `host-not-allowed`) reason
 * produced by the one mapping table in `bc-error-map.ts`.
 */
import type { AccountantId, ClientId, CompanyId, UserTaskId } from '../domain/ids.js';
import type { Result } from '../domain/errors.js';
import type { Money } from '../domain/money.js';
import type {
  BcEnvironmentRef,
  ConnectionMode,
  FinancialStatement,
  FinancialStatementKind,
  ForecastInputs,
  InvoiceSummary,
  IsoDate,
  TaxInputs,
  UserTask,
} from '../domain/model.js';

/** One BC environment, reached on behalf of one accountant for one of their clients. */
export interface EnvironmentTarget extends BcEnvironmentRef {
  readonly accountantId: AccountantId;
  readonly clientId: ClientId;
  readonly connection: ConnectionMode;
}

export interface CompanyTarget extends EnvironmentTarget {
  readonly companyId: CompanyId;
  /** BC company `name`, needed by the ODataV4 services (`Company('{name}')`). */
  readonly companyName: string;
}

export interface CompanyInfo {
  readonly id: CompanyId;
  readonly name: string;
  readonly displayName: string;
}

/** The company's cues (Accountant Portal activity + finance cues) and my open user tasks. */
export interface CompanyCues {
  /** Local currency ISO code (from `companyInformation.currencyCode`). */
  readonly currency: string;
  readonly overdueSalesInvoiceAmount: Money;
  readonly overduePurchaseInvoiceAmount: Money;
  readonly cashAccountsBalance: Money;
  readonly ongoingSalesQuotes: number;
  readonly ongoingSalesOrders: number;
  readonly ongoingSalesInvoices: number;
  readonly salesInvoicesDueNextWeek: number;
  readonly purchaseInvoicesDueNextWeek: number;
  readonly overdueSalesDocuments: number;
  readonly overduePurchaseDocuments: number;
}

export interface CompanySnapshotData {
  readonly cues: CompanyCues;
  /** My pending user tasks (`AccountantPortalUserTasks`: the caller's tasks, not completed). */
  readonly tasks: readonly UserTask[];
  /** Tax on posted documents in the requested period, for the taxes-due estimate. */
  readonly tax: TaxInputs;
}

export interface Period {
  readonly from: IsoDate;
  readonly to: IsoDate;
}

export interface TenantConnector {
  /** Companies of the environment (API v2.0 `companies`). */
  listCompanies(env: EnvironmentTarget, signal?: AbortSignal): Promise<Result<CompanyInfo[]>>;

  /**
   * Everything a dashboard row needs, in as few round trips as BC allows: the three Accountant
   * Portal ODataV4 services in one `$batch`, and company information plus the period's posted
   * sales and purchase tax in one API v2.0 `$batch`.
   */
  companySnapshot(
    company: CompanyTarget,
    options: { today: IsoDate; taxPeriod: Period },
    signal?: AbortSignal,
  ): Promise<Result<CompanySnapshotData>>;

  /** Open posted sales invoices due before `today`; amount = `remainingAmount`. */
  overdueSalesInvoices(
    company: CompanyTarget,
    today: IsoDate,
    signal?: AbortSignal,
  ): Promise<Result<InvoiceSummary[]>>;
  /** Open posted purchase invoices due before `today`; amount = total incl. tax (no remaining amount in BC). */
  overduePurchaseInvoices(
    company: CompanyTarget,
    today: IsoDate,
    signal?: AbortSignal,
  ): Promise<Result<InvoiceSummary[]>>;
  /** Open purchase invoices due `today + 1` … `today + 7`. */
  purchaseInvoicesDueNextWeek(
    company: CompanyTarget,
    today: IsoDate,
    signal?: AbortSignal,
  ): Promise<Result<InvoiceSummary[]>>;

  /** Cash balance, open receivables and open payables with due dates. */
  forecastInputs(
    company: CompanyTarget,
    today: IsoDate,
    signal?: AbortSignal,
  ): Promise<Result<ForecastInputs>>;
  /** Tax on posted sales and purchase invoices with posting date in the period. */
  taxInputs(
    company: CompanyTarget,
    period: Period,
    signal?: AbortSignal,
  ): Promise<Result<TaxInputs>>;

  financialStatement(
    company: CompanyTarget,
    kind: FinancialStatementKind,
    period: Period,
    signal?: AbortSignal,
  ): Promise<Result<FinancialStatement>>;

  /** `POST …/UserTaskSetComplete({ID})/NAV.SetComplete`. */
  completeUserTask(
    company: CompanyTarget,
    taskId: UserTaskId,
    signal?: AbortSignal,
  ): Promise<Result<void>>;
}
