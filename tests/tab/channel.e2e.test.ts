/**
 * The channel tab in real Chromium against the real app and sample tenant: a tab limited to one
 * client shows only that client under a header naming it, keeps editing the client list out of
 * the shared channel, and lets the viewer see all their clients; a colleague's client the viewer
 * also keeps is found by its Business Central environment; one they do not keep is explained in
 * words; and a hand-made or hostile address is refused safely.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { accountantIdOf } from '../../src/domain/ids.js';
import type { ClientDto } from '../../src/hub/api-types.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import { eventually, startTabHarness } from './harness.js';
import type { TabHarness } from './harness.js';

let h: TabHarness;
let sandbox: ClientDto;
let sample: ClientDto;

const grid = (page: Page): Locator => page.getByRole('grid', { name: 'Client companies' });
/** The client of each row shown (the cell's first line: a badge such as "Sample" may follow). */
const clientNames = async (page: Page): Promise<string[]> =>
  (
    await grid(page).locator('[role="row"][data-row-key] [data-col="clientName"]').allInnerTexts()
  ).map((text) => text.split('\n')[0]?.trim() ?? '');

/** The address of a channel tab, as the set-up page saves it, with `params` added. */
const channelQuery = (params: Record<string, string>): string =>
  `?${new URLSearchParams({ view: 'dashboard', channel: '1', ...params })}`;

/** A client in another accountant's list: the registry is per accountant. */
async function colleaguesClient(
  name: string,
  target: { tenant: string; environment: string },
): Promise<string> {
  const colleague = h.app.core.registry.forAccountant(accountantIdOf('other-firm', 'colleague'));
  const client = await colleague.createClient({
    name,
    url: `https://businesscentral.dynamics.com/${target.tenant}/${target.environment}`,
    target,
    connection: { kind: 'delegated' },
  });
  return client.id;
}

/** Records every page error and script dialog, and the `/api/clients/…` paths asked for. */
function watch(page: Page): { problems: string[]; clientLookups: string[] } {
  const problems: string[] = [];
  const clientLookups: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/clients/')) clientLookups.push(path);
  });
  return { problems, clientLookups };
}

beforeAll(async () => {
  h = await startTabHarness();
  const page = await h.openTab();
  await grid(page).waitFor();
  const res = await page.request.post(`${h.url}/api/clients`, {
    data: {
      name: 'Sandbox Books',
      url: h.app.core.sampleTenant?.clientUrl(defaultSampleTenantId, 'sandbox'),
    },
  });
  expect(res.status()).toBe(201);
  sandbox = (await res.json()) as ClientDto;
  const list = (await (await page.request.get(`${h.url}/api/clients`)).json()) as {
    clients: ClientDto[];
  };
  const found = list.clients.find((c) => c.isSample);
  if (!found) throw new Error('no sample client');
  sample = found;
  await page.context().close();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('a channel tab limited to one client', () => {
  it('shows only that client, under a header naming it, without the client list’s editing', async () => {
    const page = await h.openTab({ query: channelQuery({ clientId: sandbox.id }) });
    const { problems } = watch(page);
    const scope = page.getByTestId('channel-scope');
    await eventually(async () =>
      expect(await scope.getByRole('heading').innerText()).toBe('Sandbox Books'),
    );
    expect(await scope.innerText()).toMatch(/This channel tab shows one client/);
    await eventually(async () => expect(await clientNames(page)).toHaveLength(2));
    for (const name of await clientNames(page)) expect(name).toBe('Sandbox Books');
    await eventually(async () =>
      expect(await page.getByTestId('row-count').innerText()).toBe('2 companies'),
    );
    // The accountant's own client list is not edited from a shared channel's one-client tab.
    expect(await page.getByRole('button', { name: /Manage/ }).count()).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Filter by client' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Client Summary' }).click();
    expect(await page.getByRole('menuitem', { name: /Manage/ }).count()).toBe(0);
    expect(
      await page.getByRole('menuitem', { name: 'Refresh all of Sandbox Books' }).isVisible(),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await h.screenshot(page, 'channel-one-client');

    await scope.getByRole('button', { name: 'Show all my clients' }).click();
    await eventually(async () => expect(await clientNames(page)).toHaveLength(5));
    expect(new Set(await clientNames(page))).toEqual(new Set(['Sandbox Books', sample.name]));
    expect(await scope.innerText()).toMatch(/set up to show Sandbox Books/);
    // Here the list is the viewer's own, and named so.
    await page.getByRole('button', { name: 'Manage my clients' }).click();
    const manage = page.getByRole('dialog', { name: 'Manage Clients' });
    await eventually(async () =>
      expect(await manage.getByTestId('manage-clients-channel-note').innerText()).toMatch(
        /your own client list/,
      ),
    );
    await manage.getByRole('button', { name: 'Close' }).click();
    await manage.waitFor({ state: 'hidden' });

    await scope.getByRole('button', { name: 'Show only Sandbox Books' }).click();
    await eventually(async () => expect(await clientNames(page)).toHaveLength(2));
    expect(problems).toEqual([]);
    expect(h.externalRequests).toEqual([]);
    await page.context().close();
  });

  it('lists only that client’s tasks under My User Tasks, and all of them on request', async () => {
    const page = await h.openTab({ query: channelQuery({ clientId: sandbox.id, view: 'tasks' }) });
    const { problems } = watch(page);
    type Tasks = { tasks: { clientId: string }[] };
    const count = async (query: string): Promise<number> =>
      ((await (await page.request.get(`${h.url}/api/tasks${query}`)).json()) as Tasks).tasks.length;
    const table = page.getByRole('table', { name: 'My user tasks' });
    const scope = page.getByTestId('channel-scope');
    await eventually(async () =>
      expect(await scope.getByRole('heading').innerText()).toBe('Sandbox Books'),
    );
    // The tab's client's tasks, once its companies have been read.
    await eventually(
      async () => expect(await count(`?clientId=${sandbox.id}`)).toBeGreaterThan(0),
      20_000,
    );
    const own = await count(`?clientId=${sandbox.id}`);
    const all = await count('');
    expect(all).toBeGreaterThan(own);
    await eventually(async () => expect(await table.locator('tbody tr').count()).toBe(own), 20_000);
    // Nothing to choose: the tab shows one client.
    expect(await page.getByRole('combobox', { name: 'Filter by client' }).count()).toBe(0);
    await h.screenshot(page, 'channel-one-client-tasks');

    await scope.getByRole('button', { name: 'Show all my clients' }).click();
    await eventually(async () => expect(await table.locator('tbody tr').count()).toBe(all), 20_000);
    expect(await page.getByRole('combobox', { name: 'Filter by client' }).count()).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('ignores the viewer’s own client filter, which would otherwise hide the tab’s client', async () => {
    const saved = await (await fetch(`${h.url}/api/views/dashboard`)).json();
    const res = await fetch(`${h.url}/api/views/dashboard`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...saved, filters: { clientId: sample.id } }),
    });
    expect(res.status).toBe(200);
    const page = await h.openTab({ query: channelQuery({ clientId: sandbox.id }) });
    await eventually(async () => expect(await clientNames(page)).toHaveLength(2));
    for (const name of await clientNames(page)) expect(name).toBe('Sandbox Books');
    await page.context().close();
    const reset = await fetch(`${h.url}/api/views/dashboard`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(saved),
    });
    expect(reset.status).toBe(200);
  });

  it('finds the viewer’s own copy of a colleague’s client by its Business Central environment', async () => {
    const theirId = await colleaguesClient('Their Sandbox', {
      tenant: defaultSampleTenantId,
      environment: 'sandbox',
    });
    expect(theirId).not.toBe(sandbox.id);
    const page = await h.openTab({
      query: channelQuery({
        clientId: theirId,
        clientName: 'Their Sandbox',
        bcTenant: defaultSampleTenantId,
        bcEnvironment: 'sandbox',
      }),
    });
    const scope = page.getByTestId('channel-scope');
    // The viewer's own name for the client, and only its companies.
    await eventually(async () =>
      expect(await scope.getByRole('heading').innerText()).toBe('Sandbox Books'),
    );
    await eventually(async () => expect(await clientNames(page)).toHaveLength(2));
    for (const name of await clientNames(page)) expect(name).toBe('Sandbox Books');
    await page.context().close();
  });

  it('says plainly when the client is not in the viewer’s list, and offers all their clients', async () => {
    const theirId = await colleaguesClient('Fabrikam', {
      tenant: 'fabrikam.com',
      environment: 'production',
    });
    const page = await h.openTab({
      query: channelQuery({
        clientId: theirId,
        clientName: 'Fabrikam',
        bcTenant: 'fabrikam.com',
        bcEnvironment: 'production',
      }),
    });
    const { problems } = watch(page);
    const missing = page.getByTestId('channel-client-missing');
    await eventually(async () =>
      expect(await missing.innerText()).toContain(
        'This tab shows Fabrikam, which is not in your client list. Ask the colleague who added it, or add the client in Manage Clients.',
      ),
    );
    expect(await missing.innerText()).not.toMatch(/404|not-found/);
    expect(await grid(page).count()).toBe(0);
    await h.screenshot(page, 'channel-client-not-yours');

    await missing.getByRole('button', { name: 'Manage Clients' }).click();
    const manage = page.getByRole('dialog', { name: 'Manage Clients' });
    await eventually(async () =>
      expect(await manage.getByTestId('manage-clients-channel-note').isVisible()).toBe(true),
    );
    await manage.getByRole('button', { name: 'Close' }).click();
    await manage.waitFor({ state: 'hidden' });
    await eventually(async () => expect(await missing.isVisible()).toBe(true));

    await missing.getByRole('button', { name: 'Show all my clients' }).click();
    await eventually(async () => expect(await clientNames(page)).toHaveLength(5));
    expect(await page.getByTestId('channel-scope').innerText()).toMatch(/set up to show Fabrikam/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('says the same for an id nobody has, when the address names no client', async () => {
    const page = await h.openTab({ query: channelQuery({ clientId: 'no-such-client' }) });
    const missing = page.getByTestId('channel-client-missing');
    await eventually(async () =>
      expect(await missing.innerText()).toContain(
        'This tab shows a client, which is not in your client list.',
      ),
    );
    await page.context().close();
  });

  it('reports a server failure while looking the client up, and looks again on request', async () => {
    const page = await h.openTab();
    await grid(page).waitFor();
    await page.route(`**/api/clients/${sandbox.id}`, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'bc-throttled', message: 'Try again in a moment.' }),
      }),
    );
    await page.goto(`${h.url}/${channelQuery({ clientId: sandbox.id })}`);
    const failed = page.getByTestId('channel-client-error');
    await eventually(async () =>
      expect(await failed.innerText()).toMatch(/Try again in a moment\./),
    );
    await page.unroute(`**/api/clients/${sandbox.id}`);
    await failed.getByRole('button', { name: 'Try again' }).click();
    await eventually(async () =>
      expect(await page.getByTestId('channel-scope').getByRole('heading').innerText()).toBe(
        'Sandbox Books',
      ),
    );
    await page.context().close();
  });
});

describe('a hostile channel tab address', () => {
  const markup = '<img src=x onerror="window.__owned=1"><script>window.__owned=1</script>';

  it('refuses a client id with markup, shows the name as text, and runs nothing', async () => {
    const page = await h.openTab({
      query: channelQuery({ clientId: markup, clientName: `Evil ${markup}` }),
    });
    const { problems, clientLookups } = watch(page);
    // Loaded again with the watch in place, so no request of the first load goes unseen.
    await page.reload();
    const invalid = page.getByTestId('channel-client-invalid');
    await eventually(async () =>
      expect(await invalid.innerText()).toMatch(
        /does not name a client Accountant Hub can look up/,
      ),
    );
    expect(await invalid.innerText()).toContain(`Evil ${markup}`);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __owned?: number }).__owned)).toBeUndefined();
    // The id was never sent to the server.
    expect(clientLookups).toEqual([]);
    await h.screenshot(page, 'channel-hostile-address');
    await invalid.getByRole('button', { name: 'Show all my clients' }).click();
    await eventually(async () => expect(await clientNames(page)).toHaveLength(5));
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('refuses a very long id and cuts a very long name, keeping the page usable', async () => {
    const page = await h.openTab({
      // Long, yet short enough for the server to serve the page (Node refuses headers over 16 KB).
      query: channelQuery({ clientId: 'a'.repeat(2000), clientName: 'N'.repeat(8000) }),
    });
    const { problems, clientLookups } = watch(page);
    // Loaded again with the watch in place, so no request of the first load goes unseen.
    await page.reload();
    const invalid = page.getByTestId('channel-client-invalid');
    await eventually(async () => expect(await invalid.isVisible()).toBe(true));
    const text = await invalid.innerText();
    expect(text).toContain(`${'N'.repeat(100)}…`);
    expect(text).not.toContain('N'.repeat(101));
    expect(clientLookups).toEqual([]);
    // The message fits the page: nothing pushes it sideways.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    expect(overflow).toBe(false);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows a hostile name of a well-formed but unknown id as text in the message', async () => {
    const page = await h.openTab({
      query: channelQuery({ clientId: 'unknown-id', clientName: markup }),
    });
    const missing = page.getByTestId('channel-client-missing');
    await eventually(async () =>
      expect(await missing.innerText()).toContain(`This tab shows ${markup}, which is not`),
    );
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __owned?: number }).__owned)).toBeUndefined();
    await page.context().close();
  });
});
