import { afterEach, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { AppError } from '../../src/domain/errors.js';
import {
  TransportTimeoutError,
  fetchTransport,
  nodeHttpTransport,
  type HttpTransport,
  type TransportRequest,
} from '../../src/connector/http-transport.js';

interface TestServer {
  readonly url: string;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, socket: Socket) => void,
): Promise<TestServer> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, req.socket));
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const s: TestServer = {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const get = (url: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  url: new URL(url),
  method: 'GET',
  headers: { Accept: 'application/json' },
  timeoutMs: 5_000,
  maxResponseBytes: 1_000_000,
  ...extra,
});

const json = (res: ServerResponse, body: unknown, status = 200): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
};

describe('the node:http transport', () => {
  test('reuses one kept-alive connection for requests one after another', async () => {
    const server = await serve((req, res) => json(res, { path: req.url }));
    const transport = nodeHttpTransport();
    for (let i = 0; i < 20; i++) {
      const r = await transport(get(`${server.url}/n/${i}`));
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body as string)).toEqual({ path: `/n/${i}` });
    }
    expect(server.connections()).toBe(1);
  });

  test('opens no more connections per origin than its pool holds', async () => {
    const server = await serve((_req, res) => setTimeout(() => json(res, {}), 20));
    const transport = nodeHttpTransport({ maxSocketsPerOrigin: 3 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => transport(get(`${server.url}/${i}`))),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(server.connections()).toBe(3);
  });

  test('sends the body with its length and reads headers case-insensitively', async () => {
    const server = await serve((req, res) => {
      res.setHeader('Retry-After', '7');
      json(res, { method: req.method, length: req.headers['content-length'] }, 429);
    });
    const r = await nodeHttpTransport()({
      ...get(`${server.url}/$batch`),
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"requests":[]}',
    });
    expect(r.status).toBe(429);
    expect(r.header('retry-after')).toBe('7');
    expect(r.header('RETRY-AFTER')).toBe('7');
    expect(r.header('x-missing')).toBeNull();
    expect(JSON.parse(r.body as string)).toEqual({ method: 'POST', length: '15' });
  });

  test('decompresses a gzip answer', async () => {
    const server = await serve((req, res) => {
      const zipped = gzipSync(
        JSON.stringify({ value: ['ä', 'ö'], accept: req.headers['accept-encoding'] }),
      );
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': zipped.length });
      res.end(zipped);
    });
    const r = await nodeHttpTransport()(get(server.url));
    expect(JSON.parse(r.body as string)).toEqual({
      value: ['ä', 'ö'],
      accept: 'gzip, deflate, br',
    });
  });

  test('counts the cap in decompressed bytes, so a small compressed bomb is refused', async () => {
    const bomb = gzipSync(Buffer.alloc(5_000_000, 0x20));
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': bomb.length });
      res.end(bomb);
    });
    expect(bomb.length).toBeLessThan(100_000);
    const r = await nodeHttpTransport()(get(server.url, { maxResponseBytes: 1_000_000 }));
    expect(r.body).toBe('too-large');
  });

  test('does not read a body whose declared length is over the cap, nor one that grows past it', async () => {
    const declared = await serve((_req, res) => json(res, { x: 'y'.repeat(5_000) }));
    const streamed = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      for (let i = 0; i < 50; i++) res.write('x'.repeat(1_000));
      res.end();
    });
    const transport = nodeHttpTransport();
    expect((await transport(get(declared.url, { maxResponseBytes: 1_000 }))).body).toBe(
      'too-large',
    );
    expect((await transport(get(streamed.url, { maxResponseBytes: 10_000 }))).body).toBe(
      'too-large',
    );
    // The refused connections were dropped, not left half-read for the next request.
    expect((await transport(get(declared.url))).status).toBe(200);
  });

  test('gives up on a server that never answers', async () => {
    const server = await serve(() => undefined);
    await expect(nodeHttpTransport()(get(server.url, { timeoutMs: 100 }))).rejects.toBeInstanceOf(
      TransportTimeoutError,
    );
  });

  test('ends at once when the caller aborts, with the caller’s reason', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const pending = nodeHttpTransport()(get(server.url, { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('user left')), 20);
    await expect(pending).rejects.toThrow('user left');
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    await expect(nodeHttpTransport()(get(server.url, { signal: aborted.signal }))).rejects.toThrow(
      'already',
    );
  });

  test('sends a request again when a kept-alive connection turns out to be closed', async () => {
    let served = 0;
    const server = await serve((req, res, socket) => {
      served++;
      // The second request arrives on the kept-alive connection: drop it unanswered, as a server
      // that timed the idle connection out at that very moment would.
      if (served === 2) {
        socket.destroy();
        return;
      }
      json(res, { n: served });
    });
    const transport = nodeHttpTransport();
    expect(JSON.parse((await transport(get(server.url))).body as string)).toEqual({ n: 1 });
    expect(JSON.parse((await transport(get(server.url))).body as string)).toEqual({ n: 3 });
    expect(server.connections()).toBe(2);
  });

  test('returns a redirect as it is, without following it', async () => {
    const other = await serve((_req, res) => json(res, { followed: true }));
    const server = await serve((_req, res) => {
      res.writeHead(302, { Location: `${other.url}/elsewhere` });
      res.end();
    });
    const r = await nodeHttpTransport()(get(server.url));
    expect(r.status).toBe(302);
    expect(r.header('location')).toBe(`${other.url}/elsewhere`);
    expect(other.connections()).toBe(0);
  });

  test('resolves names through the given resolver, which may refuse before anything is sent', async () => {
    const server = await serve((req, res) => json(res, { host: req.headers.host }));
    const port = new URL(server.url).port;
    const asked: string[] = [];
    const transport = nodeHttpTransport({
      resolve: async (host) => {
        asked.push(host);
        if (host === 'bc.test') return [{ address: '127.0.0.1', family: 4 }];
        throw new AppError('host-not-allowed', `The hub will not call ${host}.`, { host });
      },
    });
    const ok = await transport(get(`http://bc.test:${port}/x`));
    expect(JSON.parse(ok.body as string)).toEqual({ host: `bc.test:${port}` });
    await expect(transport(get(`http://inside.test:${port}/x`))).rejects.toMatchObject({
      reason: 'host-not-allowed',
    });
    // An IP literal is connected to as it is: there is no name to resolve.
    expect((await transport(get(`${server.url}/y`))).status).toBe(200);
    expect(asked).toEqual(['bc.test', 'inside.test']);
    expect(server.connections()).toBe(2);
  });

  test('fails plainly when nothing listens', async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await expect(nodeHttpTransport()(get(url))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('the fetch transport', () => {
  const transports: [string, () => HttpTransport][] = [
    ['fetch', () => fetchTransport(globalThis.fetch.bind(globalThis))],
    ['node:http', () => nodeHttpTransport()],
  ];

  test.each(transports)(
    '%s: answers, caps, redirects and timeouts look the same',
    async (_n, make) => {
      const server = await serve((req, res) => {
        if (req.url === '/big') json(res, { x: 'y'.repeat(5_000) });
        else if (req.url === '/moved') {
          res.writeHead(301, { Location: '/elsewhere' });
          res.end();
        } else if (req.url === '/hang') return;
        else json(res, { ok: true });
      });
      const transport = make();
      const ok = await transport(get(`${server.url}/ok`));
      expect([ok.status, JSON.parse(ok.body as string)]).toEqual([200, { ok: true }]);
      expect((await transport(get(`${server.url}/big`, { maxResponseBytes: 100 }))).body).toBe(
        'too-large',
      );
      expect((await transport(get(`${server.url}/moved`))).status).toBe(301);
      await expect(transport(get(`${server.url}/hang`, { timeoutMs: 80 }))).rejects.toBeInstanceOf(
        TransportTimeoutError,
      );
    },
  );
});
