/**
 * The dashboard in real Chromium against the real app and sample tenant: first run, sorting,
 * filtering, keyboard navigation, the row menu, Refresh all with a failing tenant, multi-select,
 * markup in names, and the column choice surviving a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import { eventually, startTabHarness } from './harness.js';
import type { TabHarness } from './harness.js';

let h: TabHarness;
let page: Page;

const grid = (): Locator => page.getByRole('grid', { name: 'Client companies' });
const dataRows = (): Locator => grid().locator('[role="row"][data-row-key]');
const companyNames = (): Promise<string[]> =>
  grid().locator('[role="row"][data-row-key] [data-col="companyName"] button').allInnerTexts();
const columnTexts = (col: string): Promise<string[]> =>
  grid().locator(`[role="row"][data-row-key] [data-col="${col}"]`).allInnerTexts();

async function waitForFreshRows(count: number): Promise<void> {
  await eventually(
    async () => expect(await grid().locator('[data-status="fresh"]').count()).toBe(count),
    20_000,
  );
}

beforeAll(async () => {
  h = await startTabHarness();
  page = await h.openTab();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('the dashboard', () => {
  it('shows the sample client on first run, marked as sample data, and fetches its numbers', async () => {
    await eventually(async () =>
      expect(await page.getByTestId('sample-note').innerText()).toMatch(/sample client/i),
    );
    await waitForFreshRows(3);
    await eventually(async () => expect(await dataRows().count()).toBe(3));
    const companies = await companyNames();
    expect(companies).toHaveLength(3);
    for (const name of companies) expect(name.trim().length).toBeGreaterThan(0);
    // Amounts carry their currency code.
    for (const cash of await columnTexts('cashAccountsBalance')) {
      expect(cash).toMatch(/^-?[A-Z]{3} -?[\d,]+\.\d{2}$/);
    }
    await eventually(async () => expect(await grid().getAttribute('aria-rowcount')).toBe('4'));
    await eventually(async () =>
      expect(await page.getByTestId('row-count').innerText()).toBe('3 companies'),
    );
    await h.screenshot(page, 'dashboard-light');
    expect(h.externalRequests).toEqual([]);
  });

  it('sorts by a column from its header and says so with aria-sort', async () => {
    const header = grid().getByRole('columnheader', { name: /Cash Balance/ });
    await eventually(async () => expect(await header.getAttribute('aria-sort')).toBe('none'));
    await header.getByRole('button').click();
    await eventually(async () => expect(await header.getAttribute('aria-sort')).toBe('descending'));
    const amount = (s: string): number => Number(s.replace(/[^\d.-]/g, ''));
    const desc = (await columnTexts('cashAccountsBalance')).map(amount);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await header.getByRole('button').click();
    await eventually(async () => expect(await header.getAttribute('aria-sort')).toBe('ascending'));
    const asc = (await columnTexts('cashAccountsBalance')).map(amount);
    expect(asc).toEqual([...desc].reverse());
  });

  it('filters by text and by condition, and says how many are shown', async () => {
    const first = (await companyNames())[0] ?? '';
    const search = page.getByRole('searchbox', { name: 'Filter by client or company name' });
    await search.fill(first.slice(0, 6));
    await eventually(async () => expect(await dataRows().count()).toBe(1));
    await eventually(async () =>
      expect(await page.getByTestId('row-count').innerText()).toBe('Showing 1 of 3 companies'),
    );
    await search.fill('no such company anywhere');
    await eventually(async () =>
      expect(await page.getByTestId('dashboard-no-match').innerText()).toMatch(
        /No companies match/,
      ),
    );
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await eventually(async () => expect(await dataRows().count()).toBe(3));

    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Refresh failed' }).click();
    await page.keyboard.press('Escape');
    await eventually(async () =>
      expect(await page.getByTestId('dashboard-no-match').isVisible()).toBe(true),
    );
    await page.getByRole('button', { name: 'Filters (1)' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Refresh failed' }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Has overdue invoices' }).click();
    await page.keyboard.press('Escape');
    // Every sample company has overdue invoices.
    await eventually(async () => expect(await dataRows().count()).toBe(3));
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await eventually(async () =>
      expect(await page.getByRole('button', { name: 'Filters', exact: true }).isVisible()).toBe(
        true,
      ),
    );
  });

  it('moves focus cell by cell with the arrow keys and opens the row menu from the keyboard', async () => {
    const firstClientCell = dataRows().first().locator('[data-col="clientName"]');
    await firstClientCell.click();
    await eventually(async () =>
      expect(await firstClientCell.evaluate((el) => el === document.activeElement)).toBe(true),
    );
    await eventually(async () => expect(await firstClientCell.getAttribute('tabindex')).toBe('0'));

    await page.keyboard.press('ArrowRight');
    const focusedName = (): Promise<string | null> =>
      page.evaluate(
        () =>
          document.activeElement?.getAttribute('aria-label') ??
          document.activeElement?.textContent ??
          null,
      );
    await eventually(async () => expect(await focusedName()).toMatch(/^Actions for /));

    await page.keyboard.press('ArrowRight');
    const firstCompany = (await companyNames())[0];
    await eventually(async () => expect(await focusedName()).toBe(firstCompany));

    await page.keyboard.press('ArrowDown');
    const secondCompany = (await companyNames())[1];
    await eventually(async () => expect(await focusedName()).toBe(secondCompany));

    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await eventually(async () =>
      expect(
        await page.evaluate(
          () => document.activeElement?.closest('[role="columnheader"]')?.textContent,
        ),
      ).toMatch(/Company Name/),
    );

    // Only one element of the grid is in the tab order at a time.
    await eventually(async () => expect(await grid().locator('[tabindex="0"]').count()).toBe(1));

    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await eventually(async () =>
      expect(await page.getByRole('menuitem', { name: 'Go to client' }).isVisible()).toBe(true),
    );
    await page.keyboard.press('Escape');
    await eventually(async () => expect(await focusedName()).toMatch(/^Actions for /));
  });

  it('"Go to client" opens the client\'s Business Central for that company in a new window', async () => {
    const popup = page.context().waitForEvent('page');
    await dataRows()
      .first()
      .getByRole('button', { name: /^Actions for / })
      .click();
    await page.getByRole('menuitem', { name: 'Go to client' }).click();
    const opened = await popup;
    await opened.waitForLoadState();
    const sample = h.app.core.sampleTenant;
    expect(sample).not.toBeNull();
    expect(opened.url().startsWith(`${sample?.url}/${defaultSampleTenantId}/production`)).toBe(
      true,
    );
    expect(new URL(opened.url()).searchParams.get('company')).toBeTruthy();
    await opened.close();
  });

  it('refreshes one company from its menu, with a spinner in the row while it runs', async () => {
    const sample = h.app.core.sampleTenant;
    sample?.setFault(defaultSampleTenantId, { kind: 'slow', latencyMs: 400 }, 'production');
    const row = dataRows().first();
    const before = await row.locator('[data-col="lastRefreshed"]').innerText();
    await row.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Refresh' }).click();
    await eventually(async () => expect(await row.locator('.fui-Spinner').isVisible()).toBe(true));
    await eventually(async () =>
      expect(await row.locator('[data-col="companyName"]').innerText()).toBeTruthy(),
    );
    sample?.setFault(defaultSampleTenantId, null, 'production');
    await eventually(async () => expect(await row.locator('.fui-Spinner').count()).toBe(0), 20_000);
    await eventually(async () =>
      expect(await row.locator('[data-status="fresh"]').count()).toBe(1),
    );
    expect(before).toBeTruthy();
  });

  it('Refresh all shows progress and keeps going when one tenant answers 503', async () => {
    const sample = h.app.core.sampleTenant;
    // A second client on the sandbox environment, added through the API.
    const res = await page.request.post(`${h.url}/api/clients`, {
      data: { name: 'Sandbox Books', url: sample?.clientUrl(defaultSampleTenantId, 'sandbox') },
    });
    expect(res.status()).toBe(201);
    await page.reload();
    await waitForFreshRows(5);

    sample?.setFault(defaultSampleTenantId, { kind: 'slow', latencyMs: 300 }, 'production');
    sample?.setFault(
      defaultSampleTenantId,
      { kind: 'status', status: 503, retryAfterSeconds: 0 },
      'sandbox',
    );
    await page.getByRole('button', { name: 'Client Summary' }).click();
    await page.getByRole('menuitem', { name: 'Refresh all' }).click();
    const progress = page.getByRole('progressbar', { name: 'Refresh all progress' });
    await eventually(async () =>
      expect(await progress.getAttribute('aria-valuetext')).toMatch(/^\d of 5 done$/),
    );
    await h.screenshot(page, 'refresh-all-running');
    sample?.setFault(defaultSampleTenantId, null, 'production');

    const bar = page.getByTestId('refresh-bar');
    await eventually(
      async () => expect(await bar.innerText()).toMatch(/Refresh all finished/),
      30_000,
    );
    await expect(bar.innerText()).resolves.toMatch(/3 of 5 companies refreshed; 2 failed/);
    await page.getByRole('button', { name: 'Show failures' }).click();
    const failures = page.getByRole('table', { name: 'Refresh failures' });
    await eventually(async () => expect(await failures.getByRole('row').count()).toBe(3));
    await eventually(async () => expect(await failures.innerText()).toMatch(/Sandbox Books/));
    await h.screenshot(page, 'refresh-all-failures');
    await page.getByRole('button', { name: 'Close' }).click();

    // The failed rows say why; the others are fresh.
    await eventually(async () =>
      expect(await grid().locator('[data-status="failed"], [data-status="stale"]').count()).toBe(2),
    );
    await waitForFreshRows(3);
    await page.getByRole('button', { name: 'Columns' }).click();
    const statusItem = page.getByRole('menuitemcheckbox', { name: /fresh, stale or failed/ });
    await eventually(async () =>
      expect(await statusItem.getAttribute('aria-checked')).toBe('true'),
    );
    await page.keyboard.press('Escape');
    const reasons = await columnTexts('status');
    expect(reasons.filter((r) => /Stale|Failed/.test(r))).toHaveLength(2);
    sample?.setFault(defaultSampleTenantId, null, 'sandbox');
  });

  it('filters by client from the client list', async () => {
    await page.getByRole('combobox', { name: 'Filter by client' }).click();
    await page.getByRole('option', { name: 'Sandbox Books' }).click();
    await eventually(async () => expect(await dataRows().count()).toBe(2));
    for (const name of await columnTexts('clientName')) expect(name).toBe('Sandbox Books');
    expect(await page.getByTestId('row-count').innerText()).toBe('Showing 2 of 5 companies');
    await page.getByRole('combobox', { name: 'Filter by client' }).click();
    await page.getByRole('option', { name: 'All clients' }).click();
    await eventually(async () => expect(await dataRows().count()).toBe(5));
  });

  it('selects several companies for a bulk refresh and removes a client after confirmation', async () => {
    await page.getByRole('button', { name: 'Client Summary' }).click();
    await page.getByRole('menuitem', { name: 'Select companies' }).click();
    const region = page.getByRole('region', { name: 'Selected companies' });
    await eventually(async () => expect(await region.innerText()).toMatch(/0 companies selected/));
    const sandboxRows = dataRows().filter({ hasText: 'Sandbox Books' });
    await eventually(async () => expect(await sandboxRows.count()).toBe(2));
    for (const r of await sandboxRows.all()) await r.getByRole('checkbox').check();
    await eventually(async () => expect(await region.innerText()).toMatch(/2 companies selected/));
    await eventually(async () =>
      expect(await sandboxRows.first().getAttribute('aria-selected')).toBe('true'),
    );

    await region.getByRole('button', { name: 'Refresh selected' }).click();
    await eventually(
      async () =>
        expect(await page.getByTestId('refresh-bar').innerText()).toMatch(
          /Refresh 2 companies finished/,
        ),
      20_000,
    );
    await eventually(async () =>
      expect(await page.getByTestId('refresh-bar').innerText()).toMatch(/2 companies refreshed/),
    );

    await region.getByRole('button', { name: 'Remove clients…' }).click();
    const dialog = page.getByRole('alertdialog');
    await eventually(async () =>
      expect(await dialog.innerText()).toMatch(/Remove Sandbox Books\?/),
    );
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await eventually(async () => expect(await dataRows().count()).toBe(3));
    await eventually(async () =>
      expect(await page.getByRole('region', { name: 'Selected companies' }).count()).toBe(0),
    );
  });

  it('shows a client name containing markup as text and never runs it', async () => {
    const sample = h.app.core.sampleTenant;
    const hostile = '<img src=x onerror="window.__pwned=1"><b>Bold & Co</b>';
    const res = await page.request.post(`${h.url}/api/clients`, {
      data: { name: hostile, url: sample?.clientUrl(defaultSampleTenantId, 'sandbox') },
    });
    expect(res.status()).toBe(201);
    await page.reload();
    await eventually(async () => expect(await dataRows().count()).toBe(5));
    const names = await columnTexts('clientName');
    expect(names.filter((n) => n.includes(hostile))).toHaveLength(2);
    await eventually(async () => expect(await grid().locator('img, b').count()).toBe(0));
    await eventually(async () =>
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined(),
    );
  });

  it('keeps the chosen columns and sort across a reload', async () => {
    await page.getByRole('button', { name: 'Columns' }).click();
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/api/views/dashboard') && r.request().method() === 'PUT',
    );
    await page.getByRole('menuitemcheckbox', { name: /Taxes due/ }).click();
    expect((await saved).status()).toBe(200);
    const saved2 = page.waitForResponse(
      (r) => r.url().endsWith('/api/views/dashboard') && r.request().method() === 'PUT',
    );
    await page.getByRole('menuitemcheckbox', { name: 'Cash accounts balance' }).click();
    expect((await saved2).status()).toBe(200);
    await page.keyboard.press('Escape');

    await page.reload();
    await eventually(async () => expect(await dataRows().count()).toBe(5));
    const headers = await grid().getByRole('columnheader').allInnerTexts();
    expect(headers.some((t) => /Taxes Due/.test(t))).toBe(true);
    expect(headers.some((t) => /Cash Balance/.test(t))).toBe(false);
    // The rows were sorted by cash balance; hiding that column went back to sorting by client.
    await eventually(async () =>
      expect(
        await grid()
          .getByRole('columnheader', { name: /Client Name/ })
          .getAttribute('aria-sort'),
      ).toBe('ascending'),
    );
    const taxes = await columnTexts('taxesDue');
    expect(taxes.some((t) => /[A-Z]{3} -?[\d,]+\.\d{2} due /.test(t))).toBe(true);
  });

  it('follows the theme: dark and high contrast', async () => {
    const dark = await h.openTab({ query: '?theme=dark' });
    await eventually(async () =>
      expect(await dark.getByRole('grid').locator('[data-status="fresh"]').count()).toBeGreaterThan(
        0,
      ),
    );
    await eventually(async () =>
      expect(await dark.locator('[data-theme]').first().getAttribute('data-theme')).toBe('dark'),
    );
    const bg = await dark.evaluate(
      () => getComputedStyle(document.querySelector('header') ?? document.body).backgroundColor,
    );
    expect(bg).not.toBe('rgb(255, 255, 255)');
    await h.screenshot(dark, 'dashboard-dark');
    const contrast = await h.openTab({ query: '?theme=contrast' });
    await eventually(async () =>
      expect(await contrast.getByRole('grid').locator('[data-status]').count()).toBeGreaterThan(0),
    );
    await eventually(async () =>
      expect(await contrast.locator('[data-theme]').first().getAttribute('data-theme')).toBe(
        'contrast',
      ),
    );
    await h.screenshot(contrast, 'dashboard-high-contrast');
  });
});
