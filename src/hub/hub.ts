/**
 * The use cases shared by the tab (through the REST API) and the bot. Every method acts for one
 * accountant and sees only that accountant's clients. Expected failures come back as
 * `Result` errors with an {@link AppError} reason; only programming errors throw.
 */
import type { AccountantId, ClientId, CompanyId, RefreshJobId, UserTaskId } from '../domain/ids.js';
import type { Result } from '../domain/errors.js';
import type { DashboardView, FinancialStatement, FinancialStatementKind } from '../domain/model.js';
import type {
  ClientDto,
  ClientInput,
  CompanyDetailsDto,
  DashboardDto,
  RefreshProgress,
  RefreshScope,
  ReportPeriod,
  TaskQuery,
  TaskRow,
  TestClientUrlResult,
} from './api-types.js';

export interface AccountantIdentity {
  readonly id: AccountantId;
  readonly entraTenantId: string;
  readonly userObjectId: string;
  readonly displayName: string;
}

export interface Hub {
  /** Registers the accountant on first sight; adds the sample client when sample mode is on and they have none yet. */
  signIn(identity: AccountantIdentity): Promise<void>;

  listClients(acc: AccountantId): Promise<ClientDto[]>;
  getClient(acc: AccountantId, id: ClientId): Promise<Result<ClientDto>>;
  /** Checks the URL's form, reaches the tenant and lists its companies. Saves nothing. */
  testClientUrl(acc: AccountantId, url: string): Promise<Result<TestClientUrlResult>>;
  /** Validates, reaches the tenant, stores the client and its companies. */
  addClient(acc: AccountantId, input: ClientInput): Promise<Result<ClientDto>>;
  /** Adds the client a BC invitation link (or the client's BC link from the invitation e-mail) points at. */
  addClientFromInvitation(
    acc: AccountantId,
    input: { link: string; name?: string },
  ): Promise<Result<ClientDto>>;
  updateClient(
    acc: AccountantId,
    id: ClientId,
    patch: Partial<ClientInput>,
  ): Promise<Result<ClientDto>>;
  removeClient(acc: AccountantId, id: ClientId): Promise<Result<void>>;

  /** Starts a refresh in the background and returns at once with its first progress. */
  startRefresh(acc: AccountantId, scope: RefreshScope): Promise<Result<RefreshProgress>>;
  refreshProgress(acc: AccountantId, jobId: RefreshJobId): Result<RefreshProgress>;
  /** Calls `listener` on every progress change until the job finishes; returns an unsubscribe. */
  onRefreshProgress(
    acc: AccountantId,
    jobId: RefreshJobId,
    listener: (p: RefreshProgress) => void,
  ): Result<() => void>;
  /** Refreshes and waits for the end (the bot and the daily summary use this). */
  refresh(
    acc: AccountantId,
    scope: RefreshScope,
    onProgress?: (p: RefreshProgress) => void,
  ): Promise<Result<RefreshProgress>>;

  dashboard(acc: AccountantId): Promise<DashboardDto>;
  companyDetails(
    acc: AccountantId,
    clientId: ClientId,
    companyId: CompanyId,
  ): Promise<Result<CompanyDetailsDto>>;
  myTasks(acc: AccountantId, query?: TaskQuery): Promise<TaskRow[]>;
  completeTask(
    acc: AccountantId,
    clientId: ClientId,
    companyId: CompanyId,
    taskId: UserTaskId,
  ): Promise<Result<void>>;
  financialStatement(
    acc: AccountantId,
    clientId: ClientId,
    companyId: CompanyId,
    kind: FinancialStatementKind,
    period?: ReportPeriod,
  ): Promise<Result<{ statement: FinancialStatement; clientName: string; companyName: string }>>;

  getView(acc: AccountantId): Promise<DashboardView>;
  saveView(acc: AccountantId, view: DashboardView): Promise<Result<DashboardView>>;
}
