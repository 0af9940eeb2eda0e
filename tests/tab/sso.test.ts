/**
 * Teams SSO in the tab without Teams: the token cache (reuse until shortly before `exp`, one
 * shared request, consent), the API client's single retry after a 401 against a real HTTP server,
 * and the pure parts of the sign-in pop-up and the channel tab's saved settings.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient, ApiError } from '../../tab/src/api.js';
import {
  authStartUrl,
  authorizeUrl,
  parseSignInParams,
  readAuthResult,
} from '../../tab/src/auth-flow.js';
import { channelTabConfig } from '../../tab/src/channel-config.js';
import {
  audienceClientId,
  createSsoTokenSource,
  isConsentError,
  tokenExpiresAt,
  tokenRenewMarginMs,
  unknownExpiryTtlMs,
} from '../../tab/src/sso.js';

const appId = '11111111-2222-4333-8444-555555555555';

/** An unsigned JWT-shaped token with the given claims (the tab never checks signatures). */
function fakeToken(claims: Record<string, unknown>): string {
  const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

/** A token source over a scripted host: each call takes the next answer. */
function scripted(answers: Array<string | Error>, start = 1_000_000_000_000) {
  let now = start;
  let calls = 0;
  const source = createSsoTokenSource({
    now: () => now,
    fetchToken: () => {
      calls += 1;
      const next = answers.shift();
      if (next === undefined) return Promise.reject(new Error('no more answers'));
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  });
  return {
    source,
    calls: () => calls,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe('the SSO token cache', () => {
  it('reuses a token until shortly before it expires, then asks Teams again', async () => {
    const t0 = 1_000_000_000_000;
    const first = fakeToken({ exp: t0 / 1000 + 3600, aud: appId });
    const second = fakeToken({ exp: t0 / 1000 + 7200, aud: appId });
    const s = scripted([first, second], t0);
    expect(await s.source.getToken()).toBe(first);
    s.advance(3600_000 - tokenRenewMarginMs - 1);
    expect(await s.source.getToken()).toBe(first);
    expect(s.calls()).toBe(1);
    s.advance(2);
    expect(await s.source.getToken()).toBe(second);
    expect(s.calls()).toBe(2);
  });

  it('asks for a new token when told to refresh, even if the cached one looks fresh', async () => {
    const s = scripted([fakeToken({ exp: 9e9, n: 1 }), fakeToken({ exp: 9e9, n: 2 })]);
    const a = await s.source.getToken();
    const b = await s.source.getToken({ refresh: true });
    expect(b).not.toBe(a);
    expect(s.calls()).toBe(2);
  });

  it('shares one request to Teams between callers that ask at the same time', async () => {
    const s = scripted([fakeToken({ exp: 9e9 })]);
    const tokens = await Promise.all([1, 2, 3, 4].map(() => s.source.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(s.calls()).toBe(1);
  });

  it('keeps a token without a readable expiry only briefly', async () => {
    const s = scripted(['not-a-jwt', 'still.not-a-jwt!.x']);
    expect(await s.source.getToken()).toBe('not-a-jwt');
    s.advance(unknownExpiryTtlMs - 1);
    expect(await s.source.getToken()).toBe('not-a-jwt');
    s.advance(1);
    expect(await s.source.getToken()).toBe('still.not-a-jwt!.x');
  });

  it('answers null on a consent error, tells listeners once, and stops asking until reset', async () => {
    const s = scripted([new Error('resourceRequiresConsent'), fakeToken({ exp: 9e9, aud: appId })]);
    let told = 0;
    s.source.onConsentNeeded(() => (told += 1));
    expect(await s.source.getToken()).toBeNull();
    expect(s.source.consentNeeded).toBe(true);
    expect(s.source.lastFailure).toBe('resourceRequiresConsent');
    expect(await s.source.getToken()).toBeNull();
    expect(s.calls()).toBe(1);
    expect(told).toBe(1);
    s.source.reset();
    expect(await s.source.getToken()).toMatch(/\./);
    expect(s.source.consentNeeded).toBe(false);
    expect(s.source.appClientId).toBe(appId);
  });

  it('answers null on other failures without asking for consent, and tries again next time', async () => {
    const s = scripted([new Error('FailedToOpenWindow'), fakeToken({ exp: 9e9 })]);
    let told = 0;
    s.source.onConsentNeeded(() => (told += 1));
    expect(await s.source.getToken()).toBeNull();
    expect(s.source.consentNeeded).toBe(false);
    expect(await s.source.getToken()).not.toBeNull();
    expect(told).toBe(0);
  });

  it('recognises the ways Teams and Entra say consent is missing', () => {
    for (const e of [
      'resourceRequiresConsent',
      new Error('invalid_grant'),
      { message: 'AADSTS65001: The user or administrator has not consented' },
      'consent_required',
    ]) {
      expect(isConsentError(e)).toBe(true);
    }
    for (const e of ['CancelledByUser', new Error('Teams SSO did not answer'), 42, null]) {
      expect(isConsentError(e)).toBe(false);
    }
  });

  it('reads exp and the app id from v1 and v2 audiences, and nothing from hostile tokens', () => {
    expect(tokenExpiresAt(fakeToken({ exp: 1700000000 }))).toBe(1700000000_000);
    expect(audienceClientId(fakeToken({ aud: appId }))).toBe(appId);
    expect(audienceClientId(fakeToken({ aud: `api://tab.example/${appId}` }))).toBe(appId);
    expect(audienceClientId(fakeToken({ aud: 'api://tab.example/not-a-guid' }))).toBeNull();
    expect(tokenExpiresAt(fakeToken({ exp: '1700000000' }))).toBeNull();
    expect(tokenExpiresAt('a.%%%.b')).toBeNull();
    expect(tokenExpiresAt(`a.${Buffer.from('[1,2]').toString('base64url')}.b`)).toBeNull();
    expect(tokenExpiresAt('')).toBeNull();
  });
});

describe('the API client with SSO tokens', () => {
  let server: Server;
  let base: string;
  const seen: Array<string | undefined> = [];
  let accepted = 'good-token';

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.headers.authorization);
      res.setHeader('Content-Type', 'application/json');
      if (req.headers.authorization === `Bearer ${accepted}`) {
        res.end(JSON.stringify({ displayName: 'Avery Accountant' }));
        return;
      }
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', 'Bearer');
      res.end(
        JSON.stringify({ code: 'unauthenticated', message: 'The sign-in token has expired.' }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fetches a fresh token after a 401 and retries the call once', async () => {
    seen.length = 0;
    accepted = 'good-token';
    const s = scripted(['stale-token', 'good-token']);
    const api = new ApiClient({ baseUrl: base, getAuthToken: (r) => s.source.getToken(r) });
    expect((await api.me()).displayName).toBe('Avery Accountant');
    expect(seen).toEqual(['Bearer stale-token', 'Bearer good-token']);
    // The fresh token is cached: the next call goes straight through with it.
    await api.me();
    expect(seen).toHaveLength(3);
    expect(s.calls()).toBe(2);
  });

  it('gives up after one retry when the server refuses the fresh token too', async () => {
    seen.length = 0;
    accepted = 'never';
    const s = scripted(['one', 'two', 'three']);
    const api = new ApiClient({ baseUrl: base, getAuthToken: (r) => s.source.getToken(r) });
    const e = (await api.me().catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(401);
    expect(e.code).toBe('unauthenticated');
    expect(seen).toEqual(['Bearer one', 'Bearer two']);
  });

  it('does not retry a 401 when it sent no token (sign-in needed): the error reaches the screen', async () => {
    seen.length = 0;
    accepted = 'never';
    const s = scripted([new Error('resourceRequiresConsent')]);
    const api = new ApiClient({ baseUrl: base, getAuthToken: (r) => s.source.getToken(r) });
    const e = (await api.me().catch((x: unknown) => x)) as ApiError;
    expect(e.code).toBe('unauthenticated');
    expect(seen).toEqual([undefined]);
    expect(s.source.consentNeeded).toBe(true);
  });
});

describe('the sign-in pop-up’s addresses', () => {
  const origin = 'https://tab.example:8443';

  it('sends the user to Entra for the app’s access_as_user scope, back to auth-end.html', () => {
    const start = new URL(
      authStartUrl(origin, { clientId: appId, tenant: 'organizations', loginHint: 'a@b.example' }),
    );
    expect(start.pathname).toBe('/auth-start.html');
    const parsed = parseSignInParams(start.search);
    if (!parsed.ok) throw new Error(parsed.reason);
    const url = new URL(authorizeUrl(origin, parsed.value, 'state-1'));
    expect(url.origin).toBe('https://login.microsoftonline.com');
    expect(url.pathname).toBe('/organizations/oauth2/v2.0/authorize');
    expect(url.searchParams.get('client_id')).toBe(appId);
    expect(url.searchParams.get('scope')).toContain(
      `api://tab.example:8443/${appId}/access_as_user`,
    );
    expect(url.searchParams.get('redirect_uri')).toBe(`${origin}/auth-end.html`);
    expect(url.searchParams.get('state')).toBe('state-1');
    expect(url.searchParams.get('login_hint')).toBe('a@b.example');
  });

  it('refuses a missing or forged client id and ignores a hostile tenant', () => {
    expect(parseSignInParams('').ok).toBe(false);
    expect(parseSignInParams('?clientId=../../evil').ok).toBe(false);
    const parsed = parseSignInParams(`?clientId=${appId}&tenant=evil.example%2F..%2Fx`);
    expect(parsed.ok && parsed.value.tenant).toBe('organizations');
  });

  it('reads success only with the state this window sent, and failures with their reason', () => {
    expect(readAuthResult('', '#code=abc&state=s1', 's1')).toEqual({ kind: 'success' });
    expect(readAuthResult('', '#code=abc&state=s1', 's2')).toEqual({
      kind: 'failure',
      reason: 'state_mismatch',
    });
    expect(readAuthResult('', '#code=abc&state=s1', null).kind).toBe('failure');
    expect(
      readAuthResult(
        '?error=access_denied&error_description=AADSTS65004%3A+declined%0Atrace',
        '',
        's1',
      ),
    ).toEqual({ kind: 'failure', reason: 'access_denied: AADSTS65004: declined' });
    expect(readAuthResult('', '', 's1')).toEqual({ kind: 'none' });
  });
});

describe('the channel tab’s saved settings', () => {
  it('points at the dashboard in channel mode, for all clients or one', () => {
    const all = channelTabConfig('https://tab.example', { kind: 'all' });
    expect(all).toEqual({
      contentUrl: 'https://tab.example/?view=dashboard&channel=1',
      websiteUrl: 'https://tab.example/?view=dashboard&channel=1',
      entityId: 'dashboard',
      suggestedDisplayName: 'Accountant Hub',
    });
    const one = channelTabConfig(
      'https://tab.example',
      { kind: 'client', clientId: 'a&b=c' },
      appId,
    );
    const url = new URL(one.contentUrl);
    expect(url.searchParams.get('clientId')).toBe('a&b=c');
    expect(url.searchParams.get('appClientId')).toBe(appId);
    expect(one.entityId).toBe('dashboard-a&b=c');
  });
});
