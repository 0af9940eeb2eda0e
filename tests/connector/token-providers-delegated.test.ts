/**
 * Delegated access with real parts: the real MSAL confidential client, its HTTP through the
 * guarded network client over HTTPS to a local Entra stand-in, and the token cache sealed into
 * the lowdb registry on a temp file. A "restart" is a new provider (and a reopened registry)
 * over the same file.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGuardedMsalNetworkClient } from '../../src/connector/msal-network-client.js';
import {
  createSealedTokenCacheStore,
  delegatedTokenCacheName,
  type TokenCacheStore,
} from '../../src/connector/msal-token-cache.js';
import type { EnvironmentTarget } from '../../src/connector/tenant-connector.js';
import type { TokenProvider } from '../../src/connector/token-provider.js';
import {
  createOnBehalfOfTokenProvider,
  isAssertionUsable,
} from '../../src/connector/token-providers.js';
import { accountantIdOf, type AccountantId, type ClientId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logging.js';
import { openLowdbRegistry } from '../../src/registry/lowdb-registry.js';
import type { Registry } from '../../src/registry/registry.js';
import { generateSecretsKey, sealSecret } from '../../src/registry/secret-box.js';
import {
  entraError,
  homeTenantId,
  hubClientId,
  hubClientSecret,
  startEntraStandIn,
  teamsAssertion,
  type EntraStandIn,
} from './msal-entra-stand-in.js';

const CLIENT_TENANT = 'contoso.onmicrosoft.com';
const OID_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const OID_B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const ACC_A = accountantIdOf(homeTenantId, OID_A);
const ACC_B = accountantIdOf(homeTenantId, OID_B);

let entra: EntraStandIn;
let dir: string;
let file: string;
let registry: Registry;
let clientId: ClientId;
const key = generateSecretsKey();
let lines: string[];

/** Live Teams sign-ins by accountant, as the server keeps them. */
let assertions: Map<AccountantId, string>;

function logger() {
  return createLogger({ level: 'debug', write: (l) => lines.push(l) });
}

function provider(
  options: {
    secretsKey?: Buffer;
    timeoutMs?: number;
    wrapStore?: (store: TokenCacheStore) => TokenCacheStore;
  } = {},
): TokenProvider {
  const log = logger();
  const sealed = createSealedTokenCacheStore({
    registry,
    secretsKey: options.secretsKey ?? key,
    logger: log,
  });
  return createOnBehalfOfTokenProvider({
    clientId: hubClientId,
    clientSecret: hubClientSecret,
    loginAuthority: entra.origin,
    timeoutMs: options.timeoutMs ?? 10_000,
    logger: log,
    msalNetworkClient: createGuardedMsalNetworkClient({
      policy: { allowedOrigins: [entra.origin], allowLoopback: true },
      ca: entra.ca,
      timeoutMs: options.timeoutMs ?? 10_000,
      logger: log,
    }),
    tokenCacheStore: options.wrapStore ? options.wrapStore(sealed) : sealed,
    getUserAssertion: async (target) => assertions.get(target.accountantId) ?? null,
  });
}

function target(accountantId: AccountantId, tenant = CLIENT_TENANT): EnvironmentTarget {
  return {
    tenant,
    environment: 'production',
    accountantId,
    clientId,
    connection: { kind: 'delegated' },
  };
}

async function addClient(acc: AccountantId, oid: string): Promise<ClientId> {
  const store = registry.forAccountant(acc);
  await store.ensureProfile({ entraTenantId: homeTenantId, userObjectId: oid, displayName: oid });
  const client = await store.createClient({
    name: 'Contoso',
    url: `https://businesscentral.dynamics.com/${CLIENT_TENANT}/production`,
    target: { tenant: CLIENT_TENANT, environment: 'production' },
    connection: { kind: 'delegated' },
  });
  return client.id;
}

/** Closes and reopens the registry on the same file: what a restart does. */
async function restart(): Promise<void> {
  await registry.close();
  registry = await openLowdbRegistry({ file, idGenerator: () => 'client-1' });
}

beforeEach(async () => {
  entra = await startEntraStandIn();
  dir = await mkdtemp(path.join(tmpdir(), 'obo-test-'));
  file = path.join(dir, 'registry.json');
  // Both accountants' clients get the same id: isolation must not rest on ids being unique.
  registry = await openLowdbRegistry({ file, idGenerator: () => 'client-1' });
  lines = [];
  assertions = new Map();
  clientId = await addClient(ACC_A, OID_A);
  expect(await addClient(ACC_B, OID_B)).toBe(clientId);
});

afterEach(async () => {
  await registry.close();
  await entra.close();
  await rm(dir, { recursive: true, force: true });
});

function expectToken(r: Awaited<ReturnType<TokenProvider['getToken']>>): string {
  if (!r.ok) throw new Error(`expected a token, got ${r.error.reason}: ${r.error.message}`);
  if (r.value === null) throw new Error('expected a token, got none');
  return r.value;
}

describe('with a live Teams sign-in', () => {
  test('exchanges it on behalf of the accountant and keeps the cache sealed in the registry', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const token = expectToken(await provider().getToken(target(ACC_A)));
    expect(token).toMatch(new RegExp(`^bc-at\\.${OID_A}\\.`));
    expect(entra.grants()).toEqual(['obo']);
    const obo = entra.requests.find((r) => r.method === 'POST');
    expect(obo?.path).toBe(`/${CLIENT_TENANT}/oauth2/v2.0/token`);
    expect(obo?.form.get('requested_token_use')).toBe('on_behalf_of');

    const sealed = await registry.forAccountant(ACC_A).getSecret(clientId, delegatedTokenCacheName);
    expect(sealed).not.toBeNull();
    await registry.close();
    const onDisk = await readFile(file, 'utf8');
    expect(onDisk).toContain(delegatedTokenCacheName);
    for (const t of entra.issued) expect(onDisk).not.toContain(t);
    expect(onDisk).not.toContain(hubClientSecret);
    expect(onDisk).not.toContain(`${OID_A}@accountants.example`);
    registry = await openLowdbRegistry({ file, idGenerator: () => 'client-1' });
  });

  test('a second request for the same sign-in is served from the cache', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const p = provider();
    const first = expectToken(await p.getToken(target(ACC_A)));
    const second = expectToken(await p.getToken(target(ACC_A)));
    expect(second).toBe(first);
    expect(entra.grants()).toEqual(['obo']);
  });

  test('concurrent requests for one client share one exchange', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const p = provider();
    const tokens = await Promise.all(
      Array.from({ length: 8 }, () => p.getToken(target(ACC_A)).then(expectToken)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(entra.grants()).toEqual(['obo']);
  });
});

describe('without the accountant', () => {
  test('after a restart, the persisted cache serves a token without any sign-in', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const before = expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    await restart();

    const after = expectToken(await provider().getToken(target(ACC_A)));
    expect(after).toBe(before);
    expect(entra.grants()).toEqual(['obo']);
  });

  test('many requests while the accountant is away unseal the cache once, not once each', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const token = expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    await restart();

    let loads = 0;
    let saves = 0;
    const p = provider({
      wrapStore: (inner) => ({
        load: (o) => {
          loads += 1;
          return inner.load(o);
        },
        save: (o, text) => {
          saves += 1;
          return inner.save(o, text);
        },
      }),
    });
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => p.getToken(target(ACC_A)).then(expectToken)),
    );
    expect(new Set(tokens)).toEqual(new Set([token]));
    for (let i = 0; i < 20; i++) expect(expectToken(await p.getToken(target(ACC_A)))).toBe(token);
    // One silent request reads the store twice (the accounts, then MSAL's own reload); every
    // other request, queued behind it or later, uses its answer.
    expect(loads).toBe(2);
    expect(saves).toBe(0);
    expect(entra.grants()).toEqual(['obo']);
  });

  test('an expired access token is renewed with the cached refresh token, and the new one is kept', async () => {
    entra.accessTokenSeconds = 120; // below MSAL's 5-minute margin: always due for renewal
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const first = expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    await restart();

    const renewed = expectToken(await provider().getToken(target(ACC_A)));
    expect(renewed).not.toBe(first);
    expect(renewed).toMatch(new RegExp(`^bc-at\\.${OID_A}\\.`));
    expect(entra.grants()).toEqual(['obo', 'refresh']);
    const refresh = entra.requests.filter((r) => r.method === 'POST')[1];
    expect(refresh?.form.get('refresh_token')).toBe(`bc-rt.${OID_A}.1`);

    // The rotated refresh token was stored: the next renewal uses it.
    await restart();
    expectToken(await provider().getToken(target(ACC_A)));
    const third = entra.requests.filter((r) => r.method === 'POST')[2];
    expect(third?.form.get('refresh_token')).toBe(`bc-rt.${OID_A}.2`);
  });

  test('works when Entra’s answer carried no ID token (no account entity in the cache)', async () => {
    entra.withIdToken = false;
    entra.accessTokenSeconds = 120;
    assertions.set(ACC_A, teamsAssertion(OID_A));
    expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    await restart();
    const renewed = expectToken(await provider().getToken(target(ACC_A)));
    expect(renewed).toMatch(new RegExp(`^bc-at\\.${OID_A}\\.`));
    expect(entra.grants()).toEqual(['obo', 'refresh']);
  });

  test('an expired Teams sign-in is not sent to Entra; the cache is used instead', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const cached = expectToken(await provider().getToken(target(ACC_A)));
    assertions.set(ACC_A, teamsAssertion(OID_A, -60));
    const p = provider();
    expect(expectToken(await p.getToken(target(ACC_A)))).toBe(cached);
    expect(entra.grants()).toEqual(['obo']);
  });

  test('a sign-in Entra refuses as expired falls back to the cache', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const cached = expectToken(await provider().getToken(target(ACC_A)));
    // A sign-in that looks fresh here but Entra says is out of its time range (clock skew).
    assertions.set(ACC_A, teamsAssertion(OID_A, 600));
    entra.script(
      entraError(400, 'invalid_grant', 500133, 'Assertion is not within its valid time range.'),
    );
    expect(expectToken(await provider().getToken(target(ACC_A)))).toBe(cached);
  });

  test('with nothing cached it asks the accountant to open the hub in Teams, without calling Entra', async () => {
    const r = await provider().getToken(target(ACC_A));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.reason).toBe('bc-access-denied');
    expect(r.error.message).toBe(
      'Your access to this client’s Business Central needs renewing: open Accountant Hub in Teams once to renew your sign-in.',
    );
    expect(r.error.details.needsSignIn).toBe(true);
    expect(entra.requests).toHaveLength(0);
  });

  test('a revoked refresh token asks the accountant to renew their sign-in', async () => {
    entra.accessTokenSeconds = 120;
    assertions.set(ACC_A, teamsAssertion(OID_A));
    expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    entra.revokeRefreshTokens();

    const r = await provider().getToken(target(ACC_A));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.reason).toBe('bc-access-denied');
    expect(r.error.message).toMatch(/open Accountant Hub in Teams once to renew your sign-in/);
    expect(r.error.details.aadsts).toBe('700082');
    expect(entra.grants()).toEqual(['obo', 'refresh']);
  });

  test('a cache made for another tenant is not used for the client’s new tenant', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    const r = await provider().getToken(target(ACC_A, 'fabrikam.onmicrosoft.com'));
    expect(r.ok || r.error.message).toMatch(/renew your sign-in/);
    expect(r.ok || r.error.details).toMatchObject({ tenant: 'fabrikam.onmicrosoft.com' });
    expect(entra.grants()).toEqual(['obo']);
  });

  test('Entra failing while renewing keeps its own reason instead of asking for a sign-in', async () => {
    entra.accessTokenSeconds = 120;
    assertions.set(ACC_A, teamsAssertion(OID_A));
    expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    entra.script({ kind: 'raw', status: 503, body: '<html>Service Unavailable</html>' });
    const r = await provider().getToken(target(ACC_A));
    expect(r.ok || r.error.reason).toBe('bc-unavailable');
  });
});

describe('unreadable caches are empty caches', () => {
  async function seedAndForget(): Promise<void> {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    lines.length = 0;
  }

  test('a cache sealed with another key is treated as empty and logged without its contents', async () => {
    await seedAndForget();
    const r = await provider({ secretsKey: generateSecretsKey() }).getToken(target(ACC_A));
    expect(r.ok || r.error.message).toMatch(/renew your sign-in/);
    expect(entra.grants()).toEqual(['obo']);
    expect(lines.some((l) => l.includes('token cache could not be opened'))).toBe(true);
    for (const t of entra.issued) for (const l of lines) expect(l).not.toContain(t);
  });

  test('garbage in the sealed cache is treated as empty, and the next sign-in replaces it', async () => {
    await registry
      .forAccountant(ACC_A)
      .saveSecret(clientId, delegatedTokenCacheName, { iv: 'AAAA', tag: 'AAAA', data: 'AAAA' });
    const r = await provider().getToken(target(ACC_A));
    expect(r.ok || r.error.reason).toBe('bc-access-denied');

    // Sealed correctly but not a cache at all, then MSAL-shaped JSON MSAL cannot load.
    const context = `${ACC_A}/${clientId}/${delegatedTokenCacheName}`;
    for (const plain of [
      'not json',
      JSON.stringify({ v: 1, tenant: CLIENT_TENANT, cache: '[1,2,3]' }),
      JSON.stringify({ v: 1, tenant: CLIENT_TENANT, cache: '{"Account":{"x":7}}' }),
    ]) {
      await registry
        .forAccountant(ACC_A)
        .saveSecret(clientId, delegatedTokenCacheName, sealSecret(plain, key, context));
      const g = await provider().getToken(target(ACC_A));
      expect(g.ok || g.error.reason).toBe('bc-access-denied');
    }

    assertions.set(ACC_A, teamsAssertion(OID_A));
    const token = expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    expect(expectToken(await provider().getToken(target(ACC_A)))).toBe(token);
  });
});

describe('one accountant never gets another’s token', () => {
  test('accountant B gets nothing from accountant A’s cache for a client with the same id', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    const p = provider();
    const tokenA = expectToken(await p.getToken(target(ACC_A)));

    const b = await p.getToken(target(ACC_B));
    expect(b.ok).toBe(false);
    expect(JSON.stringify(b)).not.toContain(tokenA);

    // After a restart as well, and with B's own sign-in B gets B's token.
    assertions.clear();
    await restart();
    const q = provider();
    const bAgain = await q.getToken(target(ACC_B));
    expect(bAgain.ok).toBe(false);
    assertions.set(ACC_B, teamsAssertion(OID_B));
    const tokenB = expectToken(await q.getToken(target(ACC_B)));
    expect(tokenB).toMatch(new RegExp(`^bc-at\\.${OID_B}\\.`));
    assertions.clear();
    expect(expectToken(await q.getToken(target(ACC_A)))).toBe(tokenA);
  });

  test('a cache blob copied onto another accountant does not open', async () => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
    expectToken(await provider().getToken(target(ACC_A)));
    assertions.clear();
    const stolen = await registry.forAccountant(ACC_A).getSecret(clientId, delegatedTokenCacheName);
    expect(stolen).not.toBeNull();
    await registry.forAccountant(ACC_B).saveSecret(clientId, delegatedTokenCacheName, stolen);
    const r = await provider().getToken(target(ACC_B));
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    expect(JSON.stringify(r)).not.toContain(OID_A);
  });
});

describe('failures of the exchange', () => {
  beforeEach(() => {
    assertions.set(ACC_A, teamsAssertion(OID_A));
  });

  test('a wrong hub secret (401 invalid_client) is access denied', async () => {
    entra.script(entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided.'));
    const r = await provider().getToken(target(ACC_A));
    expect(r.ok || r.error.reason).toBe('bc-access-denied');
    expect(r.ok || r.error.details.aadsts).toBe('7000215');
  });

  test('a guest who has not accepted the invitation is told to accept it', async () => {
    entra.script(entraError(400, 'invalid_grant', 50020, 'User account does not exist in tenant.'));
    const r = await provider().getToken(target(ACC_A));
    expect(r.ok || r.error.message).toMatch(/invitation/);
  });

  test('Entra answering 500 is unavailable', async () => {
    entra.script(entraError(500, 'server_error', 90000, 'Internal error.'));
    const r = await provider().getToken(target(ACC_A));
    expect(r.ok || r.error.reason).toBe('bc-unavailable');
  });

  test('an answer that is not JSON is a bad response', async () => {
    entra.script({ kind: 'raw', status: 200, body: '<html>captive portal</html>' });
    const r = await provider().getToken(target(ACC_A));
    expect(r.ok || r.error.reason).toBe('bc-bad-response');
  });

  test('Entra that never answers is a timeout', async () => {
    entra.script({ kind: 'hang' });
    const r = await provider({ timeoutMs: 300 }).getToken(target(ACC_A));
    expect(r.ok || r.error.reason).toBe('bc-timeout');
  });

  test('a redirect from the token endpoint is refused, not followed', async () => {
    entra.script({ kind: 'redirect', location: 'https://attacker.example/steal' });
    const r = await provider().getToken(target(ACC_A));
    expect(r.ok || r.error.reason).toBe('host-not-allowed');
    expect(entra.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });
});

test('no token, secret or assertion reaches the log, whatever happens', async () => {
  entra.accessTokenSeconds = 120;
  const assertion = teamsAssertion(OID_A);
  assertions.set(ACC_A, assertion);
  const p = provider();
  expectToken(await p.getToken(target(ACC_A)));
  entra.script(
    entraError(400, 'invalid_grant', 500133, 'Assertion is not within its valid time range.'),
  );
  expectToken(await provider().getToken(target(ACC_A)));
  entra.revokeRefreshTokens();
  assertions.clear();
  await provider().getToken(target(ACC_A));
  entra.script({ kind: 'raw', status: 502, body: `echo ${assertion}` });
  assertions.set(ACC_A, teamsAssertion(OID_A, 900));
  await provider().getToken(target(ACC_A));

  expect(lines.length).toBeGreaterThan(0);
  const log = lines.join('\n');
  for (const t of entra.issued) expect(log).not.toContain(t);
  expect(log).not.toContain(hubClientSecret);
  expect(log).not.toContain(assertion.split('.')[1]);
});

test('an assertion’s expiry is read from its payload; one that cannot be read is left to Entra', () => {
  const now = new Date();
  expect(isAssertionUsable(teamsAssertion(OID_A, 3600), now)).toBe(true);
  expect(isAssertionUsable(teamsAssertion(OID_A, -1), now)).toBe(false);
  expect(isAssertionUsable(teamsAssertion(OID_A, 10), now)).toBe(false);
  expect(isAssertionUsable('opaque-token', now)).toBe(true);
  expect(isAssertionUsable('a.%%%.c', now)).toBe(true);
});
