/**
 * Manage Clients in real Chromium against the real app: fields checked as you type, a bad Client
 * URL explained, a good one listing its companies, adding, editing, adding from an invitation
 * link, and removing with confirmation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import { eventually, startTabHarness } from './harness.js';
import type { TabHarness } from './harness.js';

let h: TabHarness;
let page: Page;
let sampleUrl: string;

const manageDialog = (): Locator => page.getByRole('dialog', { name: 'Manage Clients' });
const clientDialog = (name: string | RegExp): Locator => page.getByRole('dialog', { name });
const dashboardRows = (): Locator =>
  page.getByRole('grid', { name: 'Client companies' }).locator('[role="row"][data-row-key]');

beforeAll(async () => {
  h = await startTabHarness();
  sampleUrl = h.app.core.sampleTenant?.url ?? '';
  page = await h.openTab();
  await eventually(async () => expect(await dashboardRows().count()).toBe(3));
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('Manage Clients', () => {
  it('lists the clients, with the sample client marked', async () => {
    await page.getByRole('button', { name: 'Manage Clients' }).click();
    const table = manageDialog().getByRole('table', { name: 'Clients' });
    await eventually(async () => expect(await table.getByRole('row').count()).toBe(2));
    const row = table.getByRole('row').nth(1);
    expect(await row.innerText()).toMatch(/Sample/);
    expect(await row.innerText()).toContain(`${sampleUrl}/${defaultSampleTenantId}/production`);
    expect(await row.getByRole('cell').nth(2).innerText()).toBe('3');
    await h.screenshot(page, 'manage-clients');
  });

  it('checks the fields as you type and explains a bad Client URL', async () => {
    await manageDialog().getByRole('button', { name: 'New' }).click();
    const dialog = clientDialog('New client');
    const url = dialog.getByRole('textbox', { name: /Client URL/ });
    await url.fill('businesscentral.dynamics.com/contoso');
    await eventually(async () =>
      expect(await dialog.innerText()).toMatch(/Enter a full web address starting with https:\/\//),
    );
    await url.fill('http://businesscentral.dynamics.com/contoso/production');
    await eventually(async () => expect(await dialog.innerText()).toMatch(/Use https:\/\//));

    // Saving with problems shows every problem and sends nothing.
    let posted = false;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/clients')) posted = true;
    });
    await dialog.getByRole('button', { name: 'Add client' }).click();
    await eventually(async () =>
      expect(await dialog.innerText()).toMatch(/Enter the client’s name/),
    );
    expect(posted).toBe(false);

    // A well-formed address of a tenant that does not exist: the server says what is wrong.
    await url.fill(`${sampleUrl}/00000000-1111-2222-3333-444444444444/production`);
    await dialog.getByRole('button', { name: 'Test Client URL' }).click();
    const result = dialog.getByTestId('test-result');
    await eventually(async () => expect(await result.innerText()).toMatch(/did not work/));
    const message = await result.innerText();
    expect(message.replace(/The Client URL did not work/, '').trim().length).toBeGreaterThan(10);
    expect(await result.getAttribute('role')).toBe('alert');
    await h.screenshot(page, 'client-url-error');
  });

  it('tests a good Client URL, lists the companies found, and adds the client', async () => {
    const dialog = clientDialog('New client');
    await dialog.getByRole('textbox', { name: /Client name/ }).fill('Northwind Traders');
    await dialog
      .getByRole('textbox', { name: /Client URL/ })
      .fill(`${sampleUrl}/${defaultSampleTenantId}/sandbox`);
    await dialog.getByRole('textbox', { name: /Contact/ }).fill('Ana Trujillo');
    await dialog.getByRole('button', { name: 'Test Client URL' }).click();
    const result = dialog.getByTestId('test-result');
    await eventually(async () => expect(await result.innerText()).toMatch(/2 companies found/));
    expect(await result.getByRole('listitem').count()).toBe(2);
    await h.screenshot(page, 'client-url-ok');

    await dialog.getByRole('button', { name: 'Add client' }).click();
    await eventually(async () => expect(await dialog.count()).toBe(0));
    const table = manageDialog().getByRole('table', { name: 'Clients' });
    await eventually(async () => expect(await table.getByRole('row').count()).toBe(3));
    expect(await table.innerText()).toMatch(/Northwind Traders/);
    await manageDialog().getByRole('button', { name: 'Close' }).click();

    // The new client's companies are on the dashboard and get their numbers.
    await eventually(async () => expect(await dashboardRows().count()).toBe(5));
    const northwind = dashboardRows().filter({ hasText: 'Northwind Traders' });
    await eventually(
      async () => expect(await northwind.locator('[data-status="fresh"]').count()).toBe(2),
      20_000,
    );
  });

  it('refuses a second client on the same environment with the server’s reason, keeping the form', async () => {
    await page.getByRole('button', { name: 'Manage Clients' }).click();
    await manageDialog().getByRole('button', { name: 'New' }).click();
    const dialog = clientDialog('New client');
    await dialog.getByRole('textbox', { name: /Client name/ }).fill('Northwind again');
    await dialog
      .getByRole('textbox', { name: /Client URL/ })
      .fill(`${sampleUrl}/${defaultSampleTenantId}/sandbox`);
    await dialog.getByRole('button', { name: 'Add client' }).click();
    await eventually(async () =>
      expect(await dialog.getByRole('alert').innerText()).toMatch(/The client was not saved/),
    );
    expect(await dialog.getByRole('textbox', { name: /Client name/ }).inputValue()).toBe(
      'Northwind again',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('edits a client', async () => {
    const table = manageDialog().getByRole('table', { name: 'Clients' });
    await table.getByRole('button', { name: 'Edit Northwind Traders' }).click();
    const dialog = clientDialog('Edit Northwind Traders');
    const name = dialog.getByRole('textbox', { name: /Client name/ });
    expect(await name.inputValue()).toBe('Northwind Traders');
    expect(await dialog.getByRole('textbox', { name: /Contact/ }).inputValue()).toBe(
      'Ana Trujillo',
    );
    await name.fill('');
    await eventually(async () =>
      expect(await dialog.innerText()).toMatch(/Enter the client’s name/),
    );
    await name.fill('Northwind Traders & Sons');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await eventually(async () =>
      expect(await table.innerText()).toMatch(/Northwind Traders & Sons/),
    );
  });

  it('removes a client only after confirmation', async () => {
    const table = manageDialog().getByRole('table', { name: 'Clients' });
    await table.getByRole('button', { name: 'Remove Northwind Traders & Sons' }).click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.innerText()).toMatch(/2 companies leave your dashboard/);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await eventually(async () => expect(await table.getByRole('row').count()).toBe(3));

    await table.getByRole('button', { name: 'Remove Northwind Traders & Sons' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
    await eventually(async () => expect(await table.getByRole('row').count()).toBe(2));
    const clients = await page.request.get(`${h.url}/api/clients`);
    expect(((await clients.json()) as { clients: unknown[] }).clients).toHaveLength(1);
  });

  it('adds a client from the link in an invitation e-mail', async () => {
    await manageDialog().getByRole('button', { name: 'Add from invitation' }).click();
    const dialog = clientDialog('Add a client from an invitation');
    const link = dialog.getByRole('textbox', { name: /Invitation link/ });
    await link.fill('Please add us as a client, thanks!');
    await eventually(async () => expect(await dialog.innerText()).toMatch(/No web link found/));
    const invitation = `${sampleUrl}/${defaultSampleTenantId}/sandbox?redirectedfromsignup=1`;
    await link.fill(`Hello, you are invited as our accountant. Open ${invitation} to sign in.`);
    await eventually(async () =>
      expect(await dialog.innerText()).toContain(`Link found: ${invitation}`),
    );
    await dialog.getByRole('textbox', { name: /Client name/ }).fill('Invited Client');
    await dialog.getByRole('button', { name: 'Add client' }).click();
    await eventually(async () => expect(await dialog.count()).toBe(0));
    const table = manageDialog().getByRole('table', { name: 'Clients' });
    await eventually(async () => expect(await table.innerText()).toMatch(/Invited Client/));
    await manageDialog().getByRole('button', { name: 'Close' }).click();
    await eventually(async () => expect(await dashboardRows().count()).toBe(5));
  });

  it('removes the sample client from the note on the dashboard', async () => {
    await page
      .getByTestId('sample-note')
      .getByRole('button', { name: 'Remove sample client' })
      .click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.innerText()).toMatch(/3 companies leave your dashboard/);
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await eventually(async () => expect(await dashboardRows().count()).toBe(2));
    expect(await page.getByTestId('sample-note').count()).toBe(0);
    expect(h.externalRequests).toEqual([]);
  });
});
