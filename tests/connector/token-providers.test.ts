/**
 * The providers run the real MSAL confidential client; only its network module is replaced by a
 * local stand-in for Microsoft Entra ID's token endpoint (MSAL knows the public cloud's metadata,
 * so the token POST is the only call it makes).
 */
import { describe, expect, test } from '@jest/globals';
import {
  AuthError,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { msalNetworkErrorCodes } from '../../src/connector/msal-network-client.js';
import {
  BC_SCOPE,
  createClientCredentialsTokenProvider,
  createOnBehalfOfTokenProvider,
  mapAuthError,
  noTokenProvider,
  tokenProviderFor,
} from '../../src/connector/token-providers.js';
import type { EnvironmentTarget } from '../../src/connector/tenant-connector.js';
import type { TokenProvider } from '../../src/connector/token-provider.js';
import { ok } from '../../src/domain/errors.js';
import type { AccountantId, ClientId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logging.js';

const SECRET = 'app-secret-Zx9~value';
const ASSERTION = 'eyJhbGciOiJSUzI1NiJ9.teams-sso-assertion.sig';

interface Posted {
  readonly url: URL;
  readonly form: URLSearchParams;
}

/** Entra's token endpoint, in process: answers each POST with the next scripted reply. */
function fakeEntra(reply: (form: URLSearchParams) => { status: number; body: unknown } | 'hang') {
  const posted: Posted[] = [];
  const network: INetworkModule = {
    async sendGetRequestAsync<T>(url: string): Promise<NetworkResponse<T>> {
      return { status: 404, headers: {}, body: { error: 'unexpected GET', url } as T };
    },
    async sendPostRequestAsync<T>(
      url: string,
      options?: NetworkRequestOptions,
    ): Promise<NetworkResponse<T>> {
      const form = new URLSearchParams(options?.body ?? '');
      posted.push({ url: new URL(url), form });
      const r = reply(form);
      if (r === 'hang') return new Promise(() => undefined);
      return { status: r.status, headers: {}, body: r.body as T };
    },
  };
  return { network, posted };
}

const tokenBody = (accessToken: string) => ({
  token_type: 'Bearer',
  expires_in: 3599,
  ext_expires_in: 3599,
  access_token: accessToken,
});

const entraError = (status: number, error: string, code: number, description: string) => ({
  status,
  body: {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: 0 Correlation ID: 0 Timestamp: 2025-03-10 12:00:00Z`,
    error_codes: [code],
    timestamp: '2025-03-10 12:00:00Z',
    trace_id: '00000000-0000-0000-0000-000000000000',
    correlation_id: '00000000-0000-0000-0000-000000000000',
  },
});

const base = {
  tenant: 'contoso.onmicrosoft.com',
  environment: 'production',
  accountantId: 'tid:oid' as AccountantId,
  clientId: 'client-1' as ClientId,
};
const appTarget: EnvironmentTarget = {
  ...base,
  connection: { kind: 'app', appClientId: '11111111-2222-3333-4444-555555555555', hasSecret: true },
};
const delegatedTarget: EnvironmentTarget = { ...base, connection: { kind: 'delegated' } };
const sampleTarget: EnvironmentTarget = { ...base, connection: { kind: 'sample' } };

describe('client credentials', () => {
  test('asks the client’s tenant for a Business Central token with the app’s id and secret', async () => {
    const entra = fakeEntra(() => ({ status: 200, body: tokenBody('bc-token-1') }));
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => SECRET,
      msalNetworkClient: entra.network,
    });
    const r = await provider.getToken(appTarget);
    expect(r).toEqual({ ok: true, value: 'bc-token-1' });
    expect(entra.posted).toHaveLength(1);
    const [post] = entra.posted;
    expect(post!.url.origin + post!.url.pathname).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    );
    expect(post!.form.get('grant_type')).toBe('client_credentials');
    expect(post!.form.get('scope')).toBe(BC_SCOPE);
    expect(post!.form.get('client_id')).toBe('11111111-2222-3333-4444-555555555555');
    expect(post!.form.get('client_secret')).toBe(SECRET);
  });

  test('a second call is served from MSAL’s cache', async () => {
    const entra = fakeEntra(() => ({ status: 200, body: tokenBody('bc-token-1') }));
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => SECRET,
      msalNetworkClient: entra.network,
    });
    await provider.getToken(appTarget);
    await provider.getToken(appTarget);
    expect(entra.posted).toHaveLength(1);
  });

  test('a changed secret is used at once', async () => {
    const entra = fakeEntra(() => ({ status: 200, body: tokenBody('t') }));
    let secret = SECRET;
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => secret,
      msalNetworkClient: entra.network,
    });
    await provider.getToken(appTarget);
    secret = 'new-secret';
    await provider.getToken(appTarget);
    expect(entra.posted.map((p) => p.form.get('client_secret'))).toEqual([SECRET, 'new-secret']);
  });

  test('a wrong secret is access denied, and the secret reaches no log or error', async () => {
    const lines: string[] = [];
    const entra = fakeEntra(() =>
      entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided.'),
    );
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => SECRET,
      msalNetworkClient: entra.network,
      logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    });
    const r = await provider.getToken(appTarget);
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    expect(r.ok || r.error.message).toMatch(/secret is wrong or has expired/);
    expect(r.ok || r.error.details.aadsts).toBe('7000215');
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).not.toContain(SECRET);
  });

  test('an unknown tenant is tenant-not-found', async () => {
    const entra = fakeEntra(() =>
      entraError(400, 'invalid_request', 90002, "Tenant 'nope' not found."),
    );
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => SECRET,
      msalNetworkClient: entra.network,
    });
    const r = await provider.getToken(appTarget);
    expect(r.ok || r.error.reason).toBe('bc-tenant-not-found');
  });

  test('an app not consented in the client’s tenant says so', async () => {
    const entra = fakeEntra(() =>
      entraError(
        400,
        'unauthorized_client',
        700016,
        "Application with identifier 'x' was not found in the directory.",
      ),
    );
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => SECRET,
      msalNetworkClient: entra.network,
    });
    const r = await provider.getToken(appTarget);
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    expect(r.ok || r.error.message).toMatch(/app registration was not found/);
  });

  test('no stored secret is refused without calling Entra', async () => {
    const entra = fakeEntra(() => ({ status: 200, body: tokenBody('t') }));
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => null,
      msalNetworkClient: entra.network,
    });
    const r = await provider.getToken(appTarget);
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    const noSecret = await provider.getToken({
      ...appTarget,
      connection: { kind: 'app', appClientId: 'x', hasSecret: false },
    });
    expect(noSecret.ok || noSecret.error.reason).toBe('bc-access-denied');
    expect(entra.posted).toHaveLength(0);
  });

  test('a secret store that throws is a configuration error', async () => {
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => {
        throw new Error(`cannot unseal ${SECRET}`);
      },
    });
    const r = await provider.getToken(appTarget);
    expect(r.ok || r.error.reason).toBe('config');
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  test('Entra that never answers yields bc-timeout', async () => {
    const entra = fakeEntra(() => 'hang');
    const provider = createClientCredentialsTokenProvider({
      getAppSecret: async () => SECRET,
      msalNetworkClient: entra.network,
      timeoutMs: 100,
    });
    const r = await provider.getToken(appTarget);
    expect(r.ok || r.error.reason).toBe('bc-timeout');
  });

  test('a tenant name that is not a plain name is refused', async () => {
    const provider = createClientCredentialsTokenProvider({ getAppSecret: async () => SECRET });
    const r = await provider.getToken({ ...appTarget, tenant: 'evil.com/../x' });
    expect(r.ok || r.error.reason).toBe('validation');
  });
});

describe('on behalf of the accountant', () => {
  test('exchanges the Teams sign-in for a Business Central token in the client’s tenant', async () => {
    const entra = fakeEntra(() => ({ status: 200, body: tokenBody('obo-token') }));
    const provider = createOnBehalfOfTokenProvider({
      clientId: 'hub-app-id',
      clientSecret: 'hub-secret',
      getUserAssertion: async () => ASSERTION,
      msalNetworkClient: entra.network,
    });
    const r = await provider.getToken(delegatedTarget);
    expect(r).toEqual({ ok: true, value: 'obo-token' });
    const [post] = entra.posted;
    expect(post!.url.pathname).toBe('/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(post!.form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(post!.form.get('requested_token_use')).toBe('on_behalf_of');
    expect(post!.form.get('assertion')).toBe(ASSERTION);
    expect(post!.form.get('scope')).toContain(BC_SCOPE);
  });

  test('a guest who has not accepted the invitation is told to accept it', async () => {
    const entra = fakeEntra(() =>
      entraError(
        400,
        'invalid_grant',
        50020,
        "User account from identity provider does not exist in tenant 'Contoso'.",
      ),
    );
    const provider = createOnBehalfOfTokenProvider({
      clientId: 'hub-app-id',
      clientSecret: 'hub-secret',
      getUserAssertion: async () => ASSERTION,
      msalNetworkClient: entra.network,
    });
    const r = await provider.getToken(delegatedTarget);
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    expect(r.ok || r.error.message).toMatch(/invitation/);
    expect(JSON.stringify(r)).not.toContain(ASSERTION);
  });

  test('no Teams sign-in and nothing cached means open the hub in Teams, without calling Entra', async () => {
    const entra = fakeEntra(() => ({ status: 200, body: tokenBody('x') }));
    const provider = createOnBehalfOfTokenProvider({
      clientId: 'hub-app-id',
      clientSecret: 'hub-secret',
      getUserAssertion: async () => null,
      msalNetworkClient: entra.network,
    });
    const r = await provider.getToken(delegatedTarget);
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    expect(r.ok || r.error.message).toMatch(/open Accountant Hub in Teams once to renew/);
    expect(entra.posted).toHaveLength(0);
  });
});

describe('choosing a provider', () => {
  const fixed = (token: string): TokenProvider => ({ getToken: async () => ok(token) });

  test('each connection mode gets its own provider', async () => {
    const provider = tokenProviderFor({ app: fixed('app'), delegated: fixed('user') });
    expect(await provider.getToken(appTarget)).toEqual({ ok: true, value: 'app' });
    expect(await provider.getToken(delegatedTarget)).toEqual({ ok: true, value: 'user' });
    expect(await provider.getToken(sampleTarget)).toEqual({ ok: true, value: null });
  });

  test('a mode the hub is not configured for is a configuration error', async () => {
    const provider = tokenProviderFor({});
    const r = await provider.getToken(delegatedTarget);
    expect(r.ok || r.error.reason).toBe('config');
    const a = await provider.getToken(appTarget);
    expect(a.ok || a.error.reason).toBe('config');
  });

  test('the sample tenant needs no token', async () => {
    expect(await noTokenProvider.getToken(sampleTarget)).toEqual({ ok: true, value: null });
  });

  test('anything that is not an MSAL error still maps to access denied', () => {
    expect(mapAuthError(new Error('x'), 'app').reason).toBe('bc-access-denied');
  });

  test.each([
    [msalNetworkErrorCodes.refused, 'host-not-allowed'],
    [msalNetworkErrorCodes.timeout, 'bc-timeout'],
    [msalNetworkErrorCodes.unreachable, 'bc-unreachable'],
    [msalNetworkErrorCodes.unavailable, 'bc-unavailable'],
    [msalNetworkErrorCodes.badResponse, 'bc-bad-response'],
    ['endpoints_resolution_error', 'bc-tenant-not-found'],
  ])('the network client’s %s maps to %s', (code, reason) => {
    const e = mapAuthError(new AuthError(code, '', 'what happened'), 'delegated');
    expect(e.reason).toBe(reason);
    expect(e.details.authError).toBe(code);
  });
});
