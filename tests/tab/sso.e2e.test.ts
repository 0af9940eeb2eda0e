/**
 * Teams single sign-on end to end: the real tab, in headless Chromium, inside a Teams host
 * stand-in (teams-js answered over postMessage from a Teams origin), gets its token from the host
 * with `authentication.getAuthToken` and uses it against the real app in `AUTH_MODE=entra`. The
 * app validates every token with jose against a key set served on loopback exactly where
 * `ENTRA_AUTHORITY_HOST` says Entra publishes it. The tab runs at the app's public https address
 * (`PUBLIC_URL`), which the stand-in forwards to the loopback app as a reverse proxy would, and
 * the server's own HTTP listener records what arrived.
 *
 * The tests run in order and build on each other's data: Ada's client added in the first test is
 * on her dashboard in the later ones. `SAMPLE_MODE` stays on only so the embedded sample tenant can play Business Central and the
 * authority host may be plain http on loopback; sign-in itself is the production path (the
 * authenticator the composition root picks for `AUTH_MODE=entra`, nothing replaced).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { decodeJwt, type JWTPayload } from 'jose';
import { chromium } from 'playwright-core';
import type { Browser, FrameLocator, Locator } from 'playwright-core';
import { createApp, extraSampleEnvironment, type App } from '../../server/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logging.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import {
  APP_ID_URI,
  CLIENT_ID,
  OTHER_TENANT,
  TENANT,
  USER_OID,
  makeKey,
  sign,
  v2Claims,
  type SigningKey,
} from '../server/auth/token-kit.js';
import { artifactsDir, buildTabOnce, chromiumArgs, chromiumPath, eventually } from './harness.js';
import {
  openTeamsStandIn,
  type HostCall,
  type StandInUser,
  type TeamsHostStandIn,
  type TokenAnswer,
} from './teams-host-stand-in.js';

const ada: StandInUser = {
  oid: USER_OID,
  tid: TENANT,
  name: 'Ada Lovelace',
  upn: 'ada@contoso.example',
};
const grace: StandInUser = {
  oid: '7d2e4c1a-5b3f-4e8d-9a6c-1f0e2d3c4b5a',
  tid: TENANT,
  name: 'Grace Hopper',
  upn: 'grace@contoso.example',
};
/** A user who has not consented to the app yet. */
const katherine: StandInUser = {
  oid: '4c8a2e6f-1d3b-4f5a-8e7c-6b5a4d3c2e1f',
  tid: TENANT,
  name: 'Katherine Johnson',
  upn: 'katherine@contoso.example',
};
/** A user of a tenant that `ENTRA_ALLOWED_TENANTS` does not list. */
const mallory: StandInUser = {
  oid: '2b9f6e3d-8c1a-4d7e-b5f0-9a8e7d6c5b4a',
  tid: OTHER_TENANT,
  name: 'Mallory Outsider',
  upn: 'mallory@fabrikam.example',
};

/** One request the server received, as the server's own HTTP listener saw it. */
interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** `Bearer` when the request carried a bearer token, else the header as sent (or null). */
  readonly scheme: string | null;
  /** Claims of the bearer token, read without checking (the server checks). */
  readonly claims: JWTPayload | null;
  status: number | null;
}

/** Entra's key-set endpoint played on loopback: `/{tenant}/discovery/v2.0/keys`, fetches counted per tenant. */
interface KeySetServer {
  readonly authority: string;
  readonly fetches: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Serves the key set as token-kit's `startJwksServer` does, but without chaining
 * `res.writeHead(…).end(…)`: restify, loaded in this process by the app, replaces
 * `http.ServerResponse.prototype.writeHead` with a version that returns undefined.
 */
async function startKeySetServer(keys: readonly SigningKey[]): Promise<KeySetServer> {
  const fetches = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const tenant = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(req.url ?? '')?.[1];
    if (!tenant) {
      res.writeHead(404);
      res.end();
      return;
    }
    fetches.set(tenant, (fetches.get(tenant) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    authority: `http://127.0.0.1:${port}`,
    fetches,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

let key: SigningKey;
let jwks: KeySetServer;
let app: App;
let appUrl: string;
let dataDir: string;
let browser: Browser;
const seen: SeenRequest[] = [];
const hosts: TeamsHostStandIn[] = [];

const nowSec = (): number => Math.floor(Date.now() / 1000);

/**
 * A v2.0 access token as Teams SSO hands it to the tab for this app (`requestedAccessTokenVersion`
 * 2 in `aad.manifest.json`): audience the client id, the v2 issuer of the user's tenant, the
 * Teams web client as `azp`, `scp` `access_as_user`. `uti` labels it so the test can tell
 * tokens apart in the server's requests.
 *
 * The issuer is the configured authority's (`ENTRA_AUTHORITY_HOST`, as in a national cloud).
 */
function tokenFor(user: StandInUser, uti: string, overrides: JWTPayload = {}): Promise<string> {
  const now = nowSec();
  return sign(
    key,
    v2Claims({
      tid: user.tid,
      oid: user.oid,
      iss: `${jwks.authority}/${user.tid}/v2.0`,
      name: user.name,
      preferred_username: user.upn,
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      uti,
      ...overrides,
    }),
  );
}

async function answer(
  user: StandInUser,
  uti: string,
  overrides?: JWTPayload,
): Promise<TokenAnswer> {
  return { token: await tokenFor(user, uti, overrides) };
}

/**
 * Where people and Teams reach the app (`PUBLIC_URL`; token-kit's `APP_ID_URI` is
 * `api://hub.example.test/{CLIENT_ID}`). The stand-in forwards it to the loopback app.
 */
const publicUrl = 'https://hub.example.test';
/** The personal "Dashboard" tab's content URL, as the app package's manifest declares it. */
const contentUrl = `${publicUrl}/?view=dashboard&appClientId=${CLIENT_ID}`;

async function openAs(
  user: StandInUser,
  defaultToken: TokenAnswer,
  tokens: TokenAnswer[] = [],
): Promise<TeamsHostStandIn> {
  const host = await openTeamsStandIn({
    browser,
    contentUrl,
    forwardTo: appUrl,
    entityId: 'dashboard',
    user,
    defaultToken,
    tokens,
  });
  hosts.push(host);
  return host;
}

const dashboardRows = (tab: FrameLocator): Locator =>
  tab.getByRole('grid', { name: 'Client companies' }).locator('[role="row"][data-row-key]');

const clientNames = async (tab: FrameLocator): Promise<string[]> =>
  [...new Set(await dashboardRows(tab).locator('[data-col="clientName"]').allInnerTexts())].sort();

const apiRequests = (): SeenRequest[] => seen.filter((r) => r.path.startsWith('/api/'));
const getAuthTokenCalls = (calls: readonly HostCall[]): number =>
  calls.filter((c) => c.func === 'authentication.getAuthToken').length;

async function screenshot(host: TeamsHostStandIn, name: string): Promise<void> {
  await host.page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}

/** Records what reaches the server: method, path, the Authorization scheme, the token's claims, status. */
function recordRequests(req: IncomingMessage, res: ServerResponse): void {
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer +(\S+)$/i.exec(header)?.[1] : undefined;
  let claims: JWTPayload | null = null;
  if (bearer) {
    try {
      claims = decodeJwt(bearer);
    } catch {
      claims = null;
    }
  }
  const entry: SeenRequest = {
    method: req.method ?? '',
    path: (req.url ?? '').split('?')[0] ?? '',
    scheme: bearer ? 'Bearer' : (header ?? null),
    claims,
    status: null,
  };
  seen.push(entry);
  res.on('finish', () => {
    entry.status = res.statusCode;
  });
}

beforeAll(async () => {
  key = await makeKey('stand-in-key-1');
  jwks = await startKeySetServer([key]);
  const staticDir = await buildTabOnce();
  dataDir = await mkdtemp(path.join(tmpdir(), 'tab-sso-e2e-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    SAMPLE_TENANT_PORT: '0',
    LOG_LEVEL: 'error',
    AUTH_MODE: 'entra',
    ENTRA_CLIENT_ID: CLIENT_ID,
    ENTRA_ALLOWED_TENANTS: TENANT,
    // The key set is served where Entra serves it: {authority}/{tenant}/discovery/v2.0/keys.
    ENTRA_AUTHORITY_HOST: jwks.authority,
    PUBLIC_URL: publicUrl,
  });
  app = await createApp(config, { staticDir, logger: silentLogger });
  appUrl = (await app.listen()).url;
  app.server.server.on('request', recordRequests);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  await mkdir(artifactsDir, { recursive: true });
}, 60_000);

afterEach(async () => {
  for (const host of hosts.splice(0)) await host.close().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await jwks?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

describe('the tab inside Teams with single sign-on', () => {
  it('signs in silently with the host’s token, shows the accountant’s dashboard, and sends the token on every API call', async () => {
    const host = await openAs(ada, await answer(ada, 'ada-1'));
    const { tab } = host;

    // The sample client every new accountant gets, with its numbers fetched under this token.
    await eventually(async () => expect(await dashboardRows(tab).count()).toBe(3), 20_000);
    await eventually(async () =>
      expect(await tab.getByText('Ada Lovelace', { exact: true }).count()).toBe(1),
    );

    // Add a client through the tab's own UI: the POST goes with the same token.
    const sampleUrl = app.core.sampleTenant?.url ?? '';
    await tab.getByRole('button', { name: 'Manage Clients' }).click();
    const manage = tab.getByRole('dialog', { name: 'Manage Clients' });
    await manage.getByRole('button', { name: 'New' }).click();
    const dialog = tab.getByRole('dialog', { name: 'New client' });
    await dialog.getByRole('textbox', { name: /Client name/ }).fill('Lovelace Analytics');
    await dialog
      .getByRole('textbox', { name: /Client URL/ })
      .fill(`${sampleUrl}/${defaultSampleTenantId}/${extraSampleEnvironment}`);
    await dialog.getByRole('button', { name: 'Add client' }).click();
    await eventually(async () => expect(await dialog.count()).toBe(0));
    await manage.getByRole('button', { name: 'Close' }).click();
    await eventually(async () => expect(await dashboardRows(tab).count()).toBe(5));
    const lovelace = dashboardRows(tab).filter({ hasText: 'Lovelace Analytics' });
    await eventually(
      async () => expect(await lovelace.locator('[data-status="fresh"]').count()).toBe(2),
      20_000,
    );
    await screenshot(host, 'sso-in-teams-dashboard');

    // The host was asked as Teams is asked; the token was fetched once and reused. The only
    // call left unanswered is the one-way theme-change registration (Teams sends nothing back).
    const calls = await host.calls();
    expect(calls.slice(0, 2).map((c) => c.func)).toEqual(['initialize', 'getContext']);
    expect(getAuthTokenCalls(calls)).toBe(1);
    expect(calls.filter((c) => !c.answered).map((c) => [c.func, c.args])).toEqual([
      ['registerHandler', ['themeChange']],
    ]);

    // What the server received: every API call carried Ada's bearer token and was accepted.
    const api = apiRequests();
    expect(api.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /api/dashboard', 'GET /api/me', 'POST /api/clients']),
    );
    for (const r of api) {
      expect(r.scheme).toBe('Bearer');
      expect(r.claims?.oid).toBe(ada.oid);
      expect(r.claims?.uti).toBe('ada-1');
    }
    await eventually(async () => {
      for (const r of apiRequests()) expect(r.status).not.toBeNull();
    });
    expect(apiRequests().filter((r) => (r.status ?? 0) >= 400)).toEqual([]);
    // The tenant's key set was fetched from the configured authority host, not the internet.
    expect(jwks.fetches.get(TENANT)).toBeGreaterThanOrEqual(1);
    expect(host.externalRequests).toEqual([]);
    // teams-js asked for its list of Teams origins once, and the stand-in answered it.
    expect(host.validOriginsFetches()).toBe(1);
  });

  it('tells a user from a tenant that is not allowed so, and shows no data', async () => {
    const host = await openAs(mallory, await answer(mallory, 'mallory-1'));
    const { tab } = host;
    const error = tab.getByTestId('dashboard-error');
    await eventually(
      async () => expect(await error.innerText()).toMatch(/The dashboard could not be loaded/),
      15_000,
    );
    expect(await error.innerText()).toMatch(
      /Your organisation's tenant is not allowed to use this app\./,
    );
    expect(await tab.getByRole('grid', { name: 'Client companies' }).count()).toBe(0);
    expect(await tab.getByText('Mallory Outsider').count()).toBe(0);
    await screenshot(host, 'sso-tenant-not-allowed');

    const api = apiRequests();
    expect(api.length).toBeGreaterThan(0);
    for (const r of api) {
      expect(r.scheme).toBe('Bearer');
      expect(r.claims?.tid).toBe(OTHER_TENANT);
    }
    await eventually(async () => {
      for (const r of apiRequests()) expect(r.status).toBe(401);
    });
    // Refused before any key fetch: a foreign tenant costs the server no outbound request.
    expect(jwks.fetches.get(OTHER_TENANT)).toBeUndefined();
  });

  it('recovers when the host first hands over an expired token: the tab asks again and loads', async () => {
    const expired = await answer(ada, 'ada-expired', {
      iat: nowSec() - 7200,
      nbf: nowSec() - 7200,
      exp: nowSec() - 3600,
    });
    const host = await openAs(ada, await answer(ada, 'ada-2'), [expired]);
    const { tab } = host;
    // The sample client and Lovelace Analytics, added in the first test.
    await eventually(async () => expect(await dashboardRows(tab).count()).toBe(5), 20_000);
    await screenshot(host, 'sso-recovered-after-expired-token');

    // The first call went with the expired token and was refused; the tab asked the host for a
    // fresh one and repeated the call, which was accepted.
    await eventually(async () =>
      expect(await tab.getByText('Ada Lovelace', { exact: true }).count()).toBe(1),
    );
    const [first, ...rest] = apiRequests();
    expect([first?.method, first?.path, first?.claims?.uti, first?.status]).toEqual([
      'GET',
      '/api/dashboard',
      'ada-expired',
      401,
    ]);
    expect(rest.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /api/dashboard', 'GET /api/me']),
    );
    for (const r of rest) {
      expect(r.claims?.uti).toBe('ada-2');
      expect(r.status).toBe(200);
    }
    const calls = await host.calls();
    expect(getAuthTokenCalls(calls)).toBe(2);
    expect(await tab.getByTestId('dashboard-error').count()).toBe(0);
  });

  it('shows two users of the same tenant only their own clients', async () => {
    // Grace adds a client of her own through the API, with the token Teams gives her.
    const graceToken = await tokenFor(grace, 'grace-1');
    const sampleUrl = app.core.sampleTenant?.url ?? '';
    const added = await fetch(`${appUrl}/api/clients`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${graceToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'Hopper Consulting',
        url: `${sampleUrl}/${defaultSampleTenantId}/${extraSampleEnvironment}`,
      }),
    });
    expect(added.status).toBe(201);

    const [adaHost, graceHost] = await Promise.all([
      openAs(ada, await answer(ada, 'ada-3')),
      openAs(grace, { token: graceToken }),
    ]);
    await eventually(async () => expect(await dashboardRows(adaHost.tab).count()).toBe(5), 20_000);
    await eventually(
      async () => expect(await dashboardRows(graceHost.tab).count()).toBe(5),
      20_000,
    );
    const adaClients = await clientNames(adaHost.tab);
    const graceClients = await clientNames(graceHost.tab);
    expect(adaClients).toContain('Lovelace Analytics');
    expect(adaClients).not.toContain('Hopper Consulting');
    expect(graceClients).toContain('Hopper Consulting');
    expect(graceClients).not.toContain('Lovelace Analytics');
    await screenshot(graceHost, 'sso-second-user-dashboard');

    // Each tab sent only its own user's token.
    for (const r of apiRequests()) expect([ada.oid, grace.oid]).toContain(r.claims?.oid);
    expect(apiRequests().some((r) => r.claims?.oid === grace.oid)).toBe(true);
    expect(apiRequests().some((r) => r.claims?.oid === ada.oid)).toBe(true);
  });

  it('asks for sign-in when Teams needs consent: a declined pop-up says why, a granted one loads the dashboard', async () => {
    const host = await openAs(katherine, await answer(katherine, 'katherine-1'), [
      { error: 'resourceRequiresConsent' },
    ]);
    host.consent = 'deny';
    const { tab } = host;
    const prompt = tab.getByTestId('sign-in-needed');
    await eventually(
      async () => expect(await prompt.innerText()).toMatch(/Sign in to Accountant Hub/),
      15_000,
    );
    expect(await prompt.innerText()).toMatch(
      /Teams needs your permission before Accountant Hub can show your clients\./,
    );
    expect(await dashboardRows(tab).count()).toBe(0);
    await screenshot(host, 'sso-consent-needed');
    // Without a token nothing went to the server: no request without one, no other token instead.
    expect(apiRequests()).toEqual([]);

    // The user declines in the pop-up: the tab says so and offers to try again.
    await prompt.getByRole('button', { name: 'Sign in' }).click();
    await eventually(async () =>
      expect(await prompt.innerText()).toMatch(
        /Signing in did not finish \(access_denied: AADSTS65004: User declined to consent to access the app\.\)\. Try again\./,
      ),
    );
    expect(getAuthTokenCalls(await host.calls())).toBe(1);

    seen.length = 0;
    host.consent = 'grant';
    await prompt.getByRole('button', { name: 'Sign in' }).click();
    await eventually(async () => expect(await dashboardRows(tab).count()).toBe(3), 20_000);
    await eventually(async () => expect(await prompt.count()).toBe(0));

    // Each pop-up went to Entra for this app's scope and came back through auth-end.html.
    expect(host.authorizeRequests).toHaveLength(2);
    for (const authorize of host.authorizeRequests) {
      expect(authorize.pathname).toBe(`/${katherine.tid}/oauth2/v2.0/authorize`);
      expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
      expect(authorize.searchParams.get('login_hint')).toBe(katherine.upn);
      expect(authorize.searchParams.get('scope')).toBe(
        `openid profile ${APP_ID_URI}/access_as_user`,
      );
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${publicUrl}/auth-end.html`);
    }
    const calls = await host.calls();
    expect(calls.filter((c) => c.from === 'popup' && c.func.startsWith('authentication.'))).toEqual(
      [
        expect.objectContaining({
          func: 'authentication.authenticate.failure',
          args: ['access_denied: AADSTS65004: User declined to consent to access the app.'],
        }),
        expect.objectContaining({ func: 'authentication.authenticate.success' }),
      ],
    );
    // After the sign-in the tab asked Teams for a token again, and used it on every call.
    expect(getAuthTokenCalls(calls)).toBe(2);
    for (const r of apiRequests()) {
      expect(r.scheme).toBe('Bearer');
      expect(r.claims?.oid).toBe(katherine.oid);
    }
  });
});
