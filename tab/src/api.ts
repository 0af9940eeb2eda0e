/**
 * The tab's typed client of the REST API under `/api`. Every call goes through {@link ApiClient}'s
 * one `request` function, so errors are turned into {@link ApiError} in one place and the SSO
 * bearer token (when Teams provides one) is attached in one place.
 *
 * Only types come from `src/`: the tab is browser code and talks to the server over HTTP.
 */
import type {
  ClientDto,
  ClientInput,
  CompanyDetailsDto,
  DashboardDto,
  DashboardView,
  FinancialStatementKind,
  RefreshProgress,
  RefreshScope,
  TaskQuery,
  TaskRow,
  TestClientUrlResult,
} from '../../src/hub/api-types.js';

/** What the server says about the signed-in accountant (only the fields the tab shows). */
export interface Me {
  readonly displayName: string;
}

/**
 * A failed call, carrying the server's `{code, message}`. `message` is written for the user and
 * is what the tab shows; `code` lets the tab branch without reading text.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** The message to show for anything a call may throw. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.name === 'AbortError') return 'The request was cancelled.';
  return 'Something went wrong. Try again.';
}

/**
 * Supplies the bearer token for `/api` calls: inside Teams the SSO token from
 * `authentication.getAuthToken` (cached); null sends no Authorization header (local and sample
 * mode). `refresh: true` asks for a new token because the server refused the last one.
 */
export type AuthTokenProvider = (request?: {
  readonly refresh?: boolean;
}) => Promise<string | null>;

export interface ApiClientOptions {
  /** Prefix of every route; `/api` unless the tab is served elsewhere. */
  readonly baseUrl?: string;
  readonly getAuthToken?: AuthTokenProvider;
  /**
   * True while the user must sign in before a token can be had (Teams needs their consent): calls
   * then fail at once instead of going to the server without a token.
   */
  readonly signInNeeded?: () => boolean;
  readonly fetch?: typeof fetch;
}

/** A downloaded file, ready to hand to the browser. */
export interface DownloadedFile {
  readonly blob: Blob;
  readonly fileName: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const noToken: AuthTokenProvider = () => Promise.resolve(null);

/** How often progress is polled when the event stream cannot be used. */
const pollIntervalMs = 500;

export class ApiClient {
  private readonly baseUrl: string;
  private readonly getAuthToken: AuthTokenProvider;
  private readonly signInNeeded: () => boolean;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '/api').replace(/\/$/, '');
    this.getAuthToken = options.getAuthToken ?? noToken;
    this.signInNeeded = options.signInNeeded ?? (() => false);
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  me(): Promise<Me> {
    return this.json('GET', '/me');
  }

  async listClients(): Promise<ClientDto[]> {
    const body = await this.json<{ clients: ClientDto[] }>('GET', '/clients');
    return body.clients;
  }

  getClient(clientId: string): Promise<ClientDto> {
    return this.json('GET', `/clients/${enc(clientId)}`);
  }

  createClient(input: ClientInput): Promise<ClientDto> {
    return this.json('POST', '/clients', input);
  }

  updateClient(clientId: string, patch: Partial<ClientInput>): Promise<ClientDto> {
    return this.json('PATCH', `/clients/${enc(clientId)}`, patch);
  }

  async removeClient(clientId: string): Promise<void> {
    await this.request('DELETE', `/clients/${enc(clientId)}`);
  }

  testClientUrl(url: string): Promise<TestClientUrlResult> {
    return this.json('POST', '/clients/test', { url });
  }

  addClientFromInvitation(input: { link: string; name?: string }): Promise<ClientDto> {
    return this.json('POST', '/clients/from-invitation', input);
  }

  dashboard(signal?: AbortSignal): Promise<DashboardDto> {
    return this.json('GET', '/dashboard', undefined, signal);
  }

  getView(): Promise<DashboardView> {
    return this.json('GET', '/views/dashboard');
  }

  saveView(view: DashboardView): Promise<DashboardView> {
    return this.json('PUT', '/views/dashboard', view);
  }

  companyDetails(
    clientId: string,
    companyId: string,
    signal?: AbortSignal,
  ): Promise<CompanyDetailsDto> {
    return this.json('GET', `/companies/${enc(clientId)}/${enc(companyId)}`, undefined, signal);
  }

  async downloadReport(
    clientId: string,
    companyId: string,
    kind: FinancialStatementKind,
  ): Promise<DownloadedFile> {
    const res = await this.request(
      'GET',
      `/companies/${enc(clientId)}/${enc(companyId)}/reports/${enc(kind)}`,
    );
    const blob = await res.blob();
    return {
      blob,
      fileName: fileNameFrom(res.headers.get('content-disposition')) ?? `${kind}.xlsx`,
    };
  }

  async tasks(query: TaskQuery = {}, signal?: AbortSignal): Promise<TaskRow[]> {
    const params = new URLSearchParams();
    if (query.sort) params.set('sort', query.sort);
    if (query.direction) params.set('direction', query.direction);
    if (query.clientId) params.set('clientId', query.clientId);
    if (query.due) params.set('due', query.due);
    const qs = params.toString();
    const body = await this.json<{ tasks: TaskRow[] }>(
      'GET',
      `/tasks${qs ? `?${qs}` : ''}`,
      undefined,
      signal,
    );
    return body.tasks;
  }

  async completeTask(clientId: string, companyId: string, taskId: number): Promise<void> {
    await this.request(
      'POST',
      `/tasks/${enc(clientId)}/${enc(companyId)}/${enc(String(taskId))}/complete`,
    );
  }

  startRefresh(scope: RefreshScope): Promise<RefreshProgress> {
    return this.json('POST', '/refresh', { scope });
  }

  refreshProgress(jobId: string): Promise<RefreshProgress> {
    return this.json('GET', `/refresh/${enc(jobId)}`);
  }

  /**
   * Follows a refresh job until it finishes, calling `onProgress` on every change, and resolves
   * with the final progress. It reads the server-sent event stream through `fetch` (an
   * `EventSource` cannot send the bearer token) and falls back to polling if the stream breaks.
   */
  async followRefresh(
    first: RefreshProgress,
    onProgress: (p: RefreshProgress) => void,
    signal?: AbortSignal,
  ): Promise<RefreshProgress> {
    if (first.finished) return first;
    let latest = first;
    const report = (p: RefreshProgress): void => {
      latest = p;
      onProgress(p);
    };
    try {
      const res = await this.request(
        'GET',
        `/refresh/${enc(first.jobId)}/events`,
        undefined,
        signal,
        'text/event-stream',
      );
      if (res.body) {
        for await (const p of readEventStream<RefreshProgress>(res.body)) {
          report(p);
          if (p.finished) return p;
        }
      }
    } catch (e) {
      if (signal?.aborted) throw e;
    }
    // The stream ended early or could not be opened: poll until the job says it is done.
    while (!latest.finished) {
      await delay(pollIntervalMs, signal);
      report(await this.refreshProgress(first.jobId));
    }
    return latest;
  }

  private async json<T>(
    method: Method,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const res = await this.request(method, path, body, signal);
    if (res.status === 204) return undefined as T;
    try {
      return (await res.json()) as T;
    } catch {
      throw new ApiError(
        res.status,
        'bad-response',
        'The server sent an answer the tab cannot read.',
      );
    }
  }

  private async request(
    method: Method,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    accept = 'application/json',
  ): Promise<Response> {
    const token = await this.getAuthToken();
    if (token === null && this.signInNeeded()) {
      throw new ApiError(
        401,
        'sign-in-needed',
        'Sign in to Accountant Hub first: Teams needs your permission before it can show your clients.',
      );
    }
    let res = await this.send(method, path, token, body, signal, accept);
    // A cached token the server refuses (expired early, revoked): fetch a new one and try once
    // more. Only once, so a server that refuses every token cannot make the tab loop.
    if (res.status === 401 && token) {
      const fresh = await this.getAuthToken({ refresh: true });
      if (fresh && fresh !== token) {
        await res.body?.cancel().catch(() => undefined);
        res = await this.send(method, path, fresh, body, signal, accept);
      }
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  private async send(
    method: Method,
    path: string,
    token: string | null,
    body: unknown,
    signal: AbortSignal | undefined,
    accept: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: 'same-origin',
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new ApiError(
        0,
        'network',
        'Cannot reach the Accountant Hub server. Check your connection and try again.',
      );
    }
  }
}

async function errorFrom(res: Response): Promise<ApiError> {
  let code = `http-${res.status}`;
  let message = `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`;
  try {
    const body: unknown = await res.json();
    if (isRecord(body)) {
      if (typeof body.code === 'string') code = body.code;
      if (typeof body.message === 'string' && body.message.trim()) message = body.message;
    }
  } catch {
    // Not JSON (a proxy's error page): keep the status text.
  }
  return new ApiError(res.status, code, message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** The file name from `Content-Disposition`, preferring the RFC 5987 `filename*` form. */
export function fileNameFrom(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star?.[1]) {
    try {
      return sanitizeFileName(decodeURIComponent(star[1].trim()));
    } catch {
      // Malformed percent-encoding: fall through to the plain form.
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/.exec(disposition);
  const name = plain?.[1] ?? plain?.[2];
  return name ? sanitizeFileName(name.trim()) : null;
}

function sanitizeFileName(name: string): string | null {
  const cleaned = Array.from(name, (ch) => (ch < ' ' || '\\/:*?"<>|'.includes(ch) ? '_' : ch))
    .join('')
    .trim();
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : null;
}

const eventBoundary = /\r\n\r\n|\n\n|\r\r/;

/** Parses a `text/event-stream` body into the JSON of each event's `data`. */
export async function* readEventStream<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      // Events end with a blank line; a line may end in \n, \r\n or \r.
      let boundary = eventBoundary.exec(buffer);
      while (boundary) {
        const block = buffer.slice(0, boundary.index);
        buffer = buffer.slice(boundary.index + boundary[0].length);
        const data = block
          .split(/\r\n|\r|\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        if (data) yield JSON.parse(data) as T;
        boundary = eventBoundary.exec(buffer);
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new DOMException('Aborted', 'AbortError'));
      },
      { once: true },
    );
  });
}
