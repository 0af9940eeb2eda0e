import { afterEach, describe, expect, it } from '@jest/globals';
import { defaultDashboardView } from '../../src/domain/model.js';
import type { DashboardView } from '../../src/domain/model.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import { expectErr, expectOk, otherTenantId, signedIn, startHarness, testNow } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;

afterEach(async () => {
  await h.close();
});

describe('dashboard', () => {
  it('has a row for every company of every client, sorted by client then company', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'rows');
    await h.hub.idle();
    const other = expectOk(
      await h.hub.addClient(acc, { name: 'Alpha Other', url: h.bcUrl(otherTenantId) }),
    );
    const dashboard = await h.hub.dashboard(acc);
    expect(dashboard.generatedAt).toBe(testNow.toISOString());
    expect(dashboard.view).toEqual(defaultDashboardView);
    expect(dashboard.rows.map((r) => r.clientName)).toEqual([
      'Alpha Other',
      'Alpha Other',
      'Sample client — CRONUS',
      'Sample client — CRONUS',
      'Sample client — CRONUS',
    ]);
    const names = dashboard.rows.slice(2).map((r) => r.companyName);
    expect(names).toEqual(
      [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })),
    );

    const newRow = dashboard.rows.find((r) => r.clientId === other.id)!;
    expect(newRow).toMatchObject({
      status: 'never',
      statusReason: 'Not refreshed yet.',
      refreshedAt: null,
      cashAccountsBalance: null,
      taxesDue: null,
      isSample: false,
    });
    const company = other.companies.find((c) => c.id === newRow.companyId)!;
    expect(
      newRow.goToClientUrl.startsWith(
        `https://businesscentral.dynamics.com/${otherTenantId}/production?company=`,
      ),
    ).toBe(true);
    expect(new URL(newRow.goToClientUrl).searchParams.get('company')).toBe(company.name);

    const sampleRow = dashboard.rows.at(-1)!;
    expect(sampleRow.status).toBe('fresh');
    expect(sampleRow.isSample).toBe(true);
    expect(
      sampleRow.goToClientUrl.startsWith(
        `${h.tenant.url}/${defaultSampleTenantId}/production?company=`,
      ),
    ).toBe(true);
  });

  it('marks numbers stale once they are older than the configured window', async () => {
    h = await startHarness();
    const acc = await signedIn(h, 'stale');
    await h.hub.idle();
    h.setNow(new Date(testNow.getTime() + 59 * 60_000));
    expect((await h.hub.dashboard(acc)).rows.every((r) => r.status === 'fresh')).toBe(true);
    h.setNow(new Date(testNow.getTime() + 61 * 60_000));
    const rows = (await h.hub.dashboard(acc)).rows;
    expect(rows.every((r) => r.status === 'stale')).toBe(true);
    expect(rows[0]?.statusReason).toBe('Last refreshed 1 hour(s) ago.');
  });
});

describe('views', () => {
  const view: DashboardView = {
    columns: ['taxesDue', 'status', 'cashAccountsBalance'],
    text: 'cronus',
    filters: { hasOverdueInvoices: true, refreshFailed: false, clientId: null },
    sort: { column: 'cashAccountsBalance', direction: 'desc' },
  };

  it('saves a valid view per accountant and shows it with the dashboard', async () => {
    h = await startHarness({ sampleMode: false });
    const alice = await signedIn(h, 'alice');
    const bob = await signedIn(h, 'bob');
    expect(expectOk(await h.hub.saveView(alice, view))).toEqual(view);
    expect(await h.hub.getView(alice)).toEqual(view);
    expect((await h.hub.dashboard(alice)).view).toEqual(view);
    expect(await h.hub.getView(bob)).toEqual(defaultDashboardView);
  });

  it('stores only known fields', async () => {
    h = await startHarness({ sampleMode: false });
    const acc = await signedIn(h, 'extra');
    const saved = expectOk(
      await h.hub.saveView(acc, {
        ...view,
        extra: 'x',
        filters: { ...view.filters, evil: 1 },
      } as never),
    );
    expect(saved).toEqual(view);
  });

  it.each([
    ['not an object', 'view'],
    ['an unknown column', { ...view, columns: ['taxesDue', 'password'] }],
    ['a column twice', { ...view, columns: ['status', 'status'] }],
    ['columns that are not a list', { ...view, columns: 'status' }],
    ['an unknown sort column', { ...view, sort: { column: 'secret', direction: 'asc' } }],
    ['a bad sort direction', { ...view, sort: { column: 'status', direction: 'up' } }],
    ['too much search text', { ...view, text: 'x'.repeat(201) }],
    ['control characters in the text', { ...view, text: 'a\u0000b' }],
    ['a filter that is not true or false', { ...view, filters: { refreshFailed: 'yes' } }],
    ['a client filter that is not text', { ...view, filters: { clientId: 5 } }],
  ])('rejects %s and keeps the saved view', async (_label, bad) => {
    h = await startHarness({ sampleMode: false });
    const acc = await signedIn(h, 'bad-view');
    expectOk(await h.hub.saveView(acc, view));
    expect(expectErr(await h.hub.saveView(acc, bad as never)).reason).toBe('validation');
    expect(await h.hub.getView(acc)).toEqual(view);
  });
});
