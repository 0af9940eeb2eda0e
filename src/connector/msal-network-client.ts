/**
 * MSAL's HTTP client, behind the outbound guard. MSAL calls Microsoft Entra ID for discovery
 * metadata and the token endpoint; left to its own `fetch`, those calls would go wherever an
 * authority string or a metadata document points. This module only calls the configured sign-in
 * origin (plus loopback when the policy allows it: sample mode and tests), checks the addresses
 * a host name resolves to as the connection is made, never follows a redirect, gives up after a
 * timeout, and caps what it reads.
 *
 * Request and response bodies carry client secrets, user assertions and tokens: nothing of them
 * is logged, and no error message quotes them.
 */
import http from 'node:http';
import https from 'node:https';
import {
  AuthError,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { isAppError } from '../domain/errors.js';
import { silentLogger, type Logger } from '../logging.js';
import {
  isAllowedUrl,
  resolveAllowedAddresses,
  type HostLookup,
  type OutboundPolicy,
} from '../net/outbound-guard.js';

/**
 * The `errorCode`s of the {@link AuthError}s this client throws. MSAL passes an `AuthError`
 * thrown by its network module through unchanged, so `mapAuthError` can tell them apart.
 */
export const msalNetworkErrorCodes = {
  /** The URL, a redirect or a DNS answer points somewhere the policy does not allow. */
  refused: 'host_not_allowed',
  /** No complete answer within the timeout. */
  timeout: 'request_timeout',
  /** The connection failed or the name did not resolve. */
  unreachable: 'network_error',
  /** Entra answered 5xx. */
  unavailable: 'entra_unavailable',
  /** The answer was not JSON, or too large. */
  badResponse: 'invalid_response',
} as const;

export interface MsalNetworkClientOptions {
  /**
   * What may be called: the sign-in origin (`ENTRA_AUTHORITY_HOST`), and loopback only when
   * `allowLoopback` (sample mode, tests).
   */
  readonly policy: OutboundPolicy;
  /** Longest wait for one complete answer; default 30,000 ms. */
  readonly timeoutMs?: number;
  /** Answers longer than this are refused; default 1 MiB (token answers are a few KB). */
  readonly maxResponseBytes?: number;
  /** Resolves host names (default: the system resolver); every answer is checked by the guard. */
  readonly lookup?: HostLookup;
  /**
   * Certificate authorities to trust instead of Node's default set (PEM): a TLS-inspecting
   * proxy's, or a test's local Entra stand-in.
   */
  readonly ca?: string | readonly string[];
  readonly logger?: Logger;
}

/** A refusal by the outbound guard, as MSAL's error type. */
function refused(message: string): AuthError {
  return new AuthError(msalNetworkErrorCodes.refused, '', message);
}

function headerRecord(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | 'too-large';
}

/**
 * An MSAL `INetworkModule` that only calls what `options.policy` allows. Every failure is an
 * MSAL {@link AuthError} with one of {@link msalNetworkErrorCodes}; 4xx answers with a JSON body
 * (Entra's `{ error, error_description, error_codes }`) are handed to MSAL as they are.
 */
export function createGuardedMsalNetworkClient(options: MsalNetworkClientOptions): INetworkModule {
  const { policy } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  const logger = (options.logger ?? silentLogger).child({ component: 'entra-http' });

  const lookup: NonNullable<http.AgentOptions['lookup']> = (hostname, lookupOptions, callback) => {
    resolveAllowedAddresses(
      policy,
      hostname,
      options.lookup ? { lookup: options.lookup } : {},
    ).then(
      (answers) => {
        const first = answers[0];
        if (lookupOptions.all) callback(null, answers);
        else if (first) callback(null, first.address, first.family);
        else callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '');
      },
      (e: unknown) => callback(e as NodeJS.ErrnoException, ''),
    );
  };
  const agentOptions = {
    keepAlive: true,
    maxSockets: 16,
    lookup,
    ...(options.ca !== undefined ? { ca: [options.ca].flat() } : {}),
  };
  const httpsAgent = new https.Agent(agentOptions);
  const httpAgent = new http.Agent(agentOptions);

  function exchange(
    method: 'GET' | 'POST',
    url: URL,
    request: NetworkRequestOptions | undefined,
    limitMs: number,
  ): Promise<RawAnswer> {
    return new Promise<RawAnswer>((resolve, reject) => {
      let settled = false;
      const fail = (e: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
        req.destroy();
      };
      const timer = setTimeout(
        () =>
          fail(
            new AuthError(
              msalNetworkErrorCodes.timeout,
              '',
              `Microsoft Entra ID did not answer within ${limitMs} ms.`,
            ),
          ),
        limitMs,
      );
      const body = method === 'POST' ? (request?.body ?? '') : undefined;
      const headers: Record<string, string | number> = { ...request?.headers };
      if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
      const isHttps = url.protocol === 'https:';
      const req = (isHttps ? https : http).request(url, {
        method,
        headers,
        agent: isHttps ? httpsAgent : httpAgent,
      });
      req.on('error', (e) => fail(transportError(e, url)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        res.on('data', (chunk: Buffer) => {
          if (tooLarge) return;
          size += chunk.length;
          if (size > maxBytes) {
            tooLarge = true;
            chunks.length = 0;
            res.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
        });
        const finish = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: headerRecord(res.headers),
            body: tooLarge ? 'too-large' : Buffer.concat(chunks, size).toString('utf8'),
          });
        };
        res.on('end', finish);
        res.on('error', (e) => fail(transportError(e, url)));
        res.on('close', () => {
          if (!res.complete && !tooLarge)
            fail(
              new AuthError(
                msalNetworkErrorCodes.unreachable,
                '',
                `The connection to ${url.host} closed before the answer ended.`,
              ),
            );
        });
      });
      req.end(body);
    });
  }

  async function send<T>(
    method: 'GET' | 'POST',
    rawUrl: string,
    request: NetworkRequestOptions | undefined,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw refused('The hub will not call an address that is not a valid web address.');
    }
    if (!isAllowedUrl(policy, url)) {
      logger.warn('sign-in request refused', { host: url.host, why: 'host not allowed' });
      throw refused(
        `The hub will not call ${url.host} to sign in: only the configured Microsoft Entra sign-in host is allowed.`,
      );
    }
    const started = Date.now();
    const limitMs = timeout !== undefined && timeout > 0 ? Math.min(timeout, timeoutMs) : timeoutMs;
    let answer: RawAnswer;
    try {
      answer = await exchange(method, url, request, limitMs);
    } catch (e) {
      logger.info('sign-in request failed', {
        method,
        host: url.host,
        path: url.pathname,
        errorCode: e instanceof AuthError ? e.errorCode : 'unknown',
      });
      throw e;
    }
    logger.debug('sign-in request', {
      method,
      host: url.host,
      path: url.pathname,
      status: answer.status,
      ms: Date.now() - started,
    });
    if (answer.status >= 300 && answer.status < 400) {
      logger.warn('sign-in request refused', {
        host: url.host,
        why: 'redirect',
        status: answer.status,
      });
      throw refused(
        `Microsoft Entra ID at ${url.host} answered with a redirect (HTTP ${answer.status}); the hub does not follow redirects.`,
      );
    }
    if (answer.status >= 500) {
      throw new AuthError(
        msalNetworkErrorCodes.unavailable,
        '',
        `Microsoft Entra ID at ${url.host} is not answering properly (HTTP ${answer.status}).`,
      );
    }
    if (answer.body === 'too-large') {
      throw new AuthError(
        msalNetworkErrorCodes.badResponse,
        '',
        `Microsoft Entra ID at ${url.host} sent an answer larger than ${maxBytes} bytes.`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      body = undefined;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new AuthError(
        msalNetworkErrorCodes.badResponse,
        '',
        `Microsoft Entra ID at ${url.host} sent an answer that is not a sign-in response (HTTP ${answer.status}).`,
      );
    }
    return { status: answer.status, headers: answer.headers, body: body as T };
  }

  return {
    sendGetRequestAsync: <T>(url: string, request?: NetworkRequestOptions, timeout?: number) =>
      send<T>('GET', url, request, timeout),
    sendPostRequestAsync: <T>(url: string, request?: NetworkRequestOptions) =>
      send<T>('POST', url, request),
  };
}

/** A failed connection as MSAL's error: a guard refusal stays a refusal. */
function transportError(e: unknown, url: URL): AuthError {
  if (e instanceof AuthError) return e;
  if (isAppError(e) && e.reason === 'host-not-allowed') return refused(e.message);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return new AuthError(
    msalNetworkErrorCodes.unreachable,
    '',
    `The hub could not reach Microsoft Entra ID at ${url.host}${code ? ` (${code})` : ''}.`,
  );
}
