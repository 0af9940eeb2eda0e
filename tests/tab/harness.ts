/**
 * The tab's end-to-end harness: the tab built by its own build function into a temp folder, the
 * real app (REST API, hub, lowdb registry on a temp file, sample tenant on a loopback port)
 * serving it, and headless Chromium driving it. Any request the page makes to a host other
 * than loopback is blocked and recorded, so a test can prove the tab needs no network.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApp } from '../../server/app.js';
import type { App } from '../../server/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logging.js';
import type { SampleFleetSpec } from '../../src/sample-tenant/index.js';
import { buildTab } from '../../tab/build.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
export const artifactsDir = path.join(projectRoot, 'test-artifacts', 'tab');

export const chromiumPath = '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

let built: Promise<string> | null = null;

/** Builds the tab once per test process into its own folder (no race with other builds). */
export function buildTabOnce(): Promise<string> {
  built ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tab-dist-'));
    await buildTab({ outDir: dir });
    return dir;
  })();
  return built;
}

export interface PageOptions {
  /** Query string added to the tab's URL, e.g. `?theme=dark`. */
  readonly query?: string;
  readonly colorScheme?: 'light' | 'dark';
  readonly viewport?: { width: number; height: number };
}

export interface TabHarness {
  readonly app: App;
  /** The app's base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly browser: Browser;
  /** Requests the page tried to send anywhere but loopback (all blocked). */
  readonly externalRequests: string[];
  /** A fresh browser context and page, opened on the tab. */
  openTab(options?: PageOptions): Promise<Page>;
  /** Saves a PNG of the page to `test-artifacts/tab/{name}.png`. */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly sampleFleet?: SampleFleetSpec;
}

/** Whether the browser may load `url`: this machine, or a page-local scheme. */
export function isLoopback(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
    return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
  } catch {
    return false;
  }
}

export async function startTabHarness(options: HarnessOptions = {}): Promise<TabHarness> {
  const staticDir = await buildTabOnce();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tab-e2e-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    SAMPLE_TENANT_PORT: '0',
    LOG_LEVEL: 'error',
  });
  const app = await createApp(config, {
    staticDir,
    logger: silentLogger,
    ...(options.sampleFleet ? { sampleFleet: options.sampleFleet } : {}),
  });
  const { url } = await app.listen();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const contexts: BrowserContext[] = [];
  const externalRequests: string[] = [];
  await mkdir(artifactsDir, { recursive: true });

  return {
    app,
    url,
    browser,
    externalRequests,
    async openTab(pageOptions: PageOptions = {}) {
      const context = await browser.newContext({
        viewport: pageOptions.viewport ?? { width: 1440, height: 900 },
        locale: 'en-US',
        timezoneId: 'UTC',
        colorScheme: pageOptions.colorScheme ?? 'light',
        acceptDownloads: true,
      });
      contexts.push(context);
      await context.route('**/*', (route) => {
        const requestUrl = route.request().url();
        if (isLoopback(requestUrl)) return route.continue();
        externalRequests.push(requestUrl);
        return route.abort('blockedbyclient');
      });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${url}/${pageOptions.query ?? ''}`);
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Retries `check` (which asserts with `expect`) until it passes or `timeoutMs` runs out, then
 * rethrows its last failure. The page updates asynchronously; this waits for a state, it does
 * not time anything.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
