/**
 * The company details pane in real Chromium against the real app and sample tenant: cash, the
 * forecast chart with its explanation and table, overdue invoices linking into Business Central,
 * and Excel reports downloaded and read back cell by cell.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import type { CompanyDetailsDto, DashboardDto } from '../../src/hub/api-types.js';
import { eventually, startTabHarness } from './harness.js';
import type { TabHarness } from './harness.js';

let h: TabHarness;
let page: Page;
let details: CompanyDetailsDto;
/** A company whose details were never fetched (the server caches details for a while). */
let otherCompany: string;

async function readArrayBuffer(file: string): Promise<ArrayBuffer> {
  const data = await readFile(file);
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

const pane = (): Locator => page.getByRole('dialog', { name: /^Details of / });

beforeAll(async () => {
  h = await startTabHarness();
  page = await h.openTab();
  const grid = page.getByRole('grid', { name: 'Client companies' });
  await eventually(
    async () => expect(await grid.locator('[data-status="fresh"]').count()).toBe(3),
    20_000,
  );
  // The first row by client then company name, read from the API to compare with the pane.
  const dashboard = (await (
    await page.request.get(`${h.url}/api/dashboard`)
  ).json()) as DashboardDto;
  const [first, second] = [...dashboard.rows].sort((a, b) =>
    a.companyName.localeCompare(b.companyName),
  );
  if (!first || !second) throw new Error('the sample client has too few companies');
  otherCompany = second.companyName;
  const res = await page.request.get(`${h.url}/api/companies/${first.clientId}/${first.companyId}`);
  details = (await res.json()) as CompanyDetailsDto;
  await grid.getByRole('button', { name: details.companyName, exact: true }).click();
  await pane().getByTestId('company-details').waitFor();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('the company details pane', () => {
  it('opens from the company name with the cash balance and overdue totals', async () => {
    const text = await pane().innerText();
    expect(text).toContain(details.companyName);
    expect(text).toContain(details.clientName);
    expect(text).toMatch(/Cash accounts balance/);
    const cash = (details.cashAccountsBalance.minor / 100).toLocaleString('en-US', {
      minimumFractionDigits: 2,
    });
    expect(text).toContain(`${details.currency} ${cash}`);
    await h.screenshot(page, 'company-details');
  });

  it('draws the cash-flow forecast as a chart, explains the method and offers it as a table', async () => {
    const chart = pane().getByRole('img', { name: /Cash flow forecast over \d+ weeks/ });
    await chart.waitFor();
    expect(await chart.locator('[data-week]').count()).toBe(details.forecast.weeks.length);
    expect(details.forecast.weeks.length).toBeGreaterThan(0);

    await pane()
      .getByTestId('forecast')
      .getByRole('button', { name: /information/i })
      .click();
    await eventually(async () =>
      expect(
        await page.getByText(details.forecast.method, { exact: false }).first().isVisible(),
      ).toBe(true),
    );
    await page.keyboard.press('Escape');

    await pane().getByRole('button', { name: 'Show as table' }).click();
    const table = pane().getByRole('table', { name: 'Cash flow forecast by week' });
    expect(await table.getByRole('row').count()).toBe(details.forecast.weeks.length + 1);
    const lastWeek = details.forecast.weeks[details.forecast.weeks.length - 1];
    const lastBalance = ((lastWeek?.balance.minor ?? 0) / 100).toLocaleString('en-US', {
      minimumFractionDigits: 2,
    });
    expect(await table.innerText()).toContain(lastBalance);
    await pane().getByRole('button', { name: 'Show chart' }).click();
    await chart.waitFor();
  });

  it('lists overdue sales and purchase invoices, each linking to the document in Business Central', async () => {
    const sales = pane().getByTestId('overdue-sales');
    expect(await sales.getByRole('heading').innerText()).toBe(
      `Overdue sales invoices (${details.overdueSalesInvoices.length})`,
    );
    expect(details.overdueSalesInvoices.length).toBeGreaterThan(0);
    const rows = sales.getByRole('row');
    expect(await rows.count()).toBe(details.overdueSalesInvoices.length + 1);
    const first = details.overdueSalesInvoices[0];
    if (!first) throw new Error('no overdue sales invoice');
    const firstRow = rows.nth(1);
    const cells = await firstRow.getByRole('cell').allInnerTexts();
    expect(cells[0]).toBe(first.number);
    expect(cells[1]).toContain(first.partnerName);
    expect(cells[3]).toBe(String(first.daysOverdue));
    expect(cells[4]).toMatch(new RegExp(`^${first.amount.currency} `));
    const link = firstRow.getByRole('link', { name: first.number });
    expect(await link.getAttribute('href')).toBe(first.link);

    const popup = page.context().waitForEvent('page');
    await link.click();
    const opened = await popup;
    expect(opened.url()).toBe(first.link);
    await opened.close();

    const purchases = pane().getByTestId('overdue-purchases');
    expect(await purchases.getByRole('row').count()).toBe(
      details.overduePurchaseInvoices.length + 1,
    );
  });

  it('downloads a ready-to-print Excel workbook whose cells hold the statement', async () => {
    const download = page.waitForEvent('download');
    await pane().getByRole('button', { name: 'Download Balance sheet (Excel)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/ - Balance sheet - \d{4}-\d{2}-\d{2}\.xlsx$/);
    const path = await file.path();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await readArrayBuffer(path));
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('the workbook has no sheet');
    expect(sheet.getCell('A1').value).toBe('Balance Sheet');
    expect(String(sheet.getCell('A2').value)).toContain(details.companyName);
    expect(String(sheet.getCell('A4').value)).toContain(`Amounts in ${details.currency}`);
    expect(sheet.pageSetup.fitToWidth).toBe(1);
    const amounts: number[] = [];
    sheet.eachRow((row, n) => {
      if (n <= 6) return;
      row.eachCell((cell) => {
        if (typeof cell.value === 'number') {
          amounts.push(cell.value);
          expect(cell.numFmt).toMatch(/#,##0\.00/);
        }
      });
    });
    expect(amounts.length).toBeGreaterThan(3);
  });

  it('downloads the aged receivables too', async () => {
    const download = page.waitForEvent('download');
    await pane().getByRole('button', { name: 'Download Aged receivables (Excel)' }).click();
    const file = await download;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await readArrayBuffer(await file.path()));
    expect(workbook.worksheets[0]?.getCell('A1').value).toBe('Aged Accounts Receivable');
  });

  it('closes with Escape and gives focus back to the grid', async () => {
    await page.keyboard.press('Escape');
    await eventually(async () => expect(await pane().count()).toBe(0));
    const focusedRole = await page.evaluate(
      () => document.activeElement?.closest('[role="grid"]')?.getAttribute('aria-label') ?? null,
    );
    expect(focusedRole).toBe('Client companies');
  });

  it('says what went wrong when the company cannot be reached', async () => {
    const sample = h.app.core.sampleTenant;
    const tenant = sample?.fleet.tenants[0]?.id ?? '';
    sample?.setFault(tenant, { kind: 'status', status: 403 });
    await page
      .getByRole('grid', { name: 'Client companies' })
      .getByRole('button', { name: otherCompany, exact: true })
      .click();
    await eventually(async () =>
      expect(await pane().innerText()).toMatch(/The details could not be loaded/),
    );
    expect(await pane().getByRole('alert').innerText()).toMatch(/\w+/);
    await h.screenshot(page, 'company-details-error');
    sample?.setFault(tenant, null);
    await pane().getByRole('button', { name: 'Try again' }).click();
    await pane().getByTestId('company-details').waitFor();
    expect(h.externalRequests).toEqual([]);
  });
});
