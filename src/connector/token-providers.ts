/**
 * Token providers for the three connection modes (see {@link ConnectionMode}):
 * - `sample`: the embedded sample tenant takes no token;
 * - `app`: client credentials of an Entra app the client registered in their tenant
 *   (`acquireTokenByClientCredential`), its secret handed over by the registry, unsealed;
 * - `delegated`: the accountant's own (guest) identity in the client's tenant, obtained
 *   on-behalf-of the Teams SSO token they signed in with (`acquireTokenOnBehalfOf`), and later,
 *   while the accountant is away (the daily summary), from MSAL's token cache: the on-behalf-of
 *   answer carries a refresh token, which MSAL keeps and redeems in `acquireTokenSilent`. The
 *   cache is kept per accountant and client, sealed at rest (`msal-token-cache.ts`).
 *
 * Tokens are always requested against the *client's* tenant authority (`{login}/{tenant}`): the
 * accountant is a guest there, and the client's app lives there. Tokens, secrets and user
 * assertions never reach a log line or an error message.
 */
import { createHash } from 'node:crypto';
import {
  AuthError,
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  ServerError,
  type AccountInfo,
  type AuthenticationResult,
  type INetworkModule,
} from '@azure/msal-node';
import { systemClock, type Clock } from '../domain/dates.js';
import { AppError, assertNever, err, ok, type Result } from '../domain/errors.js';
import { silentLogger, type Logger } from '../logging.js';
import { msalNetworkErrorCodes } from './msal-network-client.js';
import {
  createMemoryTokenCacheStore,
  createTokenCachePlugin,
  type TokenCacheOwner,
  type TokenCacheStore,
} from './msal-token-cache.js';
import { isSafePathName } from './odata.js';
import type { EnvironmentTarget } from './tenant-connector.js';
import type { TokenProvider } from './token-provider.js';

/** The scope of every Business Central API and web-service call. */
export const BC_SCOPE = 'https://api.businesscentral.dynamics.com/.default';
/** Microsoft Entra ID's public-cloud authority host. */
export const DEFAULT_LOGIN_AUTHORITY = 'https://login.microsoftonline.com';

/** The sample tenant needs no token. */
export const noTokenProvider: TokenProvider = {
  getToken: async () => ok(null),
};

/** What the app-only provider needs of MSAL's confidential client. */
interface ConfidentialClient {
  acquireTokenByClientCredential(
    request: Parameters<ConfidentialClientApplication['acquireTokenByClientCredential']>[0],
  ): Promise<AuthenticationResult | null>;
}

interface MsalCommonOptions {
  /** `https://login.microsoftonline.com` unless a national cloud is used. */
  readonly loginAuthority?: string;
  /**
   * MSAL's HTTP client. The server passes the outbound-guarded one
   * (`createGuardedMsalNetworkClient`); without it MSAL uses its own `fetch`.
   */
  readonly msalNetworkClient?: INetworkModule;
  /** Longest wait for Entra ID before giving up; default 30,000 ms. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

/** Options of the app-only (client credentials) provider. */
export interface ClientCredentialsOptions extends MsalCommonOptions {
  /** The plaintext secret of the target's app registration, or `null` when none is stored. */
  readonly getAppSecret: (target: EnvironmentTarget) => Promise<string | null>;
}

/** Options of the on-behalf-of (delegated) provider. */
export interface OnBehalfOfOptions extends MsalCommonOptions {
  /** The hub's own Entra app (the one Teams SSO issues tokens for). */
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * The accountant's latest Teams SSO token, or `null` when there is none. An expired one is not
   * sent to Entra: the token cache is used instead.
   */
  readonly getUserAssertion: (target: EnvironmentTarget) => Promise<string | null>;
  /**
   * Where each accountant's token cache for each client is kept between runs (the server
   * passes `createSealedTokenCacheStore`). Default: in memory, lost at restart.
   */
  readonly tokenCacheStore?: TokenCacheStore;
  /** Judges the assertion's expiry; default the system clock. */
  readonly clock?: Clock;
}

const MAX_CACHED_APPS = 500;
/** An assertion this close to its expiry is not sent: Entra would refuse it on arrival. */
const ASSERTION_MARGIN_MS = 30_000;

/** A small LRU map: MSAL applications are cheap but not free, and clients are many. */
function lruMap<V>(max: number): (key: string, make: () => V) => V {
  const entries = new Map<string, V>();
  return (key, make) => {
    const cached = entries.get(key);
    if (cached !== undefined) {
      entries.delete(key);
      entries.set(key, cached);
      return cached;
    }
    const made = make();
    entries.set(key, made);
    if (entries.size > max) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    return made;
  };
}

/**
 * MSAL's configuration for one application. The sign-in host is listed as a known authority, so
 * MSAL trusts it as configured instead of asking Entra's public-cloud discovery endpoint about it
 * (which the outbound guard would refuse for any other host).
 */
function msalConfig(
  options: MsalCommonOptions,
  auth: { clientId: string; clientSecret: string; authority: string },
  cachePlugin?: ReturnType<typeof createTokenCachePlugin>,
): ConstructorParameters<typeof ConfidentialClientApplication>[0] {
  return {
    auth: { ...auth, knownAuthorities: [new URL(auth.authority).host] },
    ...(cachePlugin ? { cache: { cachePlugin } } : {}),
    system: options.msalNetworkClient ? { networkClient: options.msalNetworkClient } : {},
  };
}

/** One MSAL application per authority and credentials, so MSAL's token cache does its job. */
function createAppCache(options: MsalCommonOptions) {
  const apps = lruMap<ConfidentialClient>(MAX_CACHED_APPS);
  return (authority: string, clientId: string, clientSecret: string): ConfidentialClient => {
    const key = `${authority}|${clientId}|${createHash('sha256').update(clientSecret).digest('hex')}`;
    return apps(
      key,
      () =>
        new ConfidentialClientApplication(
          msalConfig(options, { clientId, clientSecret, authority }),
        ),
    );
  };
}

function authorityFor(options: MsalCommonOptions, target: EnvironmentTarget): Result<string> {
  if (!isSafePathName(target.tenant)) {
    return err(
      new AppError('validation', 'The tenant in the Client URL is not valid.', {
        tenant: target.tenant,
      }),
    );
  }
  const login = (options.loginAuthority ?? DEFAULT_LOGIN_AUTHORITY).replace(/\/+$/, '');
  return ok(`${login}/${encodeURIComponent(target.tenant)}`);
}

/** Races an MSAL call against the caller's signal and a timeout. */
async function guarded(
  call: () => Promise<AuthenticationResult | null>,
  options: MsalCommonOptions,
  target: EnvironmentTarget,
  mode: 'app' | 'delegated',
  signal?: AbortSignal,
  mapError: (e: unknown, context: Record<string, unknown>) => AppError = (e, context) =>
    mapAuthError(e, mode, context),
): Promise<Result<string>> {
  const logger = (options.logger ?? silentLogger).child({ component: 'bc-token' });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const context = { tenant: target.tenant, mode };
  let cleanup = (): void => {};
  const stop = new Promise<'timeout' | 'cancelled'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    const onAbort = (): void => resolve('cancelled');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
  });
  try {
    const result = await Promise.race([call(), stop]);
    if (result === 'timeout') {
      return err(
        new AppError(
          'bc-timeout',
          'Microsoft Entra ID did not answer the sign-in in time.',
          context,
        ),
      );
    }
    if (result === 'cancelled') {
      return err(
        new AppError('bc-timeout', 'The sign-in was cancelled.', { ...context, cancelled: true }),
      );
    }
    if (!result?.accessToken) {
      return err(
        new AppError(
          'bc-access-denied',
          'Microsoft Entra ID returned no token for this client.',
          context,
        ),
      );
    }
    return ok(result.accessToken);
  } catch (e) {
    const error = mapError(e, context);
    logger.info('token request failed', { ...context, reason: error.reason, ...error.details });
    return err(error);
  } finally {
    cleanup();
  }
}

/**
 * Entra ID failures, by AADSTS number where Entra gives one. Only the codes go into details;
 * Entra's own message text is not kept (it can echo request parameters).
 */
export function mapAuthError(
  e: unknown,
  mode: 'app' | 'delegated',
  context: Record<string, unknown> = {},
): AppError {
  if (!(e instanceof AuthError)) {
    return new AppError('bc-access-denied', 'Signing in to the client’s tenant failed.', context);
  }
  // MSAL types `errorNo` as a string but passes Entra's number through.
  const errorNo: unknown =
    e instanceof ServerError || e instanceof InteractionRequiredAuthError ? e.errorNo : undefined;
  const aadsts =
    typeof errorNo === 'number' || (typeof errorNo === 'string' && errorNo !== '')
      ? String(errorNo)
      : (/AADSTS(\d+)/.exec(e.errorMessage)?.[1] ?? '');
  const details = { ...context, authError: e.errorCode, ...(aadsts ? { aadsts } : {}) };
  switch (aadsts) {
    case '90002':
    case '90072':
      return new AppError(
        'bc-tenant-not-found',
        'Microsoft Entra ID does not know the client’s tenant. Check the tenant in the Client URL.',
        details,
      );
    case '50020':
      return new AppError(
        'bc-access-denied',
        'Your account is not a guest in the client’s tenant yet. Accept the client’s invitation e-mail, then try again.',
        details,
      );
    case '65001':
    case '650057':
      return new AppError(
        'bc-access-denied',
        'The client’s tenant has not consented to the hub. Ask the client’s administrator to grant consent for Business Central access.',
        details,
      );
    case '700016':
      return new AppError(
        'bc-access-denied',
        'The app registration was not found in the client’s tenant. Check the app (client) ID, and that the client consented to it.',
        details,
      );
    case '7000215':
    case '7000222':
      return new AppError(
        'bc-access-denied',
        'The client’s app secret is wrong or has expired. Enter a current secret for this client.',
        details,
      );
    default:
      break;
  }
  switch (e.errorCode) {
    case msalNetworkErrorCodes.refused:
      return new AppError('host-not-allowed', e.errorMessage, details);
    case msalNetworkErrorCodes.timeout:
      return new AppError(
        'bc-timeout',
        'Microsoft Entra ID did not answer the sign-in in time.',
        details,
      );
    case msalNetworkErrorCodes.unavailable:
      return new AppError(
        'bc-unavailable',
        'Microsoft Entra ID is not answering properly right now; the hub will try again later.',
        details,
      );
    case msalNetworkErrorCodes.badResponse:
      return new AppError(
        'bc-bad-response',
        'Microsoft Entra ID sent an answer the hub could not read.',
        details,
      );
    case msalNetworkErrorCodes.unreachable:
      return new AppError(
        'bc-unreachable',
        'The hub could not reach Microsoft Entra ID to sign in.',
        details,
      );
    default:
      break;
  }
  if (e.errorCode === 'endpoints_resolution_error') {
    return new AppError(
      'bc-tenant-not-found',
      'Microsoft Entra ID could not be reached for the client’s tenant, or does not know it. Check the tenant in the Client URL.',
      details,
    );
  }
  return new AppError(
    'bc-access-denied',
    mode === 'delegated'
      ? 'Signing in to the client’s Business Central on your behalf failed. Sign in to Teams again; if it keeps failing, ask the client to check your guest access.'
      : 'The client’s app registration could not sign in. Check its app ID and secret, and that it is enabled in Business Central’s Microsoft Entra applications page.',
    details,
  );
}

/** Client credentials (app-only) against the client's tenant, for `connection.kind === 'app'`. */
export function createClientCredentialsTokenProvider(
  options: ClientCredentialsOptions,
): TokenProvider {
  const appFor = createAppCache(options);
  return {
    async getToken(target, signal) {
      const c = target.connection;
      if (c.kind !== 'app') {
        return err(new AppError('config', 'This client does not use an app registration.'));
      }
      const authority = authorityFor(options, target);
      if (!authority.ok) return authority;
      let secret: string | null;
      try {
        secret = c.hasSecret ? await options.getAppSecret(target) : null;
      } catch (_e) {
        return err(
          new AppError('config', 'The client’s stored app secret could not be read.', {
            tenant: target.tenant,
          }),
        );
      }
      if (!secret) {
        return err(
          new AppError(
            'bc-access-denied',
            'No app secret is stored for this client. Edit the client and enter its app registration’s secret.',
            { tenant: target.tenant },
          ),
        );
      }
      const app = appFor(authority.value, c.appClientId, secret);
      return guarded(
        () => app.acquireTokenByClientCredential({ scopes: [BC_SCOPE] }),
        options,
        target,
        'app',
        signal,
      );
    },
  };
}

/**
 * What the accountant is told when neither a live Teams sign-in nor the token cache can reach a
 * client's Business Central: the daily summary shows it beside the client it could not refresh.
 */
export function renewSignInError(
  target: EnvironmentTarget,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError(
    'bc-access-denied',
    'Your access to this client’s Business Central needs renewing: open Accountant Hub in Teams once to renew your sign-in.',
    { tenant: target.tenant, mode: 'delegated', needsSignIn: true, ...details },
  );
}

/** MSAL's answers that mean "the cache cannot do it; the user has to sign in". */
const SIGN_IN_NEEDED_CODES: ReadonlySet<string> = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
  'bad_token',
  'no_tokens_found',
  'refresh_token_expired',
  'no_account_in_silent_request',
  'token_refresh_required',
]);

/** Entra numbers that mean the assertion itself was refused (expired, or not valid for OBO). */
const ASSERTION_REFUSED_AADSTS: ReadonlySet<string> = new Set(['500133', '50013']);

/**
 * Whether a Teams SSO token is worth sending: a JWT whose `exp` has passed (or is about to) is
 * not. The token was validated when the request that brought it came in; here only its expiry
 * is read. A token whose payload cannot be read is left for Entra to judge.
 */
export function isAssertionUsable(assertion: string, now: Date): boolean {
  const payload = assertion.split('.')[1];
  if (payload === undefined || payload === '') return true;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    if (typeof exp === 'number') return exp * 1000 > now.getTime() + ASSERTION_MARGIN_MS;
  } catch {
    // Not a JWT payload: Entra decides.
  }
  return true;
}

/**
 * Another account's tokens never share an MSAL application here, so the cache holds one user.
 * When Entra's on-behalf-of answer had no ID token, MSAL stored no account entity, only the
 * tokens under the user's home account id: that id is enough for a silent request.
 */
function accountOfRefreshToken(
  app: ConfidentialClientApplication,
  clientId: string,
): AccountInfo | null {
  for (const entity of Object.values(app.getTokenCache().getKVStore())) {
    const e = entity as unknown as Record<string, unknown>;
    if (
      e.credentialType === 'RefreshToken' &&
      e.clientId === clientId &&
      typeof e.homeAccountId === 'string' &&
      e.homeAccountId !== '' &&
      typeof e.environment === 'string'
    ) {
      return {
        homeAccountId: e.homeAccountId,
        environment: e.environment,
        tenantId: '',
        username: '',
        localAccountId: '',
      };
    }
  }
  return null;
}

/**
 * Failures of the silent path: what only a new sign-in can fix becomes
 * {@link renewSignInError}; the rest (Entra unreachable, slow, refusing the host) keeps its
 * reason, so a network problem is not reported as an expired sign-in.
 */
function mapSilentError(
  e: unknown,
  target: EnvironmentTarget,
  context: Record<string, unknown>,
): AppError {
  const mapped = mapAuthError(e, 'delegated', context);
  const signInNeeded =
    e instanceof InteractionRequiredAuthError ||
    (e instanceof AuthError && SIGN_IN_NEEDED_CODES.has(e.errorCode));
  if (!signInNeeded) return mapped;
  const { authError, aadsts } = mapped.details;
  return renewSignInError(target, {
    ...(authError !== undefined ? { authError } : {}),
    ...(aadsts !== undefined ? { aadsts } : {}),
  });
}

interface DelegatedApp {
  readonly app: ConfidentialClientApplication;
  /** Token requests of one application run one at a time (see `getToken`). */
  tail: Promise<unknown>;
  /** The last token the cache gave, while it has more than the renewal margin left. */
  fromCache: { readonly token: string; readonly renewAt: number } | null;
}

/** MSAL renews a cached access token this long before it expires; so does the memo below. */
const RENEWAL_MARGIN_MS = 5 * 60_000;

/**
 * On-behalf-of the accountant, for `connection.kind === 'delegated'`. With a live Teams sign-in
 * it exchanges that token (MSAL first looks for a token it already got for the same sign-in).
 * Without one, or when Entra refuses the sign-in as expired, it asks MSAL for a token from the
 * accountant's cache for this client, which MSAL refreshes with the cached refresh token; when
 * that cannot work, it answers {@link renewSignInError}.
 */
export function createOnBehalfOfTokenProvider(options: OnBehalfOfOptions): TokenProvider {
  const store = options.tokenCacheStore ?? createMemoryTokenCacheStore();
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  // One application, and so one in-memory cache, per accountant and client: MSAL's silent
  // lookup matches tokens by account, not by who asks, so sharing an application between
  // accountants would let one be served another's token.
  const apps = lruMap<DelegatedApp>(MAX_CACHED_APPS);
  const appFor = (authority: string, owner: TokenCacheOwner): DelegatedApp =>
    apps(JSON.stringify([authority, owner.accountantId, owner.clientId]), () => ({
      app: new ConfidentialClientApplication(
        msalConfig(
          options,
          { clientId: options.clientId, clientSecret: options.clientSecret, authority },
          createTokenCachePlugin(store, owner, logger),
        ),
      ),
      tail: Promise.resolve(),
      fromCache: null,
    }));

  /**
   * Runs `task` after the application's earlier requests. MSAL's silent path first clears the
   * in-memory cache and reloads it from the store; a request running meanwhile would find it
   * empty. One client's companies share one token, so waiting costs a cache lookup each.
   */
  function exclusive<T>(entry: DelegatedApp, task: () => Promise<T>): Promise<T> {
    const run = entry.tail.then(task, task);
    entry.tail = run.catch(() => undefined);
    return run;
  }

  async function fromCache(
    entry: DelegatedApp,
    target: EnvironmentTarget,
    signal: AbortSignal | undefined,
  ): Promise<Result<string>> {
    const { app } = entry;
    let account: AccountInfo | null = null;
    try {
      const accounts = await app.getTokenCache().getAllAccounts();
      account = accounts[0] ?? accountOfRefreshToken(app, options.clientId);
    } catch (_e) {
      account = null;
    }
    if (account === null) return err(renewSignInError(target, { cache: 'empty' }));
    const cachedAccount = account;
    return guarded(
      async () => {
        const result = await app.acquireTokenSilent({ account: cachedAccount, scopes: [BC_SCOPE] });
        entry.fromCache =
          result?.accessToken && result.expiresOn
            ? { token: result.accessToken, renewAt: result.expiresOn.getTime() - RENEWAL_MARGIN_MS }
            : null;
        return result;
      },
      options,
      target,
      'delegated',
      signal,
      (e, context) => mapSilentError(e, target, context),
    );
  }

  return {
    async getToken(target, signal) {
      const authority = authorityFor(options, target);
      if (!authority.ok) return authority;
      let assertion: string | null;
      try {
        assertion = await options.getUserAssertion(target);
      } catch (_e) {
        assertion = null;
      }
      if (assertion !== null && (assertion === '' || !isAssertionUsable(assertion, clock()))) {
        assertion = null;
      }
      const entry = appFor(authority.value, {
        accountantId: target.accountantId,
        clientId: target.clientId,
        tenant: target.tenant,
      });
      // A refresh of many companies asks for the same client's token many times: while the
      // accountant is away, the token the cache gave last is reused until it is due for renewal,
      // instead of unsealing and parsing the stored cache for every request.
      const memoized = (): string | null => {
        const memo = entry.fromCache;
        return assertion === null && memo !== null && clock().getTime() < memo.renewAt
          ? memo.token
          : null;
      };
      const early = memoized();
      if (early !== null) return ok(early);
      return exclusive(entry, async () => {
        // Requests that queued behind the one that filled the memo use it as well.
        const queued = memoized();
        if (queued !== null) return ok(queued);
        if (assertion !== null) {
          const oboAssertion = assertion;
          const exchanged = await guarded(
            () => entry.app.acquireTokenOnBehalfOf({ oboAssertion, scopes: [BC_SCOPE] }),
            options,
            target,
            'delegated',
            signal,
          );
          const aadsts = exchanged.ok ? undefined : exchanged.error.details.aadsts;
          if (exchanged.ok || typeof aadsts !== 'string' || !ASSERTION_REFUSED_AADSTS.has(aadsts)) {
            return exchanged;
          }
        }
        return fromCache(entry, target, signal);
      });
    },
  };
}

/**
 * Chooses a provider by the target's connection mode. A mode the hub is not configured for
 * answers with a `config` error rather than a token for the wrong identity.
 */
export function tokenProviderFor(providers: {
  readonly sample?: TokenProvider;
  readonly app?: TokenProvider;
  readonly delegated?: TokenProvider;
}): TokenProvider {
  const missing = (what: string): Promise<Result<string | null>> =>
    Promise.resolve(err(new AppError('config', `${what} is not configured on this hub.`)));
  return {
    getToken(target, signal) {
      const kind = target.connection.kind;
      switch (kind) {
        case 'sample':
          return (providers.sample ?? noTokenProvider).getToken(target, signal);
        case 'app':
          return providers.app
            ? providers.app.getToken(target, signal)
            : missing('Signing in with a client’s app registration');
        case 'delegated':
          return providers.delegated
            ? providers.delegated.getToken(target, signal)
            : missing('Signing in on behalf of the accountant (Teams single sign-on)');
        default:
          return assertNever(kind);
      }
    },
  };
}
