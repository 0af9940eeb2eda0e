/**
 * How the connector's HTTP layer reaches the network: one request in; status, headers and the
 * body text (read up to a cap) out; a deadline on the whole exchange; the caller's signal ends it.
 *
 * The default transport is `node:http`/`node:https` with a keep-alive connection pool per origin.
 * A refresh of a thousand companies sends thousands of small requests, and the global `fetch`
 * (undici behind WHATWG streams, abort signals and `Response` objects) spends several times the
 * CPU per request that a plain `http.request` does; on a machine that also serves the tab and the
 * bot that difference is the refresh's wall time. A `fetch` can still be injected (tests, the
 * outbound guard) through {@link fetchTransport}.
 *
 * Neither transport follows redirects: a 3xx is returned as it is, for the caller to refuse.
 */
import http from 'node:http';
import https from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

/** One HTTP request as the connector sends it. */
export interface TransportRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** Request body; `undefined` sends none. */
  readonly body?: string;
  /** The whole exchange, body included, ends within this many milliseconds. */
  readonly timeoutMs: number;
  /** Bodies longer than this are not read: the answer's `body` is `'too-large'`. */
  readonly maxResponseBytes: number;
  /** The caller's signal: aborting it ends the exchange at once. */
  readonly signal?: AbortSignal | undefined;
}

/** The answer: status, a header lookup (case-insensitive) and the body as text. */
export interface TransportResponse {
  readonly status: number;
  header(name: string): string | null;
  readonly body: string | 'too-large';
}

/**
 * Sends one request. Rejects with {@link TransportTimeoutError} when the deadline passes, with
 * the signal's reason when the caller aborts, and with the underlying error when the network
 * fails (an `AppError` thrown by an injected guarded `fetch` passes through unchanged).
 */
export type HttpTransport = (request: TransportRequest) => Promise<TransportResponse>;

/** The exchange did not finish within `timeoutMs`. */
export class TransportTimeoutError extends Error {
  override readonly name = 'TransportTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

/** Tuning of the default transport's connection pool. */
export interface NodeTransportOptions {
  /**
   * Connections kept per origin (default 512). Every BC environment is served from one origin
   * (`api.businesscentral.dynamics.com`), and each environment may run 5 requests at once, so the
   * pool must hold as many connections as the refresh scheduler keeps requests in flight, or
   * requests would wait for a socket while holding their environment's slot.
   */
  readonly maxSocketsPerOrigin?: number;
  /** An idle connection is closed after this long (default 30 s, or earlier if the server says). */
  readonly idleTimeoutMs?: number;
  /**
   * Resolves a host name to the addresses to connect to, refusing any it must not reach by
   * throwing (the outbound guard's `resolveAllowedAddresses`). It runs as the connection's own DNS
   * lookup, so the addresses checked are the addresses connected to. IP literals need no lookup.
   */
  readonly resolve?: (host: string) => Promise<readonly { address: string; family: number }[]>;
}

/** `node:net`'s lookup hook over `resolve`, answering in whichever form net asks for. */
function lookupVia(
  resolve: NonNullable<NodeTransportOptions['resolve']>,
): NonNullable<http.AgentOptions['lookup']> {
  return (hostname, options, callback) => {
    const answer = (answers: readonly { address: string; family: number }[]): void => {
      const first = answers[0];
      if (options.all) {
        callback(
          null,
          answers.map((a) => ({ address: a.address, family: a.family })),
        );
      } else if (first) {
        callback(null, first.address, first.family);
      } else {
        const e = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
        callback(e, '');
      }
    };
    resolve(hostname).then(answer, (e: unknown) => callback(e as NodeJS.ErrnoException, ''));
  };
}

/** Error codes of a kept-alive connection that the server closed just as it was reused. */
const STALE_SOCKET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);
/** Attempts on reused connections before the error is the caller's. */
const MAX_STALE_RETRIES = 3;

/**
 * The default transport: `node:http(s)` over keep-alive agents, so a refresh reuses a bounded
 * set of connections instead of opening one per request.
 */
export function nodeHttpTransport(options: NodeTransportOptions = {}): HttpTransport {
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    maxSockets: positiveOr(options.maxSocketsPerOrigin, 512),
    maxFreeSockets: positiveOr(options.maxSocketsPerOrigin, 512),
    // Also the idle timeout of a free socket; the server's `Keep-Alive: timeout=` hint shortens it.
    timeout: positiveOr(options.idleTimeoutMs, 30_000),
    scheduling: 'lifo',
    ...(options.resolve ? { lookup: lookupVia(options.resolve) } : {}),
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  return (request) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const { url, signal } = request;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const isHttps = url.protocol === 'https:';
      if (!isHttps && url.protocol !== 'http:') {
        reject(new Error(`unsupported protocol ${url.protocol}`));
        return;
      }
      let settled = false;
      let current: http.ClientRequest | null = null;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const fail = (e: unknown): void => {
        if (settled) return;
        finish(() => reject(e));
        current?.destroy();
      };
      const timer = setTimeout(
        () => fail(new TransportTimeoutError(request.timeoutMs)),
        request.timeoutMs,
      );
      const onAbort = (): void => fail(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });

      const headers: Record<string, string | number> = {
        ...request.headers,
        'Accept-Encoding': 'gzip, deflate, br',
      };
      if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);

      const send = (staleRetries: number): void => {
        const req = (isHttps ? https : http).request(url, {
          method: request.method,
          headers,
          agent: isHttps ? httpsAgent : httpAgent,
        });
        current = req;
        let answered = false;
        req.on('error', (e: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed as it was handed out: nothing was
          // answered, so the request is sent again on another connection.
          if (
            !answered &&
            !settled &&
            req.reusedSocket &&
            staleRetries < MAX_STALE_RETRIES &&
            STALE_SOCKET_CODES.has(e.code ?? '')
          ) {
            send(staleRetries + 1);
            return;
          }
          fail(e);
        });
        req.on('response', (res) => {
          answered = true;
          readBody(res, request.maxResponseBytes).then(
            (body) => {
              finish(() =>
                resolve({
                  status: res.statusCode ?? 0,
                  header: (name) => headerValue(res.headers[name.toLowerCase()]),
                  body,
                }),
              );
              // A body left unread keeps the connection busy: give it up instead.
              if (body === 'too-large') req.destroy();
            },
            (e: unknown) => fail(e),
          );
        });
        req.end(request.body);
      };
      send(0);
    });
}

/** Reads a response body, decompressing it, up to `max` bytes of text. */
function readBody(res: http.IncomingMessage, max: number): Promise<string | 'too-large'> {
  const declared = Number(res.headers['content-length']);
  const encoding = (headerValue(res.headers['content-encoding']) ?? '').trim().toLowerCase();
  if (Number.isFinite(declared) && declared > max && encoding === '') {
    res.resume();
    return Promise.resolve('too-large');
  }
  let stream: Readable = res;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(createGunzip());
  else if (encoding === 'deflate') stream = res.pipe(createInflate());
  else if (encoding === 'br') stream = res.pipe(createBrotliDecompress());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    stream.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      // The cap counts decompressed bytes, so a small compressed bomb is refused as well.
      if (size > max) {
        done = true;
        if (stream !== res) stream.destroy();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (done) return;
      done = true;
      resolve(
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks, size).toString('utf8'),
      );
    });
    stream.on('error', (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
    if (stream !== res) {
      res.on('error', (e) => {
        if (done) return;
        done = true;
        reject(e);
      });
    }
    res.on('close', () => {
      if (done || res.complete) return;
      done = true;
      reject(new Error('the connection closed before the answer ended'));
    });
  });
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * A transport over an injected `fetch` (the outbound guard's, or a test's). It asks for
 * `redirect: 'manual'`, so a redirect comes back as its 3xx answer.
 */
export function fetchTransport(fetchFn: typeof fetch): HttpTransport {
  return async (request) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new TransportTimeoutError(request.timeoutMs));
    }, request.timeoutMs);
    const { signal } = request;
    const onAbort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await fetchFn(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      const body = await readCapped(res, request.maxResponseBytes);
      return { status: res.status, header: (name) => res.headers.get(name), body };
    } catch (e) {
      if (timedOut) throw new TransportTimeoutError(request.timeoutMs);
      if (signal?.aborted) throw signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/** Reads a fetch body up to `max` bytes; larger bodies are cut off and reported. */
async function readCapped(res: Response, max: number): Promise<string | 'too-large'> {
  if (!res.body) return '';
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body.cancel().catch(() => undefined);
    return 'too-large';
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return 'too-large';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
