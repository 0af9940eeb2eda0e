/**
 * The company details pane and the financial statements behind Reports. Details are fetched live
 * from the client's BC (they are drill-downs, not dashboard numbers) and reused for a short while,
 * so opening the pane twice, or the tab and the bot asking together, costs one set of requests.
 */
import { daysBetween, isIsoDate, toIsoDate, toIsoDateTime } from '../domain/dates.js';
import { AppError, err, ok } from '../domain/errors.js';
import type { Result } from '../domain/errors.js';
import type { AccountantId, ClientId, CompanyId } from '../domain/ids.js';
import { buildCashFlowForecast } from '../domain/forecast.js';
import { financialStatementKinds } from '../domain/model.js';
import type {
  Client,
  Company,
  FinancialStatement,
  FinancialStatementKind,
  InvoiceSummary,
  IsoDate,
} from '../domain/model.js';
import { sortTasks } from '../domain/tasks.js';
import { estimateTaxesDue, taxFilingPeriodFor, taxesDueMethod } from '../domain/taxes.js';
import type { CompanyDetailsDto, InvoiceRow, ReportPeriod } from './api-types.js';
import { companyKey, companyTargetOf, storeOf } from './context.js';
import type { HubContext } from './context.js';
import { goToCompanyUrl, invoiceUrl } from './links.js';
import { findCompany } from './lookup.js';
import { taskRowOf } from './tasks.js';

/** Longest report period: ten years is more than any statement an accountant prints. */
const maxReportDays = 3_660;

export interface DetailsUseCases {
  companyDetails(
    acc: AccountantId,
    clientId: ClientId,
    companyId: CompanyId,
  ): Promise<Result<CompanyDetailsDto>>;
  financialStatement(
    acc: AccountantId,
    clientId: ClientId,
    companyId: CompanyId,
    kind: FinancialStatementKind,
    period?: ReportPeriod,
  ): Promise<Result<{ statement: FinancialStatement; clientName: string; companyName: string }>>;
  /** Drops cached details of one company, or of every company of a client. */
  forget(acc: AccountantId, clientId: ClientId, companyId?: CompanyId): void;
}

function invoiceRows(
  ctx: HubContext,
  client: Client,
  company: Company,
  invoices: readonly InvoiceSummary[],
  kind: 'sales' | 'purchase',
  today: IsoDate,
): InvoiceRow[] {
  return invoices
    .map((invoice) => ({
      ...invoice,
      daysOverdue: isIsoDate(invoice.dueDate)
        ? Math.max(0, daysBetween(invoice.dueDate, today))
        : 0,
      link: invoiceUrl(ctx, client, company, kind, invoice),
    }))
    .sort((a, b) => b.daysOverdue - a.daysOverdue || a.number.localeCompare(b.number));
}

/** The default report period: the calendar year to date. */
function defaultPeriod(today: IsoDate): ReportPeriod {
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

function checkPeriod(period: unknown, today: IsoDate): Result<ReportPeriod> {
  if (period === undefined || period === null) return ok(defaultPeriod(today));
  const p = period as Partial<Record<'from' | 'to', unknown>>;
  if (typeof period !== 'object' || !isIsoDate(p.from) || !isIsoDate(p.to)) {
    return err(
      new AppError('validation', 'The report period needs from and to dates as YYYY-MM-DD.', {
        field: 'period',
      }),
    );
  }
  if (p.from > p.to) {
    return err(
      new AppError('validation', 'The report period must not end before it starts.', {
        field: 'period',
      }),
    );
  }
  if (daysBetween(p.from, p.to) > maxReportDays) {
    return err(
      new AppError('validation', 'The report period can be at most ten years.', {
        field: 'period',
      }),
    );
  }
  return ok({ from: p.from, to: p.to });
}

export function createDetailsUseCases(ctx: HubContext): DetailsUseCases {
  const cache = new Map<string, { expiresAt: number; value: CompanyDetailsDto }>();
  const pending = new Map<string, Promise<Result<CompanyDetailsDto>>>();

  function remember(key: string, value: CompanyDetailsDto): void {
    const nowMs = ctx.clock().getTime();
    for (const [k, entry] of cache) if (entry.expiresAt <= nowMs) cache.delete(k);
    if (ctx.detailsCacheMs > 0) cache.set(key, { expiresAt: nowMs + ctx.detailsCacheMs, value });
  }

  async function fetchDetails(
    acc: AccountantId,
    client: Client,
    company: Company,
  ): Promise<Result<CompanyDetailsDto>> {
    const target = companyTargetOf(acc, client, company);
    const now = ctx.clock();
    const today = toIsoDate(now);
    const period = taxFilingPeriodFor(today, client.taxSettings);
    const [forecastInputs, overdueSales, overduePurchases, taxInputs, snapshot] = await Promise.all(
      [
        ctx.connector.forecastInputs(target, today),
        ctx.connector.overdueSalesInvoices(target, today),
        ctx.connector.overduePurchaseInvoices(target, today),
        ctx.connector.taxInputs(target, { from: period.periodStart, to: period.periodEnd }),
        storeOf(ctx, acc).getSnapshot(client.id, company.id),
      ],
    );
    if (!forecastInputs.ok) return forecastInputs;
    if (!overdueSales.ok) return overdueSales;
    if (!overduePurchases.ok) return overduePurchases;
    if (!taxInputs.ok) return taxInputs;
    const taxes = estimateTaxesDue(taxInputs.value, period);
    const tasks = sortTasks(
      (snapshot?.tasks ?? [])
        .filter((t) => t.percentComplete !== 100)
        .map((t) => taskRowOf(client, company, t, now)),
    );
    return ok({
      clientId: client.id,
      clientName: client.name,
      companyId: company.id,
      companyName: company.displayName || company.name,
      currency: forecastInputs.value.currency,
      cashAccountsBalance: forecastInputs.value.cashBalance,
      forecast: buildCashFlowForecast(forecastInputs.value, today),
      overdueSalesInvoices: invoiceRows(ctx, client, company, overdueSales.value, 'sales', today),
      overduePurchaseInvoices: invoiceRows(
        ctx,
        client,
        company,
        overduePurchases.value,
        'purchase',
        today,
      ),
      taxesDue: taxes
        ? {
            amount: taxes.amount,
            dueDate: taxes.dueDate,
            periodStart: taxes.periodStart,
            periodEnd: taxes.periodEnd,
            method: taxesDueMethod,
          }
        : null,
      tasks,
      goToClientUrl: goToCompanyUrl(ctx, client, company),
      fetchedAt: toIsoDateTime(now),
    });
  }

  return {
    async companyDetails(acc, clientId, companyId) {
      const found = await findCompany(ctx, acc, clientId, companyId);
      if (!found.ok) return found;
      const { client, company } = found.value;
      const key = companyKey(acc, client.id, company.id);
      const cached = cache.get(key);
      if (cached && cached.expiresAt > ctx.clock().getTime()) return ok(cached.value);
      const running = pending.get(key);
      if (running) return running;
      const promise = fetchDetails(acc, client, company)
        .then((result) => {
          // Only a fetch nobody invalidated meanwhile may fill the cache.
          if (result.ok && pending.get(key) === promise) remember(key, result.value);
          return result;
        })
        .finally(() => {
          if (pending.get(key) === promise) pending.delete(key);
        });
      pending.set(key, promise);
      return promise;
    },

    async financialStatement(acc, clientId, companyId, kind, period) {
      if (!financialStatementKinds.includes(kind)) {
        return err(
          new AppError('validation', `Unknown report: ${String(kind).slice(0, 40)}.`, {
            field: 'kind',
          }),
        );
      }
      const today = toIsoDate(ctx.clock());
      const checked = checkPeriod(period, today);
      if (!checked.ok) return checked;
      const found = await findCompany(ctx, acc, clientId, companyId);
      if (!found.ok) return found;
      const { client, company } = found.value;
      const statement = await ctx.connector.financialStatement(
        companyTargetOf(acc, client, company),
        kind,
        checked.value,
      );
      if (!statement.ok) return statement;
      return ok({
        statement: statement.value,
        clientName: client.name,
        companyName: company.displayName || company.name,
      });
    },

    forget(acc, clientId, companyId) {
      const prefix = companyKey(acc, clientId, companyId?.toLowerCase() ?? '');
      for (const map of [cache, pending] as Map<string, unknown>[]) {
        for (const key of [...map.keys()]) {
          if (companyId === undefined ? key.startsWith(prefix) : key === prefix) map.delete(key);
        }
      }
    },
  };
}
