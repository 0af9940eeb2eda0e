/**
 * The embedded sample tenant: a loopback HTTP server (plain `node:http`, it is core code) that
 * answers the URL shapes of Business Central online with BC's JSON shapes:
 *
 * - API v2.0: `GET /v2.0/{tenant}/{env}/api/v2.0/companies[({id})[/{entitySet}[({key})]]]`,
 *   `POST …/api/v2.0/$batch`;
 * - ODataV4: `GET …/ODataV4/Company[('{name}')[/{service}]]`, the Accountant Portal services,
 *   `POST …/ODataV4/Company('{name}')/UserTaskSetComplete({ID})/NAV.SetComplete`,
 *   `POST …/ODataV4/$batch`;
 * - a small sample web client at `/{tenant}/{env}` so Client URLs and deep links open a page.
 *
 * It enforces BC's per-user limits, pages with `@odata.nextLink`, and can be told to fail like a
 * tenant in trouble (`setFault`). It is the default client on first run and the target of the
 * tests and the benchmark.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../domain/dates.js';
import {
  BcHttpError,
  companyNotFound,
  environmentUnavailable,
  faultError,
  invalidGuid,
  methodNotAllowed,
  querySyntaxError,
  resourceNotFound,
  tenantUnavailable,
  tooManyRequests,
} from './bc-errors.js';
import {
  apiEntitySets,
  companiesSet,
  companyRow,
  companyRows,
  cueRows,
  eagerRows,
  odataCompanyRow,
  odataCompanyShape,
  rowsOf,
  userTaskListRows,
  userTaskListShape,
  userTaskShape,
  type EntitySet,
  type LazyRows,
} from './entities.js';
import {
  defaultSampleFleet,
  type GeneratedCompany,
  type GeneratedEnvironment,
  type GeneratedTenant,
  type SampleFleetSpec,
} from './fleet.js';
import { RequestLimiter, bcOnlineLimits, type LimitSettings } from './limits.js';
import { applyQuery, parseQuery, type EntityShape, type ParsedQuery } from './odata-query.js';
import { SampleStore, type GeneratedFleet } from './store.js';
import { homePage, securityHeaders, webClientNotFoundPage, webClientPage } from './web-client.js';

/** A failure to inject for a tenant (or one of its environments). */
export type SampleFault =
  | {
      kind: 'status';
      status: 401 | 403 | 404 | 429 | 500 | 502 | 503 | 504;
      /** How many requests fail before the tenant recovers; default: until cleared. */
      times?: number;
      /** `Retry-After` header; 502 and 503 default to 1 second, as BC always sends one there. */
      retryAfterSeconds?: number;
    }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed-json' }
  /** Accepts the request and never answers (until the client gives up or the server closes). */
  | { kind: 'hang' }
  /** Adds latency to every request, inside the concurrency slot. */
  | { kind: 'slow'; latencyMs: number };

/** How to start the sample tenant; every option has a default. */
export interface SampleTenantOptions {
  /** Default: {@link defaultSampleFleet} (one tenant, environment `production`, 3 companies). */
  fleet?: SampleFleetSpec;
  /** Default 1. The same seed and the same "today" give the same data. */
  seed?: number;
  /** Clock; the data is dated relative to its "today" (UTC). */
  now?: () => Date;
  /** Added to every API request while it holds a concurrency slot (default 0). */
  latencyMs?: number;
  /** BC's per-user limits; `true` (default) = 5 running / 95 queued / 6,000 per 5 minutes; `false` = none. */
  limits?: boolean | Partial<LimitSettings>;
  host?: string;
  port?: number;
}

/** Counters for tests and the benchmark (environment keys are `${tenantId}/${environment}`). */
export interface SampleTenantStats {
  /** API and ODataV4 requests received (web-client pages not counted). */
  requests: number;
  /** Requests answered 429 by the limits (not by an injected 429 fault). */
  throttled: number;
  /** Most requests running at once, per `${tenantId}/${environment}`. */
  peakConcurrentByEnvironment: Record<string, number>;
  requestsByEnvironment: Record<string, number>;
  /** TCP connections accepted (a client that keeps connections alive opens few). */
  connections: number;
}

/** A running sample tenant. */
export interface SampleTenant {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  /** The generated data, for tests to compare against. */
  readonly fleet: GeneratedFleet;
  /** Injects (or with `null` clears) a fault for a tenant, or only one of its environments. */
  setFault(tenant: string, fault: SampleFault | null, environment?: string): void;
  stats(): SampleTenantStats;
  resetStats(): void;
  /**
   * Generates today's books, cues and task rows of every company now rather than on first use (a
   * benchmark calls it before its timed part: making up sample data is the emulator's cost, not
   * what Business Central does per request). Resolves to the number of companies warmed.
   */
  warm(): Promise<number>;
  /**
   * The Client URL an accountant registers for this environment: `${url}/${tenant}/${environment}`.
   * The server answers it with a small HTML "sample web client" page that shows the
   * tenant/environment/company/page from the query, so "Go to client" and deep links work.
   */
  clientUrl(tenant: string, environment: string): string;
  /** Stops the server, also releasing hanging requests. */
  close(): Promise<void>;
}

/** BC online's maximum page size; a larger `odata.maxpagesize` is refused with 413. */
export const maxPageSize = 20_000;
const MAX_BODY_BYTES = 1_048_576;
const MAX_BATCH_OPERATIONS = 100;
/** Distinct query texts kept per entity shape (a refresh uses a handful). */
const MAX_PARSED_QUERIES_PER_SHAPE = 64;
const JSON_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true';

interface ServiceResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** A value to serialise, or {@link JsonText} already serialised. */
  readonly body?: unknown;
}

/**
 * A body already in JSON form. Collections and `$batch` answers are written as text from their
 * parts, so rows whose JSON is kept (cue and task rows, see `entities.ts`) are not serialised
 * again for every request.
 */
class JsonText {
  constructor(readonly text: string) {}
}

function jsonOf(body: unknown): string {
  return body instanceof JsonText ? body.text : JSON.stringify(body);
}

interface ServiceRequest {
  readonly method: string;
  readonly tenant: GeneratedTenant;
  readonly environment: GeneratedEnvironment;
  readonly service: 'api' | 'odata';
  /** Absolute URL of the service root, e.g. `http://127.0.0.1:1/v2.0/{t}/{e}/api/v2.0`. */
  readonly root: string;
  /** Decoded path segments below the root. */
  readonly segments: readonly string[];
  /** The raw (encoded) path below the root, for building `@odata.nextLink`. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  /** The query string as received (without `?`). */
  readonly search: string;
  readonly prefer: string | undefined;
  readonly body: unknown;
  readonly inBatch: boolean;
}

interface FaultState {
  fault: SampleFault;
  remaining: number | null;
}

function resolveLimits(limits: SampleTenantOptions['limits']): LimitSettings | null {
  if (limits === false) return null;
  if (limits === true || limits === undefined) return bcOnlineLimits;
  return { ...bcOnlineLimits, ...limits };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, v: 1 })).toString('base64url');
}

function decodeSkipToken(token: string, length: number): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'o' in parsed) {
      const o = (parsed as { o: unknown }).o;
      if (typeof o === 'number' && Number.isInteger(o) && o > 0 && o <= length) return o;
    }
  } catch {
    // falls through to the error below
  }
  throw querySyntaxError('The skip token is not valid.');
}

/** `Prefer: odata.maxpagesize=N` → N, or null when absent. */
function maxPageSizeOf(prefer: string | undefined): number | null {
  if (prefer === undefined) return null;
  const m = /odata\.maxpagesize\s*=\s*"?(\d+)"?/i.exec(prefer);
  if (!m) return null;
  const n = Number(m[1]);
  if (n > maxPageSize) {
    throw new BcHttpError(
      413,
      'BadRequest',
      `The requested page size ${n} exceeds the maximum page size of ${maxPageSize} entities.`,
    );
  }
  return n >= 1 ? n : null;
}

/** Query string with `$` option names readable and values percent-encoded (`%20`, never `+`). */
function buildQuery(params: URLSearchParams): string {
  const parts: string[] = [];
  for (const [k, v] of params)
    parts.push(`${encodeURIComponent(k).replace(/^%24/, '$')}=${encodeURIComponent(v)}`);
  return parts.join('&');
}

/** `[0, 1, …, n - 1]`: rows are queried by index, and rendered only once chosen. */
function indexes(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (k.toLowerCase() === name && typeof v === 'string') return v;
  }
  return undefined;
}

/** Starts the sample tenant on `host:port` (default `127.0.0.1:0`, a free port). */
export async function startSampleTenant(options: SampleTenantOptions = {}): Promise<SampleTenant> {
  const clock = options.now ?? systemClock;
  const store = new SampleStore(options.fleet ?? defaultSampleFleet, options.seed ?? 1, clock);
  const limitSettings = resolveLimits(options.limits);
  const limiter = limitSettings ? new RequestLimiter(limitSettings) : null;
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const faults = new Map<string, FaultState>();
  const hanging = new Set<ServerResponse>();
  const runningByEnv = new Map<string, number>();
  const parsedQueries = new WeakMap<EntityShape, Map<string, ParsedQuery>>();
  let stats: SampleTenantStats = emptyStats();
  let baseUrl = '';

  function emptyStats(): SampleTenantStats {
    return {
      requests: 0,
      throttled: 0,
      peakConcurrentByEnvironment: {},
      requestsByEnvironment: {},
      connections: 0,
    };
  }

  const envKey = (tenant: GeneratedTenant, env: GeneratedEnvironment): string =>
    `${tenant.id}/${env.name}`;

  function faultFor(tenant: GeneratedTenant, env: GeneratedEnvironment): FaultState | undefined {
    return faults.get(`${tenant.id}/${env.name.toLowerCase()}`) ?? faults.get(tenant.id);
  }

  function consumeFault(tenant: GeneratedTenant, env: GeneratedEnvironment): SampleFault | null {
    const key = faults.has(`${tenant.id}/${env.name.toLowerCase()}`)
      ? `${tenant.id}/${env.name.toLowerCase()}`
      : tenant.id;
    const state = faultFor(tenant, env);
    if (!state) return null;
    if (state.remaining !== null) {
      state.remaining--;
      if (state.remaining <= 0) faults.delete(key);
    }
    return state.fault;
  }

  // -------------------------------------------------------------------------------------------
  // Collections and entities

  function collection(
    req: ServiceRequest,
    rows: LazyRows,
    shape: EntityShape,
    contextPath: string,
    preQuery?: ParsedQuery,
  ): ServiceResponse {
    const q = preQuery ?? queryOf(req, shape);
    const all = applyQuery(indexes(rows.length), q, shape, (i, prop) => rows.get(i, prop));
    const requested = maxPageSizeOf(req.prefer);
    const pageSize = requested ?? maxPageSize;
    const skiptoken = req.query.get('$skiptoken');
    const offset = skiptoken === null ? 0 : decodeSkipToken(skiptoken, all.length);
    const page = all.slice(offset, offset + pageSize);
    const selectSuffix = q.select ? `(${q.select.join(',')})` : '';
    const context = `${req.root}/$metadata#${contextPath}${selectSuffix}`;
    let text = `{"@odata.context":${JSON.stringify(context)},"value":[${page
      .map((i) => rows.json(i, q.select))
      .join(',')}]`;
    if (offset + pageSize < all.length) {
      const next = new URLSearchParams(req.query);
      next.delete('$skiptoken');
      next.append('$skiptoken', encodeSkipToken(offset + pageSize));
      text += `,"@odata.nextLink":${JSON.stringify(`${req.root}/${req.rawPath}?${buildQuery(next)}`)}`;
    }
    const headers: Record<string, string> = {};
    if (requested !== null) headers['Preference-Applied'] = `odata.maxpagesize=${requested}`;
    return { status: 200, headers, body: new JsonText(`${text}}`) };
  }

  function single(
    req: ServiceRequest,
    rows: LazyRows,
    index: number,
    shape: EntityShape,
    contextPath: string,
  ): ServiceResponse {
    const q = queryOf(req, shape);
    return {
      status: 200,
      headers: {},
      body: {
        '@odata.context': `${req.root}/$metadata#${contextPath}/$entity`,
        ...rows.render(index, q.select),
      },
    };
  }

  /**
   * The request's checked query options. Every company of a refresh sends the same filters (the
   * same tax period), so parsed queries are kept per entity shape and query text; a query that
   * fails to parse is not kept and fails again the same way.
   */
  function queryOf(req: ServiceRequest, shape: EntityShape): ParsedQuery {
    let byText = parsedQueries.get(shape);
    if (!byText) {
      byText = new Map();
      parsedQueries.set(shape, byText);
    }
    let parsed = byText.get(req.search);
    if (!parsed) {
      parsed = parseQuery(req.query, shape);
      if (byText.size >= MAX_PARSED_QUERIES_PER_SHAPE) byText.clear();
      byText.set(req.search, parsed);
    }
    return parsed;
  }

  function requireGet(req: ServiceRequest, segment: string): void {
    if (req.method !== 'GET') throw methodNotAllowed(req.method, segment);
  }

  function webClientBase(req: ServiceRequest): string {
    return `${baseUrl}/${req.tenant.id}/${req.environment.name}`;
  }

  // -------------------------------------------------------------------------------------------
  // API v2.0

  function findCompanyByKey(req: ServiceRequest, key: string): GeneratedCompany {
    const id = key.replace(/^'(.*)'$/, '$1');
    if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id))
      throw invalidGuid();
    const lower = id.toLowerCase();
    const company = req.environment.companies.find((c) => c.id === lower);
    if (!company) throw companyNotFound(id);
    return company;
  }

  function executeApi(req: ServiceRequest): ServiceResponse {
    const [first, second, ...rest] = req.segments;
    if (first === undefined || first === '') {
      requireGet(req, 'api');
      return {
        status: 200,
        headers: {},
        body: {
          '@odata.context': `${req.root}/$metadata`,
          value: ['companies', ...apiEntitySets.keys()].map((name) => ({
            name,
            kind: 'EntitySet',
            url: name,
          })),
        },
      };
    }
    if (first === '$batch') return executeBatch(req);
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\((.*)\))?$/s.exec(first);
    if (!m || m[1] === undefined) throw resourceNotFound(first);
    const [, name, key] = m;

    let company: GeneratedCompany;
    let setSegment: string | undefined;
    let extra: readonly string[];
    if (name === 'companies') {
      if (key === undefined) {
        if (second !== undefined) throw resourceNotFound(second);
        requireGet(req, 'companies');
        return collection(
          req,
          eagerRows(companyRows(req.environment).api),
          companiesSet.shape,
          'companies',
        );
      }
      company = findCompanyByKey(req, key);
      if (second === undefined) {
        requireGet(req, 'companies');
        return single(req, eagerRows([companyRow(company)]), 0, companiesSet.shape, 'companies');
      }
      setSegment = second;
      extra = rest;
    } else {
      // Company as a query parameter: `…/api/v2.0/salesInvoices?company={id or name}`.
      const param = req.query.get('company');
      if (!apiEntitySets.has(name)) throw resourceNotFound(first);
      if (param === null) {
        throw new BcHttpError(
          400,
          'Internal_CompanyNotFound',
          "Can't process the request because the default company can't be found. Add a query string in the form of company=[name].",
        );
      }
      const found = store.company(req.tenant.id, req.environment.name, param);
      if (!found) throw companyNotFound(param);
      company = found;
      setSegment = first;
      extra = [second, ...rest].filter((s): s is string => s !== undefined);
    }

    const sm = /^([A-Za-z][A-Za-z0-9]*)(?:\((.*)\))?$/s.exec(setSegment);
    const set = sm?.[1] === undefined ? undefined : apiEntitySets.get(sm[1]);
    if (!sm || !set) throw resourceNotFound(setSegment);
    if (extra.length > 0 && extra[0] !== undefined) throw resourceNotFound(extra[0]);
    requireGet(req, set.name);
    const ctx = store.renderContext(company, webClientBase(req));
    const contextPath = `companies(${company.id})/${set.name}`;
    const q = queryOf(req, set.shape);
    const rows = rowsOf(set, ctx, q.filter);
    if (sm[2] !== undefined) return entityByKey(req, set, rows, sm[2], contextPath);
    return collection(req, rows, set.shape, contextPath, q);
  }

  function entityByKey(
    req: ServiceRequest,
    set: EntitySet,
    rows: LazyRows,
    rawKey: string,
    contextPath: string,
  ): ServiceResponse {
    const keyText = rawKey.replace(/^'(.*)'$/, '$1');
    if (
      set.keyKind === 'guid' &&
      !/^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/.test(keyText)
    ) {
      throw invalidGuid();
    }
    const wanted = keyText.toLowerCase();
    const index = indexes(rows.length).find(
      (i) => String(rows.get(i, set.key)).toLowerCase() === wanted,
    );
    if (index === undefined) {
      throw new BcHttpError(
        404,
        'Internal_RecordNotFound',
        `The ${set.shape.typeName.replace('Microsoft.NAV.', '')} does not exist. Identification fields and values: ${set.key}='${keyText}'`,
      );
    }
    return single(req, rows, index, set.shape, contextPath);
  }

  // -------------------------------------------------------------------------------------------
  // ODataV4

  function parseCompanySegment(segment: string): string | null {
    const m = /^Company\('(.*)'\)$/s.exec(segment);
    if (!m || m[1] === undefined) return null;
    if (m[1].replace(/''/g, '').includes("'"))
      throw querySyntaxError(`Invalid key in '${segment}'.`);
    return m[1].replace(/''/g, "'");
  }

  function executeOData(req: ServiceRequest): ServiceResponse {
    const [first, ...rest] = req.segments;
    if (first === '$batch') return executeBatch(req);
    if (first === 'Company') {
      if (rest.length > 0 && rest[0] !== undefined) throw resourceNotFound(rest[0]);
      requireGet(req, 'Company');
      return collection(
        req,
        eagerRows(companyRows(req.environment).odata),
        odataCompanyShape,
        'Company',
      );
    }
    let company: GeneratedCompany;
    let serviceSegments: readonly string[];
    const companyName = first === undefined ? null : parseCompanySegment(first);
    if (companyName !== null) {
      const found = req.environment.companies.find((c) => c.name === companyName);
      if (!found) throw companyNotFound(companyName);
      company = found;
      serviceSegments = rest;
      if (rest.length === 0) {
        requireGet(req, 'Company');
        return single(req, eagerRows([odataCompanyRow(company)]), 0, odataCompanyShape, 'Company');
      }
    } else {
      const param = req.query.get('company');
      if (first === undefined || first === '') {
        requireGet(req, 'ODataV4');
        return {
          status: 200,
          headers: {},
          body: {
            '@odata.context': `${req.root}/$metadata`,
            value: [
              'Company',
              'AccountantPortalActivityCues',
              'AccountantPortalFinanceCues',
              'AccountantPortalUserTasks',
              'UserTaskSetComplete',
            ].map((name) => ({ name, kind: 'EntitySet', url: name })),
          },
        };
      }
      if (param === null) throw resourceNotFound(first);
      const found = store.company(req.tenant.id, req.environment.name, param);
      if (!found) throw companyNotFound(param);
      company = found;
      serviceSegments = req.segments;
    }
    const ctx = store.renderContext(company, webClientBase(req));
    const companyPath = `Company('${encodeURIComponent(company.name.replace(/'/g, "''"))}')`;
    const [service, action, ...more] = serviceSegments;
    if (service === undefined) throw resourceNotFound('');
    if (more.length > 0 && more[0] !== undefined) throw resourceNotFound(more[0]);

    const taskKey = /^UserTaskSetComplete\((\d{1,9})\)$/.exec(service);
    if (taskKey?.[1] !== undefined) {
      const id = Number(taskKey[1]);
      if (action === 'NAV.SetComplete' || action === 'Microsoft.NAV.SetComplete') {
        if (req.method !== 'POST') throw methodNotAllowed(req.method, 'NAV.SetComplete');
        if (!store.completeTask(company, id)) throw taskNotFound(id);
        return { status: 204, headers: {}, body: undefined };
      }
      if (action !== undefined) throw resourceNotFound(action);
      requireGet(req, 'UserTaskSetComplete');
      const row = userTaskListRows(ctx).find((r) => r['ID'] === id);
      if (!row) throw taskNotFound(id);
      return single(
        req,
        eagerRows([row]),
        0,
        userTaskListShape,
        `${companyPath}/UserTaskSetComplete`,
      );
    }
    if (action !== undefined) throw resourceNotFound(action);

    switch (service) {
      case 'AccountantPortalActivityCues': {
        requireGet(req, service);
        const cues = cueRows(ctx.books);
        return collection(
          req,
          eagerRows([cues.activity]),
          cues.activityShape,
          `${companyPath}/${service}`,
        );
      }
      case 'AccountantPortalFinanceCues': {
        requireGet(req, service);
        const cues = cueRows(ctx.books);
        return collection(
          req,
          eagerRows([cues.finance]),
          cues.financeShape,
          `${companyPath}/${service}`,
        );
      }
      case 'AccountantPortalUserTasks':
        requireGet(req, service);
        return collection(
          req,
          eagerRows(store.userTaskRows(company, ctx.webClientBase)),
          userTaskShape,
          `${companyPath}/${service}`,
        );
      case 'UserTaskSetComplete':
        requireGet(req, service);
        return collection(
          req,
          eagerRows(userTaskListRows(ctx)),
          userTaskListShape,
          `${companyPath}/${service}`,
        );
      default:
        throw resourceNotFound(service);
    }
  }

  function taskNotFound(id: number): BcHttpError {
    return new BcHttpError(
      404,
      'Internal_RecordNotFound',
      `The User Task does not exist. Identification fields and values: ID='${id}'`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // $batch

  function executeBatch(req: ServiceRequest): ServiceResponse {
    if (req.inBatch)
      throw new BcHttpError(
        400,
        'BadRequest',
        'A $batch request cannot contain another $batch request.',
      );
    if (req.method !== 'POST') throw methodNotAllowed(req.method, '$batch');
    const body = req.body;
    const requests =
      body && typeof body === 'object' && 'requests' in body
        ? (body as { requests: unknown }).requests
        : undefined;
    if (!Array.isArray(requests)) {
      throw new BcHttpError(
        400,
        'BadRequest',
        'Invalid Request Body: a JSON batch needs a "requests" array.',
      );
    }
    if (requests.length > MAX_BATCH_OPERATIONS) {
      throw new BcHttpError(
        400,
        'BadRequest',
        `The batch request contains ${requests.length} operations, more than the maximum of ${MAX_BATCH_OPERATIONS} operations per batch.`,
      );
    }
    const responses = requests.map((op: unknown) => {
      const id = op && typeof op === 'object' && 'id' in op ? (op as { id: unknown }).id : null;
      const echoId = typeof id === 'string' || typeof id === 'number' ? id : null;
      try {
        const sub = batchOperation(req, op);
        const result = dispatch(sub);
        return batchResult(echoId, result);
      } catch (e) {
        return batchResult(echoId, errorResponse(e));
      }
    });
    return {
      status: 200,
      headers: {},
      body: new JsonText(`{"responses":[${responses.join(',')}]}`),
    };
  }

  /** One answer of a `$batch`, as JSON text: `{"id","status","headers","body"}`. */
  function batchResult(id: string | number | null, r: ServiceResponse): string {
    const head = `{"id":${JSON.stringify(id)},"status":${r.status},"headers":`;
    if (r.status === 204 || r.body === undefined) return `${head}{}}`;
    const headers: Record<string, string> = {
      'content-type': 'application/json; odata.metadata=minimal',
      'odata-version': '4.0',
    };
    addLowerKeys(headers, r.headers);
    return `${head}${JSON.stringify(headers)},"body":${jsonOf(r.body)}}`;
  }

  function batchOperation(parent: ServiceRequest, op: unknown): ServiceRequest {
    if (!op || typeof op !== 'object')
      throw new BcHttpError(
        400,
        'BadRequest',
        'Invalid Request Body: a batch operation must be an object.',
      );
    const { method, url, headers, body } = op as {
      method?: unknown;
      url?: unknown;
      headers?: unknown;
      body?: unknown;
    };
    if (typeof method !== 'string' || typeof url !== 'string' || url.length === 0) {
      throw new BcHttpError(
        400,
        'BadRequest',
        'Invalid Request Body: a batch operation needs "method" and "url".',
      );
    }
    let target = url;
    if (/^https?:\/\//i.test(target) || target.startsWith('/')) {
      const rootPath = new URL(parent.root).pathname;
      const parsed = new URL(target, parent.root);
      if (!parsed.pathname.toLowerCase().startsWith(`${rootPath.toLowerCase()}/`)) {
        throw new BcHttpError(
          400,
          'BadRequest',
          `The batch operation URL '${url}' is not under this service root.`,
        );
      }
      target = parsed.pathname.slice(rootPath.length + 1) + parsed.search;
    }
    const q = target.indexOf('?');
    const rawPath = q >= 0 ? target.slice(0, q) : target;
    const search = q >= 0 ? target.slice(q + 1) : '';
    return {
      ...parent,
      method: method.toUpperCase(),
      segments: decodeSegments(rawPath),
      rawPath,
      query: new URLSearchParams(search),
      search,
      prefer: headerOf(headers, 'prefer'),
      body,
      inBatch: true,
    };
  }

  function dispatch(req: ServiceRequest): ServiceResponse {
    return req.service === 'api' ? executeApi(req) : executeOData(req);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  function errorResponse(e: unknown): ServiceResponse {
    const error =
      e instanceof BcHttpError
        ? e
        : new BcHttpError(
            500,
            'Internal_ServerError',
            'An unexpected error occurred in the sample tenant.',
          );
    return { status: error.status, headers: { ...error.headers }, body: error.body() };
  }

  function send(res: ServiceResponse, out: ServerResponse): void {
    if (out.writableEnded || out.destroyed) return;
    const headers: Record<string, string> = { 'OData-Version': '4.0', ...res.headers };
    if (res.status === 204 || res.body === undefined) {
      out.writeHead(res.status, headers);
      out.end();
      return;
    }
    const text = jsonOf(res.body);
    out.writeHead(res.status, {
      ...headers,
      'Content-Type': JSON_TYPE,
      'Content-Length': Buffer.byteLength(text),
    });
    out.end(text);
  }

  function sendHtml(out: ServerResponse, status: number, html: string): void {
    out.writeHead(status, {
      ...securityHeaders,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
    });
    out.end(html);
  }

  /** The request body as text, refused past {@link MAX_BODY_BYTES} (plain listeners: cheap). */
  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      req.on('data', (chunk: Buffer) => {
        if (refused) return;
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          // The rest is drained unread, so the 413 still reaches the client.
          refused = true;
          chunks.length = 0;
          reject(
            new BcHttpError(413, 'BadRequest', `The request body exceeds ${MAX_BODY_BYTES} bytes.`),
          );
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!refused) resolve(Buffer.concat(chunks, size).toString('utf8'));
      });
      req.on('error', (e) => {
        if (!refused) reject(e);
      });
      // A client that goes away mid-body: nothing more will come.
      req.on('close', () => {
        if (!refused && !req.complete) reject(new Error('the request was not completed'));
      });
    });
  }

  function userOf(req: IncomingMessage): string {
    const auth = req.headers.authorization;
    const m = auth === undefined ? null : /^Bearer\s+(.+)$/i.exec(auth.trim());
    return m?.[1] ?? 'anonymous';
  }

  function bump(map: Record<string, number>, key: string, by = 1): void {
    map[key] = (map[key] ?? 0) + by;
  }

  async function handleService(
    req: IncomingMessage,
    res: ServerResponse,
    segments: readonly string[],
    rawSegments: readonly string[],
    search: string,
  ): Promise<void> {
    stats.requests++;
    const [, tenantSeg = '', envSeg = '', kind = '', version] = segments;
    const tenant = store.tenant(tenantSeg);
    if (!tenant) throw tenantUnavailable(tenantSeg);
    const environment = store.environment(tenant.id, envSeg);
    if (!environment) throw environmentUnavailable(tenantSeg, envSeg);
    let service: 'api' | 'odata';
    let below: number;
    if (kind === 'api' && version === 'v2.0') {
      service = 'api';
      below = 5;
    } else if (kind.toLowerCase() === 'odatav4') {
      service = 'odata';
      below = 4;
    } else {
      throw resourceNotFound(kind === 'api' ? `${kind}/${version ?? ''}` : kind);
    }
    const key = envKey(tenant, environment);
    bump(stats.requestsByEnvironment, key);

    const fault = consumeFault(tenant, environment);
    let extraLatency = 0;
    if (fault) {
      switch (fault.kind) {
        case 'status':
          throw faultError(fault.status, tenantSeg, fault.retryAfterSeconds);
        case 'malformed-json':
          res.writeHead(200, { 'Content-Type': JSON_TYPE, 'OData-Version': '4.0' });
          res.end('{"@odata.context":"$metadata#companies","value":[{"id":"8f1b2c3d-');
          return;
        case 'hang':
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        case 'slow':
          extraLatency = Math.max(0, fault.latencyMs);
          break;
      }
    }

    const rawBody = req.method === 'POST' ? await readBody(req) : '';
    let body: unknown = undefined;
    if (rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new BcHttpError(
          400,
          'BadRequest',
          'Invalid Request Body: the body is not valid JSON.',
        );
      }
    }

    const pathBelow = segments.slice(below);
    const rawBelow = rawSegments.slice(below);
    // A trailing slash names the same resource as none.
    if (pathBelow.length > 1 && pathBelow[pathBelow.length - 1] === '') {
      pathBelow.pop();
      rawBelow.pop();
    }
    const serviceRequest: ServiceRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      tenant,
      environment,
      service,
      root: `${baseUrl}/${rawSegments.slice(0, below).join('/')}`,
      segments: pathBelow,
      rawPath: rawBelow.join('/'),
      query: new URLSearchParams(search),
      search,
      prefer: typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined,
      body,
      inBatch: false,
    };

    let release: () => void = () => {};
    if (limiter) {
      const admission = limiter.admit(`${key}/${userOf(req)}`);
      if (admission.kind !== 'admitted') {
        stats.throttled++;
        throw tooManyRequests(
          admission.actual,
          admission.maximum,
          admission.kind === 'rate' ? { 'Retry-After': String(admission.retryAfterSeconds) } : {},
        );
      }
      const onClose = (): void => admission.cancel();
      res.on('close', onClose);
      await admission.ready;
      res.off('close', onClose);
      if (res.destroyed) {
        admission.release();
        return;
      }
      release = admission.release;
    }
    const running = (runningByEnv.get(key) ?? 0) + 1;
    runningByEnv.set(key, running);
    if (running > (stats.peakConcurrentByEnvironment[key] ?? 0))
      stats.peakConcurrentByEnvironment[key] = running;
    try {
      const delay = latencyMs + extraLatency;
      if (delay > 0) await sleep(delay);
      if (res.destroyed) return;
      let response: ServiceResponse;
      try {
        response = dispatch(serviceRequest);
      } catch (e) {
        response = errorResponse(e);
      }
      send(response, res);
    } finally {
      runningByEnv.set(key, (runningByEnv.get(key) ?? 1) - 1);
      release();
    }
  }

  function handleWebClient(
    res: ServerResponse,
    segments: readonly string[],
    search: string,
    path: string,
  ): void {
    const [tenantSeg = '', envSeg = 'production', ...rest] = segments;
    const tenant = store.tenant(tenantSeg);
    const environment = tenant ? store.environment(tenant.id, envSeg) : undefined;
    if (!tenant || !environment || rest.some((s) => s !== '')) {
      sendHtml(res, 404, webClientNotFoundPage(path));
      return;
    }
    const clientUrl = `${baseUrl}/${tenant.id}/${environment.name}`;
    sendHtml(res, 200, webClientPage(tenant, environment, clientUrl, new URLSearchParams(search)));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawPath = q >= 0 ? raw.slice(0, q) : raw;
    const search = q >= 0 ? raw.slice(q + 1) : '';
    const rawSegments = rawPath.split('/').slice(1);
    let segments: string[];
    try {
      segments = decodeSegments(rawSegments.join('/'));
    } catch (e) {
      send(errorResponse(e), res);
      return;
    }
    if (segments[0] === 'v2.0') {
      try {
        await handleService(req, res, segments, rawSegments, search);
      } catch (e) {
        send(errorResponse(e), res);
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET' }).end();
      return;
    }
    if (segments.length === 0 || (segments.length === 1 && segments[0] === '')) {
      const entries = store.tenants.flatMap((t) =>
        t.environments.map((e) => ({
          name: `${t.displayName} / ${e.name}`,
          url: `${baseUrl}/${t.id}/${e.name}`,
          companies: e.companies.length,
        })),
      );
      sendHtml(res, 200, homePage(entries));
      return;
    }
    if (segments[0] === 'favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    handleWebClient(res, segments, search, rawPath);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(errorResponse(null), res);
      else res.destroy();
    });
  });
  server.on('connection', () => {
    stats.connections++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  let closed: Promise<void> | null = null;
  return {
    url: baseUrl,
    fleet: store,
    setFault(tenant, fault, environment) {
      const t = tenant.toLowerCase();
      const key = environment === undefined ? t : `${t}/${environment.toLowerCase()}`;
      if (fault === null) {
        faults.delete(key);
        return;
      }
      const times =
        fault.kind === 'status' && fault.times !== undefined
          ? Math.max(0, Math.floor(fault.times))
          : null;
      if (times === 0) {
        faults.delete(key);
        return;
      }
      faults.set(key, { fault, remaining: times });
    },
    stats() {
      return {
        requests: stats.requests,
        throttled: stats.throttled,
        peakConcurrentByEnvironment: { ...stats.peakConcurrentByEnvironment },
        requestsByEnvironment: { ...stats.requestsByEnvironment },
        connections: stats.connections,
      };
    },
    resetStats() {
      stats = emptyStats();
    },
    // The same web client base as `webClientBase(req)` of a request for the company.
    warm: () => store.warm((c) => `${baseUrl}/${c.tenantId}/${c.environment}`),
    clientUrl(tenant, environment) {
      return `${baseUrl}/${tenant}/${environment}`;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        hanging.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Splits a raw path into percent-decoded segments; a bad escape is BC's 400. */
function decodeSegments(rawPath: string): string[] {
  try {
    return rawPath.split('/').map((s) => (s.includes('%') ? decodeURIComponent(s) : s));
  } catch {
    throw new BcHttpError(400, 'BadRequest_InvalidRequestUrl', 'The request URL is not valid.');
  }
}

/** Adds `headers` to `into` with lower-case names (as a batch answer lists them). */
function addLowerKeys(into: Record<string, string>, headers: Record<string, string>): void {
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined) into[k.toLowerCase()] = v;
  }
}
