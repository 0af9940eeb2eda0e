/**
 * Teams single sign-on for the tab: a cache in front of teams-js `authentication.getAuthToken()`,
 * and the few facts the tab reads from the token itself.
 *
 * The cache exists because every `/api` call needs the token and asking Teams each time costs a
 * round trip to the host. A token is reused until shortly before its `exp`; after a 401 the
 * caller asks for a fresh one (`refresh: true`) once. The token is read, never trusted: the
 * server validates it; the tab only looks at `exp` (when to renew) and `aud` (which app it is for).
 */

/** How long before `exp` a cached token is renewed, so it never expires on the way to the server. */
export const tokenRenewMarginMs = 5 * 60_000;

/** How long a token whose `exp` cannot be read is reused. */
export const unknownExpiryTtlMs = 60_000;

/** Asks the host for a token; teams-js `authentication.getAuthToken` inside Teams. */
export type FetchToken = () => Promise<string>;

export interface TokenRequest {
  /** Skip the cache: the server refused the cached token. */
  readonly refresh?: boolean;
}

export interface SsoTokenSource {
  /**
   * The current token, from the cache when it is still good. Null when Teams gave none: the
   * request then goes without one and the server's 401 says why. Never rejects.
   */
  getToken(request?: TokenRequest): Promise<string | null>;
  /** True after Teams said the user must consent (sign in) first; cleared by {@link reset}. */
  readonly consentNeeded: boolean;
  /** Why the last attempt failed, for the sign-in prompt; null after a success. */
  readonly lastFailure: string | null;
  /** The app's Entra client id, read from the last token's audience; null until one arrives. */
  readonly appClientId: string | null;
  /** Forgets the cached token and the consent state (after the user signed in). */
  reset(): void;
  /** Calls `listener` each time Teams says consent is needed; returns an unsubscribe. */
  onConsentNeeded(listener: () => void): () => void;
}

export interface SsoTokenSourceOptions {
  readonly fetchToken: FetchToken;
  /** Milliseconds since the epoch; injected so tests control expiry. */
  readonly now?: () => number;
}

const consentPatterns = [
  /resourceRequiresConsent/i,
  /consent_required/i,
  /interaction_required/i,
  /invalid_grant/i,
  /AADSTS65001/i,
  /\bconsent\b/i,
];

/** The text of whatever teams-js rejected with (it rejects with strings as well as Errors). */
export function failureText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null) {
    const { message, errorCode } = e as { message?: unknown; errorCode?: unknown };
    if (typeof message === 'string') return message;
    if (typeof errorCode === 'string' || typeof errorCode === 'number') return String(errorCode);
  }
  return 'unknown error';
}

/** True when Teams refused a token because the user (or an admin) has not consented yet. */
export function isConsentError(e: unknown): boolean {
  const text = failureText(e);
  return consentPatterns.some((p) => p.test(text));
}

/** The JSON payload of a JWT, or null when `token` is not one. */
export function tokenClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload || !/^[A-Za-z0-9_-]+$/.test(payload)) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** When the token expires, in milliseconds since the epoch; null when `exp` is missing. */
export function tokenExpiresAt(token: string): number | null {
  const exp = tokenClaims(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for an Entra client id (a GUID). */
export function isGuid(value: string | null | undefined): value is string {
  return typeof value === 'string' && guid.test(value);
}

/**
 * The app's client id from a token's `aud`: the GUID itself (v2 tokens) or the last segment of
 * `api://{host}/{clientId}` (v1).
 */
export function audienceClientId(token: string): string | null {
  const aud = tokenClaims(token)?.aud;
  if (typeof aud !== 'string') return null;
  const last = aud.split('/').pop();
  return isGuid(last) ? last : null;
}

/** A token cache over `fetchToken`; concurrent callers share one request to the host. */
export function createSsoTokenSource(options: SsoTokenSourceOptions): SsoTokenSource {
  const now = options.now ?? Date.now;
  let cached: { token: string; renewAt: number } | null = null;
  let pending: Promise<string | null> | null = null;
  let consentNeeded = false;
  let lastFailure: string | null = null;
  let appClientId: string | null = null;
  const listeners = new Set<() => void>();

  const fetchFresh = async (): Promise<string | null> => {
    try {
      const token = await options.fetchToken();
      const expiresAt = tokenExpiresAt(token);
      cached = {
        token,
        renewAt: expiresAt === null ? now() + unknownExpiryTtlMs : expiresAt - tokenRenewMarginMs,
      };
      appClientId = audienceClientId(token) ?? appClientId;
      lastFailure = null;
      return token;
    } catch (e) {
      cached = null;
      lastFailure = failureText(e);
      if (isConsentError(e)) {
        consentNeeded = true;
        for (const listener of [...listeners]) listener();
      }
      return null;
    }
  };

  return {
    getToken(request = {}) {
      // Asking again while consent is missing would only fail again (and may flash a prompt).
      if (consentNeeded) return Promise.resolve(null);
      if (!request.refresh && cached && now() < cached.renewAt) {
        return Promise.resolve(cached.token);
      }
      if (request.refresh) cached = null;
      pending ??= fetchFresh().finally(() => {
        pending = null;
      });
      return pending;
    },
    get consentNeeded() {
      return consentNeeded;
    },
    get lastFailure() {
      return lastFailure;
    },
    get appClientId() {
      return appClientId;
    },
    reset() {
      cached = null;
      consentNeeded = false;
      lastFailure = null;
    },
    onConsentNeeded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
