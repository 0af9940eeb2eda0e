/**
 * The hub wired to real parts for tests: the lowdb registry on a temp file, the Business Central
 * connector over HTTP, and the sample tenant on a loopback port. Non-sample Client URLs
 * (`https://businesscentral.dynamics.com/{tenant}/{env}`) reach the same sample tenant because
 * the connector's API base is pointed at it, so the delegated and app-only paths run over real
 * HTTP too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBusinessCentralConnector } from '../../src/connector/business-central-connector.js';
import type { TenantConnector } from '../../src/connector/tenant-connector.js';
import type { TokenProvider } from '../../src/connector/token-provider.js';
import { AppError, err, ok } from '../../src/domain/errors.js';
import { accountantIdOf } from '../../src/domain/ids.js';
import type { AccountantId } from '../../src/domain/ids.js';
import { appClientSecretName } from '../../src/hub/clients.js';
import { createHub } from '../../src/hub/create-hub.js';
import type { HubDeps, RunningHub } from '../../src/hub/create-hub.js';
import type { AccountantIdentity } from '../../src/hub/hub.js';
import { openLowdbRegistry } from '../../src/registry/lowdb-registry.js';
import type { Registry } from '../../src/registry/registry.js';
import { generateSecretsKey, openSecret, sealSecret } from '../../src/registry/secret-box.js';
import { defaultSampleTenantId, startSampleTenant } from '../../src/sample-tenant/index.js';
import type { SampleFleetSpec, SampleTenant } from '../../src/sample-tenant/index.js';

/** A Wednesday, mid-quarter: "today" for the tenant, the connector, the registry and the hub. */
export const testNow = new Date('2025-06-11T10:00:00.000Z');
export const webClientBaseUrl = 'https://businesscentral.dynamics.com';
/** The app secret the harness's token provider accepts for app-only clients. */
export const goodAppSecret = 'correct horse battery staple';

export const otherTenantId = '0b9d8c7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e';
export const thirdTenantId = 'c3c3c3c3-1111-4222-8333-444455556666';

/** Sample client (3 companies) plus two more tenants with two environments between them. */
export const testFleet: SampleFleetSpec = {
  tenants: [
    {
      id: defaultSampleTenantId,
      displayName: 'Sample Client',
      environments: [{ name: 'production', companies: 3 }],
    },
    {
      id: otherTenantId,
      displayName: 'Other Client',
      environments: [
        { name: 'production', companies: 2 },
        { name: 'sandbox', companies: 1 },
      ],
    },
    {
      id: thirdTenantId,
      displayName: 'Third Client',
      environments: [{ name: 'production', companies: 2 }],
    },
  ],
};

export interface Harness {
  readonly hub: RunningHub;
  readonly registry: Registry;
  readonly tenant: SampleTenant;
  readonly connector: TenantConnector;
  readonly dir: string;
  /** Moves "now" for the hub (the tenant's data stays dated from {@link testNow}). */
  setNow(d: Date): void;
  now(): Date;
  /** The Client URL of an environment as a real BC URL (reaches the sample tenant as delegated). */
  bcUrl(tenant: string, environment?: string): string;
  sampleUrl(tenant?: string, environment?: string): string;
  close(): Promise<void>;
}

export function identity(name: string): AccountantIdentity {
  const userObjectId = `00000000-0000-4000-8000-${name.padStart(12, '0').slice(-12)}`;
  const entraTenantId = '11111111-2222-4333-8444-555555555555';
  return {
    id: accountantIdOf(entraTenantId, userObjectId),
    entraTenantId,
    userObjectId,
    displayName: `Accountant ${name}`,
  };
}

export async function startHarness(
  options: {
    sampleMode?: boolean;
    withSealing?: boolean;
    hub?: Partial<HubDeps>;
    connectorRetryAttempts?: number;
    connectorTimeoutMs?: number;
  } = {},
): Promise<Harness> {
  let now = testNow;
  const clock = (): Date => now;
  const tenant = await startSampleTenant({ fleet: testFleet, now: () => testNow });
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-test-'));
  const registry = await openLowdbRegistry({ file: path.join(dir, 'registry.json'), clock });
  const key = generateSecretsKey();

  // Stands in for Entra ID: app-only clients get a token only with the right secret, which it
  // can read only by opening the sealed value the hub stored, with the context the hub bound.
  const tokenProvider: TokenProvider = {
    async getToken(target) {
      if (target.connection.kind !== 'app') return ok(null);
      const sealed = await registry
        .forAccountant(target.accountantId)
        .getSecret(target.clientId, appClientSecretName);
      if (!sealed) return err(new AppError('bc-access-denied', 'No app secret is stored.'));
      const plain = openSecret(sealed, key, `${target.clientId}/${appClientSecretName}`);
      if (plain !== goodAppSecret) {
        return err(
          new AppError('bc-access-denied', 'The client’s app registration could not sign in.'),
        );
      }
      return ok('app-token');
    },
  };

  const connector = createBusinessCentralConnector({
    apiBaseUrl: tenant.url,
    sampleApiBaseUrl: tenant.url,
    webClientBaseUrl,
    tokenProvider,
    timeoutMs: options.connectorTimeoutMs ?? 5_000,
    retry: {
      maxAttempts: options.connectorRetryAttempts ?? 1,
      baseDelayMs: 1,
      maxDelayMs: 5,
      maxTotalMs: 1_000,
    },
  });
  const sampleMode = options.sampleMode ?? true;
  const hub = createHub({
    registry,
    connector,
    clock,
    sampleMode: sampleMode
      ? {
          sampleOrigin: tenant.url,
          defaultClientUrl: tenant.clientUrl(defaultSampleTenantId, 'production'),
        }
      : null,
    webClientBaseUrl,
    sampleWebClientBaseUrl: tenant.url,
    staleAfterMinutes: 60,
    ...(options.withSealing === false
      ? {}
      : { sealSecret: (plain: string, context: string) => sealSecret(plain, key, context) }),
    ...options.hub,
  });

  return {
    hub,
    registry,
    tenant,
    connector,
    dir,
    setNow: (d) => {
      now = d;
    },
    now: clock,
    bcUrl: (t, env = 'production') => `${webClientBaseUrl}/${t}/${env}`,
    sampleUrl: (t = defaultSampleTenantId, env = 'production') => tenant.clientUrl(t, env),
    async close() {
      await hub.idle();
      await registry.close();
      await tenant.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in and returns the accountant id. */
export async function signedIn(h: Harness, name: string): Promise<AccountantId> {
  const who = identity(name);
  await h.hub.signIn(who);
  return who.id;
}

/** Unwraps a Result in a test, failing with the error's reason and message. */
export function expectOk<T>(result: { ok: true; value: T } | { ok: false; error: AppError }): T {
  if (!result.ok) {
    throw new Error(`Expected ok, got ${result.error.reason}: ${result.error.message}`);
  }
  return result.value;
}

/** Unwraps a failed Result in a test. */
export function expectErr<T>(
  result: { ok: true; value: T } | { ok: false; error: AppError },
): AppError {
  if (result.ok) throw new Error('Expected an error, got ok');
  return result.error;
}
