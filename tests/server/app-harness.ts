/**
 * Builds the real app (lowdb on a temp folder, the real sample tenant, the real connector and hub)
 * on port 0 for the server tests, and small helpers to talk to it over real HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../../server/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logging.js';
import type { SampleTenant } from '../../src/sample-tenant/index.js';

export interface TestApp {
  readonly app: App;
  readonly base: string;
  readonly dataDir: string;
  readonly sample: SampleTenant;
  /** Closes the app; removes the data folder unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hub-server-'));
}

export function testConfig(dataDir: string, env: Record<string, string> = {}) {
  return loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    SAMPLE_TENANT_PORT: '0',
    LOG_LEVEL: 'error',
    ...env,
  });
}

export async function startTestApp(
  options: { dataDir?: string; env?: Record<string, string>; app?: AppOptions } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const app = await createApp(testConfig(dataDir, options.env), {
    logger: silentLogger,
    staticDir: join(dataDir, 'no-tab-here'),
    ...options.app,
  });
  const { url } = await app.listen();
  const sample = app.core.sampleTenant;
  if (!sample) throw new Error('the test app runs in sample mode');
  return {
    app,
    base: url,
    dataDir,
    sample,
    async close({ keepData = false } = {}) {
      await app.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A JSON call: sends `body` as JSON when given; parses the answer when there is one. */
export async function call<T = unknown>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonResponse<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

/** A request sent byte for byte, with headers fetch would not let us set (Host, Forwarded…). */
export function rawRequest(
  base: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Polls a refresh job until it says it has finished. */
export async function waitForJob<T extends { finished: boolean }>(
  base: string,
  jobId: string,
): Promise<T> {
  for (;;) {
    const res = await call<T>(base, 'GET', `/api/refresh/${encodeURIComponent(jobId)}`);
    if (res.status !== 200) throw new Error(`progress answered ${res.status}`);
    if (res.body.finished) return res.body;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads a Server-Sent Events response to its end and returns the parsed `data` of each event. */
export async function readEvents<T>(res: Response): Promise<{ event: string; data: T }[]> {
  const events: { event: string; data: T }[] = [];
  const text = await res.text();
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n');
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    if (data.length === 0) continue;
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
    events.push({ event, data: JSON.parse(data.join('\n')) as T });
  }
  return events;
}
