/**
 * The consent pop-up's addresses and results, kept pure so they are tested without a browser.
 *
 * Teams SSO gives the tab a token silently once the user has consented to the app. When Teams
 * says consent is missing, the tab opens `auth-start.html` in a Teams pop-up; it sends the user
 * to the Microsoft Entra authorize endpoint for the app's `access_as_user` scope, and Entra sends
 * them back to `auth-end.html`, which reports success or failure to Teams. The point of the trip
 * is the consent itself: the authorization code Entra returns is never used or passed on; the
 * tab asks Teams for a token again afterwards.
 *
 * Where the client id comes from: `GET /api/health` does not expose it, so the tab passes it to
 * `auth-start.html?clientId=`. The tab knows it from the audience of an SSO token it received
 * earlier or from its own address (`?appClientId=`, which the manifest's tab URLs may carry).
 */
import { isGuid } from './sso.js';

/** Entra's sign-in host; the authorize endpoint lives under it. */
export const entraAuthorityOrigin = 'https://login.microsoftonline.com';

/** Where the pop-up's state is kept between `auth-start.html` and `auth-end.html`. */
export const authStateKey = 'accountant-hub.auth-state';

export interface SignInParams {
  /** The app's Entra client id (a GUID). */
  readonly clientId: string;
  /** The user's tenant id, or `organizations` when unknown. */
  readonly tenant: string;
  readonly loginHint: string | null;
}

const tenantPattern =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|organizations|common)$/i;

/** The address of `auth-start.html` with what it needs; `clientId` may be missing (it then explains). */
export function authStartUrl(
  origin: string,
  params: { clientId: string | null; tenant?: string | null; loginHint?: string | null },
): string {
  const url = new URL('/auth-start.html', origin);
  if (params.clientId) url.searchParams.set('clientId', params.clientId);
  if (params.tenant) url.searchParams.set('tenant', params.tenant);
  if (params.loginHint) url.searchParams.set('loginHint', params.loginHint);
  return url.toString();
}

/** Reads and checks `auth-start.html`'s query; a reason to show when it cannot start. */
export function parseSignInParams(
  search: string,
): { ok: true; value: SignInParams } | { ok: false; reason: string } {
  const q = new URLSearchParams(search);
  const clientId = q.get('clientId');
  if (!clientId) {
    return {
      ok: false,
      reason:
        'This sign-in page was opened without the app’s client id, so it cannot ask Microsoft to sign you in.',
    };
  }
  if (!isGuid(clientId)) {
    return { ok: false, reason: 'The app’s client id given to this sign-in page is not valid.' };
  }
  const tenant = q.get('tenant');
  const loginHint = q.get('loginHint');
  return {
    ok: true,
    value: {
      clientId,
      tenant: tenant && tenantPattern.test(tenant) ? tenant : 'organizations',
      loginHint: loginHint && loginHint.length <= 256 ? loginHint : null,
    },
  };
}

/**
 * The Entra authorize address for the app's `access_as_user` scope on this host. The redirect is
 * `auth-end.html` on the same origin, registered as the app's web redirect URI.
 */
export function authorizeUrl(origin: string, params: SignInParams, state: string): string {
  const host = new URL(origin).host;
  const url = new URL(
    `/${encodeURIComponent(params.tenant)}/oauth2/v2.0/authorize`,
    entraAuthorityOrigin,
  );
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('response_mode', 'fragment');
  url.searchParams.set('redirect_uri', new URL('/auth-end.html', origin).toString());
  url.searchParams.set('scope', `openid profile api://${host}/${params.clientId}/access_as_user`);
  url.searchParams.set('state', state);
  if (params.loginHint) url.searchParams.set('login_hint', params.loginHint);
  return url.toString();
}

/** A fresh random state value for one sign-in. */
export function newAuthState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export type AuthResult =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure'; readonly reason: string }
  | { readonly kind: 'none' };

/**
 * What Entra sent back to `auth-end.html`, from the fragment or the query. A `state` that is not
 * the one this window sent is a failure: the answer belongs to another sign-in (or a forgery).
 */
export function readAuthResult(
  search: string,
  hash: string,
  expectedState: string | null,
): AuthResult {
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  const query = new URLSearchParams(search);
  const get = (name: string): string | null => fragment.get(name) ?? query.get(name);
  const error = get('error');
  if (error) {
    const description = get('error_description')?.split(/\r?\n/, 1)[0]?.slice(0, 300);
    return { kind: 'failure', reason: description ? `${error}: ${description}` : error };
  }
  const granted = get('code') ?? get('id_token') ?? get('access_token');
  if (!granted) return { kind: 'none' };
  if (!expectedState || get('state') !== expectedState) {
    return { kind: 'failure', reason: 'state_mismatch' };
  }
  return { kind: 'success' };
}
