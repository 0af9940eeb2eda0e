/**
 * Builds the hub — the use cases the tab (over REST) and the bot share — from its ports. Nothing
 * here listens or reads configuration: the composition root passes everything in.
 */
import { randomUUID } from 'node:crypto';
import { defaultStaleAfterMinutes } from '../domain/dashboard.js';
import { systemClock } from '../domain/dates.js';
import { ok } from '../domain/errors.js';
import { silentLogger } from '../logging.js';
import { createClientUseCases } from './clients.js';
import type { HubContext, HubDeps } from './context.js';
import { buildDashboard } from './dashboard.js';
import { createDetailsUseCases } from './details.js';
import type { Hub } from './hub.js';
import { createRefreshUseCases } from './refresh.js';
import { defaultSchedulerLimits } from './refresh-scheduler.js';
import { completeMyTask, listMyTasks } from './tasks.js';
import { checkView } from './views.js';

export type { HubDeps, SampleMode } from './context.js';

/** Company details fetched live are reused this long. */
export const defaultDetailsCacheMs = 60_000;

/** A hub with a way to wait for its background refreshes, for an orderly shutdown and for tests. */
export interface RunningHub extends Hub {
  /** Settles once every refresh started so far has finished. */
  idle(): Promise<void>;
}

/**
 * Creates the hub. `sampleMode` turns on the first-run sample client; `sealSecret` enables
 * clients with app-only access (their secret is sealed before it is stored, never returned).
 */
export function createHub(deps: HubDeps): RunningHub {
  const ctx: HubContext = {
    registry: deps.registry,
    connector: deps.connector,
    clock: deps.clock ?? systemClock,
    logger: deps.logger ?? silentLogger,
    sampleMode: deps.sampleMode,
    webClientBaseUrl: deps.webClientBaseUrl,
    sampleWebClientBaseUrl: deps.sampleWebClientBaseUrl ?? null,
    staleAfterMinutes:
      deps.staleAfterMinutes !== undefined && deps.staleAfterMinutes > 0
        ? deps.staleAfterMinutes
        : defaultStaleAfterMinutes,
    detailsCacheMs: Math.max(0, deps.detailsCacheMs ?? defaultDetailsCacheMs),
    idGenerator: deps.idGenerator ?? randomUUID,
    refreshLimits: { ...defaultSchedulerLimits, ...deps.refreshLimits },
    sealSecret: deps.sealSecret ?? null,
  };

  const details = createDetailsUseCases(ctx);
  const refresh = createRefreshUseCases(ctx, {
    companyRefreshed: (acc, clientId, companyId) => details.forget(acc, clientId, companyId),
  });
  const clients = createClientUseCases(ctx, {
    startRefresh: (acc, scope) => refresh.startRefresh(acc, scope),
    forgetClient: (acc, clientId) => details.forget(acc, clientId),
  });

  return {
    signIn: clients.signIn,
    listClients: clients.listClients,
    getClient: clients.getClient,
    testClientUrl: clients.testClientUrl,
    addClient: clients.addClient,
    addClientFromInvitation: clients.addClientFromInvitation,
    updateClient: clients.updateClient,
    removeClient: clients.removeClient,

    startRefresh: refresh.startRefresh,
    refreshProgress: refresh.refreshProgress,
    onRefreshProgress: refresh.onRefreshProgress,
    refresh: refresh.refresh,

    dashboard: (acc) => buildDashboard(ctx, acc),
    companyDetails: details.companyDetails,
    myTasks: (acc, query) => listMyTasks(ctx, acc, query),
    async completeTask(acc, clientId, companyId, taskId) {
      const done = await completeMyTask(ctx, acc, clientId, companyId, taskId);
      if (done.ok) details.forget(acc, clientId, companyId);
      return done;
    },
    financialStatement: details.financialStatement,

    getView: (acc) => ctx.registry.forAccountant(acc).getView(),
    async saveView(acc, view) {
      const checked = checkView(view);
      if (!checked.ok) return checked;
      return ok(await ctx.registry.forAccountant(acc).saveView(checked.value));
    },

    idle: refresh.idle,
  };
}
