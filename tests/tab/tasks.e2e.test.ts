/**
 * My User Tasks in real Chromium against the real app and sample tenant: opened directly as the
 * second personal tab, sorted by due date, overdue tasks marked, sorting and filtering, links
 * into Business Central, and marking a task complete through to the tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { APIRequestContext, Locator, Page } from 'playwright-core';
import type { RefreshProgress, TaskRow } from '../../src/hub/api-types.js';
import { eventually, startTabHarness } from './harness.js';
import type { TabHarness } from './harness.js';

let h: TabHarness;
let page: Page;

const table = (): Locator => page.getByRole('table', { name: 'My user tasks' });
const bodyRows = (): Locator => table().locator('tbody tr');
const titles = (): Promise<string[]> => table().locator('tbody tr td:first-child').allInnerTexts();

async function apiTasks(request: APIRequestContext, query = ''): Promise<TaskRow[]> {
  const res = await request.get(`${h.url}/api/tasks${query}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { tasks: TaskRow[] }).tasks;
}

beforeAll(async () => {
  h = await startTabHarness();
  page = await h.openTab({ query: '?view=tasks' });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('My User Tasks', () => {
  it('opens on its own tab and fetches the tasks of companies never refreshed', async () => {
    await eventually(async () =>
      expect(
        await page.getByRole('tab', { name: 'My User Tasks' }).getAttribute('aria-selected'),
      ).toBe('true'),
    );
    await eventually(async () => expect(await bodyRows().count()).toBeGreaterThan(3), 20_000);
    const tasks = await apiTasks(page.request);
    await eventually(async () => expect(await bodyRows().count()).toBe(tasks.length));
    const overdue = tasks.filter((t) => t.isOverdue).length;
    expect(await page.getByTestId('task-count').innerText()).toBe(
      `${tasks.length} tasks${overdue ? `, ${overdue} overdue` : ''}`,
    );
    await h.screenshot(page, 'my-tasks');
  });

  it('sorts by due date by default, earliest first, with tasks without a date last', async () => {
    const header = table().getByRole('columnheader', { name: /Due date/ });
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    const tasks = await apiTasks(page.request);
    const dated = tasks.filter((t) => t.dueAt !== null);
    const dues = dated.map((t) => Date.parse(t.dueAt ?? ''));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(await titles()).toEqual(tasks.map((t) => t.title));
    const undatedAt = tasks.findIndex((t) => t.dueAt === null);
    if (undatedAt >= 0) expect(undatedAt).toBeGreaterThanOrEqual(dated.length);
  });

  it('marks overdue tasks and says by how many days', async () => {
    const overdueRows = table().locator('tbody tr[data-overdue="true"]');
    const tasks = await apiTasks(page.request);
    const overdue = tasks.filter((t) => t.isOverdue);
    expect(overdue.length).toBeGreaterThan(0);
    expect(await overdueRows.count()).toBe(overdue.length);
    const first = overdue[0];
    expect(await overdueRows.first().innerText()).toContain(
      `${first?.daysOverdue} ${first?.daysOverdue === 1 ? 'day' : 'days'} overdue`,
    );
  });

  it('sorts by priority and filters by due window and client', async () => {
    await page.getByRole('combobox', { name: 'Sort by' }).click();
    await page.getByRole('option', { name: 'Priority' }).click();
    const byPriority = await apiTasks(page.request, '?sort=priority&direction=desc');
    await eventually(async () => expect(await titles()).toEqual(byPriority.map((t) => t.title)));
    expect(
      await table()
        .getByRole('columnheader', { name: /Priority/ })
        .getAttribute('aria-sort'),
    ).toBe('descending');

    await page.getByRole('combobox', { name: 'Due' }).click();
    await page.getByRole('option', { name: 'Overdue' }).click();
    const overdue = await apiTasks(page.request, '?sort=priority&direction=desc&due=overdue');
    await eventually(async () => expect(await bodyRows().count()).toBe(overdue.length));
    expect(await table().locator('tbody tr[data-overdue="false"]').count()).toBe(0);

    await page.getByRole('combobox', { name: 'Filter by client' }).click();
    const options = page.getByRole('option');
    expect(await options.count()).toBe(2);
    await options.nth(1).click();
    await eventually(async () => expect(await bodyRows().count()).toBe(overdue.length));

    await page.getByRole('combobox', { name: 'Due' }).click();
    await page.getByRole('option', { name: 'Any time' }).click();
    await page.getByRole('combobox', { name: 'Sort by' }).click();
    await page.getByRole('option', { name: 'Due date' }).click();
    const all = await apiTasks(page.request);
    await eventually(async () => expect(await titles()).toEqual(all.map((t) => t.title)));
  });

  it('links each task to the task in Business Central', async () => {
    const [first] = await apiTasks(page.request);
    const link = bodyRows().first().getByRole('link', { name: first?.title });
    expect(await link.getAttribute('href')).toBe(first?.link);
    expect(await link.getAttribute('target')).toBe('_blank');
  });

  it('marks a task complete in Business Central and takes it off the list', async () => {
    const before = await apiTasks(page.request);
    const done = before[0];
    if (!done) throw new Error('no task to complete');
    await bodyRows()
      .first()
      .getByRole('button', { name: `Mark “${done.title}” complete` })
      .click();
    await eventually(async () => expect(await bodyRows().count()).toBe(before.length - 1));
    await eventually(async () =>
      expect(await page.getByText('Task completed').first().isVisible()).toBe(true),
    );
    const key = (t: TaskRow): string => `${t.companyId}/${t.id}`;
    expect((await apiTasks(page.request)).map(key)).not.toContain(key(done));

    // A fresh read from the tenant does not bring it back: it was completed there.
    const started = await page.request.post(`${h.url}/api/refresh`, {
      data: { scope: { kind: 'all' } },
    });
    expect(started.status()).toBe(202);
    let progress = (await started.json()) as RefreshProgress;
    await eventually(async () => {
      progress = (await (
        await page.request.get(`${h.url}/api/refresh/${progress.jobId}`)
      ).json()) as RefreshProgress;
      expect(progress.finished).toBe(true);
    }, 20_000);
    expect(progress.failed).toBe(0);
    const after = await apiTasks(page.request);
    expect(after).toHaveLength(before.length - 1);
    expect(after.map(key)).not.toContain(key(done));
  });

  it('keeps the task and says why when Business Central refuses to complete it', async () => {
    const sample = h.app.core.sampleTenant;
    const tenant = sample?.fleet.tenants[0]?.id ?? '';
    await page.getByRole('button', { name: 'Reload' }).click();
    const count = await bodyRows().count();
    sample?.setFault(tenant, { kind: 'status', status: 403 });
    const title = (await titles())[0] ?? '';
    await bodyRows()
      .first()
      .getByRole('button', { name: `Mark “${title}” complete` })
      .click();
    await eventually(async () =>
      expect(await page.getByText(`“${title}” was not completed`).isVisible()).toBe(true),
    );
    sample?.setFault(tenant, null);
    expect(await bodyRows().count()).toBe(count);
    await h.screenshot(page, 'my-tasks-complete-failed');
    expect(h.externalRequests).toEqual([]);
  });
});
