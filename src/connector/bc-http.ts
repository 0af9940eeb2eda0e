/**
 * The HTTP layer of the Business Central connector: one place where a request gets its token,
 * waits for a slot under the environment's limits, runs with a timeout, is retried when BC says
 * "later", and has its answer checked. Everything above it deals in parsed, validated values.
 *
 * Invariants kept here:
 * - every URL (first request, `@odata.nextLink`, redirect target) passes `isAllowedUrl` before a
 *   byte or a token is sent; redirects are never followed;
 * - every attempt ends within `timeoutMs` (a hung server yields `bc-timeout`), and the caller's
 *   signal ends queueing, waiting and reading at once;
 * - response bodies are read up to a size cap, so a hostile server cannot exhaust memory;
 * - tokens appear only in the `Authorization` header: never in logs, errors or details.
 */
import type { z } from 'zod';
import type { Clock } from '../domain/dates.js';
import { AppError, err, ok, type Result } from '../domain/errors.js';
import type { Logger } from '../logging.js';
import { mapBcFailure, type BcFailure } from './bc-error-map.js';
import {
  BcWireError,
  bcBatchResponse,
  bcCollection,
  bcErrorBody,
  parseWire,
  tryParseWire,
} from './bc-wire.js';
import type { EnvironmentLimiter } from './environment-limiter.js';
import { collectPages, type ODataPage } from './odata.js';
import {
  isRetryableStatus,
  parseRetryAfter,
  withRetry,
  type AttemptOutcome,
  type RetryPolicy,
  type Sleep,
} from './retry.js';
import type { EnvironmentTarget } from './tenant-connector.js';
import type { TokenProvider } from './token-provider.js';
import {
  TransportTimeoutError,
  type HttpTransport,
  type TransportResponse,
} from './http-transport.js';

/** What the HTTP layer is built from; the connector fills it from its options. */
export interface BcHttpDeps {
  readonly transport: HttpTransport;
  readonly tokenProvider: TokenProvider;
  readonly limiter: EnvironmentLimiter;
  /** The limiter key of a target: BC's limits are per user (identity) per environment. */
  readonly limiterKey: (target: EnvironmentTarget) => string;
  readonly isAllowedUrl: (url: URL) => boolean;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly pageSize: number;
  readonly maxResponseBytes: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly logger: Logger;
}

/** One request to BC, before tokens, limits and retries are added. */
export interface BcRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** JSON body; `''` sends `Content-Type: application/json` with an empty body (BC bound actions). */
  readonly body?: unknown;
  /** What is being fetched, for logs and error details (`salesInvoices`, `$batch`). */
  readonly what: string;
}

/** One GET inside a JSON `$batch`; `url` is relative to the service root. */
export interface BatchOperation {
  readonly id: string;
  readonly url: string;
}

/** Validated requests to BC: single calls, paged collections and JSON `$batch`. */
export interface BcHttp {
  /** Sends one request (with retries); resolves to the parsed JSON body, or `null` when empty. */
  send(target: EnvironmentTarget, req: BcRequest, signal?: AbortSignal): Promise<Result<unknown>>;
  /** GETs a collection and every page after it, validating each row. */
  getCollection<T>(
    target: EnvironmentTarget,
    url: string,
    row: z.ZodType<T>,
    what: string,
    signal?: AbortSignal,
  ): Promise<Result<T[]>>;
  /**
   * Runs GETs as one JSON `$batch` against `root` (`…/api/v2.0` or `…/ODataV4`) and returns each
   * operation's rows by id, with `@odata.nextLink`s followed by plain GETs.
   */
  batchCollections(
    target: EnvironmentTarget,
    root: string,
    ops: readonly BatchOperation[],
    signal?: AbortSignal,
  ): Promise<Result<Map<string, unknown[]>>>;
}

/** BC allows at most 100 operations per `$batch`. */
export const MAX_BATCH_OPERATIONS = 100;

type Attempt = AttemptOutcome<unknown>;

/** Builds the HTTP layer; it holds no state of its own beyond the injected limiter. */
export function createBcHttp(deps: BcHttpDeps): BcHttp {
  const { logger } = deps;
  const preferHeader = `odata.maxpagesize=${deps.pageSize}`;

  const contextOf = (target: EnvironmentTarget, what: string): Record<string, unknown> => ({
    tenant: target.tenant,
    environment: target.environment,
    what,
  });

  /** One attempt: slot, request with timeout, capped read, parse. Never throws. */
  const attemptOnce = async (
    target: EnvironmentTarget,
    req: BcRequest,
    url: URL,
    token: string | null,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> => {
    let release: (() => void) | null = null;
    try {
      release = await deps.limiter.acquire(deps.limiterKey(target), signal);
    } catch {
      return { ok: false, failure: { kind: 'cancelled' } };
    }
    const started = performance.now();
    try {
      const headers: Record<string, string> = {
        Accept: 'application/json',
        Prefer: preferHeader,
      };
      if (token !== null) headers.Authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (req.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = req.body === '' ? '' : JSON.stringify(req.body);
      }
      const res = await deps.transport({
        url,
        method: req.method,
        headers,
        body,
        timeoutMs: deps.timeoutMs,
        maxResponseBytes: deps.maxResponseBytes,
        signal,
      });
      // BC is done with the request once its answer is in: the slot goes to the next request of
      // the environment now, and this answer is parsed after the network events already waiting
      // (in a big refresh, other answers whose slots are also waiting to be handed on).
      release();
      await yieldToIo();
      logger.debug('bc request', {
        method: req.method,
        path: url.pathname,
        what: req.what,
        status: res.status,
        attempt,
        ms: Math.round(performance.now() - started),
      });
      const read = res.body;
      if (read === 'too-large') {
        return {
          ok: false,
          failure: {
            kind: 'bad-response',
            detail: `response larger than ${deps.maxResponseBytes} bytes`,
          },
        };
      }
      if (res.status >= 200 && res.status < 300) {
        if (isBlank(read)) return { ok: true, value: null };
        try {
          return { ok: true, value: JSON.parse(read) as unknown };
        } catch {
          return { ok: false, failure: { kind: 'bad-response', detail: 'response is not JSON' } };
        }
      }
      return { ok: false, failure: httpFailure(res, read, deps.clock()) };
    } catch (e) {
      if (e instanceof TransportTimeoutError) {
        return { ok: false, failure: { kind: 'timeout', timeoutMs: deps.timeoutMs } };
      }
      if (signal?.aborted) return { ok: false, failure: { kind: 'cancelled' } };
      // The outbound guard refuses hosts, private DNS answers and redirects by throwing an
      // AppError; keep that reason instead of calling it a network failure.
      if (e instanceof AppError && e.reason === 'host-not-allowed') {
        const host = typeof e.details.host === 'string' ? e.details.host : url.host;
        return { ok: false, failure: { kind: 'host-not-allowed', host } };
      }
      return { ok: false, failure: { kind: 'network', cause: e } };
    } finally {
      release();
    }
  };

  /** Runs a request with retries; `inspect` may turn a 2xx answer into a failure (batch parts). */
  const run = async (
    target: EnvironmentTarget,
    req: BcRequest,
    signal: AbortSignal | undefined,
    inspect?: (value: unknown) => BcFailure | null,
  ): Promise<Result<unknown>> => {
    const context = contextOf(target, req.what);
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return err(new AppError('validation', 'Not a valid Business Central URL.', context));
    }
    if (!deps.isAllowedUrl(url)) {
      return err(mapBcFailure({ kind: 'host-not-allowed', host: url.host }, context));
    }
    if (signal?.aborted) return err(mapBcFailure({ kind: 'cancelled' }, context));
    const token = await deps.tokenProvider.getToken(target, signal);
    if (!token.ok) return token;

    const outcome = await withRetry<unknown>(
      async (n) => {
        const a = await attemptOnce(target, req, url, token.value, n, signal);
        if (!a.ok || !inspect) return a;
        const failure = inspect(a.value);
        return failure ? { ok: false, failure } : a;
      },
      {
        policy: deps.retry,
        clock: deps.clock,
        random: deps.random,
        sleep: deps.sleep,
        signal,
        onRetry: ({ attempt, delayMs, failure }) =>
          logger.warn('bc request retry', {
            ...context,
            attempt,
            delayMs,
            status: failure.kind === 'http' ? failure.status : failure.kind,
          }),
      },
    );
    if (outcome.ok) return ok(outcome.value);
    const error = mapBcFailure(outcome.failure, context);
    if (outcome.failure.kind !== 'cancelled') {
      logger.info('bc request failed', {
        ...context,
        reason: error.reason,
        ...pick(error.details),
      });
    }
    return err(error);
  };

  const badResponse = (target: EnvironmentTarget, what: string, e: unknown): AppError => {
    if (e instanceof BcWireError) {
      return mapBcFailure({ kind: 'bad-response', detail: e.message }, contextOf(target, what));
    }
    throw e;
  };

  const pageOf = (value: unknown, what: string): ODataPage<unknown> => {
    const page = parseWire(bcCollection, value, what);
    return { value: page.value, nextLink: page['@odata.nextLink'] ?? null };
  };

  /** Follows the nextLinks of a first page; links are resolved against `base`. */
  const collectFrom = async <T>(
    target: EnvironmentTarget,
    first: ODataPage<unknown>,
    base: string,
    parseRow: (value: unknown, index: number) => T,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<Result<T[]>> => {
    const all = await collectPages<unknown, AppError>(
      first,
      async (link) => {
        let next: string;
        try {
          next = new URL(link, base).toString();
        } catch {
          return err(badResponse(target, what, new BcWireError('unreadable @odata.nextLink')));
        }
        const r = await run(target, { method: 'GET', url: next, what }, signal);
        if (!r.ok) return r;
        try {
          return ok(pageOf(r.value, what));
        } catch (e) {
          return err(badResponse(target, what, e));
        }
      },
      (reason) => badResponse(target, what, new BcWireError(reason)),
    );
    if (!all.ok) return all;
    try {
      return ok(all.value.map(parseRow));
    } catch (e) {
      return err(badResponse(target, what, e));
    }
  };

  return {
    send: (target, req, signal) => run(target, req, signal),

    async getCollection(target, url, row, what, signal) {
      const r = await run(target, { method: 'GET', url, what }, signal);
      if (!r.ok) return r;
      let first: ODataPage<unknown>;
      try {
        first = pageOf(r.value, what);
      } catch (e) {
        return err(badResponse(target, what, e));
      }
      return collectFrom(
        target,
        first,
        url,
        (v, i) => parseWire(row, v, `${what} row ${i}`),
        what,
        signal,
      );
    },

    async batchCollections(target, root, ops, signal) {
      if (ops.length === 0) return ok(new Map());
      if (ops.length > MAX_BATCH_OPERATIONS) {
        throw new Error(`A $batch holds at most ${MAX_BATCH_OPERATIONS} operations`);
      }
      const what = `$batch(${ops.map((o) => o.id).join(',')})`;
      const body = {
        requests: ops.map((o) => ({
          id: o.id,
          method: 'GET',
          url: o.url,
          headers: { Accept: 'application/json', Prefer: preferHeader },
        })),
      };
      const r = await run(
        target,
        { method: 'POST', url: `${root}/$batch`, body, what },
        signal,
        (value) => batchFailure(value, ops, deps.clock()),
      );
      if (!r.ok) return r;
      const byId = new Map<string, unknown>();
      try {
        for (const part of parseWire(bcBatchResponse, r.value, what).responses) {
          if (part.id !== null && part.id !== undefined) byId.set(String(part.id), part.body);
        }
      } catch (e) {
        return err(badResponse(target, what, e));
      }
      const pages: ODataPage<unknown>[] = [];
      try {
        for (const op of ops) pages.push(pageOf(byId.get(op.id), `${what} ${op.id}`));
      } catch (e) {
        return err(badResponse(target, what, e));
      }
      const out = new Map<string, unknown[]>();
      const paged: Promise<Result<unknown[]>>[] = [];
      const pagedIds: string[] = [];
      for (const [i, op] of ops.entries()) {
        const page = pages[i] as ODataPage<unknown>;
        // Almost every answer fits one page: only those with a nextLink need more requests.
        if (page.nextLink === null) {
          out.set(op.id, page.value.slice());
          continue;
        }
        pagedIds.push(op.id);
        paged.push(collectFrom(target, page, `${root}/`, (v) => v, `${what} ${op.id}`, signal));
      }
      const results = await Promise.all(paged);
      for (const [i, res] of results.entries()) {
        if (!res.ok) return res;
        out.set(pagedIds[i] as string, res.value);
      }
      return ok(out);
    },
  };
}

/** The `details` worth a log line (no BC message text: it can quote business data). */
function pick(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { status, bcCode, timeoutMs, cause, detail, host } = details;
  return { status, bcCode, timeoutMs, cause, detail, host };
}

/** An HTTP error answer as a failure, reading BC's `{"error":{code,message}}` when present. */
function httpFailure(res: TransportResponse, bodyText: string, now: Date): BcFailure {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const parsed = bcErrorBody.safeParse(JSON.parse(bodyText));
    if (parsed.success) {
      code = parsed.data.error.code || undefined;
      message = parsed.data.error.message || undefined;
    }
  } catch {
    // Gateways answer 502/503 with HTML: the status alone says enough.
  }
  const retryAfterMs = parseRetryAfter(res.header('retry-after'), now);
  return {
    kind: 'http',
    status: res.status,
    ...(code !== undefined ? { code } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/**
 * A `$batch` answers 200 even when its parts fail. The worst part decides: a final failure (400,
 * 401, 404…) ends the batch, a transient one (429, 503…) retries the whole batch.
 */
function batchFailure(value: unknown, ops: readonly BatchOperation[], now: Date): BcFailure | null {
  const parsed = tryParseWire(bcBatchResponse, value);
  if (parsed === null) {
    return { kind: 'bad-response', detail: '$batch answer has no responses array' };
  }
  const ids = new Set(parsed.responses.map((p) => String(p.id ?? '')));
  const missing = ops.find((o) => !ids.has(o.id));
  if (missing)
    return { kind: 'bad-response', detail: `$batch answer lacks operation ${missing.id}` };
  let transient: BcFailure | null = null;
  for (const part of parsed.responses) {
    if (part.status >= 200 && part.status < 300) continue;
    const err = bcErrorBody.safeParse(part.body);
    const headers = part.headers ?? {};
    const retryAfterHeader = Object.entries(headers).find(
      ([k]) => k.toLowerCase() === 'retry-after',
    )?.[1];
    const retryAfterMs = parseRetryAfter(
      typeof retryAfterHeader === 'string' || typeof retryAfterHeader === 'number'
        ? String(retryAfterHeader)
        : undefined,
      now,
    );
    const failure: BcFailure = {
      kind: 'http',
      status: part.status,
      ...(err.success && err.data.error.code ? { code: err.data.error.code } : {}),
      ...(err.success && err.data.error.message ? { message: err.data.error.message } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
    if (isRetryableStatus(part.status)) transient ??= failure;
    else return failure;
  }
  return transient;
}

/** Resolves after the I/O callbacks that are already due have run. */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True for an empty or whitespace-only body, without copying a large one to trim it. */
function isBlank(text: string): boolean {
  return /^\s*$/.test(text);
}
