/**
 * The HTTP edge: a restify server exposing the hub as a REST API under `/api` and the built tab
 * everywhere else. It is built here and never listens (the composition root does that), so tests
 * and the bot can mount on it first.
 *
 * Every API answer is JSON with a real status: data on success, `{ code, message }` on failure
 * (see `http-errors.ts`), never 200 with an error inside. API responses are never cached.
 *
 * restify 11: a handler is either `async (req, res)` or `(req, res, next)`, never both; all API
 * handlers here are async and answer every outcome themselves.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import restify from 'restify';
import type { Request, Response } from 'restify';
import type { z } from 'zod';
import { toAppError, type AppError, type Result } from '../src/domain/errors.js';
import {
  asClientId,
  asCompanyId,
  asUserTaskId,
  type AccountantId,
  type RefreshJobId,
} from '../src/domain/ids.js';
import { systemClock, toIsoDate, toIsoDateTime, type Clock } from '../src/domain/dates.js';
import type { DashboardView, FinancialStatementKind } from '../src/domain/model.js';
import type { Logger } from '../src/logging.js';
import type { AccountantIdentity, Hub } from '../src/hub/hub.js';
import type { ClientInput, RefreshProgress, RefreshScope } from '../src/hub/api-types.js';
import type { buildStatementWorkbook } from '../src/hub/reports.js';
import type { AuthRequest, Authenticator } from './authenticator.js';
import { errorResponseOf, internalErrorMessage, type ApiErrorBody } from './http-errors.js';
import { defaultBodyLimitBytes, readJsonBody, type ApiProblem } from './json-body.js';
import {
  clientInputSchema,
  clientParamsSchema,
  clientPatchSchema,
  companyParamsSchema,
  dashboardViewSchema,
  invitationSchema,
  jobParamsSchema,
  parseInput,
  refreshRequestSchema,
  reportParamsSchema,
  reportQuerySchema,
  taskParamsSchema,
  taskQuerySchema,
  testClientUrlSchema,
} from './api-schemas.js';
import { serveStatic } from './static-files.js';
import { contentDisposition, reportFileName } from './download-names.js';
import {
  createRateLimiter,
  defaultRateLimit,
  rateLimitedBody,
  type RateLimiter,
} from './rate-limit.js';

export interface ServerDeps {
  readonly hub: Hub;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  /** The built tab (tab/dist). Without it, pages answer a short "build the tab" page. */
  readonly staticDir?: string;
  /** Largest accepted request body (default 64 KiB). */
  readonly bodyLimitBytes?: number;
  readonly buildWorkbook: typeof buildStatementWorkbook;
  readonly version: string;
  readonly sampleMode: boolean;
  /** For report timestamps and file names (default: the system clock). */
  readonly clock?: Clock;
  /**
   * Called after each successful authentication. Delegated access to BC uses it to keep the
   * accountant's latest token for on-behalf-of calls; it must not log the request's headers.
   */
  readonly onAuthenticated?: (identity: AccountantIdentity, req: AuthRequest) => void;
  /**
   * Limits each accountant's API requests (default {@link defaultRateLimit} on the system clock:
   * `clock` above may be frozen for reports, and a limiter needs time to pass). `null` turns it off.
   */
  readonly rateLimiter?: RateLimiter | null;
}

/** `GET /api/me`. */
export interface MeResponse {
  readonly id: AccountantId;
  readonly displayName: string;
  readonly entraTenantId: string;
  readonly sampleMode: boolean;
  readonly version: string;
}

/** `GET /api/health`. */
export interface HealthResponse {
  readonly status: 'ok';
  readonly version: string;
  readonly sampleMode: boolean;
}

type Reply =
  | {
      readonly kind: 'json';
      readonly status: number;
      readonly body: unknown;
      readonly location?: string;
    }
  | { readonly kind: 'empty' }
  | { readonly kind: 'problem'; readonly problem: ApiProblem }
  | {
      readonly kind: 'download';
      readonly fileName: string;
      readonly contentType: string;
      readonly body: Buffer;
    }
  /** The handler wrote the response itself (Server-Sent Events). */
  | { readonly kind: 'streaming' };

interface RequestContext {
  readonly req: Request;
  readonly res: Response;
  readonly identity: AccountantIdentity;
  readonly acc: AccountantId;
  readonly requestId: string;
  readonly logger: Logger;
}

const xlsxContentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Headers on every API answer: no caching, no sniffing, nothing to render or frame. */
const apiHeaders: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

const json = (status: number, body: unknown, location?: string): Reply =>
  location === undefined
    ? { kind: 'json', status, body }
    : { kind: 'json', status, body, location };
const problemReply = (problem: ApiProblem): Reply => ({ kind: 'problem', problem });
const errorReply = (error: AppError): Reply => problemReply(errorResponseOf(error));
const fromResult = <T>(result: Result<T>, status = 200, location?: (v: T) => string): Reply =>
  result.ok ? json(status, result.value, location?.(result.value)) : errorReply(result.error);

/** Answers through restify's `sendRaw`, so restify knows the response is sent (and adds no formatting). */
function sendJson(
  res: Response,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.sendRaw(status, text, {
    ...apiHeaders,
    ...extra,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
}

function sendProblem(res: Response, problem: ApiProblem): void {
  const extra: Record<string, string> = {};
  if (problem.status === 401) extra['WWW-Authenticate'] = 'Bearer';
  if (problem.status === 413) extra['Connection'] = 'close';
  sendJson(res, problem.status, problem.body, extra);
}

/** The path as sent, undecoded and not normalised: `..` must reach the checks, not be resolved away. */
const pathOf = (url: string | undefined): string => (url ?? '/').split(/[?#]/, 1)[0] ?? '/';

const isApiPath = (path: string): boolean => path === '/api' || path.startsWith('/api/');

/** Query parameters as single values; a repeated parameter is a 400 rather than a silent pick. */
function singleQuery(
  url: string | undefined,
): { ok: true; value: Record<string, string> } | { ok: false; problem: ApiProblem } {
  const params = new URL(url ?? '/', 'http://localhost').searchParams;
  const out: Record<string, string> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (values.length > 1) {
      return {
        ok: false,
        problem: {
          status: 400,
          body: { code: 'validation', message: `Give the query parameter "${key}" only once.` },
        },
      };
    }
    out[key] = values[0] ?? '';
  }
  return { ok: true, value: out };
}

/** Active Server-Sent Events streams per server, so a shutdown can end them. */
const eventStreams = new WeakMap<restify.Server, Set<() => void>>();

/** Ends every open Server-Sent Events stream of the server (they would keep `close()` waiting). */
export function closeEventStreams(server: restify.Server): void {
  for (const end of [...(eventStreams.get(server) ?? [])]) end();
}

/**
 * Builds the REST API and the static tab on a new restify server. Does not listen.
 */
export function createServer(deps: ServerDeps): restify.Server {
  const { hub, authenticator } = deps;
  const clock = deps.clock ?? systemClock;
  const bodyLimitBytes = deps.bodyLimitBytes ?? defaultBodyLimitBytes;
  const rateLimiter =
    deps.rateLimiter === undefined ? createRateLimiter(defaultRateLimit) : deps.rateLimiter;
  const server = restify.createServer({
    name: 'accountant-hub',
    handleUncaughtExceptions: false,
    ignoreTrailingSlash: true,
  });
  const streams = new Set<() => void>();
  eventStreams.set(server, streams);

  /** `hub.signIn` runs once per accountant per process; a failure is retried on the next request. */
  const signIns = new Map<AccountantId, Promise<void>>();
  function signIn(identity: AccountantIdentity): Promise<void> {
    let pending = signIns.get(identity.id);
    if (!pending) {
      pending = hub.signIn(identity);
      signIns.set(identity.id, pending);
      pending.catch(() => signIns.delete(identity.id));
    }
    return pending;
  }

  function sendReply(ctx: { res: Response; logger: Logger }, reply: Reply): void {
    switch (reply.kind) {
      case 'json':
        sendJson(
          ctx.res,
          reply.status,
          reply.body,
          reply.location ? { Location: reply.location } : {},
        );
        return;
      case 'empty':
        ctx.res.sendRaw(204, '', apiHeaders);
        return;
      case 'problem':
        sendProblem(ctx.res, reply.problem);
        return;
      case 'download':
        ctx.res.sendRaw(200, reply.body, {
          ...apiHeaders,
          'Content-Type': reply.contentType,
          'Content-Disposition': contentDisposition(reply.fileName),
          'Content-Length': String(reply.body.length),
        });
        return;
      case 'streaming':
        return;
    }
  }

  function fail(res: Response, logger: Logger, e: unknown): void {
    const error = toAppError(e);
    const response = errorResponseOf(error);
    if (response.status >= 500) {
      logger.error('request failed', { reason: error.reason, error });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, response);
  }

  function requestLogger(req: Request, res: Response): { requestId: string; logger: Logger } {
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const startedAt = performance.now();
    res.once('finish', () =>
      deps.logger.debug('request', {
        requestId,
        method: req.method,
        path: pathOf(req.url).slice(0, 200),
        status: res.statusCode,
        ms: Math.round(performance.now() - startedAt),
      }),
    );
    return {
      requestId,
      logger: deps.logger.child({ requestId, method: req.method, path: pathOf(req.url) }),
    };
  }

  /** An API route that needs a signed-in accountant. */
  const authed =
    (handler: (ctx: RequestContext) => Promise<Reply>) =>
    async (req: Request, res: Response): Promise<void> => {
      const { requestId, logger } = requestLogger(req, res);
      try {
        const authRequest: AuthRequest = {
          headers: req.headers,
          remoteAddress: req.socket.remoteAddress,
        };
        const auth = await authenticator.authenticate(authRequest);
        if (!auth.ok) {
          if (auth.error.reason === 'forbidden' || auth.error.reason === 'unauthenticated') {
            logger.warn('request refused', {
              reason: auth.error.reason,
              remoteAddress: req.socket.remoteAddress,
            });
          }
          sendReply({ res, logger }, errorReply(auth.error));
          return;
        }
        const identity = auth.value;
        // Per accountant, after sign-in is proven: one account cannot use up another's share.
        const decision = rateLimiter?.take(identity.id) ?? { allowed: true };
        if (!decision.allowed) {
          logger.debug('request rate-limited', { accountantId: identity.id });
          sendJson(res, 429, rateLimitedBody, {
            'Retry-After': String(decision.retryAfterSeconds),
          });
          return;
        }
        deps.onAuthenticated?.(identity, authRequest);
        await signIn(identity);
        const ctx: RequestContext = { req, res, identity, acc: identity.id, requestId, logger };
        sendReply(ctx, await handler(ctx));
      } catch (e) {
        fail(res, logger, e);
      }
    };

  /** Parses route parameters, then hands them on; bad ones answer 400. */
  const withParams =
    <S extends z.ZodType>(
      schema: S,
      handler: (ctx: RequestContext, params: z.output<S>) => Promise<Reply>,
    ) =>
    (ctx: RequestContext): Promise<Reply> => {
      const parsed = parseInput(schema, ctx.req.params ?? {}, 'path');
      return parsed.ok ? handler(ctx, parsed.value) : Promise.resolve(problemReply(parsed.problem));
    };

  async function body<S extends z.ZodType>(
    ctx: RequestContext,
    schema: S,
    what: string,
  ): Promise<{ ok: true; value: z.output<S> } | { ok: false; problem: ApiProblem }> {
    const raw = await readJsonBody(ctx.req, { limitBytes: bodyLimitBytes, required: true });
    if (!raw.ok) return raw;
    return parseInput(schema, raw.value, what);
  }

  // Non-API GET/HEAD requests are the tab: answered before routing, so the SPA owns every page path.
  server.pre((req: Request, res: Response, next: restify.Next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && !isApiPath(pathOf(req.url))) {
      serveStatic(deps.staticDir, req, res).then(
        () => next(false),
        (e: unknown) => {
          deps.logger.error('static file failed', { error: toAppError(e) });
          if (!res.headersSent) {
            sendJson(res, 500, { code: 'internal', message: internalErrorMessage });
          } else {
            res.destroy();
          }
          next(false);
        },
      );
      return;
    }
    next();
  });

  // Router misses (404, 405) and anything restify itself raises become `{ code, message }` too.
  server.on(
    'restifyError',
    (req: Request, res: Response, error: Error & { statusCode?: number }, callback: () => void) => {
      if (!res.headersSent) {
        const path = pathOf(req.url).slice(0, 200);
        let problem: ApiProblem;
        if (error.name === 'ResourceNotFoundError') {
          problem = {
            status: 404,
            body: { code: 'not-found', message: `There is no ${req.method} ${path} here.` },
          };
        } else if (error.name === 'MethodNotAllowedError') {
          const allow = String(res.getHeader('Allow') ?? '');
          problem = {
            status: 405,
            body: {
              code: 'method-not-allowed',
              message: `${req.method} is not allowed on ${path}${allow ? `; use ${allow}` : ''}.`,
            },
          };
        } else if (
          typeof error.statusCode === 'number' &&
          error.statusCode >= 400 &&
          error.statusCode < 500
        ) {
          problem = {
            status: error.statusCode,
            body: { code: 'validation', message: 'The request could not be understood.' },
          };
        } else {
          deps.logger.error('unhandled server error', { error });
          problem = { status: 500, body: { code: 'internal', message: internalErrorMessage } };
        }
        sendProblem(res, problem);
      }
      callback();
    },
  );

  server.get('/api/health', async (req: Request, res: Response) => {
    requestLogger(req, res);
    const health: HealthResponse = {
      status: 'ok',
      version: deps.version,
      sampleMode: deps.sampleMode,
    };
    sendJson(res, 200, health);
  });

  server.get(
    '/api/me',
    authed(async ({ identity }) => {
      const me: MeResponse = {
        id: identity.id,
        displayName: identity.displayName,
        entraTenantId: identity.entraTenantId,
        sampleMode: deps.sampleMode,
        version: deps.version,
      };
      return json(200, me);
    }),
  );

  // Clients
  server.get(
    '/api/clients',
    authed(async ({ acc }) => json(200, { clients: await hub.listClients(acc) })),
  );

  server.post(
    '/api/clients',
    authed(async (ctx) => {
      const input = await body(ctx, clientInputSchema, 'client');
      if (!input.ok) return problemReply(input.problem);
      return fromResult(
        await hub.addClient(ctx.acc, input.value as ClientInput),
        201,
        (c) => `/api/clients/${encodeURIComponent(c.id)}`,
      );
    }),
  );

  server.post(
    '/api/clients/test',
    authed(async (ctx) => {
      const input = await body(ctx, testClientUrlSchema, 'request');
      if (!input.ok) return problemReply(input.problem);
      return fromResult(await hub.testClientUrl(ctx.acc, input.value.url));
    }),
  );

  server.post(
    '/api/clients/from-invitation',
    authed(async (ctx) => {
      const input = await body(ctx, invitationSchema, 'invitation');
      if (!input.ok) return problemReply(input.problem);
      const { link, name } = input.value;
      return fromResult(
        await hub.addClientFromInvitation(ctx.acc, name === undefined ? { link } : { link, name }),
        201,
        (c) => `/api/clients/${encodeURIComponent(c.id)}`,
      );
    }),
  );

  server.get(
    '/api/clients/:clientId',
    authed(
      withParams(clientParamsSchema, async ({ acc }, p) =>
        fromResult(await hub.getClient(acc, asClientId(p.clientId))),
      ),
    ),
  );

  server.patch(
    '/api/clients/:clientId',
    authed(
      withParams(clientParamsSchema, async (ctx, p) => {
        const patch = await body(ctx, clientPatchSchema, 'client');
        if (!patch.ok) return problemReply(patch.problem);
        return fromResult(
          await hub.updateClient(
            ctx.acc,
            asClientId(p.clientId),
            patch.value as Partial<ClientInput>,
          ),
        );
      }),
    ),
  );

  server.del(
    '/api/clients/:clientId',
    authed(
      withParams(clientParamsSchema, async ({ acc }, p) => {
        const removed = await hub.removeClient(acc, asClientId(p.clientId));
        return removed.ok ? { kind: 'empty' } : errorReply(removed.error);
      }),
    ),
  );

  // Refresh
  server.post(
    '/api/refresh',
    authed(async (ctx) => {
      const input = await body(ctx, refreshRequestSchema, 'refresh request');
      if (!input.ok) return problemReply(input.problem);
      return fromResult(
        await hub.startRefresh(ctx.acc, input.value.scope as RefreshScope),
        202,
        (p) => `/api/refresh/${encodeURIComponent(p.jobId)}`,
      );
    }),
  );

  server.get(
    '/api/refresh/:jobId',
    authed(
      withParams(jobParamsSchema, async ({ acc }, p) =>
        fromResult(hub.refreshProgress(acc, p.jobId as RefreshJobId)),
      ),
    ),
  );

  server.get(
    '/api/refresh/:jobId/events',
    authed(
      withParams(jobParamsSchema, async (ctx, p) => {
        const jobId = p.jobId as RefreshJobId;
        const current = hub.refreshProgress(ctx.acc, jobId);
        if (!current.ok) return errorReply(current.error);
        streamProgress(ctx, jobId, current.value);
        return { kind: 'streaming' };
      }),
    ),
  );

  /**
   * Server-Sent Events: one `progress` event now and one per change, then the stream ends with the
   * finished progress. A comment line every 15 s keeps proxies from closing a quiet stream.
   */
  function streamProgress(ctx: RequestContext, jobId: RefreshJobId, first: RefreshProgress): void {
    const { req, res } = ctx;
    for (const [k, v] of Object.entries(apiHeaders)) res.setHeader(k, v);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    let ended = false;
    let unsubscribe: (() => void) | null = null;
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unsubscribe?.();
      streams.delete(end);
      res.end();
    };
    const send = (p: RefreshProgress): void => {
      if (ended) return;
      res.write(`event: progress\nid: ${p.done}\ndata: ${JSON.stringify(p)}\n\n`);
      if (p.finished) end();
    };
    streams.add(end);
    req.on('close', end);
    res.on('close', end);
    send(first);
    if (ended) return;
    const subscription = hub.onRefreshProgress(ctx.acc, jobId, send);
    if (subscription.ok) {
      unsubscribe = subscription.value;
      if (ended) unsubscribe();
    } else {
      end();
    }
  }

  // Dashboard and company details
  server.get(
    '/api/dashboard',
    authed(async ({ acc }) => json(200, await hub.dashboard(acc))),
  );

  server.get(
    '/api/companies/:clientId/:companyId',
    authed(
      withParams(companyParamsSchema, async ({ acc }, p) =>
        fromResult(await hub.companyDetails(acc, asClientId(p.clientId), asCompanyId(p.companyId))),
      ),
    ),
  );

  server.get(
    '/api/companies/:clientId/:companyId/reports/:kind',
    authed(
      withParams(reportParamsSchema, async (ctx, p) => {
        const query = singleQuery(ctx.req.url);
        if (!query.ok) return problemReply(query.problem);
        const period = parseInput(reportQuerySchema, query.value, 'report period');
        if (!period.ok) return problemReply(period.problem);
        const { from, to } = period.value;
        const kind = p.kind as FinancialStatementKind;
        const result = await hub.financialStatement(
          ctx.acc,
          asClientId(p.clientId),
          asCompanyId(p.companyId),
          kind,
          from !== undefined && to !== undefined ? { from, to } : undefined,
        );
        if (!result.ok) return errorReply(result.error);
        const now = clock();
        const { statement, clientName, companyName } = result.value;
        const workbook = await deps.buildWorkbook(statement, {
          clientName,
          companyName,
          generatedAt: toIsoDateTime(now),
        });
        return {
          kind: 'download',
          fileName: reportFileName(companyName, kind, to ?? toIsoDate(now)),
          contentType: xlsxContentType,
          body: workbook,
        };
      }),
    ),
  );

  // Tasks
  server.get(
    '/api/tasks',
    authed(async (ctx) => {
      const query = singleQuery(ctx.req.url);
      if (!query.ok) return problemReply(query.problem);
      const parsed = parseInput(taskQuerySchema, query.value, 'task query');
      if (!parsed.ok) return problemReply(parsed.problem);
      const { clientId, ...rest } = parsed.value;
      const tasks = await hub.myTasks(
        ctx.acc,
        clientId === undefined ? rest : { ...rest, clientId: asClientId(clientId) },
      );
      return json(200, { tasks });
    }),
  );

  server.post(
    '/api/tasks/:clientId/:companyId/:taskId/complete',
    authed(
      withParams(taskParamsSchema, async (ctx, p) => {
        const raw = await readJsonBody(ctx.req, { limitBytes: bodyLimitBytes, required: false });
        if (!raw.ok) return problemReply(raw.problem);
        const done = await hub.completeTask(
          ctx.acc,
          asClientId(p.clientId),
          asCompanyId(p.companyId),
          asUserTaskId(p.taskId),
        );
        return done.ok ? { kind: 'empty' } : errorReply(done.error);
      }),
    ),
  );

  // Views
  server.get(
    '/api/views/dashboard',
    authed(async ({ acc }) => json(200, await hub.getView(acc))),
  );

  server.put(
    '/api/views/dashboard',
    authed(async (ctx) => {
      const view = await body(ctx, dashboardViewSchema, 'dashboard view');
      if (!view.ok) return problemReply(view.problem);
      return fromResult(await hub.saveView(ctx.acc, view.value as DashboardView));
    }),
  );

  return server;
}

export type { ApiErrorBody };
