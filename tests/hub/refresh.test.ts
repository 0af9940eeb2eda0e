import { afterEach, describe, expect, it } from '@jest/globals';
import { asClientId, asCompanyId } from '../../src/domain/ids.js';
import type { AccountantId, RefreshJobId } from '../../src/domain/ids.js';
import type { RefreshProgress } from '../../src/hub/api-types.js';
import type { ClientDto } from '../../src/hub/api-types.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import {
  expectErr,
  expectOk,
  otherTenantId,
  signedIn,
  startHarness,
  testNow,
  thirdTenantId,
} from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;

afterEach(async () => {
  await h.close();
});

/** An accountant with the sample client (3 companies), Other (2 + 1) and Third (2): 8 companies. */
async function accountantWithClients(name: string): Promise<{
  acc: AccountantId;
  sample: ClientDto;
  other: ClientDto;
  sandbox: ClientDto;
  third: ClientDto;
}> {
  const acc = await signedIn(h, name);
  await h.hub.idle();
  const [sample] = await h.hub.listClients(acc);
  const other = expectOk(
    await h.hub.addClient(acc, { name: 'Other', url: h.bcUrl(otherTenantId) }),
  );
  const sandbox = expectOk(
    await h.hub.addClient(acc, { name: 'Other sandbox', url: h.bcUrl(otherTenantId, 'sandbox') }),
  );
  const third = expectOk(
    await h.hub.addClient(acc, {
      name: 'Third',
      url: h.bcUrl(thirdTenantId),
      taxSettings: { frequency: 'monthly', dueDaysAfterPeriodEnd: 10 },
    }),
  );
  return { acc, sample: sample!, other, sandbox, third };
}

describe('refresh all', () => {
  it('refreshes every company and stores numbers equal to what the tenant holds', async () => {
    h = await startHarness();
    const { acc } = await accountantWithClients('all');
    const events: RefreshProgress[] = [];
    const final = expectOk(await h.hub.refresh(acc, { kind: 'all' }, (p) => events.push(p)));
    expect(final).toMatchObject({ total: 8, done: 8, succeeded: 8, failed: 0, finished: true });
    expect(final.failures).toEqual([]);
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.at(-1)?.finished).toBe(true);
    expect(events.slice(0, -1).every((e) => !e.finished)).toBe(true);

    const dashboard = await h.hub.dashboard(acc);
    expect(dashboard.rows).toHaveLength(8);
    for (const row of dashboard.rows) {
      expect(row.status).toBe('fresh');
      const client = expectOk(await h.hub.getClient(acc, row.clientId));
      const company = h.tenant.fleet.company(
        client.target.tenant,
        client.target.environment,
        row.companyId,
      )!;
      const cues = h.tenant.fleet.cues(company);
      const tasks = h.tenant.fleet.myPendingTasks(company);
      expect(row.currency).toBe(cues.currencyCode);
      expect(row.overdueSalesInvoiceAmount?.minor).toBe(cues.overdueSalesInvoiceAmount);
      expect(row.overduePurchaseInvoiceAmount?.minor).toBe(cues.overduePurchaseInvoiceAmount);
      expect(row.cashAccountsBalance?.minor).toBe(cues.cashAccountsBalance);
      expect(row.purchaseInvoicesDueNextWeek).toBe(cues.purchaseInvoicesDueNextWeek);
      expect(row.openSalesDocuments).toBe(
        cues.ongoingSalesQuotes + cues.ongoingSalesOrders + cues.ongoingSalesInvoices,
      );
      expect(row.tasksAssignedToMe).toBe(tasks.length);
      expect(row.overdueTasks).toBe(
        tasks.filter(
          (t) =>
            t.percentComplete !== 100 &&
            t.dueAt !== null &&
            Date.parse(t.dueAt) <= testNow.getTime(),
        ).length,
      );
      expect(row.refreshedAt).toBe(testNow.toISOString());
    }
  });

  it('estimates taxes due for each client’s own filing period', async () => {
    h = await startHarness();
    const { acc, third, other } = await accountantWithClients('taxes');
    expectOk(await h.hub.refresh(acc, { kind: 'all' }));
    const rows = (await h.hub.dashboard(acc)).rows;
    // 2025-06-11, monthly, due 10 days after: May's return was due on June 10, so June it is.
    const thirdRow = rows.find((r) => r.clientId === third.id)!;
    expect(thirdRow.taxesDue).toMatchObject({
      periodStart: '2025-06-01',
      periodEnd: '2025-06-30',
      dueDate: '2025-07-10',
    });
    // Quarterly, 30 days: Q1 was due April 30, so the current quarter.
    const otherRow = rows.find((r) => r.clientId === other.id)!;
    expect(otherRow.taxesDue).toMatchObject({
      periodStart: '2025-04-01',
      periodEnd: '2025-06-30',
      dueDate: '2025-07-30',
    });
    const company = (await h.registry.forAccountant(acc).listCompanies(other.id)).find(
      (c) => c.id === otherRow.companyId,
    )!;
    const inputs = expectOk(
      await h.connector.taxInputs(
        {
          accountantId: acc,
          clientId: other.id,
          tenant: otherTenantId,
          environment: 'production',
          connection: { kind: 'delegated' },
          companyId: company.id,
          companyName: company.name,
        },
        { from: '2025-04-01', to: '2025-06-30' },
      ),
    );
    expect(otherRow.taxesDue?.amount).toEqual({
      minor: inputs.salesTax.minor - inputs.purchaseTax.minor,
      currency: inputs.currency,
    });
  });

  it('keeps going when one tenant answers 503 and reports each failed company', async () => {
    h = await startHarness();
    const { acc, third } = await accountantWithClients('partial');
    h.tenant.setFault(thirdTenantId, { kind: 'status', status: 503 });
    const final = expectOk(await h.hub.refresh(acc, { kind: 'all' }));
    expect(final).toMatchObject({ total: 8, succeeded: 6, failed: 2, finished: true });
    expect(final.failures).toHaveLength(2);
    for (const failure of final.failures) {
      expect(failure).toMatchObject({
        clientId: third.id,
        clientName: 'Third',
        reason: 'bc-unavailable',
      });
      expect(failure.companyName.length).toBeGreaterThan(0);
      expect(failure.message).toMatch(/unavailable/i);
    }
    const rows = (await h.hub.dashboard(acc)).rows;
    const failed = rows.filter((r) => r.clientId === third.id);
    expect(failed.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(failed[0]?.errorReason).toBe('bc-unavailable');
    expect(failed[0]?.statusReason).toMatch(/^Refresh failed: /);
    expect(rows.filter((r) => r.status === 'fresh')).toHaveLength(6);
  });

  it('records an unreadable answer as a failure without touching the others', async () => {
    h = await startHarness();
    const { acc, sandbox } = await accountantWithClients('malformed');
    h.tenant.setFault(otherTenantId, { kind: 'malformed-json' }, 'sandbox');
    const final = expectOk(await h.hub.refresh(acc, { kind: 'all' }));
    expect(final.failed).toBe(1);
    expect(final.failures[0]).toMatchObject({ clientId: sandbox.id, reason: 'bc-bad-response' });
  });

  it('does not let a tenant that never answers hold up the others', async () => {
    h = await startHarness({ connectorTimeoutMs: 1_500 });
    const { acc } = await accountantWithClients('hang');
    h.tenant.setFault(thirdTenantId, { kind: 'hang' });
    const started = expectOk(await h.hub.startRefresh(acc, { kind: 'all' }));
    const othersDone = await new Promise<RefreshProgress>((resolve) => {
      const sub = expectOk(
        h.hub.onRefreshProgress(acc, started.jobId, (p) => {
          if (p.succeeded === 6) resolve(p);
        }),
      );
      void sub;
    });
    // Every other environment finished while the hanging tenant's two companies still wait.
    expect(othersDone).toMatchObject({ done: 6, finished: false });
    h.tenant.setFault(thirdTenantId, null);
    const final = await new Promise<RefreshProgress>((resolve) => {
      expectOk(h.hub.onRefreshProgress(acc, started.jobId, (p) => p.finished && resolve(p)));
    });
    expect(final).toMatchObject({ succeeded: 6, failed: 2 });
    expect(final.failures.every((f) => f.reason === 'bc-timeout')).toBe(true);
  });

  it('finishes at once with nothing to do when the accountant has no clients', async () => {
    h = await startHarness({ sampleMode: false });
    const acc = await signedIn(h, 'empty');
    const started = expectOk(await h.hub.startRefresh(acc, { kind: 'all' }));
    expect(started).toMatchObject({ total: 0, done: 0, finished: true });
    const events: RefreshProgress[] = [];
    const final = expectOk(await h.hub.refresh(acc, { kind: 'all' }, (p) => events.push(p)));
    expect(final.finished).toBe(true);
    expect(events).toEqual([final]);
  });
});

describe('a failed refresh', () => {
  it('keeps the last good numbers and says why they are stale, until a refresh succeeds', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'keeper');
    await h.hub.idle();
    const before = (await h.hub.dashboard(acc)).rows;
    expect(before.every((r) => r.status === 'fresh')).toBe(true);
    const snapshotsBefore = await h.registry.forAccountant(acc).listSnapshots();

    h.setNow(new Date(testNow.getTime() + 10 * 60_000));
    h.tenant.setFault(defaultSampleTenantId, { kind: 'status', status: 401 });
    const final = expectOk(await h.hub.refresh(acc, { kind: 'all' }));
    expect(final.failed).toBe(3);
    expect(final.failures[0]?.reason).toBe('bc-access-denied');

    const after = (await h.hub.dashboard(acc)).rows;
    for (const [i, row] of after.entries()) {
      const old = before[i]!;
      expect(row.status).toBe('stale');
      expect(row.errorReason).toBe('bc-access-denied');
      expect(row.statusReason).toMatch(
        /^The last refresh failed: .*Showing the numbers from 10 minute\(s\) ago\.$/,
      );
      expect(row.refreshedAt).toBe(old.refreshedAt);
      expect(row.cashAccountsBalance).toEqual(old.cashAccountsBalance);
      expect(row.tasksAssignedToMe).toBe(old.tasksAssignedToMe);
    }
    const snapshotsAfter = await h.registry.forAccountant(acc).listSnapshots();
    for (const s of snapshotsAfter) {
      const old = snapshotsBefore.find((o) => o.companyId === s.companyId)!;
      expect(s.tasks).toEqual(old.tasks);
      expect(s.kpis).toEqual(old.kpis);
      expect(s.lastAttemptAt).toBe(new Date(testNow.getTime() + 10 * 60_000).toISOString());
    }

    h.tenant.setFault(defaultSampleTenantId, null);
    expectOk(await h.hub.refresh(acc, { kind: 'all' }));
    const recovered = (await h.hub.dashboard(acc)).rows;
    expect(recovered.every((r) => r.status === 'fresh' && r.errorReason === null)).toBe(true);
  });
});

describe('refresh scopes', () => {
  it('refreshes one client, or a selection, and nothing else', async () => {
    h = await startHarness();
    const { acc, sample, other, third } = await accountantWithClients('scopes');
    const byClient = expectOk(await h.hub.refresh(acc, { kind: 'client', clientId: other.id }));
    expect(byClient.total).toBe(2);
    const thirdCompany = third.companies[0]!;
    const selection = expectOk(
      await h.hub.refresh(acc, {
        kind: 'companies',
        companies: [
          { clientId: third.id, companyId: thirdCompany.id },
          // The same company again, and in upper case: counted once.
          { clientId: third.id, companyId: asCompanyId(thirdCompany.id).toUpperCase() as never },
        ],
      }),
    );
    expect(selection.total).toBe(1);
    const rows = (await h.hub.dashboard(acc)).rows;
    const fresh = rows.filter((r) => r.status === 'fresh' && r.clientId !== sample.id);
    expect(fresh.map((r) => r.clientId).sort()).toEqual([other.id, other.id, third.id].sort());
  });

  it('joins a refresh of a company that is already running instead of asking BC twice', async () => {
    h = await startHarness();
    const { acc, other } = await accountantWithClients('joiner');
    h.tenant.resetStats();
    expectOk(await h.hub.refresh(acc, { kind: 'client', clientId: other.id }));
    const single = h.tenant.stats().requests;
    expect(single).toBeGreaterThan(0);
    h.tenant.resetStats();
    const [a, b] = await Promise.all([
      h.hub.refresh(acc, { kind: 'client', clientId: other.id }),
      h.hub.refresh(acc, { kind: 'client', clientId: other.id }),
    ]);
    expect(expectOk(a).succeeded).toBe(2);
    expect(expectOk(b).succeeded).toBe(2);
    expect(h.tenant.stats().requests).toBe(single);
  });

  it.each([
    ['no scope', null, 'validation'],
    ['an unknown kind', { kind: 'everything' }, 'validation'],
    ['an empty selection', { kind: 'companies', companies: [] }, 'validation'],
    ['a selection that is not a list', { kind: 'companies', companies: 'all' }, 'validation'],
    ['a selection entry without ids', { kind: 'companies', companies: [{}] }, 'validation'],
    [
      'an unknown company',
      { kind: 'companies', companies: [{ clientId: 'x', companyId: 'y' }] },
      'not-found',
    ],
    ['an unknown client', { kind: 'client', clientId: 'nope' }, 'not-found'],
    [
      'too many companies',
      {
        kind: 'companies',
        companies: Array.from({ length: 5001 }, (_, i) => ({ clientId: 'c', companyId: `${i}` })),
      },
      'validation',
    ],
  ])('rejects %s', async (_label, scope, reason) => {
    h = await startHarness({ sampleMode: false });
    const acc = await signedIn(h, 'bad-scope');
    expect(expectErr(await h.hub.startRefresh(acc, scope as never)).reason).toBe(reason);
  });
});

describe('refresh jobs', () => {
  it('are readable only by the accountant who started them', async () => {
    h = await startHarness();
    const alice = await signedIn(h, 'alice');
    const bob = await signedIn(h, 'bob');
    await h.hub.idle();
    const job = expectOk(await h.hub.startRefresh(alice, { kind: 'all' }));
    expect(expectOk(h.hub.refreshProgress(alice, job.jobId)).jobId).toBe(job.jobId);
    expect(expectErr(h.hub.refreshProgress(bob, job.jobId)).reason).toBe('not-found');
    expect(expectErr(h.hub.onRefreshProgress(bob, job.jobId, () => undefined)).reason).toBe(
      'not-found',
    );
    expect(expectErr(h.hub.refreshProgress(alice, 'no-such-job' as RefreshJobId)).reason).toBe(
      'not-found',
    );
  });

  it('report the final progress once to a listener that subscribes after the end', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'late');
    await h.hub.idle();
    const final = expectOk(await h.hub.refresh(acc, { kind: 'all' }));
    const seen: RefreshProgress[] = [];
    const unsubscribe = expectOk(h.hub.onRefreshProgress(acc, final.jobId, (p) => seen.push(p)));
    unsubscribe();
    expect(seen).toEqual([final]);
    expect(expectOk(h.hub.refreshProgress(acc, final.jobId))).toEqual(final);
  });

  it('stop calling a listener once it unsubscribes, and survive a listener that throws', async () => {
    h = await startHarness();
    const { acc } = await accountantWithClients('listeners');
    const job = expectOk(await h.hub.startRefresh(acc, { kind: 'all' }));
    const quiet: RefreshProgress[] = [];
    const unsubscribe = expectOk(h.hub.onRefreshProgress(acc, job.jobId, (p) => quiet.push(p)));
    unsubscribe();
    expectOk(
      h.hub.onRefreshProgress(acc, job.jobId, () => {
        throw new Error('listener bug');
      }),
    );
    const final = await new Promise<RefreshProgress>((resolve) => {
      expectOk(h.hub.onRefreshProgress(acc, job.jobId, (p) => p.finished && resolve(p)));
    });
    expect(final.succeeded).toBe(8);
    expect(quiet).toEqual([]);
  });

  it('give each job its own id', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'ids');
    const a = expectOk(await h.hub.startRefresh(acc, { kind: 'all' }));
    const b = expectOk(
      await h.hub.startRefresh(acc, {
        kind: 'client',
        clientId: asClientId((await h.hub.listClients(acc))[0]!.id),
      }),
    );
    expect(a.jobId).not.toBe(b.jobId);
  });
});
