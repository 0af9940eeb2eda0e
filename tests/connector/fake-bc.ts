/**
 * A small Business Central stand-in on a real loopback port, answering hand-written fixtures.
 * Routes are keyed by the decoded path below `/v2.0/{tenant}/{environment}/` (for example
 * `api/v2.0/companies` or `ODataV4/Company('O''Brien & Co')/AccountantPortalUserTasks`); the same
 * routes answer plain requests and the operations inside a JSON `$batch`, as BC does.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as received (still percent-encoded). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** True for an operation inside a `$batch`. */
  readonly inBatch: boolean;
}

export interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Serialised as JSON unless `raw` is given. */
  readonly body?: unknown;
  readonly raw?: string;
}

/** `'hang'` never answers (until the server closes). */
export type RouteResult = Reply | 'hang';

export interface RouteRequest {
  readonly method: string;
  readonly tenant: string;
  readonly environment: string;
  /** Decoded path below the environment, e.g. `api/v2.0/companies`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly inBatch: boolean;
}

export type Route = (req: RouteRequest) => RouteResult | Promise<RouteResult>;

export interface FakeBc {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Most requests (outside batches) that were being processed at once. */
  readonly maxInFlight: () => number;
  /** Replaces or adds a route by exact path. */
  route(path: string, handler: Route): void;
  /** Handles paths no exact route matched (`null` = 404). */
  fallback(handler: Route | null): void;
  close(): Promise<void>;
}

export const collection = (value: unknown[], nextLink?: string): Reply => ({
  body: {
    '@odata.context': 'https://fake/$metadata#x',
    value,
    ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
  },
});

export const bcError = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Reply => ({
  status,
  body: { error: { code, message } },
  ...(headers ? { headers } : {}),
});

const ENV_PATH = /^\/v2\.0\/([^/]+)\/([^/]+)\/(.*)$/;

export async function startFakeBc(routes: Record<string, Route> = {}): Promise<FakeBc> {
  const table = new Map<string, Route>(Object.entries(routes));
  let fallback: Route | null = null;
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set<Socket>();

  const dispatch = async (
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    body: string,
    inBatch: boolean,
  ): Promise<RouteResult> => {
    requests.push({ method, url: rawUrl, headers, body, inBatch });
    const url = new URL(rawUrl, 'http://fake');
    const m = ENV_PATH.exec(url.pathname);
    if (!m)
      return { status: 404, body: { error: { code: 'BadRequest_NotFound', message: 'no route' } } };
    const [, tenant = '', environment = '', rest = ''] = m;
    const path = decodeURIComponent(rest);
    const req: RouteRequest = {
      method,
      tenant,
      environment,
      path,
      query: url.searchParams,
      headers,
      body,
      inBatch,
    };
    const handler = table.get(path) ?? fallback;
    if (!handler) {
      return {
        status: 404,
        body: { error: { code: 'BadRequest_NotFound', message: `No route ${path}` } },
      };
    }
    return handler(req);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          const body = Buffer.concat(chunks).toString('utf8');
          const rawUrl = req.url ?? '/';
          const method = req.method ?? 'GET';
          let result: RouteResult;
          const m = ENV_PATH.exec(new URL(rawUrl, 'http://fake').pathname);
          const batchRoot = m && /^(api\/v2\.0|ODataV4)\/\$batch$/.exec(m[3] ?? '');
          if (batchRoot && method === 'POST' && !table.has(decodeURIComponent(m[3] ?? ''))) {
            requests.push({ method, url: rawUrl, headers: req.headers, body, inBatch: false });
            result = await answerBatch(`/v2.0/${m[1]}/${m[2]}/${batchRoot[1]}/`, body, req.headers);
          } else {
            result = await dispatch(method, rawUrl, req.headers, body, false);
          }
          if (result === 'hang') return;
          const payload =
            result.raw ?? (result.body === undefined ? '' : JSON.stringify(result.body));
          res.writeHead(result.status ?? 200, {
            'Content-Type': 'application/json; odata.metadata=minimal',
            ...result.headers,
          });
          res.end(payload);
        } finally {
          inFlight--;
        }
      })();
    });
  });

  const answerBatch = async (
    root: string,
    body: string,
    headers: IncomingHttpHeaders,
  ): Promise<RouteResult> => {
    const parsed = JSON.parse(body) as { requests: { id: string; method: string; url: string }[] };
    const responses = [];
    for (const op of parsed.requests) {
      const inner = new URL(op.url, `http://fake${root}`);
      const r = await dispatch(op.method, inner.pathname + inner.search, headers, '', true);
      if (r === 'hang') return 'hang';
      responses.push({
        id: op.id,
        status: r.status ?? 200,
        headers: r.headers ?? {},
        body: r.body,
      });
    }
    return { body: { responses } };
  };

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    route: (path, handler) => void table.set(path, handler),
    fallback: (handler) => {
      fallback = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
