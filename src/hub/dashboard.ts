/**
 * The dashboard: one row per company of every client, joined with its last snapshot, plus the
 * accountant's saved view. Reads only the registry — refreshing is a separate, explicit action.
 */
import { rowStatusOf } from '../domain/dashboard.js';
import { toIsoDateTime } from '../domain/dates.js';
import type { AccountantId } from '../domain/ids.js';
import type { Client, Company, CompanySnapshot } from '../domain/model.js';
import type { DashboardDto, DashboardRow } from './api-types.js';
import { storeOf } from './context.js';
import type { HubContext } from './context.js';
import { goToCompanyUrl } from './links.js';
import { compareByClientThenCompany } from '../domain/names.js';

/** One dashboard row. Numbers are null until the company has been refreshed successfully once. */
export function dashboardRowOf(
  ctx: HubContext,
  client: Client,
  company: Company,
  snapshot: CompanySnapshot | null,
  now: Date,
): DashboardRow {
  const { status, statusReason } = rowStatusOf(snapshot, now, ctx.staleAfterMinutes);
  const kpis = snapshot?.kpis ?? null;
  const taxes = kpis?.taxesDue ?? null;
  return {
    clientId: client.id,
    clientName: client.name,
    companyId: company.id,
    companyName: company.displayName || company.name,
    isSample: client.isSample,
    status,
    statusReason,
    errorReason: snapshot?.lastError?.reason ?? null,
    refreshedAt: snapshot?.refreshedAt ?? null,
    currency: kpis?.currency ?? null,
    taxesDue: taxes
      ? {
          amount: taxes.amount,
          dueDate: taxes.dueDate,
          periodStart: taxes.periodStart,
          periodEnd: taxes.periodEnd,
        }
      : null,
    openSalesDocuments: kpis?.openSalesDocuments ?? null,
    purchaseInvoicesDueNextWeek: kpis?.purchaseInvoicesDueNextWeek ?? null,
    overdueSalesInvoiceAmount: kpis?.overdueSalesInvoiceAmount ?? null,
    overduePurchaseInvoiceAmount: kpis?.overduePurchaseInvoiceAmount ?? null,
    cashAccountsBalance: kpis?.cashAccountsBalance ?? null,
    tasksAssignedToMe: kpis?.tasksAssignedToMe ?? null,
    overdueTasks: kpis?.overdueTasks ?? null,
    goToClientUrl: goToCompanyUrl(ctx, client, company),
  };
}

function byName(a: DashboardRow, b: DashboardRow): number {
  return compareByClientThenCompany(a, b) || a.companyId.localeCompare(b.companyId);
}

/** Every row of the accountant's dashboard, by client then company name, with the saved view. */
export async function buildDashboard(ctx: HubContext, acc: AccountantId): Promise<DashboardDto> {
  const store = storeOf(ctx, acc);
  const [clients, companies, snapshots, view] = await Promise.all([
    store.listClients(),
    store.listCompanies(),
    store.listSnapshots(),
    store.getView(),
  ]);
  const now = ctx.clock();
  const clientById = new Map(clients.map((c) => [c.id, c]));
  const snapshotByKey = new Map(snapshots.map((s) => [`${s.clientId}\u0000${s.companyId}`, s]));
  const rows: DashboardRow[] = [];
  for (const company of companies) {
    const client = clientById.get(company.clientId);
    if (!client) continue;
    const snapshot = snapshotByKey.get(`${company.clientId}\u0000${company.id}`) ?? null;
    rows.push(dashboardRowOf(ctx, client, company, snapshot, now));
  }
  rows.sort(byName);
  return { rows, view, generatedAt: toIsoDateTime(now) };
}
