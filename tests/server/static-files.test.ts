import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type restify from 'restify';
import { localAuthenticator } from '../../server/authenticator.js';
import { createServer } from '../../server/create-server.js';
import { resolveStaticPath, contentTypeOf } from '../../server/static-files.js';
import type { Hub } from '../../src/hub/hub.js';
import { silentLogger } from '../../src/logging.js';

/** The static part never calls the hub: any call fails the test loudly. */
const hubNotUsed = new Proxy(
  {},
  {
    get: (_t, name) => () => {
      throw new Error(`the hub was called (${String(name)}) while serving a static file`);
    },
  },
) as Hub;

async function start(
  staticDir: string | undefined,
): Promise<{ server: restify.Server; base: string }> {
  const server = createServer({
    hub: hubNotUsed,
    authenticator: localAuthenticator(),
    logger: silentLogger,
    buildWorkbook: async () => Buffer.alloc(0),
    version: 'test',
    sampleMode: true,
    ...(staticDir ? { staticDir } : {}),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

const stop = (server: restify.Server) =>
  new Promise<void>((resolve) => server.close(() => resolve()));

/** A request whose path is sent byte for byte (fetch would normalise `..`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving the built tab', () => {
  let dir: string;
  let root: string;
  let server: restify.Server;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hub-static-'));
    root = join(dir, 'dist');
    await mkdir(join(root, 'chunks'), { recursive: true });
    await writeFile(
      join(root, 'index.html'),
      '<!doctype html><title>Hub</title><div id="root"></div>',
    );
    await writeFile(join(root, 'app.js'), 'console.log("app")');
    await writeFile(join(root, 'chunks', 'part.css'), 'body{}');
    await writeFile(join(dir, 'secret.txt'), 'do not serve');
    ({ server, base } = await start(root));
  });

  afterAll(async () => {
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with a CSP that lets Teams frame it', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(
      /frame-ancestors 'self' https:\/\/teams\.microsoft\.com https:\/\/\*\.teams\.microsoft\.com https:\/\/\*\.cloud\.microsoft/,
    );
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(await res.text()).toContain('<div id="root">');
  });

  it('serves files with their content types', async () => {
    const js = await fetch(`${base}/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log("app")');
    const css = await fetch(`${base}/chunks/part.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers index.html for client-side routes so a reload keeps working', async () => {
    const res = await fetch(`${base}/tasks/overdue`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
  });

  it('answers 404 for a missing asset instead of the page', async () => {
    const res = await fetch(`${base}/missing.js`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('<div id="root">');
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/chunks/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/a%00.js',
  ])('refuses the path %s that would leave the tab folder', async (path) => {
    const res = await rawGet(base, path);
    expect(res.status).toBe(400);
    expect(res.body).not.toContain('do not serve');
  });

  it('answers 304 when the browser already has the file', async () => {
    const first = await fetch(`${base}/app.js`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${base}/app.js`, { headers: { 'If-None-Match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await fetch(`${base}/app.js`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String('console.log("app")'.length));
    expect(await res.text()).toBe('');
  });

  it('answers other methods on page paths with a 404 JSON error', async () => {
    const res = await fetch(`${base}/anything`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'not-found',
      message: 'There is no POST /anything here.',
    });
  });

  it('does not serve API paths as pages', async () => {
    const res = await fetch(`${base}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('without a built tab', () => {
  it('answers pages with a note on how to build it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hub-static-empty-'));
    const { server, base } = await start(dir);
    try {
      const res = await fetch(`${base}/`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('npm run build:tab');
    } finally {
      await stop(server);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('resolveStaticPath', () => {
  it.each([
    ['/', '/srv/dist'],
    ['/a/b.js', '/srv/dist/a/b.js'],
    ['/a%20b.js', '/srv/dist/a b.js'],
  ])('maps %s inside the root', (path, expected) => {
    expect(resolveStaticPath('/srv/dist', path)).toBe(expected);
  });

  it.each(['/../x', '/a/../../x', '/%2e%2e/x', '/%E0%A4%A', '/a\\..\\x', '/x%00'])(
    'refuses %s',
    (path) => {
      expect(resolveStaticPath('/srv/dist', path)).toBeNull();
    },
  );

  it('serves unknown file kinds as opaque bytes', () => {
    expect(contentTypeOf('x.exe')).toBe('application/octet-stream');
    expect(contentTypeOf('X.SVG')).toBe('image/svg+xml');
  });
});
