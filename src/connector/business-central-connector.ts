/**
 * The Business Central adapter of the {@link TenantConnector} port. It speaks BC's real wire
 * formats: API v2.0 (`…/v2.0/{tenant}/{environment}/api/v2.0/companies({id})/…`) for companies,
 * invoices and statements, and the Accountant Portal ODataV4 page services
 * (`…/ODataV4/Company('{name}')/…`) for the cues and user tasks that Company Hub itself reads.
 * Round trips are grouped into JSON `$batch` calls; the HTTP layer (`bc-http.ts`) adds tokens,
 * the per-environment limits, retries, timeouts and the host allow-list.
 */
import type { z } from 'zod';
import { systemClock, addDays, type Clock } from '../domain/dates.js';
import { AppError, assertNever, err, ok, type Result } from '../domain/errors.js';
import type { UserTaskId } from '../domain/ids.js';
import type {
  FinancialStatement,
  FinancialStatementKind,
  ForecastInputs,
  InvoiceSummary,
  IsoDate,
  TaxInputs,
} from '../domain/model.js';
import { silentLogger, type Logger } from '../logging.js';
import { mapBcFailure } from './bc-error-map.js';
import { createBcHttp, type BatchOperation, type BcHttp } from './bc-http.js';
import {
  BcWireError,
  INVOICE_TAX_SELECT,
  OPEN_PURCHASE_SELECT,
  OPEN_SALES_SELECT,
  PURCHASE_INVOICE_SELECT,
  SALES_INVOICE_SELECT,
  agedPeriodLabels,
  bcActivityCues,
  bcAgedAccount,
  bcCompany,
  bcCompanyInformation,
  bcFinanceCues,
  bcInvoiceTax,
  bcOpenPurchaseItem,
  bcOpenSalesItem,
  bcPurchaseInvoice,
  bcSalesInvoice,
  bcStatementLine,
  bcTrialBalance,
  bcUserTask,
  byDueDate,
  localCurrencyOf,
  parseWire,
  toAgedLines,
  toCashBalance,
  toCompanyCues,
  toCompanyInfo,
  toPayables,
  toPendingUserTasks,
  toPurchaseInvoiceSummary,
  toReceivables,
  toSalesInvoiceSummary,
  toStatementLines,
  toTaxInputs,
  toTrialBalanceLines,
} from './bc-wire.js';
import { createEnvironmentLimiter, type EnvironmentLimiter } from './environment-limiter.js';
import { fetchTransport, nodeHttpTransport } from './http-transport.js';
import { companySegment, isSafePathName, odataStringLiteral, withQuery } from './odata.js';
import { defaultRetryPolicy, realSleep, type RetryPolicy, type Sleep } from './retry.js';
import type {
  CompanySnapshotData,
  CompanyTarget,
  EnvironmentTarget,
  Period,
  TenantConnector,
} from './tenant-connector.js';
import type { TokenProvider } from './token-provider.js';

/** How the composition root configures the Business Central connector. */
export interface BusinessCentralConnectorOptions {
  /** `https://api.businesscentral.dynamics.com` in production. */
  apiBaseUrl: string;
  /** The sample tenant's URL; used for targets with `connection.kind === 'sample'`. */
  sampleApiBaseUrl?: string;
  /** `https://businesscentral.dynamics.com`, for links the connector builds. */
  webClientBaseUrl: string;
  tokenProvider: TokenProvider;
  /**
   * Sends requests through this `fetch` (the outbound guard's, or a test's). Without it the
   * connector uses `node:http(s)` with a keep-alive pool per origin (`http-transport.ts`), which
   * costs far less CPU per request than the global `fetch`.
   */
  fetch?: typeof fetch;
  /** Connections kept per origin by the default transport (default 512). */
  maxSocketsPerOrigin?: number;
  /**
   * How the default transport resolves host names: the outbound guard's
   * `resolveAllowedAddresses`, so a name whose DNS answers point inside the network is refused at
   * connect time. Not used with `fetch`.
   */
  resolveHost?: (host: string) => Promise<readonly { address: string; family: number }[]>;
  /** Per request attempt; default 30,000 ms. */
  timeoutMs?: number;
  /** BC's per-user, per-environment limits: 5 concurrent, 6,000 per 5 minutes. */
  limits?: { maxConcurrent?: number; ratePerWindow?: number; windowMs?: number };
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; maxTotalMs?: number };
  /** Sent as `Prefer: odata.maxpagesize` (default and BC maximum 20,000). */
  pageSize?: number;
  clock?: Clock;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  logger?: Logger;
  /**
   * Hosts the connector may call (checked before every request, including nextLinks); the
   * composition root passes BC's API host, or the sample tenant's loopback origin in sample mode.
   * Defaults to the origins of `apiBaseUrl` and `sampleApiBaseUrl`.
   */
  isAllowedUrl?: (url: URL) => boolean;
  /** Largest response body read, default 128 MiB (a 20,000-row page fits comfortably). */
  maxResponseBytes?: number;
  /** Share one limiter between connectors that talk to the same environments. */
  limiter?: EnvironmentLimiter;
}

const BC_MAX_PAGE_SIZE = 20_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The API v2.0 entity set and query shape of each statement kind. */
const statementEntity: Record<FinancialStatementKind, string> = {
  'trial-balance': 'trialBalances',
  'balance-sheet': 'balanceSheets',
  'income-statement': 'incomeStatements',
  'cash-flow-statement': 'cashFlowStatements',
  'aged-receivables': 'agedAccountsReceivables',
  'aged-payables': 'agedAccountsPayables',
};

/** Aged reports bucket by 30 days, as BC's own aged-accounts pages do by default. */
const AGED_PERIOD_LENGTH = '30D';

/**
 * Builds the Business Central {@link TenantConnector}. It never throws for BC failures: every
 * method resolves to a `Result` whose error reason comes from `bc-error-map.ts`.
 */
export function createBusinessCentralConnector(
  options: BusinessCentralConnectorOptions,
): TenantConnector {
  const apiBase = trimSlash(options.apiBaseUrl);
  const sampleBase = options.sampleApiBaseUrl ? trimSlash(options.sampleApiBaseUrl) : null;
  const webBase = trimSlash(options.webClientBaseUrl);
  const allowedOrigins = new Set(
    [apiBase, sampleBase].filter((b): b is string => b !== null).map((b) => new URL(b).origin),
  );
  const retry: RetryPolicy = {
    maxAttempts: options.retry?.maxAttempts ?? defaultRetryPolicy.maxAttempts,
    baseDelayMs: options.retry?.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
    maxTotalMs: options.retry?.maxTotalMs ?? defaultRetryPolicy.maxTotalMs,
  };
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? silentLogger).child({ component: 'bc-connector' });
  const limiter =
    options.limiter ??
    createEnvironmentLimiter({
      maxConcurrent: options.limits?.maxConcurrent,
      ratePerWindow: options.limits?.ratePerWindow,
      windowMs: options.limits?.windowMs,
      clock,
    });

  const baseOf = (target: EnvironmentTarget): string | null =>
    target.connection.kind === 'sample' ? sampleBase : apiBase;

  const http: BcHttp = createBcHttp({
    transport: options.fetch
      ? fetchTransport(options.fetch)
      : nodeHttpTransport({
          maxSocketsPerOrigin: options.maxSocketsPerOrigin,
          resolve: options.resolveHost,
        }),
    tokenProvider: options.tokenProvider,
    limiter,
    limiterKey: (t) => `${baseOf(t) ?? ''}|${t.tenant}|${t.environment}|${identityOf(t)}`,
    isAllowedUrl: options.isAllowedUrl ?? ((url) => allowedOrigins.has(url.origin)),
    timeoutMs: positiveOr(options.timeoutMs, 30_000),
    retry,
    pageSize: Math.min(BC_MAX_PAGE_SIZE, positiveOr(options.pageSize, BC_MAX_PAGE_SIZE)),
    maxResponseBytes: positiveOr(options.maxResponseBytes, 128 * 1024 * 1024),
    clock,
    random: options.random ?? Math.random,
    sleep: (options.sleep as Sleep | undefined) ?? realSleep,
    logger,
  });

  /** `…/v2.0/{tenant}/{environment}`, after checking both are plain path names. */
  const environmentRoot = (target: EnvironmentTarget): Result<string> => {
    const base = baseOf(target);
    if (base === null) {
      return err(
        new AppError(
          'config',
          'The sample tenant is not running, so the sample client cannot be reached.',
        ),
      );
    }
    if (!isSafePathName(target.tenant) || !isSafePathName(target.environment)) {
      return err(
        new AppError(
          'validation',
          'The tenant or environment name in the Client URL is not valid.',
          {
            tenant: target.tenant,
            environment: target.environment,
          },
        ),
      );
    }
    return ok(
      `${base}/v2.0/${encodeURIComponent(target.tenant)}/${encodeURIComponent(target.environment)}`,
    );
  };

  interface Roots {
    readonly api: string;
    readonly odata: string;
    /** `companies({id})` */
    readonly company: string;
    /** `Company('{name}')` */
    readonly odataCompany: string;
  }

  const rootsOf = (company: CompanyTarget): Result<Roots> => {
    const env = environmentRoot(company);
    if (!env.ok) return env;
    if (!GUID.test(company.companyId)) {
      return err(
        new AppError('validation', 'The company id is not a Business Central company id.', {
          companyId: company.companyId,
        }),
      );
    }
    return ok({
      api: `${env.value}/api/v2.0`,
      odata: `${env.value}/ODataV4`,
      company: `companies(${company.companyId.toLowerCase()})`,
      odataCompany: companySegment(company.companyName),
    });
  };

  /** Parses the rows of one batch operation, turning shape errors into `bc-bad-response`. */
  const rowsOf = <T>(results: Map<string, unknown[]>, id: string, schema: z.ZodType<T>): T[] =>
    (results.get(id) ?? []).map((v, i) => parseWire(schema, v, `${id} row ${i}`));

  /** Runs `build` and maps a {@link BcWireError} to `bc-bad-response`. */
  const mapped = <T>(target: EnvironmentTarget, what: string, build: () => T): Result<T> => {
    try {
      return ok(build());
    } catch (e) {
      if (e instanceof BcWireError) {
        return err(
          mapBcFailure(
            { kind: 'bad-response', detail: e.message },
            { tenant: target.tenant, environment: target.environment, what },
          ),
        );
      }
      throw e;
    }
  };

  /** The single-row cue services: BC always has one cue record per company. */
  const firstRow = <T>(rows: T[], what: string): T => {
    const row = rows[0];
    if (row === undefined) throw new BcWireError(`${what} returned no row`);
    return row;
  };

  const companyInfoOp = (roots: Roots): BatchOperation => ({
    id: 'companyInformation',
    url: withQuery(`${roots.company}/companyInformation`, { $select: 'currencyCode' }),
  });

  const lcyFrom = (results: Map<string, unknown[]>): string =>
    localCurrencyOf(
      firstRow(rowsOf(results, 'companyInformation', bcCompanyInformation), 'companyInformation'),
    );

  /** The tax queries' options per period: every company of a refresh shares a few periods. */
  const taxQueries = new Map<string, string>();
  const taxQueryOf = (period: Period): string => {
    const key = `${period.from}|${period.to}`;
    let query = taxQueries.get(key);
    if (query === undefined) {
      const $filter = `postingDate ge ${period.from} and postingDate le ${period.to}`;
      query = withQuery('', { $filter, $select: INVOICE_TAX_SELECT });
      if (taxQueries.size >= 64) taxQueries.clear();
      taxQueries.set(key, query);
    }
    return query;
  };

  const taxOps = (roots: Roots, period: Period): BatchOperation[] => {
    const query = taxQueryOf(period);
    return [
      { id: 'salesTax', url: `${roots.company}/salesInvoices${query}` },
      { id: 'purchaseTax', url: `${roots.company}/purchaseInvoices${query}` },
    ];
  };

  /** Fallback deep link when a task's own `Link` is missing or unsafe: the user task card. */
  const taskLink = (company: CompanyTarget) => (id: number) =>
    withQuery(
      `${webBase}/${encodeURIComponent(company.tenant)}/${encodeURIComponent(company.environment)}/`,
      {
        company: company.companyName,
        page: 1171,
        filter: `ID IS '${id}'`,
      },
    );

  /** Runs two calls together; the first failure cancels the other and is returned. */
  const both = async <A, B>(
    signal: AbortSignal | undefined,
    a: (s: AbortSignal) => Promise<Result<A>>,
    b: (s: AbortSignal) => Promise<Result<B>>,
  ): Promise<Result<[A, B]>> => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let firstFailure: AppError | null = null;
      const cancelOnFailure = <T>(p: Promise<Result<T>>): Promise<Result<T>> =>
        p.then((r) => {
          if (!r.ok && firstFailure === null) {
            firstFailure = r.error;
            controller.abort(new Error('sibling request failed'));
          }
          return r;
        });
      const [ra, rb] = await Promise.all([
        cancelOnFailure(a(controller.signal)),
        cancelOnFailure(b(controller.signal)),
      ]);
      // The failure that came first caused the other's "cancelled": report the cause.
      if (firstFailure !== null) return err(firstFailure);
      if (!ra.ok) return ra;
      if (!rb.ok) return rb;
      return ok([ra.value, rb.value]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };

  const invoiceDrillDown = async (
    company: CompanyTarget,
    kind: 'sales' | 'purchase',
    $filter: string,
    signal: AbortSignal | undefined,
  ): Promise<Result<InvoiceSummary[]>> => {
    const roots = rootsOf(company);
    if (!roots.ok) return roots;
    const entity = kind === 'sales' ? 'salesInvoices' : 'purchaseInvoices';
    const $select = kind === 'sales' ? SALES_INVOICE_SELECT : PURCHASE_INVOICE_SELECT;
    const results = await http.batchCollections(
      company,
      roots.value.api,
      [
        companyInfoOp(roots.value),
        { id: entity, url: withQuery(`${roots.value.company}/${entity}`, { $filter, $select }) },
      ],
      signal,
    );
    if (!results.ok) return results;
    return mapped(company, entity, () => {
      const lcy = lcyFrom(results.value);
      const list =
        kind === 'sales'
          ? rowsOf(results.value, entity, bcSalesInvoice).map((i) => toSalesInvoiceSummary(i, lcy))
          : rowsOf(results.value, entity, bcPurchaseInvoice).map((i) =>
              toPurchaseInvoiceSummary(i, lcy),
            );
      return list.sort(byDueDate);
    });
  };

  const openAndDue = (condition: string): string =>
    `status eq ${odataStringLiteral('Open')} and ${condition}`;

  const statementQuery = (kind: FinancialStatementKind, period: Period): Record<string, string> => {
    switch (kind) {
      case 'trial-balance':
        return {
          $orderby: 'number',
          $filter: `dateFilter ge ${period.from} and dateFilter le ${period.to}`,
        };
      case 'balance-sheet':
        return { $orderby: 'lineNumber', $filter: `dateFilter eq ${period.to}` };
      case 'income-statement':
      case 'cash-flow-statement':
        return {
          $orderby: 'lineNumber',
          $filter: `dateFilter ge ${period.from} and dateFilter le ${period.to}`,
        };
      case 'aged-receivables':
        return {
          $orderby: 'customerNumber',
          $filter: `agedAsOfDate eq ${period.to} and periodLengthFilter eq ${odataStringLiteral(AGED_PERIOD_LENGTH)}`,
        };
      case 'aged-payables':
        return {
          $orderby: 'vendorNumber',
          $filter: `agedAsOfDate eq ${period.to} and periodLengthFilter eq ${odataStringLiteral(AGED_PERIOD_LENGTH)}`,
        };
      default:
        return assertNever(kind);
    }
  };

  const toStatement = (
    kind: FinancialStatementKind,
    period: Period,
    rows: unknown[],
    currency: string,
  ): FinancialStatement => {
    const parse = <T>(schema: z.ZodType<T>): T[] =>
      rows.map((v, i) => parseWire(schema, v, `${statementEntity[kind]} row ${i}`));
    switch (kind) {
      case 'trial-balance':
        return {
          kind,
          currency,
          from: period.from,
          to: period.to,
          lines: toTrialBalanceLines(parse(bcTrialBalance)),
        };
      case 'balance-sheet':
        return {
          kind,
          currency,
          from: null,
          to: period.to,
          lines: toStatementLines(parse(bcStatementLine), 'balance'),
        };
      case 'income-statement':
      case 'cash-flow-statement':
        return {
          kind,
          currency,
          from: period.from,
          to: period.to,
          lines: toStatementLines(parse(bcStatementLine), 'netChange'),
        };
      case 'aged-receivables':
      case 'aged-payables': {
        const lines = parse(bcAgedAccount);
        const periodLength = lines[0]?.periodLengthFilter || AGED_PERIOD_LENGTH;
        return {
          kind,
          currency,
          asOf: period.to,
          periodLength,
          periodLabels: agedPeriodLabels(lines, periodLength),
          lines: toAgedLines(lines, currency),
        };
      }
      default:
        return assertNever(kind);
    }
  };

  const checkPeriod = (period: Period): Result<void> =>
    /^\d{4}-\d{2}-\d{2}$/.test(period.from) &&
    /^\d{4}-\d{2}-\d{2}$/.test(period.to) &&
    period.from <= period.to
      ? ok(undefined)
      : err(
          new AppError('validation', 'The period must run from one date to a later one.', {
            ...period,
          }),
        );

  const checkDate = (d: IsoDate): Result<void> =>
    /^\d{4}-\d{2}-\d{2}$/.test(d)
      ? ok(undefined)
      : err(new AppError('validation', 'Not a date.', { date: d }));

  const connector: TenantConnector = {
    async listCompanies(env, signal) {
      const root = environmentRoot(env);
      if (!root.ok) return root;
      const rows = await http.getCollection(
        env,
        `${root.value}/api/v2.0/companies`,
        bcCompany,
        'companies',
        signal,
      );
      if (!rows.ok) return rows;
      return ok(rows.value.map(toCompanyInfo));
    },

    async companySnapshot(company, { taxPeriod }, signal): Promise<Result<CompanySnapshotData>> {
      const period = checkPeriod(taxPeriod);
      if (!period.ok) return period;
      const roots = rootsOf(company);
      if (!roots.ok) return roots;
      const r = roots.value;
      const results = await both(
        signal,
        (s) =>
          http.batchCollections(
            company,
            r.odata,
            [
              { id: 'activityCues', url: `${r.odataCompany}/AccountantPortalActivityCues` },
              { id: 'financeCues', url: `${r.odataCompany}/AccountantPortalFinanceCues` },
              { id: 'userTasks', url: `${r.odataCompany}/AccountantPortalUserTasks` },
            ],
            s,
          ),
        (s) =>
          http.batchCollections(company, r.api, [companyInfoOp(r), ...taxOps(r, taxPeriod)], s),
      );
      if (!results.ok) return results;
      const [odata, api] = results.value;
      return mapped(company, 'companySnapshot', () => {
        const currency = lcyFrom(api);
        const activity = firstRow(
          rowsOf(odata, 'activityCues', bcActivityCues),
          'AccountantPortalActivityCues',
        );
        const finance = firstRow(
          rowsOf(odata, 'financeCues', bcFinanceCues),
          'AccountantPortalFinanceCues',
        );
        return {
          cues: toCompanyCues(activity, finance, currency),
          tasks: toPendingUserTasks(rowsOf(odata, 'userTasks', bcUserTask), taskLink(company)),
          tax: toTaxInputs(
            rowsOf(api, 'salesTax', bcInvoiceTax),
            rowsOf(api, 'purchaseTax', bcInvoiceTax),
            currency,
          ),
        };
      });
    },

    async overdueSalesInvoices(company, today, signal) {
      const d = checkDate(today);
      if (!d.ok) return d;
      return invoiceDrillDown(company, 'sales', openAndDue(`dueDate lt ${today}`), signal);
    },

    async overduePurchaseInvoices(company, today, signal) {
      const d = checkDate(today);
      if (!d.ok) return d;
      return invoiceDrillDown(company, 'purchase', openAndDue(`dueDate lt ${today}`), signal);
    },

    async purchaseInvoicesDueNextWeek(company, today, signal) {
      const d = checkDate(today);
      if (!d.ok) return d;
      return invoiceDrillDown(
        company,
        'purchase',
        openAndDue(`dueDate ge ${addDays(today, 1)} and dueDate le ${addDays(today, 7)}`),
        signal,
      );
    },

    async forecastInputs(company, today, signal): Promise<Result<ForecastInputs>> {
      const d = checkDate(today);
      if (!d.ok) return d;
      const roots = rootsOf(company);
      if (!roots.ok) return roots;
      const r = roots.value;
      const open = `status eq ${odataStringLiteral('Open')}`;
      const results = await both(
        signal,
        (s) =>
          http.getCollection(
            company,
            `${r.odata}/${r.odataCompany}/AccountantPortalFinanceCues`,
            bcFinanceCues,
            'AccountantPortalFinanceCues',
            s,
          ),
        (s) =>
          http.batchCollections(
            company,
            r.api,
            [
              companyInfoOp(r),
              {
                id: 'receivables',
                url: withQuery(`${r.company}/salesInvoices`, {
                  $filter: open,
                  $select: OPEN_SALES_SELECT,
                }),
              },
              {
                id: 'payables',
                url: withQuery(`${r.company}/purchaseInvoices`, {
                  $filter: open,
                  $select: OPEN_PURCHASE_SELECT,
                }),
              },
            ],
            s,
          ),
      );
      if (!results.ok) return results;
      const [finance, api] = results.value;
      return mapped(company, 'forecastInputs', () => {
        const currency = lcyFrom(api);
        const byDue = (a: { dueDate: string }, b: { dueDate: string }): number =>
          a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0;
        return {
          currency,
          cashBalance: toCashBalance(firstRow(finance, 'AccountantPortalFinanceCues'), currency),
          receivables: toReceivables(rowsOf(api, 'receivables', bcOpenSalesItem), currency).sort(
            byDue,
          ),
          payables: toPayables(rowsOf(api, 'payables', bcOpenPurchaseItem), currency).sort(byDue),
          payablesSource: 'open-purchase-invoice-totals' as const,
        };
      });
    },

    async taxInputs(company, period, signal): Promise<Result<TaxInputs>> {
      const p = checkPeriod(period);
      if (!p.ok) return p;
      const roots = rootsOf(company);
      if (!roots.ok) return roots;
      const results = await http.batchCollections(
        company,
        roots.value.api,
        [companyInfoOp(roots.value), ...taxOps(roots.value, period)],
        signal,
      );
      if (!results.ok) return results;
      return mapped(company, 'taxInputs', () =>
        toTaxInputs(
          rowsOf(results.value, 'salesTax', bcInvoiceTax),
          rowsOf(results.value, 'purchaseTax', bcInvoiceTax),
          lcyFrom(results.value),
        ),
      );
    },

    async financialStatement(company, kind, period, signal): Promise<Result<FinancialStatement>> {
      const p = checkPeriod(period);
      if (!p.ok) return p;
      const roots = rootsOf(company);
      if (!roots.ok) return roots;
      const entity = statementEntity[kind];
      const results = await http.batchCollections(
        company,
        roots.value.api,
        [
          companyInfoOp(roots.value),
          {
            id: 'statement',
            url: withQuery(`${roots.value.company}/${entity}`, statementQuery(kind, period)),
          },
        ],
        signal,
      );
      if (!results.ok) return results;
      return mapped(company, entity, () =>
        toStatement(kind, period, results.value.get('statement') ?? [], lcyFrom(results.value)),
      );
    },

    async completeUserTask(company, taskId: UserTaskId, signal): Promise<Result<void>> {
      if (!Number.isSafeInteger(taskId) || taskId <= 0) {
        return err(new AppError('validation', 'Not a user task id.', { taskId }));
      }
      const roots = rootsOf(company);
      if (!roots.ok) return roots;
      const r = await http.send(
        company,
        {
          method: 'POST',
          url: `${roots.value.odata}/${roots.value.odataCompany}/UserTaskSetComplete(${taskId})/NAV.SetComplete`,
          body: '',
          what: 'UserTaskSetComplete',
        },
        signal,
      );
      return r.ok ? ok(undefined) : r;
    },
  };
  return connector;
}

/**
 * Whose limits a request counts against. BC limits each user (or app principal) per environment:
 * a delegated call is the accountant, an app-only call is the client's app registration, and the
 * sample tenant cannot tell callers apart.
 */
function identityOf(target: EnvironmentTarget): string {
  const c = target.connection;
  switch (c.kind) {
    case 'sample':
      return 'sample';
    case 'delegated':
      return `user:${target.accountantId}`;
    case 'app':
      return `app:${c.appClientId}`;
    default:
      return assertNever(c);
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
