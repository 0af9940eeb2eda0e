/**
 * Token providers for the three connection modes (see {@link ConnectionMode}):
 * - `sample`: the embedded sample tenant takes no token;
 * - `app`: client credentials of an Entra app the client registered in their tenant
 *   (`acquireTokenByClientCredential`), its secret handed over by the registry, unsealed;
 * - `delegated`: the accountant's own (guest) identity in the client's tenant, obtained
 *   on-behalf-of the Teams SSO token they signed in with (`acquireTokenOnBehalfOf`).
 *
 * Tokens are always requested against the *client's* tenant authority (`{login}/{tenant}`): the
 * accountant is a guest there, and the client's app lives there. Tokens, secrets and user
 * assertions never reach a log line or an error message.
 */
import { createHash } from 'node:crypto';
import {
  AuthError,
  ConfidentialClientApplication,
  ServerError,
  type AuthenticationResult,
  type INetworkModule,
} from '@azure/msal-node';
import { AppError, assertNever, err, ok, type Result } from '../domain/errors.js';
import { silentLogger, type Logger } from '../logging.js';
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

/** What the providers need of MSAL's confidential client (a seam for the network, not for MSAL). */
interface ConfidentialClient {
  acquireTokenByClientCredential(
    request: Parameters<ConfidentialClientApplication['acquireTokenByClientCredential']>[0],
  ): Promise<AuthenticationResult | null>;
  acquireTokenOnBehalfOf(
    request: Parameters<ConfidentialClientApplication['acquireTokenOnBehalfOf']>[0],
  ): Promise<AuthenticationResult | null>;
}

interface MsalCommonOptions {
  /** `https://login.microsoftonline.com` unless a national cloud is used. */
  readonly loginAuthority?: string;
  /** Replaces MSAL's HTTP client (a proxy, or a local Entra stand-in in tests). */
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
  /** The accountant's incoming Teams SSO token, or `null` when they must sign in again. */
  readonly getUserAssertion: (target: EnvironmentTarget) => Promise<string | null>;
}

const MAX_CACHED_APPS = 500;

/** One MSAL application per authority and credentials, so MSAL's token cache does its job. */
function createAppCache(options: MsalCommonOptions) {
  const apps = new Map<string, ConfidentialClient>();
  return (authority: string, clientId: string, clientSecret: string): ConfidentialClient => {
    const key = `${authority}|${clientId}|${createHash('sha256').update(clientSecret).digest('hex')}`;
    const cached = apps.get(key);
    if (cached) {
      apps.delete(key);
      apps.set(key, cached);
      return cached;
    }
    const app = new ConfidentialClientApplication({
      auth: { clientId, clientSecret, authority },
      system: options.msalNetworkClient ? { networkClient: options.msalNetworkClient } : {},
    });
    apps.set(key, app);
    if (apps.size > MAX_CACHED_APPS) {
      const oldest = apps.keys().next().value;
      if (oldest !== undefined) apps.delete(oldest);
    }
    return app;
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
    const error = mapAuthError(e, mode, context);
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
  const errorNo: unknown = e instanceof ServerError ? e.errorNo : undefined;
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
  if (e.errorCode === 'network_error') {
    return new AppError(
      'bc-unreachable',
      'The hub could not reach Microsoft Entra ID to sign in.',
      details,
    );
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

/** On-behalf-of the accountant's Teams sign-in, for `connection.kind === 'delegated'`. */
export function createOnBehalfOfTokenProvider(options: OnBehalfOfOptions): TokenProvider {
  const appFor = createAppCache(options);
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
      if (!assertion) {
        return err(
          new AppError(
            'bc-access-denied',
            'Your Teams sign-in has expired for this client. Open the hub in Teams again to sign in.',
            { tenant: target.tenant },
          ),
        );
      }
      const app = appFor(authority.value, options.clientId, options.clientSecret);
      const oboAssertion = assertion;
      return guarded(
        () => app.acquireTokenOnBehalfOf({ oboAssertion, scopes: [BC_SCOPE] }),
        options,
        target,
        'delegated',
        signal,
      );
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
