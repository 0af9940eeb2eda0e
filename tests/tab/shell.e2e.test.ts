/**
 * The tab's shell in real Chromium against the real app: where it runs (a plain browser, or an
 * iframe that is not Teams, where teams-js never answers), the theme, the designed loading,
 * error and empty states, and a grid of 5,000 companies kept light by virtualization.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { DashboardDto, DashboardRow } from '../../src/hub/api-types.js';
import { eventually, startTabHarness } from './harness.js';
import type { TabHarness } from './harness.js';

let h: TabHarness;

const themeOf = (page: Page): Promise<string | null> =>
  page.locator('[data-theme]').first().getAttribute('data-theme');

beforeAll(async () => {
  h = await startTabHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('where the tab runs', () => {
  it('falls back to the browser when framed by a page that is not Teams', async () => {
    const page = await h.openTab();
    // A same-origin host page that frames the tab, as Teams would, but never answers teams-js.
    await page.route(`${h.url}/not-teams.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>Not Teams</title><iframe src="/?view=tasks" title="Accountant Hub" style="width:1280px;height:760px;border:0"></iframe>',
      }),
    );
    await page.goto(`${h.url}/not-teams.html`);
    const tab = page.frameLocator('iframe[title="Accountant Hub"]');
    await eventually(
      async () =>
        expect(
          await tab.getByRole('tab', { name: 'My User Tasks' }).getAttribute('aria-selected'),
        ).toBe('true'),
      15_000,
    );
    await eventually(
      async () => expect(await tab.getByTestId('task-count').innerText()).toMatch(/tasks/),
      20_000,
    );
    // Only teams-js itself tried to leave the machine (its list of Teams origins), and was blocked.
    for (const url of h.externalRequests) expect(new URL(url).hostname).toBe('res.cdn.office.net');
    h.externalRequests.length = 0;
    await page.context().close();
  });

  it('does not load teams-js at all in a plain browser window, so nothing leaves the machine', async () => {
    const page = await h.openTab();
    await page.getByRole('grid', { name: 'Client companies' }).waitFor();
    // teams-js fetches its list of Teams origins as soon as it is loaded: no such request means
    // it was never loaded.
    expect(h.externalRequests).toEqual([]);
    await page.context().close();
  });
});

describe('theme', () => {
  it('follows the browser’s light or dark setting and changes with it', async () => {
    const page = await h.openTab({ colorScheme: 'dark' });
    await eventually(async () => expect(await themeOf(page)).toBe('dark'));
    await page.emulateMedia({ colorScheme: 'light' });
    await eventually(async () => expect(await themeOf(page)).toBe('default'));
    await page.emulateMedia({ colorScheme: 'dark' });
    await eventually(async () => expect(await themeOf(page)).toBe('dark'));
    await page.context().close();
  });

  it('keeps a theme forced in the address whatever the browser says', async () => {
    const page = await h.openTab({ query: '?theme=contrast', colorScheme: 'dark' });
    await eventually(async () => expect(await themeOf(page)).toBe('contrast'));
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('grid', { name: 'Client companies' }).waitFor();
    expect(await themeOf(page)).toBe('contrast');
    await page.context().close();
  });
});

describe('loading, error and empty states', () => {
  it('shows a loading state, then the server’s message when the dashboard fails, and recovers', async () => {
    const page = await h.openTab();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/dashboard', async (route) => {
      await held;
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          code: 'bc-unavailable',
          message: 'The hub is restarting; try again in a minute.',
        }),
      });
    });
    await page.reload();
    await page.getByRole('status', { name: 'Loading your clients' }).waitFor();
    await h.screenshot(page, 'dashboard-loading');
    release();
    const error = page.getByTestId('dashboard-error');
    await eventually(async () =>
      expect(await error.innerText()).toMatch(/The hub is restarting; try again in a minute\./),
    );
    await h.screenshot(page, 'dashboard-error');
    await page.unroute('**/api/dashboard');
    await error.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('grid', { name: 'Client companies' }).waitFor();
    await page.context().close();
  });

  it('explains what to do when there are no clients', async () => {
    const page = await h.openTab();
    const clients = (await (await page.request.get(`${h.url}/api/clients`)).json()) as {
      clients: { id: string }[];
    };
    for (const c of clients.clients) {
      expect((await page.request.delete(`${h.url}/api/clients/${c.id}`)).status()).toBe(204);
    }
    await page.reload();
    const empty = page.getByTestId('dashboard-empty');
    await eventually(async () => expect(await empty.innerText()).toMatch(/No clients yet/));
    expect(await empty.getByRole('button', { name: 'Add a client' }).isVisible()).toBe(true);
    await h.screenshot(page, 'dashboard-empty');
    await empty.getByRole('button', { name: 'Add from invitation' }).click();
    await page.getByRole('dialog', { name: 'Add a client from an invitation' }).waitFor();
    await page.context().close();
  });
});

describe('a fleet of 5,000 companies', () => {
  it('keeps only the rows in view in the page, scrolls to the end and moves there by keyboard', async () => {
    const page = await h.openTab();
    // The server's real answer, multiplied: the grid's work grows with rows, not with their origin.
    const res = await page.request.post(`${h.url}/api/clients`, {
      data: {
        name: 'Fleet',
        url: h.app.core.sampleTenant?.clientUrl(
          h.app.core.sampleTenant.fleet.tenants[0]?.id ?? '',
          'sandbox',
        ),
      },
    });
    expect(res.status()).toBe(201);
    const real = (await (await page.request.get(`${h.url}/api/dashboard`)).json()) as DashboardDto;
    const template = real.rows[0];
    if (!template) throw new Error('no row to copy');
    const rows: DashboardRow[] = Array.from({ length: 5000 }, (_, i) => ({
      ...template,
      companyId:
        `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000` as DashboardRow['companyId'],
      companyName: `Company ${String(i + 1).padStart(4, '0')}`,
      cashAccountsBalance: { minor: i * 100, currency: 'USD' },
    }));
    await page.route('**/api/dashboard', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ...real, rows }) }),
    );
    await page.reload();
    const grid = page.getByRole('grid', { name: 'Client companies' });
    await eventually(async () => expect(await grid.getAttribute('aria-rowcount')).toBe('5001'));
    const rendered = await grid.locator('[role="row"][data-row-key]').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(80);

    await grid
      .locator('[role="row"][data-row-key]')
      .first()
      .locator('[data-col="clientName"]')
      .click();
    await page.keyboard.press('Control+End');
    await eventually(async () =>
      expect(
        await page.evaluate(() =>
          document.activeElement?.closest('[role="row"]')?.getAttribute('aria-rowindex'),
        ),
      ).toBe('5001'),
    );
    expect(await grid.locator('[role="row"][aria-rowindex="5001"]').innerText()).toContain(
      'Company 5000',
    );
    expect(await grid.locator('[role="row"][data-row-key]').count()).toBeLessThan(80);
    // Scrolling away keeps the focused row (and the keyboard's place) in the page.
    await grid.evaluate((el) => {
      el.scrollTop = 0;
    });
    await eventually(async () =>
      expect(await grid.locator('[role="row"][aria-rowindex="2"]').count()).toBe(1),
    );
    expect(
      await page.evaluate(() =>
        document.activeElement?.closest('[role="row"]')?.getAttribute('aria-rowindex'),
      ),
    ).toBe('5001');
    await page.keyboard.press('Control+Home');
    await eventually(async () =>
      expect(
        await page.evaluate(
          () => document.activeElement?.closest('[role="columnheader"]') !== null,
        ),
      ).toBe(true),
    );
    await page.context().close();
  });
});
