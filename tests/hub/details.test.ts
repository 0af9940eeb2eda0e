import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { daysBetween } from '../../src/domain/dates.js';
import { asUserTaskId } from '../../src/domain/ids.js';
import type { AccountantId } from '../../src/domain/ids.js';
import { financialStatementKinds } from '../../src/domain/model.js';
import type { Company } from '../../src/domain/model.js';
import type { CompanyTarget } from '../../src/connector/tenant-connector.js';
import type { ClientDto } from '../../src/hub/api-types.js';
import { buildStatementWorkbook, statementTitles } from '../../src/hub/reports.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import { expectErr, expectOk, signedIn, startHarness, testNow } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
let acc: AccountantId;
let sample: ClientDto;
let company: Company;

function targetOf(c: Company): CompanyTarget {
  return {
    accountantId: acc,
    clientId: sample.id,
    tenant: defaultSampleTenantId,
    environment: 'production',
    connection: { kind: 'sample' },
    companyId: c.id,
    companyName: c.name,
  };
}

beforeEach(async () => {
  h = await startHarness();
  acc = await signedIn(h, 'details');
  await h.hub.idle();
  [sample] = (await h.hub.listClients(acc)) as [ClientDto];
  company = (await h.registry.forAccountant(acc).listCompanies(sample.id))[0]!;
});

afterEach(async () => {
  await h.close();
});

describe('companyDetails', () => {
  it('shows live balances, an 8-week forecast, overdue invoices with links, taxes and tasks', async () => {
    const details = expectOk(await h.hub.companyDetails(acc, sample.id, company.id));
    const cues = h.tenant.fleet.cues(
      h.tenant.fleet.company(defaultSampleTenantId, 'production', company.id)!,
    );
    expect(details).toMatchObject({
      clientId: sample.id,
      clientName: sample.name,
      companyId: company.id,
      companyName: company.displayName,
      currency: cues.currencyCode,
      fetchedAt: testNow.toISOString(),
    });
    expect(details.cashAccountsBalance.minor).toBe(cues.cashAccountsBalance);
    expect(details.forecast.weeks).toHaveLength(8);
    expect(details.forecast.weeks[0]?.weekStart).toBe('2025-06-09');
    expect(details.forecast.startingBalance).toEqual(details.cashAccountsBalance);
    expect(details.forecast.method).toMatch(/Overdue amounts are counted in the first week/);

    const expectedSales = expectOk(
      await h.connector.overdueSalesInvoices(targetOf(company), '2025-06-11'),
    );
    expect(details.overdueSalesInvoices.map((i) => i.number).sort()).toEqual(
      expectedSales.map((i) => i.number).sort(),
    );
    expect(details.overdueSalesInvoices.length).toBeGreaterThan(0);
    for (const invoice of [...details.overdueSalesInvoices, ...details.overduePurchaseInvoices]) {
      expect(invoice.daysOverdue).toBe(daysBetween(invoice.dueDate, '2025-06-11'));
      expect(invoice.daysOverdue).toBeGreaterThan(0);
    }
    const days = details.overdueSalesInvoices.map((i) => i.daysOverdue);
    expect(days).toEqual([...days].sort((a, b) => b - a));
    const link = new URL(details.overdueSalesInvoices[0]!.link);
    expect(link.origin + link.pathname).toBe(`${h.tenant.url}/${defaultSampleTenantId}/production`);
    expect(link.searchParams.get('company')).toBe(company.name);
    expect(link.searchParams.get('page')).toBe('132');
    expect(link.searchParams.get('filter')).toBe(
      `'No.' IS '${details.overdueSalesInvoices[0]!.number}'`,
    );
    if (details.overduePurchaseInvoices[0]) {
      expect(new URL(details.overduePurchaseInvoices[0].link).searchParams.get('page')).toBe('138');
    }

    expect(details.taxesDue).toMatchObject({
      periodStart: '2025-04-01',
      periodEnd: '2025-06-30',
      dueDate: '2025-07-30',
    });
    expect(details.taxesDue?.method).toMatch(/^Estimate/);
    const pending = h.tenant.fleet.myPendingTasks(
      h.tenant.fleet.company(defaultSampleTenantId, 'production', company.id)!,
    );
    expect(details.tasks.map((t) => t.id).sort((a, b) => a - b)).toEqual(
      pending.map((t) => t.id).sort((a, b) => a - b),
    );
    expect(details.goToClientUrl).toContain(
      `${h.tenant.url}/${defaultSampleTenantId}/production?company=`,
    );
  });

  it('reuses the details for a minute instead of asking BC again', async () => {
    expectOk(await h.hub.companyDetails(acc, sample.id, company.id));
    h.tenant.resetStats();
    const again = await Promise.all([
      h.hub.companyDetails(acc, sample.id, company.id),
      h.hub.companyDetails(acc, sample.id, company.id.toUpperCase() as never),
    ]);
    expect(again.every((r) => r.ok)).toBe(true);
    expect(h.tenant.stats().requests).toBe(0);
    h.setNow(new Date(testNow.getTime() + 61_000));
    expectOk(await h.hub.companyDetails(acc, sample.id, company.id));
    expect(h.tenant.stats().requests).toBeGreaterThan(0);
  });

  it('fetches afresh after the company is refreshed', async () => {
    expectOk(await h.hub.companyDetails(acc, sample.id, company.id));
    expectOk(
      await h.hub.refresh(acc, {
        kind: 'companies',
        companies: [{ clientId: sample.id, companyId: company.id }],
      }),
    );
    h.tenant.resetStats();
    expectOk(await h.hub.companyDetails(acc, sample.id, company.id));
    expect(h.tenant.stats().requests).toBeGreaterThan(0);
  });

  it('returns the tenant’s failure, and does not cache it', async () => {
    h.tenant.setFault(defaultSampleTenantId, { kind: 'status', status: 503, times: 1_000 });
    expect(expectErr(await h.hub.companyDetails(acc, sample.id, company.id)).reason).toBe(
      'bc-unavailable',
    );
    h.tenant.setFault(defaultSampleTenantId, null);
    expectOk(await h.hub.companyDetails(acc, sample.id, company.id));
  });

  it('is not found for another accountant or an unknown company', async () => {
    const bob = await signedIn(h, 'bob');
    expect(expectErr(await h.hub.companyDetails(bob, sample.id, company.id)).reason).toBe(
      'not-found',
    );
    expect(
      expectErr(
        await h.hub.companyDetails(acc, sample.id, '00000000-0000-0000-0000-000000000000' as never),
      ).reason,
    ).toBe('not-found');
  });
});

describe('financialStatement', () => {
  it.each(financialStatementKinds.map((k) => [k]))(
    'fetches the %s for the year to date and builds a workbook from it',
    async (kind) => {
      const result = expectOk(await h.hub.financialStatement(acc, sample.id, company.id, kind));
      expect(result.statement.kind).toBe(kind);
      expect(result.clientName).toBe(sample.name);
      expect(result.companyName).toBe(company.displayName);
      const buffer = await buildStatementWorkbook(result.statement, {
        clientName: result.clientName,
        companyName: result.companyName,
        generatedAt: testNow.toISOString(),
      });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
      expect(workbook.worksheets[0]?.getCell('A1').value).toBe(statementTitles[kind]);
      expect(workbook.worksheets[0]?.rowCount).toBeGreaterThan(6);
    },
  );

  it.each([
    ['an unknown kind', 'salaries', undefined],
    [
      'a period that ends before it starts',
      'trial-balance',
      { from: '2025-06-01', to: '2025-01-01' },
    ],
    ['dates that are not ISO dates', 'trial-balance', { from: '01/01/2025', to: '2025-06-30' }],
    ['an impossible date', 'trial-balance', { from: '2025-02-30', to: '2025-06-30' }],
    ['a period of decades', 'income-statement', { from: '1990-01-01', to: '2025-06-30' }],
  ])('rejects %s', async (_label, kind, period) => {
    h.tenant.resetStats();
    const error = expectErr(
      await h.hub.financialStatement(acc, sample.id, company.id, kind as never, period as never),
    );
    expect(error.reason).toBe('validation');
    expect(h.tenant.stats().requests).toBe(0);
  });
});

describe('myTasks', () => {
  it('lists my tasks across all companies, earliest due first, with overdue ones marked', async () => {
    const tasks = await h.hub.myTasks(acc);
    const expected = h.tenant.fleet
      .environment(defaultSampleTenantId, 'production')!
      .companies.flatMap((c) => h.tenant.fleet.myPendingTasks(c));
    expect(tasks).toHaveLength(expected.length);
    expect(tasks.length).toBeGreaterThan(0);
    const dated = tasks.filter((t) => t.dueAt !== null).map((t) => Date.parse(t.dueAt!));
    expect(dated).toEqual([...dated].sort((a, b) => a - b));
    const firstUndated = tasks.findIndex((t) => t.dueAt === null);
    if (firstUndated >= 0)
      expect(tasks.slice(firstUndated).every((t) => t.dueAt === null)).toBe(true);
    for (const t of tasks) {
      expect(t.isOverdue).toBe(t.dueAt !== null && Date.parse(t.dueAt) <= testNow.getTime());
      expect(t.clientName).toBe(sample.name);
      expect(t.link.length).toBeGreaterThan(0);
    }
  });

  it('filters by due window and client, and ignores nonsense query values', async () => {
    const all = await h.hub.myTasks(acc);
    const overdue = await h.hub.myTasks(acc, { due: 'overdue' });
    expect(overdue.every((t) => t.isOverdue)).toBe(true);
    expect(overdue).toHaveLength(all.filter((t) => t.isOverdue).length);
    expect(await h.hub.myTasks(acc, { clientId: 'someone-else' as never })).toEqual([]);
    expect(await h.hub.myTasks(acc, { sort: 'evil' as never, due: 'never' as never })).toEqual(all);
    const byPriority = await h.hub.myTasks(acc, { sort: 'priority' });
    const rank = { high: 0, normal: 1, low: 2, none: 3 } as const;
    const ranks = byPriority.map((t) => rank[t.priority]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('shows another accountant nothing, even when asked for my client', async () => {
    const bob = await signedIn(h, 'bob-tasks');
    await h.hub.idle();
    expect((await h.hub.myTasks(acc)).length).toBeGreaterThan(0);
    expect(await h.hub.myTasks(bob, { clientId: sample.id })).toEqual([]);
  });
});

describe('completeTask', () => {
  it('marks the task complete in BC and drops it from my tasks and the counts at once', async () => {
    const [task] = await h.hub.myTasks(acc);
    expect(task).toBeDefined();
    const before = (await h.hub.dashboard(acc)).rows.find((r) => r.companyId === task!.companyId)!;
    expectOk(await h.hub.completeTask(acc, task!.clientId, task!.companyId, task!.id));
    const generated = h.tenant.fleet.company(defaultSampleTenantId, 'production', task!.companyId)!;
    expect(h.tenant.fleet.completedTasks(generated).has(task!.id)).toBe(true);
    expect(
      (await h.hub.myTasks(acc)).some((t) => t.id === task!.id && t.companyId === task!.companyId),
    ).toBe(false);
    const after = (await h.hub.dashboard(acc)).rows.find((r) => r.companyId === task!.companyId)!;
    expect(after.tasksAssignedToMe).toBe(before.tasksAssignedToMe! - 1);
    expect(after.overdueTasks).toBe(before.overdueTasks! - (task!.isOverdue ? 1 : 0));
  });

  it('rejects a task id that is not a whole number before calling BC', async () => {
    h.tenant.resetStats();
    for (const bad of [1.5, -1, Number.NaN, '7']) {
      expect(
        expectErr(await h.hub.completeTask(acc, sample.id, company.id, bad as never)).reason,
      ).toBe('validation');
    }
    expect(h.tenant.stats().requests).toBe(0);
  });

  it('is not found for another accountant’s company', async () => {
    const bob = await signedIn(h, 'bob-complete');
    expect(
      expectErr(await h.hub.completeTask(bob, sample.id, company.id, asUserTaskId(1))).reason,
    ).toBe('not-found');
  });

  it('passes on BC’s answer for a task that does not exist', async () => {
    const error = expectErr(
      await h.hub.completeTask(acc, sample.id, company.id, asUserTaskId(987_654)),
    );
    expect(error.reason).toMatch(/^bc-/);
  });
});
