/**
 * Tab benchmark: the real app (REST API, hub, lowdb registry, sample tenant) with 2,000 company
 * rows, the tab built by its own build function, and headless Chromium measuring what an
 * accountant waits for:
 *
 * - `tab-load`: from navigation to the grid showing data (a fresh browser context each run, so
 *   nothing is cached; target under 1.5 s);
 * - `tab-sort`: from a click on a column header to the re-sorted rows painted (target 150 ms);
 * - `tab-filter`: from typing in the filter box to the filtered rows painted (target 150 ms).
 *
 * Setup (not timed): the fleet is `benchmarkFleet(2000, 400)` next to the sample client's tenant;
 * the sample client is removed, one client per environment is registered through the hub, and
 * one Refresh all fills the snapshots (the sample tenant answers with no added latency).
 *
 * Each figure is the median of several runs; one JSON line per figure comes last.
 * Run: `tsx bench/tab.ts [rows] [runs]` (default 2000 7).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { appSampleFleet, createApp } from '../server/app.js';
import { localAccountant } from '../server/authenticator.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logging.js';
import { benchmarkFleet } from '../src/sample-tenant/index.js';
import { buildTab } from '../tab/build.js';

const rows = Number(process.argv[2] ?? 2000);
const runs = Number(process.argv[3] ?? 7);
const environments = Math.max(1, Math.ceil(rows / 5));
const setupConcurrency = 25;
const targets = { load: 1500, sort: 150, filter: 150 };

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(value ?? 0);
}

async function inPool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

/**
 * Runs `act` in the page and resolves with the milliseconds until `done()` holds and the next
 * frame has been painted. Timed inside the page, so the figure excludes the remote-control hop.
 */
async function timeInPage(page: Page, act: string, done: string): Promise<number> {
  // Sent as source text: functions compiled by tsx carry helpers the page does not have.
  return page.evaluate(`new Promise((resolve, reject) => {
    const start = performance.now();
    (() => { ${act} })();
    const deadline = start + 10000;
    const check = () => {
      if (${done}) {
        // The frame after the change is the one the accountant sees.
        requestAnimationFrame(() => resolve(performance.now() - start));
      } else if (performance.now() > deadline) {
        reject(new Error('not done after 10 s'));
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  })`);
}

const firstRowKey = `document.querySelector('[role="row"][data-row-key]')?.getAttribute('data-row-key')`;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-tab-'));
  const staticDir = path.join(dir, 'dist');
  const build = await buildTab({ outDir: staticDir });
  console.log(`tab built in ${build.ms} ms`);

  const fleet = benchmarkFleet(rows, environments);
  const app = await createApp(
    loadConfig({
      DATA_DIR: path.join(dir, 'data'),
      PORT: '0',
      SAMPLE_TENANT_PORT: '0',
      LOG_LEVEL: 'error',
    }),
    {
      staticDir,
      logger: silentLogger,
      sampleFleet: { tenants: [...appSampleFleet.tenants, ...fleet.tenants] },
    },
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: chromiumArgs,
  });
  try {
    const { url } = await app.listen();
    const { hub } = app.core;
    const sample = app.core.sampleTenant;
    if (!sample) throw new Error('the app did not start its sample tenant');
    const acc = localAccountant.id;

    const setupStarted = performance.now();
    await hub.signIn(localAccountant);
    for (const client of await hub.listClients(acc)) await hub.removeClient(acc, client.id);
    const envs = fleet.tenants.flatMap((t) =>
      t.environments.map((e) => ({ tenant: t.id, environment: e.name })),
    );
    await inPool(envs, setupConcurrency, async ({ tenant, environment }) => {
      const added = await hub.addClient(acc, {
        name: `${tenant} ${environment}`,
        url: sample.clientUrl(tenant, environment),
      });
      if (!added.ok) throw new Error(`setup: ${added.error.reason}: ${added.error.message}`);
    });
    const refreshed = await hub.refresh(acc, { kind: 'all' });
    if (!refreshed.ok) throw new Error(`setup refresh: ${refreshed.error.message}`);
    const shown = (await hub.dashboard(acc)).rows.length;
    console.log(
      `setup: ${envs.length} clients, ${shown} rows, ${refreshed.value.failed} failed refreshes, ${Math.round(
        performance.now() - setupStarted,
      )} ms`,
    );

    // What the server alone takes to answer the dashboard: part of every load below.
    const serverMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await fetch(`${url}/api/dashboard`);
      await res.arrayBuffer();
      serverMs.push(performance.now() - started);
    }
    console.log(`GET /api/dashboard alone (ms): ${serverMs.map(Math.round).join(', ')}`);

    // Navigation to data, each time in a fresh context (cold cache), after one warm-up.
    const loads: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const context = await browser.newContext({
        viewport: { width: 1440, height: 900 },
        locale: 'en-US',
      });
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(url);
      await page.waitForSelector('[role="row"][data-row-key]');
      const ms = performance.now() - started;
      if (i > 0) loads.push(ms);
      await context.close();
    }

    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
    });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('[role="row"][data-row-key]');
    const rowCount = await page
      .getByRole('grid', { name: 'Client companies' })
      .getAttribute('aria-rowcount');

    // Re-sort: alternate between columns and directions so every click changes the order.
    const sortColumns = ['Cash Balance', 'Company Name', 'Overdue Sales', 'Client Name'];
    const sorts: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const label = sortColumns[i % sortColumns.length] ?? 'Client Name';
      const before = await page.evaluate(firstRowKey);
      const ms = await timeInPage(
        page,
        `Array.from(document.querySelectorAll('[role="columnheader"] button')).find((b) => b.textContent.includes(${JSON.stringify(label)})).click()`,
        `${firstRowKey} !== ${JSON.stringify(before)}`,
      );
      if (i > 0) sorts.push(ms);
    }

    // Filter: type a client's name, then clear it, each change timed to the painted rows.
    const filters: number[] = [];
    const needle = `${fleet.tenants[1]?.id ?? 'client'}`.slice(0, 8);
    for (let i = 0; i <= runs; i++) {
      const text = i % 2 === 0 ? needle : '';
      const before = await page.getByTestId('row-count').innerText();
      const ms = await timeInPage(
        page,
        `const input = document.querySelector('input[type="search"]');
         Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, ${JSON.stringify(text)});
         input.dispatchEvent(new Event('input', { bubbles: true }));`,
        `document.querySelector('[data-testid="row-count"]')?.textContent !== ${JSON.stringify(before)}`,
      );
      if (i > 0) filters.push(ms);
    }
    await context.close();

    const n = Number(rowCount ?? 1) - 1;
    const figures = [
      { bench: 'tab-load', rows: n, ms: median(loads), targetMs: targets.load },
      { bench: 'tab-sort', rows: n, ms: median(sorts), targetMs: targets.sort },
      { bench: 'tab-filter', rows: n, ms: median(filters), targetMs: targets.filter },
    ];
    console.log(`load runs (ms):   ${loads.map(Math.round).join(', ')}`);
    console.log(`sort runs (ms):   ${sorts.map(Math.round).join(', ')}`);
    console.log(`filter runs (ms): ${filters.map(Math.round).join(', ')}`);
    for (const f of figures) console.log(JSON.stringify(f));
    if (figures.some((f) => f.ms > f.targetMs)) process.exitCode = 1;
  } finally {
    await browser.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
