/**
 * Validates the Microsoft Entra access token that Teams SSO gives the tab
 * (`authentication.getAuthToken()`), so the server knows which accountant is calling.
 *
 * The Teams context (`app.getContext()`) names a user too, but anyone can forge it: only a token
 * whose RS256 signature checks out against the tenant's published keys is proof of identity.
 * Every refusal is an `AppError('unauthenticated')` whose message is short, safe to show and
 * never contains the token; `details.failure` says which check failed, for logs and tests.
 */
import http from 'node:http';
import https from 'node:https';
import {
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { AppError, err, ok, type Result } from '../../src/domain/errors.js';
import type { Clock } from '../../src/domain/dates.js';

/** Who a valid token says the caller is. */
export interface EntraUser {
  /** The user's home-or-guest tenant as the token states it (`tid`), lowercase GUID. */
  readonly entraTenantId: string;
  /** The user's object id in that tenant (`oid`), lowercase GUID. */
  readonly userObjectId: string;
  /** `name`, else `preferred_username`, else a neutral label: display only, never an identifier. */
  readonly displayName: string;
}

export interface EntraTokenValidatorOptions {
  /** The app registration's client id: the audience of v2.0 tokens. */
  readonly clientId: string;
  /** The Application ID URI, `api://{TAB_DOMAIN}/{clientId}`: the audience of v1.0 tokens. */
  readonly appIdUri: string;
  /** Tenants whose users may sign in (GUIDs), or `'*'` for any tenant. */
  readonly allowedTenants: '*' | readonly string[];
  /**
   * The Entra sign-in host, `https://login.microsoftonline.com` unless a national cloud uses
   * another: the v2.0 issuer is `{authorityHost}/{tenant}/v2.0`.
   */
  readonly authorityHost?: string;
  /**
   * Where a tenant's signing keys live. Default `{authorityHost}/{tenant}/discovery/v2.0/keys`;
   * tests point it at a loopback server.
   */
  readonly jwksUrl?: (tenantId: string) => string;
  /** Slack for clock skew between Entra and this server, in seconds. Default 300. */
  readonly clockToleranceSec?: number;
  /** How long to wait for a tenant's key set, in milliseconds. Default 5000. */
  readonly jwksTimeoutMs?: number;
  readonly clock?: Clock;
  /** The delegated scope the token must carry in `scp`. Default `access_as_user`. */
  readonly requiredScope?: string;
  /**
   * When set, the token's `azp` (v2) / `appid` (v1) must be one of these client apps, for
   * example {@link TEAMS_CLIENT_APP_IDS}. Pre-authorization in Entra already limits who gets a
   * token silently; this is defence in depth.
   */
  readonly allowedClientAppIds?: readonly string[];
}

export interface EntraTokenValidator {
  validate(token: string): Promise<Result<EntraUser>>;
}

/** Why a token was refused; kept in `AppError.details.failure`. */
export type TokenFailure =
  | 'missing'
  | 'too-large'
  | 'malformed'
  | 'algorithm'
  | 'tenant'
  | 'tenant-not-allowed'
  | 'version'
  | 'signature'
  | 'keys-unavailable'
  | 'expired'
  | 'not-yet-valid'
  | 'audience'
  | 'issuer'
  | 'client-app'
  | 'scope'
  | 'user';

/**
 * The client ids of the Microsoft 365 hosts that request Teams SSO tokens (Teams desktop,
 * mobile and web; Microsoft 365 and Outlook on web, desktop and mobile). They are the apps to
 * pre-authorize for `access_as_user` in the Entra registration.
 */
export const TEAMS_CLIENT_APP_IDS: readonly string[] = Object.freeze([
  '1fec8e78-bce4-4aaf-ab1b-5451cc387264', // Teams desktop and mobile
  '5e3ce6c0-2b1f-4285-8d4b-75ee78787346', // Teams web
  '4345a7b9-9a63-4910-a426-35363201d503', // Microsoft 365 web
  '4765445b-32c6-49b0-83e6-1d93765276ca', // Microsoft 365 web (Office apps)
  '0ec893e0-5785-4de6-99da-4ed124e5296c', // Microsoft 365 desktop
  'd3590ed6-52b3-4102-aeff-aad2292ab01c', // Microsoft 365 mobile, Outlook desktop
  'bc59ab01-8403-45c6-8796-ac3ef710b3e3', // Outlook web
  '27922004-5251-4030-b22d-91ecd9a37ea4', // Outlook mobile
  '00000002-0000-0ff1-ce00-000000000000', // Outlook web (Exchange Online)
]);

/**
 * Entra access tokens are a few KB; even with a full `groups` claim they stay well under this.
 * Refusing larger input before any parsing keeps a hostile header from costing CPU or memory.
 */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** A tenant's signing-key fetcher is kept for this many tenants at most (least recently added goes first). */
const MAX_CACHED_TENANTS = 256;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** One segment of a compact JWS; the signature segment of an unsigned token is empty. */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** The Application ID URI Teams SSO uses: `api://{host of the public URL}/{client id}`. */
export function appIdUriFor(publicUrl: string, clientId: string): string {
  return `api://${new URL(publicUrl).host}/${clientId}`;
}

const messages: Record<TokenFailure, string> = {
  missing: 'Sign-in is required: no token was sent.',
  'too-large': 'The sign-in token is too large.',
  malformed: 'The sign-in token is malformed.',
  algorithm: 'The sign-in token is not signed with an accepted algorithm.',
  tenant: 'The sign-in token does not name a valid tenant.',
  'tenant-not-allowed': "Your organisation's tenant is not allowed to use this app.",
  version: 'The sign-in token has an unsupported version.',
  signature: 'The sign-in token signature is not valid.',
  'keys-unavailable':
    'Sign-in could not be checked right now (signing keys unavailable). Try again.',
  expired: 'The sign-in token has expired. Sign in again.',
  'not-yet-valid': 'The sign-in token is not valid yet. Check the clock of this server.',
  audience: 'The sign-in token was issued for another application.',
  issuer: 'The sign-in token has an unexpected issuer.',
  'client-app': 'The sign-in token was requested by an application that is not allowed.',
  scope: 'The sign-in token lacks the permission this app needs.',
  user: 'The sign-in token does not identify a user.',
};

/** The refusal for one failed check: a safe message, the failure code in details. */
export function tokenError(failure: TokenFailure, cause?: unknown): AppError {
  return new AppError(
    'unauthenticated',
    messages[failure],
    { failure },
    cause === undefined ? undefined : { cause },
  );
}

export function createEntraTokenValidator(
  options: EntraTokenValidatorOptions,
): EntraTokenValidator {
  const clientId = options.clientId.trim().toLowerCase();
  const appIdUri = options.appIdUri.trim();
  if (!GUID.test(clientId)) {
    throw new AppError('config', 'The Entra client id must be a GUID.');
  }
  if (!appIdUri.startsWith('api://')) {
    throw new AppError('config', 'The Application ID URI must start with api://.');
  }
  const allowedTenants =
    options.allowedTenants === '*'
      ? '*'
      : new Set(options.allowedTenants.map((t) => t.trim().toLowerCase()));
  const allowedClientApps = options.allowedClientAppIds
    ? new Set(options.allowedClientAppIds.map((a) => a.toLowerCase()))
    : null;
  const authorityHost = (options.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
  const jwksUrl =
    options.jwksUrl ?? ((tenantId: string) => `${authorityHost}/${tenantId}/discovery/v2.0/keys`);
  const clockTolerance = options.clockToleranceSec ?? 300;
  const clock = options.clock ?? (() => new Date());
  const requiredScope = options.requiredScope ?? 'access_as_user';

  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keySetFor = (tenantId: string): ReturnType<typeof createRemoteJWKSet> => {
    const cached = keySets.get(tenantId);
    if (cached) return cached;
    if (keySets.size >= MAX_CACHED_TENANTS) {
      const oldest = keySets.keys().next();
      if (!oldest.done) keySets.delete(oldest.value);
    }
    const created = createRemoteJWKSet(new URL(jwksUrl(tenantId)), {
      timeoutDuration: options.jwksTimeoutMs ?? 5000,
      [customFetch]: fetchKeySet,
    });
    keySets.set(tenantId, created);
    return created;
  };

  async function validate(token: string): Promise<Result<EntraUser>> {
    if (typeof token !== 'string' || token.length === 0) return err(tokenError('missing'));
    if (token.length > MAX_TOKEN_LENGTH) return err(tokenError('too-large'));
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) {
      return err(tokenError('malformed'));
    }

    // Read the header and claims unverified only to choose the checks and the key set; nothing
    // read here is trusted until jwtVerify has checked the signature.
    let alg: unknown;
    let unverified: JWTPayload;
    try {
      alg = decodeProtectedHeader(token).alg;
      unverified = decodeJwt(token);
    } catch (e) {
      return err(tokenError('malformed', e));
    }
    // RS256 only, decided before any key is touched: this shuts out `alg: none` and the
    // HS256-with-the-public-key confusion attack whatever the key set contains.
    if (alg !== 'RS256') return err(tokenError('algorithm'));
    if (parts[2] === '') return err(tokenError('signature'));

    const tenantId = typeof unverified.tid === 'string' ? unverified.tid.toLowerCase() : '';
    if (!GUID.test(tenantId)) return err(tokenError('tenant'));
    // Checked before fetching keys, so tokens from foreign tenants cost no outbound request.
    if (allowedTenants !== '*' && !allowedTenants.has(tenantId)) {
      return err(tokenError('tenant-not-allowed'));
    }

    // v2.0 tokens carry the client id as audience and the v2 issuer; v1.0 tokens the STS issuer
    // and either the Application ID URI or the client id.
    const version = unverified.ver;
    let audience: string[];
    let issuer: string;
    if (version === '2.0') {
      audience = [clientId];
      issuer = `${authorityHost}/${tenantId}/v2.0`;
    } else if (version === '1.0') {
      audience = [appIdUri, clientId];
      issuer = `https://sts.windows.net/${tenantId}/`;
    } else {
      return err(tokenError('version'));
    }

    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(token, keySetFor(tenantId), {
        algorithms: ['RS256'],
        audience,
        issuer,
        clockTolerance,
        currentDate: clock(),
        requiredClaims: ['exp', 'nbf', 'iss', 'aud'],
      });
      payload = verified.payload;
    } catch (e) {
      return err(tokenError(failureOf(e), e));
    }

    if (allowedClientApps) {
      const clientApp = version === '2.0' ? payload.azp : payload.appid;
      if (typeof clientApp !== 'string' || !allowedClientApps.has(clientApp.toLowerCase())) {
        return err(tokenError('client-app'));
      }
    }

    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(requiredScope)) return err(tokenError('scope'));

    const oid = typeof payload.oid === 'string' ? payload.oid.toLowerCase() : '';
    if (!GUID.test(oid)) return err(tokenError('user'));

    return ok({ entraTenantId: tenantId, userObjectId: oid, displayName: displayNameOf(payload) });
  }

  return { validate };
}

/** Maps what jose threw to the check that failed. */
function failureOf(e: unknown): TokenFailure {
  if (e instanceof joseErrors.JWTExpired) return 'expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'nbf':
        return e.reason === 'missing' ? 'malformed' : 'not-yet-valid';
      case 'aud':
        return 'audience';
      case 'iss':
        return 'issuer';
      case 'exp':
        return e.reason === 'missing' ? 'malformed' : 'expired';
      default:
        return 'malformed';
    }
  }
  if (
    e instanceof joseErrors.JWSSignatureVerificationFailed ||
    e instanceof joseErrors.JWKSNoMatchingKey ||
    e instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return 'signature';
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm';
  if (e instanceof joseErrors.JWSInvalid || e instanceof joseErrors.JWTInvalid) return 'malformed';
  // Anything else is the key fetch failing: timeout, network, a non-200 or a broken key set.
  return 'keys-unavailable';
}

function displayNameOf(payload: JWTPayload): string {
  for (const claim of ['name', 'preferred_username', 'upn', 'unique_name'] as const) {
    const value = payload[claim];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
  }
  return 'Microsoft 365 user';
}

/**
 * Fetches a key set with a plain `node:http(s)` GET. The key set is small and fetched rarely; a
 * direct request keeps signature checks independent of the process-wide `fetch` pool, which
 * other parts of the app (and suites sharing a test worker) load heavily. Redirects are not
 * followed: jose refuses anything but a 200.
 */
const fetchKeySet: FetchImplementation = (url, init) =>
  new Promise<Response>((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {};
    init.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const req = client.request(target, { method: 'GET', headers, signal: init.signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // A key set is a few kilobytes; anything far larger is not one.
        if (size > 1_048_576) req.destroy(new Error('key set too large'));
        else chunks.push(chunk);
      });
      res.on('end', () =>
        resolve(
          new Response(Buffer.concat(chunks), {
            status: res.statusCode ?? 500,
            headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') },
          }),
        ),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
