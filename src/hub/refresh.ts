/**
 * Refresh: fetch fresh numbers for one company, a client, a selection or everything, as a job
 * with progress. Environments run side by side, busiest first, each kept at BC's 5 requests in
 * flight (`refresh-scheduler.ts`; the connector's per-environment limiter enforces the limit), so
 * one big client never holds up the others. One failing tenant never stops the others, and a
 * failure never erases the last good numbers.
 */
import { describeFailure } from '../domain/dashboard.js';
import { toIsoDate, toIsoDateTime } from '../domain/dates.js';
import { AppError, err, ok, toAppError } from '../domain/errors.js';
import type { Result } from '../domain/errors.js';
import type { AccountantId, ClientId, CompanyId, RefreshJobId } from '../domain/ids.js';
import type { Client, Company, CompanyKpis, CompanySnapshot, IsoDate } from '../domain/model.js';
import { isTaskOverdue } from '../domain/tasks.js';
import { estimateTaxesDue, taxFilingPeriodFor } from '../domain/taxes.js';
import type { TaxFilingPeriod } from '../domain/taxes.js';
import type { CompanySnapshotData } from '../connector/tenant-connector.js';
import type { RefreshFailure, RefreshProgress, RefreshScope } from './api-types.js';
import { companyKey, companyTargetOf, storeOf } from './context.js';
import { runByEnvironment } from './refresh-scheduler.js';
import type { HubContext } from './context.js';
import type { Hub } from './hub.js';

/** Most companies one "selection" refresh may name; "all" has no such limit. */
export const maxSelectedCompanies = 5_000;
/** Finished jobs stay readable this long, so a tab that reconnects still sees the outcome. */
const finishedJobTtlMs = 60 * 60_000;
/** Finished jobs kept per accountant beyond which the oldest are forgotten. */
const finishedJobsPerAccountant = 20;
const maxErrorMessage = 500;

type CompanyOutcome = { ok: true } | { ok: false; reason: AppError['reason']; message: string };

interface WorkItem {
  readonly client: Client;
  readonly company: Company;
}

interface Job {
  readonly id: RefreshJobId;
  readonly acc: AccountantId;
  readonly total: number;
  done: number;
  succeeded: number;
  failed: number;
  readonly failures: RefreshFailure[];
  readonly startedAt: string;
  finishedAt: string | null;
  finishedAtMs: number;
  readonly listeners: Set<(p: RefreshProgress) => void>;
  /** Progress built on demand and reused until the next change. */
  cached: RefreshProgress | null;
  readonly completion: Promise<RefreshProgress>;
}

/** The refresh part of the hub port, plus waiting for running refreshes. */
export type RefreshUseCases = Pick<
  Hub,
  'startRefresh' | 'refreshProgress' | 'onRefreshProgress' | 'refresh'
> & {
  /** Settles when every refresh started so far has finished (for an orderly shutdown). */
  idle(): Promise<void>;
};

/** Companies of one environment share BC's per-user limits there. */
function environmentKeyOf(item: WorkItem): string {
  const { connection, target } = item.client;
  return `${connection.kind}|${target.tenant}|${target.environment}`;
}

/** The dashboard numbers of one company from what the connector fetched. */
export function kpisOf(
  data: CompanySnapshotData,
  taxPeriod: TaxFilingPeriod,
  now: Date,
): CompanyKpis {
  const { cues, tasks, tax } = data;
  return {
    currency: cues.currency,
    overdueSalesInvoiceAmount: cues.overdueSalesInvoiceAmount,
    overduePurchaseInvoiceAmount: cues.overduePurchaseInvoiceAmount,
    cashAccountsBalance: cues.cashAccountsBalance,
    openSalesDocuments:
      cues.ongoingSalesQuotes + cues.ongoingSalesOrders + cues.ongoingSalesInvoices,
    salesInvoicesDueNextWeek: cues.salesInvoicesDueNextWeek,
    purchaseInvoicesDueNextWeek: cues.purchaseInvoicesDueNextWeek,
    overdueSalesDocuments: cues.overdueSalesDocuments,
    overduePurchaseDocuments: cues.overduePurchaseDocuments,
    tasksAssignedToMe: tasks.length,
    overdueTasks: tasks.filter((t) => isTaskOverdue(t, now)).length,
    taxesDue: estimateTaxesDue(tax, taxPeriod),
  };
}

/** The sentence stored with a failed refresh: the connector's own words when it has them. */
function failureMessage(error: AppError): string {
  if (error.reason === 'internal' || error.reason === 'storage')
    return describeFailure(error.reason);
  const message = error.message.trim();
  if (message.length === 0) return describeFailure(error.reason);
  return message.length > maxErrorMessage ? `${message.slice(0, maxErrorMessage - 1)}…` : message;
}

export function createRefreshUseCases(
  ctx: HubContext,
  hooks: {
    companyRefreshed: (acc: AccountantId, clientId: ClientId, companyId: CompanyId) => void;
  },
): RefreshUseCases {
  const jobs = new Map<RefreshJobId, Job>();
  const inFlight = new Map<string, Promise<CompanyOutcome>>();
  /** Filing periods by day and settings: a refresh of thousands shares a handful of them. */
  const periods = new Map<string, TaxFilingPeriod>();
  const periodFor = (today: IsoDate, settings: Client['taxSettings']): TaxFilingPeriod => {
    const key = `${today}|${settings.frequency}|${settings.dueDaysAfterPeriodEnd}`;
    let period = periods.get(key);
    if (period === undefined) {
      period = taxFilingPeriodFor(today, settings);
      if (periods.size >= 64) periods.clear();
      periods.set(key, period);
    }
    return period;
  };

  async function refreshCompany(acc: AccountantId, item: WorkItem): Promise<CompanyOutcome> {
    const { client, company } = item;
    const store = storeOf(ctx, acc);
    const started = ctx.clock();
    const today = toIsoDate(started);
    const period = periodFor(today, client.taxSettings);
    let failure: AppError;
    try {
      const result = await ctx.connector.companySnapshot(companyTargetOf(acc, client, company), {
        today,
        taxPeriod: { from: period.periodStart, to: period.periodEnd },
      });
      if (result.ok) {
        const now = ctx.clock();
        const at = toIsoDateTime(now);
        await store.saveSnapshot({
          clientId: client.id,
          companyId: company.id,
          kpis: kpisOf(result.value, period, now),
          refreshedAt: at,
          lastAttemptAt: at,
          lastError: null,
          tasks: result.value.tasks,
        });
        return { ok: true };
      }
      failure = result.error;
    } catch (e) {
      failure = toAppError(e);
    }

    const message = failureMessage(failure);
    ctx.logger.warn('company refresh failed', {
      accountantId: acc,
      clientId: client.id,
      companyId: company.id,
      reason: failure.reason,
      error: failure.message,
    });
    try {
      // Keeps the last good numbers and tasks; only the attempt and its error are new. (The
      // registry drops a snapshot whose client was removed while the refresh ran.)
      const previous = await store.getSnapshot(client.id, company.id);
      const at = toIsoDateTime(ctx.clock());
      const snapshot: CompanySnapshot = {
        clientId: client.id,
        companyId: company.id,
        kpis: previous?.kpis ?? null,
        refreshedAt: previous?.refreshedAt ?? null,
        tasks: previous?.tasks ?? [],
        lastAttemptAt: at,
        lastError: { reason: failure.reason, message, at },
      };
      await store.saveSnapshot(snapshot);
    } catch (e) {
      ctx.logger.error('could not record a failed refresh', {
        accountantId: acc,
        clientId: client.id,
        companyId: company.id,
        error: toAppError(e).message,
      });
    }
    return { ok: false, reason: failure.reason, message };
  }

  /** Joins a refresh of the same company that is already running instead of starting another. */
  function refreshOnce(acc: AccountantId, item: WorkItem): Promise<CompanyOutcome> {
    const key = companyKey(acc, item.client.id, item.company.id);
    const running = inFlight.get(key);
    if (running) return running;
    const promise = refreshCompany(acc, item)
      .catch((e: unknown): CompanyOutcome => {
        const error = toAppError(e);
        return { ok: false, reason: error.reason, message: failureMessage(error) };
      })
      .finally(() => {
        inFlight.delete(key);
        hooks.companyRefreshed(acc, item.client.id, item.company.id);
      });
    inFlight.set(key, promise);
    return promise;
  }

  async function resolveScope(acc: AccountantId, scope: RefreshScope): Promise<Result<WorkItem[]>> {
    const store = storeOf(ctx, acc);
    if (typeof scope !== 'object' || scope === null) {
      return err(new AppError('validation', 'Say what to refresh: all, a client or companies.'));
    }
    switch (scope.kind) {
      case 'all': {
        const [clients, companies] = await Promise.all([
          store.listClients(),
          store.listCompanies(),
        ]);
        const byId = new Map(clients.map((c) => [c.id, c]));
        const items: WorkItem[] = [];
        for (const company of companies) {
          const client = byId.get(company.clientId);
          if (client) items.push({ client, company });
        }
        return ok(items);
      }
      case 'client': {
        const client =
          typeof scope.clientId === 'string' ? await store.getClient(scope.clientId) : null;
        if (!client) return err(new AppError('not-found', 'This client does not exist.'));
        const companies = await store.listCompanies(client.id);
        return ok(companies.map((company) => ({ client, company })));
      }
      case 'companies': {
        const wanted = scope.companies;
        if (!Array.isArray(wanted) || wanted.length === 0) {
          return err(new AppError('validation', 'Choose at least one company to refresh.'));
        }
        if (wanted.length > maxSelectedCompanies) {
          return err(
            new AppError(
              'validation',
              `Choose at most ${maxSelectedCompanies} companies, or refresh all.`,
            ),
          );
        }
        const [clients, companies] = await Promise.all([
          store.listClients(),
          store.listCompanies(),
        ]);
        const clientById = new Map(clients.map((c) => [c.id, c]));
        const companyByKey = new Map(companies.map((c) => [`${c.clientId}\u0000${c.id}`, c]));
        const seen = new Set<string>();
        const items: WorkItem[] = [];
        for (const entry of wanted) {
          const clientId: unknown = entry?.clientId;
          const companyId: unknown = entry?.companyId;
          if (typeof clientId !== 'string' || typeof companyId !== 'string') {
            return err(
              new AppError('validation', 'Each company needs a clientId and a companyId.'),
            );
          }
          const key = `${clientId}\u0000${companyId.toLowerCase()}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const company = companyByKey.get(key);
          const client = clientById.get(clientId as ClientId);
          if (!company || !client) {
            return err(
              new AppError('not-found', 'One of the chosen companies does not exist.', {
                clientId,
                companyId,
              }),
            );
          }
          items.push({ client, company });
        }
        return ok(items);
      }
      default: {
        const kind: unknown = (scope as { kind?: unknown }).kind;
        return err(
          new AppError('validation', 'Say what to refresh: all, a client or companies.', {
            kind: typeof kind === 'string' ? kind.slice(0, 40) : null,
          }),
        );
      }
    }
  }

  function progressOf(job: Job): RefreshProgress {
    job.cached ??= {
      jobId: job.id,
      total: job.total,
      done: job.done,
      succeeded: job.succeeded,
      failed: job.failed,
      failures: [...job.failures],
      finished: job.finishedAt !== null,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
    };
    return job.cached;
  }

  function notify(job: Job): void {
    job.cached = null;
    if (job.listeners.size === 0) return;
    const progress = progressOf(job);
    for (const listener of [...job.listeners]) {
      try {
        listener(progress);
      } catch (e) {
        ctx.logger.warn('refresh progress listener failed', { error: toAppError(e).message });
      }
    }
    if (progress.finished) job.listeners.clear();
  }

  function pruneJobs(): void {
    const nowMs = ctx.clock().getTime();
    const finishedPerAccountant = new Map<AccountantId, Job[]>();
    for (const job of jobs.values()) {
      if (job.finishedAt === null) continue;
      if (nowMs - job.finishedAtMs > finishedJobTtlMs) {
        jobs.delete(job.id);
        continue;
      }
      const list = finishedPerAccountant.get(job.acc) ?? [];
      list.push(job);
      finishedPerAccountant.set(job.acc, list);
    }
    for (const list of finishedPerAccountant.values()) {
      list.sort((a, b) => a.finishedAtMs - b.finishedAtMs);
      for (const job of list.slice(0, Math.max(0, list.length - finishedJobsPerAccountant))) {
        jobs.delete(job.id);
      }
    }
  }

  function startJob(acc: AccountantId, items: readonly WorkItem[]): Job {
    pruneJobs();
    const id = ctx.idGenerator() as RefreshJobId;
    let resolve: (p: RefreshProgress) => void = () => undefined;
    const completion = new Promise<RefreshProgress>((r) => {
      resolve = r;
    });
    const job: Job = {
      id,
      acc,
      total: items.length,
      done: 0,
      succeeded: 0,
      failed: 0,
      failures: [],
      startedAt: toIsoDateTime(ctx.clock()),
      finishedAt: null,
      finishedAtMs: 0,
      listeners: new Set(),
      cached: null,
      completion,
    };
    jobs.set(id, job);

    const finish = (): void => {
      const now = ctx.clock();
      job.finishedAt = toIsoDateTime(now);
      job.finishedAtMs = now.getTime();
      notify(job);
      ctx.logger.info('refresh finished', {
        accountantId: acc,
        jobId: id,
        total: job.total,
        succeeded: job.succeeded,
        failed: job.failed,
      });
      resolve(progressOf(job));
    };
    if (items.length === 0) {
      finish();
      return job;
    }
    const settle = (item: WorkItem, outcome: CompanyOutcome): void => {
      job.done += 1;
      if (outcome.ok) job.succeeded += 1;
      else {
        job.failed += 1;
        job.failures.push({
          clientId: item.client.id,
          clientName: item.client.name,
          companyId: item.company.id,
          companyName: item.company.displayName || item.company.name,
          reason: outcome.reason,
          message: outcome.message,
        });
      }
      if (job.done === job.total) finish();
      else notify(job);
    };
    void runByEnvironment(
      items,
      environmentKeyOf,
      async (item) => settle(item, await refreshOnce(acc, item)),
      ctx.refreshLimits,
    );
    return job;
  }

  function jobOf(acc: AccountantId, jobId: RefreshJobId): Result<Job> {
    const job = typeof jobId === 'string' ? jobs.get(jobId) : undefined;
    // Another accountant's job is reported exactly like a job that does not exist.
    if (!job || job.acc !== acc) {
      return err(new AppError('not-found', 'This refresh does not exist or has expired.'));
    }
    return ok(job);
  }

  async function startRefresh(
    acc: AccountantId,
    scope: RefreshScope,
  ): Promise<Result<RefreshProgress>> {
    const items = await resolveScope(acc, scope);
    if (!items.ok) return items;
    const job = startJob(acc, items.value);
    return ok(progressOf(job));
  }

  return {
    startRefresh,

    refreshProgress(acc, jobId) {
      const job = jobOf(acc, jobId);
      return job.ok ? ok(progressOf(job.value)) : job;
    },

    onRefreshProgress(acc, jobId, listener) {
      const found = jobOf(acc, jobId);
      if (!found.ok) return found;
      const job = found.value;
      if (job.finishedAt !== null) {
        // A job that already ended reports its final state once, so no caller waits forever.
        listener(progressOf(job));
        return ok(() => undefined);
      }
      job.listeners.add(listener);
      return ok(() => {
        job.listeners.delete(listener);
      });
    },

    async refresh(acc, scope, onProgress) {
      const items = await resolveScope(acc, scope);
      if (!items.ok) return items;
      const job = startJob(acc, items.value);
      if (onProgress && job.finishedAt === null) job.listeners.add(onProgress);
      const final = await job.completion;
      // An empty job finished before the listener could be added: tell it the outcome once.
      if (onProgress && job.total === 0) {
        try {
          onProgress(final);
        } catch (e) {
          ctx.logger.warn('refresh progress listener failed', { error: toAppError(e).message });
        }
      }
      return ok(final);
    },

    async idle() {
      while (inFlight.size > 0) {
        await Promise.allSettled([...inFlight.values()]);
      }
    },
  };
}
