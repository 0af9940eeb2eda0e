/**
 * The tab's API client against the real app over HTTP (Node's fetch standing in for the
 * browser's): errors carry the server's message, a dead server says so, the bearer-token seam
 * reaches the request, and refresh progress is followed over the event stream or, when the
 * stream breaks, by polling.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp } from '../../server/app.js';
import type { App } from '../../server/app.js';
import { loadConfig } from '../../src/config.js';
import type { RefreshProgress } from '../../src/hub/api-types.js';
import { silentLogger } from '../../src/logging.js';
import { ApiClient, ApiError, errorMessage, readEventStream } from '../../tab/src/api.js';

let app: App;
let base: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'tab-api-'));
  app = await createApp(
    loadConfig({ DATA_DIR: dataDir, PORT: '0', SAMPLE_TENANT_PORT: '0', LOG_LEVEL: 'error' }),
    { logger: silentLogger },
  );
  base = `${(await app.listen()).url}/api`;
}, 30_000);

afterAll(async () => {
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the tab’s API client', () => {
  it('reads the signed-in accountant and the dashboard with the sample client', async () => {
    const api = new ApiClient({ baseUrl: base });
    expect((await api.me()).displayName).toBeTruthy();
    const dashboard = await api.dashboard();
    expect(dashboard.rows).toHaveLength(3);
    expect(dashboard.rows.every((r) => r.isSample)).toBe(true);
  });

  it('turns an error answer into an ApiError with the server’s code and message', async () => {
    const api = new ApiClient({ baseUrl: base });
    const failure = await api.testClientUrl('ftp://example.com/nope').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    const e = failure as ApiError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('validation');
    expect(e.message.length).toBeGreaterThan(10);
    expect(errorMessage(e)).toBe(e.message);

    const missing = (await api.getClient('no-such-client').catch((x: unknown) => x)) as ApiError;
    expect(missing.status).toBe(404);
  });

  it('says the server cannot be reached when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const api = new ApiClient({ baseUrl: `http://127.0.0.1:${port}/api` });
    const e = (await api.dashboard().catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('network');
    expect(e.message).toMatch(/Cannot reach the Accountant Hub server/);
  });

  it('keeps the status when an error answer is not JSON', async () => {
    const proxy = createServer((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as AddressInfo;
    try {
      const api = new ApiClient({ baseUrl: `http://127.0.0.1:${port}/api` });
      const e = (await api.listClients().catch((x: unknown) => x)) as ApiError;
      expect(e.status).toBe(502);
      expect(e.code).toBe('http-502');
      expect(e.message).toBe('The server answered 502 Bad Gateway.');
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('sends the token from the sign-in seam as a bearer token', async () => {
    const seen: (string | null)[] = [];
    const api = new ApiClient({
      baseUrl: base,
      getAuthToken: () => Promise.resolve('token-from-teams'),
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers).get('authorization'));
        return fetch(input, init);
      },
    });
    await api.listClients();
    expect(seen).toEqual(['Bearer token-from-teams']);
  });

  it('sends nothing while Teams needs the user to sign in, and says what to do', async () => {
    let sent = 0;
    const api = new ApiClient({
      baseUrl: base,
      getAuthToken: () => Promise.resolve(null),
      signInNeeded: () => true,
      fetch: (input, init) => {
        sent += 1;
        return fetch(input, init);
      },
    });
    const e = await api.listClients().then(
      () => null,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('sign-in-needed');
    expect((e as ApiError).message).toMatch(/Sign in to Accountant Hub first/);
    expect(sent).toBe(0);
  });

  it('follows a refresh over the event stream to the end', async () => {
    const api = new ApiClient({ baseUrl: base });
    const first = await api.startRefresh({ kind: 'all' });
    expect(first.total).toBe(3);
    const seen: RefreshProgress[] = [];
    const final = await api.followRefresh(first, (p) => seen.push(p));
    expect(final.finished).toBe(true);
    expect(final.done).toBe(3);
    expect(final.succeeded).toBe(3);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toEqual(final);
  });

  it('falls back to polling when the event stream cannot be opened', async () => {
    const urls: string[] = [];
    const api = new ApiClient({
      baseUrl: base,
      fetch: (input, init) => {
        const url = String(input);
        urls.push(url);
        if (url.endsWith('/events'))
          return Promise.reject(new TypeError('stream blocked by a proxy'));
        return fetch(input, init);
      },
    });
    const first = await api.startRefresh({ kind: 'all' });
    const final = await api.followRefresh(first, () => undefined);
    expect(final.finished).toBe(true);
    expect(final.done).toBe(final.total);
    if (!first.finished) expect(urls.some((u) => u.endsWith(`/refresh/${first.jobId}`))).toBe(true);
  });
});

describe('the event-stream reader', () => {
  function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    return new ReadableStream({
      start(controller) {
        for (const c of chunks) controller.enqueue(encoder.encode(c));
        controller.close();
      },
    });
  }

  it('joins events split across chunks, skips comments and accepts CRLF line ends', async () => {
    const events: unknown[] = [];
    for await (const e of readEventStream(
      streamOf([
        ': keep-alive\n\n',
        'event: progress\nda',
        'ta: {"done":1}\n',
        '\nevent: progress\r\ndata: {"done":2}\r\n\r\n',
      ]),
    )) {
      events.push(e);
    }
    expect(events).toEqual([{ done: 1 }, { done: 2 }]);
  });

  it('joins multi-line data', async () => {
    const events: unknown[] = [];
    for await (const e of readEventStream(streamOf(['data: {"a":\ndata: 1}\n\n']))) events.push(e);
    expect(events).toEqual([{ a: 1 }]);
  });
});
