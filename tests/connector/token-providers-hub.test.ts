/**
 * Delegated access end to end, the way the daily summary meets it: the hub, the Business
 * Central connector over HTTP to the sample tenant (reached as a real delegated client), the
 * on-behalf-of provider with its MSAL traffic over HTTPS to the local Entra stand-in, and the
 * lowdb registry on a temp file holding the sealed token cache. "Overnight" the process restarts
 * and the accountant's Teams sign-in is gone.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildDailySummary } from '../../bot/daily-summary.js';
import { dailySummaryCard } from '../../bot/cards/daily-summary-card.js';
import { createBusinessCentralConnector } from '../../src/connector/business-central-connector.js';
import { createGuardedMsalNetworkClient } from '../../src/connector/msal-network-client.js';
import {
  createSealedTokenCacheStore,
  delegatedTokenCacheName,
} from '../../src/connector/msal-token-cache.js';
import type { TokenProvider } from '../../src/connector/token-provider.js';
import {
  createOnBehalfOfTokenProvider,
  noTokenProvider,
  tokenProviderFor,
} from '../../src/connector/token-providers.js';
import { accountantIdOf, type AccountantId } from '../../src/domain/ids.js';
import { createHub, type RunningHub } from '../../src/hub/create-hub.js';
import { createDelegatedWarmUp } from '../../src/hub/delegated-warm-up.js';
import { silentLogger } from '../../src/logging.js';
import { openLowdbRegistry } from '../../src/registry/lowdb-registry.js';
import type { Registry } from '../../src/registry/registry.js';
import { generateSecretsKey } from '../../src/registry/secret-box.js';
import { startSampleTenant, type SampleTenant } from '../../src/sample-tenant/index.js';
import {
  homeTenantId,
  hubClientId,
  hubClientSecret,
  startEntraStandIn,
  teamsAssertion,
  type EntraStandIn,
} from './msal-entra-stand-in.js';

const CLIENT_TENANT = '0b9d8c7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e';
const OID = 'aaaaaaaa-0000-4000-8000-00000000000a';
const ACC: AccountantId = accountantIdOf(homeTenantId, OID);
const now = new Date('2025-06-11T06:00:00.000Z');
const renewMessage =
  'Your access to this client’s Business Central needs renewing: open Accountant Hub in Teams once to renew your sign-in.';

let entra: EntraStandIn;
let bc: SampleTenant;
let dir: string;
let file: string;
const key = generateSecretsKey();
/** The server's map of live Teams sign-ins. */
const assertions = new Map<AccountantId, string>();

interface Running {
  readonly hub: RunningHub;
  readonly registry: Registry;
  readonly delegated: TokenProvider;
  close(): Promise<void>;
}

/** One run of the process: registry, provider, connector and hub, as the server builds them. */
async function start(): Promise<Running> {
  const registry = await openLowdbRegistry({ file, clock: () => now });
  const delegated = createOnBehalfOfTokenProvider({
    clientId: hubClientId,
    clientSecret: hubClientSecret,
    loginAuthority: entra.origin,
    timeoutMs: 5_000,
    msalNetworkClient: createGuardedMsalNetworkClient({
      policy: { allowedOrigins: [entra.origin], allowLoopback: true },
      ca: entra.ca,
      timeoutMs: 5_000,
    }),
    tokenCacheStore: createSealedTokenCacheStore({ registry, secretsKey: key }),
    getUserAssertion: async (target) => assertions.get(target.accountantId) ?? null,
  });
  const connector = createBusinessCentralConnector({
    apiBaseUrl: bc.url,
    sampleApiBaseUrl: bc.url,
    webClientBaseUrl: 'https://businesscentral.dynamics.com',
    tokenProvider: tokenProviderFor({ sample: noTokenProvider, delegated }),
    timeoutMs: 5_000,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 5, maxTotalMs: 1_000 },
  });
  const hub = createHub({
    registry,
    connector,
    clock: () => now,
    sampleMode: null,
    webClientBaseUrl: 'https://businesscentral.dynamics.com',
    staleAfterMinutes: 60,
  });
  return {
    hub,
    registry,
    delegated,
    async close() {
      await hub.idle();
      await registry.close();
    },
  };
}

async function summaryFailures(hub: RunningHub) {
  const { content } = await buildDailySummary(hub, {
    accountantId: ACC,
    displayName: 'Ann',
    day: '2025-06-11',
    timeZone: 'Europe/London',
    previous: null,
  });
  return { failures: content.failures, card: JSON.stringify(dailySummaryCard(content)) };
}

beforeEach(async () => {
  entra = await startEntraStandIn();
  bc = await startSampleTenant({
    fleet: {
      tenants: [
        {
          id: CLIENT_TENANT,
          displayName: 'Contoso',
          environments: [{ name: 'production', companies: 2 }],
        },
      ],
    },
    now: () => now,
  });
  dir = await mkdtemp(path.join(tmpdir(), 'obo-hub-test-'));
  file = path.join(dir, 'registry.json');
  assertions.clear();

  // Yesterday: the accountant, signed in to Teams, adds the client and refreshes it.
  // Access tokens that MSAL always considers due for renewal (under its 5-minute margin), so
  // "overnight" is only a restart away.
  entra.accessTokenSeconds = 120;
  const day1 = await start();
  await day1.hub.signIn({
    id: ACC,
    entraTenantId: homeTenantId,
    userObjectId: OID,
    displayName: 'Ann',
  });
  assertions.set(ACC, teamsAssertion(OID));
  const added = await day1.hub.addClient(ACC, {
    name: 'Contoso',
    url: `https://businesscentral.dynamics.com/${CLIENT_TENANT}/production`,
  });
  expect(added.ok).toBe(true);
  const first = await day1.hub.refresh(ACC, { kind: 'all' });
  expect(first.ok && first.value.failed).toBe(0);
  expect(new Set(entra.grants())).toEqual(new Set(['obo']));
  await day1.close();
  assertions.clear();
});

afterEach(async () => {
  await bc.close();
  await entra.close();
  await rm(dir, { recursive: true, force: true });
});

test('after a restart, the daily summary refreshes a delegated client from the token cache', async () => {
  const yesterday = entra.grants().length;
  entra.accessTokenSeconds = 3599; // today's renewed token lasts the hour
  const day2 = await start();
  try {
    const refreshed = await day2.hub.refresh(ACC, { kind: 'all' });
    expect(refreshed.ok && refreshed.value.failed).toBe(0);
    expect(refreshed.ok && refreshed.value.succeeded).toBe(2);
    // One renewal with the cached refresh token serves both companies.
    expect(entra.grants().slice(yesterday)).toEqual(['refresh']);
    const { failures } = await summaryFailures(day2.hub);
    expect(failures).toEqual([]);
  } finally {
    await day2.close();
  }
});

test('when the cache cannot renew the sign-in, the daily summary says what to do', async () => {
  entra.revokeRefreshTokens();
  const day2 = await start();
  try {
    const refreshed = await day2.hub.refresh(ACC, { kind: 'all' });
    expect(refreshed.ok && refreshed.value.failed).toBe(2);
    const rows = (await day2.hub.dashboard(ACC)).rows;
    expect(rows.map((r) => r.errorReason)).toEqual(['bc-access-denied', 'bc-access-denied']);

    const { failures, card } = await summaryFailures(day2.hub);
    expect(failures).toHaveLength(2);
    for (const f of failures) expect(f.message).toContain(renewMessage);
    expect(card).toContain('open Accountant Hub in Teams once to renew your sign-in');
  } finally {
    await day2.close();
  }
});

test('signing in fills the token cache of a delegated client not opened since, for the overnight summary', async () => {
  // A second client reached the registry without a BC call in a live sign-in (an import).
  const day2 = await start();
  const store = day2.registry.forAccountant(ACC);
  const imported = await store.createClient({
    name: 'Fabrikam',
    url: `https://businesscentral.dynamics.com/${CLIENT_TENANT}/production`,
    target: { tenant: CLIENT_TENANT, environment: 'production' },
    connection: { kind: 'delegated' },
  });
  expect(await store.getSecret(imported.id, delegatedTokenCacheName)).toBeNull();
  const warmUp = createDelegatedWarmUp({
    registry: day2.registry,
    provider: day2.delegated,
    clock: () => now,
    logger: silentLogger,
  });
  assertions.set(ACC, teamsAssertion(OID));
  warmUp.signedIn(ACC);
  warmUp.signedIn(ACC); // the same sign-in again: no second round
  await warmUp.idle();
  expect(await store.getSecret(imported.id, delegatedTokenCacheName)).not.toBeNull();
  await day2.close();
  assertions.clear();

  const day3 = await start();
  try {
    // No assertion overnight: the token comes from the cache the sign-in filled.
    const token = await day3.delegated.getToken({
      accountantId: ACC,
      clientId: imported.id,
      tenant: CLIENT_TENANT,
      environment: 'production',
      connection: { kind: 'delegated' },
    });
    expect(token.ok).toBe(true);
  } finally {
    await day3.close();
  }
});
