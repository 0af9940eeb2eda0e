/**
 * The pages the Teams manifest and the sign-in pop-up point at, served by the real app from the
 * real build, in Chromium outside Teams: each loads with no console error and no Content-Security-
 * Policy violation (no inline script), and says what it is for.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { eventually, startTabHarness } from './harness.js';
import type { TabHarness } from './harness.js';

let h: TabHarness;

beforeAll(async () => {
  h = await startTabHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Opens `path` with console errors, page errors and CSP violations recorded from the start. */
async function openPage(
  path: string,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ page: Page; problems: string[] }> {
  const page = await h.openTab({ query: 'privacy.html', colorScheme });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${h.url}/${path}`);
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        // Violations are reported asynchronously; give queued reports one task to arrive.
        document.addEventListener('securitypolicyviolation', (e) =>
          console.error(`Content Security Policy: ${e.violatedDirective}`),
        );
        setTimeout(resolve, 0);
      }),
  );
  return { page, problems };
}

describe('the privacy statement and terms of use', () => {
  it('serve real content with the tab’s security headers, readable in dark mode', async () => {
    const privacy = await openPage('privacy.html', 'dark');
    const text = await privacy.page.locator('main').innerText();
    expect(text).toMatch(/Business Central/);
    expect(text).toMatch(/registry\.json/);
    expect(text).toMatch(/encrypted/);
    expect(text).toMatch(/third parties/);
    const colours = await privacy.page.evaluate(() => {
      const style = getComputedStyle(document.documentElement);
      return { bg: style.backgroundColor, fg: style.color };
    });
    expect(colours).toEqual({ bg: 'rgb(31, 31, 31)', fg: 'rgb(255, 255, 255)' });
    await h.screenshot(privacy.page, 'privacy-dark');
    expect(privacy.problems).toEqual([]);

    const terms = await openPage('terms.html');
    expect(await terms.page.getByRole('heading', { name: 'Provided as is' }).count()).toBe(1);
    expect(await terms.page.locator('main').innerText()).toMatch(/without warranty/);
    await h.screenshot(terms.page, 'terms');
    expect(terms.problems).toEqual([]);

    const res = await privacy.page.request.get(`${h.url}/terms.html`);
    expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers()['content-type']).toBe('text/html; charset=utf-8');
    await privacy.page.context().close();
    await terms.page.context().close();
  });
});

describe('the channel tab’s set-up page', () => {
  it('explains outside Teams where it belongs, and links to the dashboard', async () => {
    const { page, problems } = await openPage('config.html');
    const outside = page.locator('#outside');
    await outside.waitFor();
    expect(await outside.innerText()).toMatch(/only works inside Teams/);
    expect(await page.locator('#setup').isHidden()).toBe(true);
    expect(await page.locator('#connecting').isHidden()).toBe(true);
    await h.screenshot(page, 'config-outside-teams');
    expect(problems).toEqual([]);
    // A top-level page outside Teams never loads teams-js, so nothing leaves the machine.
    expect(h.externalRequests).toEqual([]);
    await page.getByRole('link', { name: 'Accountant Hub' }).click();
    await page.getByRole('grid', { name: 'Client companies' }).waitFor();
    await page.context().close();
  });

  it('falls back to the explanation when framed by a page that is not Teams', async () => {
    const { page, problems } = await openPage('privacy.html');
    await page.route(`${h.url}/not-teams.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>Not Teams</title><iframe src="/config.html" title="Set-up"></iframe>',
      }),
    );
    await page.goto(`${h.url}/not-teams.html`);
    const frame = page.frameLocator('iframe[title="Set-up"]');
    await eventually(
      async () => expect(await frame.locator('#outside').isVisible()).toBe(true),
      15_000,
    );
    // Framed, the page may be in Teams, so it loads teams-js, whose list of Teams origins the
    // harness blocks: that blocked request is the only complaint allowed.
    for (const url of h.externalRequests) expect(new URL(url).hostname).toBe('res.cdn.office.net');
    h.externalRequests.length = 0;
    expect(problems.filter((p) => !/ERR_BLOCKED_BY_CLIENT/.test(p))).toEqual([]);
    await page.context().close();
  });
});

describe('the sign-in pop-up pages', () => {
  it('auth-end says the window can be closed, and drops the answer from the address', async () => {
    const { page, problems } = await openPage('auth-end.html#code=secret-code&state=forged');
    const result = page.locator('#result');
    await eventually(async () => expect(await result.innerText()).toMatch(/did not finish/));
    expect(await result.innerText()).toMatch(/state_mismatch/);
    expect(await page.locator('main').innerText()).toMatch(/You can close this window\./);
    expect(page.url()).toBe(`${h.url}/auth-end.html`);
    await h.screenshot(page, 'auth-end-outside-teams');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('auth-end reports an error Entra sent back', async () => {
    const { page, problems } = await openPage(
      'auth-end.html?error=access_denied&error_description=The+user+declined',
    );
    await eventually(async () =>
      expect(await page.locator('#result').innerText()).toMatch(/access_denied: The user declined/),
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('auth-start without the app’s client id explains instead of sending the user nowhere', async () => {
    const { page, problems } = await openPage('auth-start.html');
    await eventually(async () =>
      expect(await page.locator('#message').innerText()).toMatch(/without the app’s client id/),
    );
    expect(await page.locator('#help').isVisible()).toBe(true);
    expect(problems).toEqual([]);
    expect(h.externalRequests).toEqual([]);
    await page.context().close();
  });

  it('auth-start with a client id goes to Entra’s authorize endpoint for access_as_user', async () => {
    const appId = '11111111-2222-4333-8444-555555555555';
    const { page } = await openPage('privacy.html');
    const leaving = page.waitForRequest((r) =>
      r.url().startsWith('https://login.microsoftonline.com/'),
    );
    await page
      .goto(`${h.url}/auth-start.html?clientId=${appId}&tenant=organizations`)
      .catch(() => undefined);
    const authorize = new URL((await leaving).url());
    expect(authorize.pathname).toBe('/organizations/oauth2/v2.0/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(appId);
    const host = new URL(h.url).host;
    expect(authorize.searchParams.get('scope')).toContain(`api://${host}/${appId}/access_as_user`);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${h.url}/auth-end.html`);
    // The harness blocks it: the test never leaves the machine.
    expect(h.externalRequests.some((u) => u.startsWith('https://login.microsoftonline.com/'))).toBe(
      true,
    );
    h.externalRequests.length = 0;
    await page.context().close();
  });
});
