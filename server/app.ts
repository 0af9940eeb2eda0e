/**
 * The composition root: the one place that turns configuration into running parts. It builds
 * the registry, the sample tenant (in sample mode), the Business Central connector, the hub and
 * the HTTP server, lets the edges (the bot) mount on the server, and knows how to stop all of it
 * in order. It does not read `process.env` (see `main.ts`) and does not listen until asked.
 */
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type restify from 'restify';
import type { AppConfig } from '../src/config.js';
import { AppError, assertNever, toAppError } from '../src/domain/errors.js';
import { systemClock, type Clock } from '../src/domain/dates.js';
import type { AccountantId } from '../src/domain/ids.js';
import { createLogger, type Logger } from '../src/logging.js';
import { openLowdbRegistry } from '../src/registry/lowdb-registry.js';
import type { Registry } from '../src/registry/registry.js';
import {
  openSecret,
  readOrCreateSecretsKeyFile,
  sealSecret,
  describeFsError,
} from '../src/registry/secret-box.js';
import { createBusinessCentralConnector } from '../src/connector/business-central-connector.js';
import {
  createOutboundPolicy,
  isAllowedUrl,
  resolveAllowedAddresses,
} from '../src/net/outbound-guard.js';
import type { EnvironmentTarget, TenantConnector } from '../src/connector/tenant-connector.js';
import type { TokenProvider } from '../src/connector/token-provider.js';
import {
  createClientCredentialsTokenProvider,
  createOnBehalfOfTokenProvider,
  noTokenProvider,
  tokenProviderFor,
} from '../src/connector/token-providers.js';
import { createGuardedMsalNetworkClient } from '../src/connector/msal-network-client.js';
import { createSealedTokenCacheStore } from '../src/connector/msal-token-cache.js';
import { createHub, type RunningHub } from '../src/hub/create-hub.js';
import { appClientSecretName } from '../src/hub/clients.js';
import { createDelegatedWarmUp } from '../src/hub/delegated-warm-up.js';
import { buildStatementWorkbook } from '../src/hub/reports.js';
import {
  defaultSampleTenantId,
  startSampleTenant,
  type SampleFleetSpec,
  type SampleTenant,
} from '../src/sample-tenant/index.js';
import { localAuthenticator, type AuthRequest, type Authenticator } from './authenticator.js';
import { createEntraAuthenticator } from './auth/entra-authenticator.js';
import { closeEventStreams, createServer } from './create-server.js';
import type { RateLimiter } from './rate-limit.js';

/** The running core that the edges (REST API, bot) share. */
export interface AppCore {
  readonly config: AppConfig;
  readonly hub: RunningHub;
  readonly registry: Registry;
  readonly connector: TenantConnector;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The embedded sample tenant in sample mode, else null. */
  readonly sampleTenant: SampleTenant | null;
}

/** Something mounted on the server that has to be stopped with the app (the bot's scheduler). */
export interface MountedEdge {
  close(): Promise<void>;
}

export interface AppOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Mounts further edges on the server before it listens (the bot passes `mountBot`). */
  readonly mountEdges?: (server: restify.Server, core: AppCore) => Promise<MountedEdge | void>;
  /** Replaces the authenticator chosen from `AUTH_MODE` (tests of other sign-in schemes). */
  readonly authenticator?: Authenticator;
  /** The built tab; default `tab/dist` of this project. */
  readonly staticDir?: string;
  /** What the sample tenant serves in sample mode; default {@link appSampleFleet}. */
  readonly sampleFleet?: SampleFleetSpec;
  /** Replaces the API's per-accountant rate limiter (`null`: none); see `createServer`. */
  readonly rateLimiter?: RateLimiter | null;
}

/** The sample client's environment, added for every new accountant in sample mode. */
export const sampleClientEnvironment = 'production';
/** A second sample environment, so "New client" can be tried with a URL that works. */
export const extraSampleEnvironment = 'sandbox';

/**
 * The sample tenant of `npm start`: the sample client's three companies in `production`, and two
 * more in `sandbox` that an accountant can add as a client of their own.
 */
export const appSampleFleet: SampleFleetSpec = {
  tenants: [
    {
      id: defaultSampleTenantId,
      displayName: 'Sample Client',
      environments: [
        { name: sampleClientEnvironment, companies: 3 },
        { name: extraSampleEnvironment, companies: 2 },
      ],
    },
  ],
};

export interface App {
  readonly server: restify.Server;
  readonly core: AppCore;
  /** Starts listening on `PORT`/`HOST`; resolves with the address actually bound. */
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Stops in order: no new connections, open event streams ended, in-flight requests finished,
   * edges stopped, background refreshes settled, sample tenant stopped, registry flushed.
   * Safe to call more than once.
   */
  close(): Promise<void>;
}

const projectRoot = new URL('../', import.meta.url);

/** Longest wait for background refreshes at shutdown before the parts under them are stopped. */
const shutdownRefreshWaitMs = 10_000;
/** Longest wait for in-flight requests at shutdown before their connections are cut. */
const shutdownRequestWaitMs = 10_000;

async function readVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('package.json', projectRoot), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Resolves after `ms` without keeping the process alive. */
const pause = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The accountant's bearer token from the request, kept for on-behalf-of calls to BC. */
function bearerTokenOf(req: AuthRequest): string | null {
  const header = req.headers['authorization'];
  if (typeof header !== 'string') return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ?? null;
}

function isAddressInUse(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/**
 * Builds the whole app from configuration. Rejects with an {@link AppError} whose message says
 * what to fix (a corrupt registry file stops start-up with the registry's `storage` message and
 * the file untouched; a port in use names the key to change).
 */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.logLevel, clock });
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.reverse()) {
      await step().catch((e: unknown) =>
        logger.warn('clean-up after failed start-up failed', { error: toAppError(e) }),
      );
    }
  };

  try {
    try {
      await mkdir(config.dataDir, { recursive: true });
    } catch (e) {
      throw new AppError(
        'storage',
        `Cannot create the data folder ${config.dataDir} (DATA_DIR): ${describeFsError(e)}.`,
      );
    }

    // Sample mode may run without SECRETS_KEY: a key generated once into DATA_DIR keeps the
    // secrets sealed at rest without asking a first-time user to make one.
    const secretsKey =
      config.secretsKey ??
      (config.sampleMode ? await readOrCreateSecretsKeyFile(config.secretsKeyFile) : null);

    const registry = await openLowdbRegistry({ file: config.registryFile, clock, logger });
    cleanups.push(() => registry.close());

    let sampleTenant: SampleTenant | null = null;
    if (config.sampleMode) {
      try {
        sampleTenant = await startSampleTenant({
          fleet: options.sampleFleet ?? appSampleFleet,
          host: '127.0.0.1',
          port: config.sampleTenantPort,
          latencyMs: config.sampleTenantLatencyMs,
          now: clock,
        });
      } catch (e) {
        if (isAddressInUse(e)) {
          throw new AppError(
            'config',
            `The sample tenant cannot listen on port ${config.sampleTenantPort}: it is in use. Stop the other program or set SAMPLE_TENANT_PORT to a free port.`,
          );
        }
        throw e;
      }
      const tenant = sampleTenant;
      cleanups.push(() => tenant.close());
    }

    const userTokens = new Map<AccountantId, string>();
    // MSAL's own HTTP goes through the outbound guard too: only the Entra sign-in host, loopback
    // only in sample mode, no redirects, DNS answers pointing inside refused.
    const msalNetworkClient = createGuardedMsalNetworkClient({
      policy: { allowedOrigins: [config.entraAuthorityHost], allowLoopback: config.sampleMode },
      timeoutMs: config.bcTimeoutMs,
      logger,
    });
    const appProvider: TokenProvider | undefined = secretsKey
      ? createClientCredentialsTokenProvider({
          loginAuthority: config.entraAuthorityHost,
          timeoutMs: config.bcTimeoutMs,
          msalNetworkClient,
          logger,
          getAppSecret: async (target: EnvironmentTarget) => {
            const sealed = await registry
              .forAccountant(target.accountantId)
              .getSecret(target.clientId, appClientSecretName);
            return sealed
              ? openSecret(sealed, secretsKey, `${target.clientId}/${appClientSecretName}`)
              : null;
          },
        })
      : undefined;
    const delegatedProvider: TokenProvider | undefined =
      config.entraClientId && config.entraClientSecret
        ? createOnBehalfOfTokenProvider({
            clientId: config.entraClientId,
            clientSecret: config.entraClientSecret,
            loginAuthority: config.entraAuthorityHost,
            timeoutMs: config.bcTimeoutMs,
            msalNetworkClient,
            logger,
            clock,
            getUserAssertion: async (target) => userTokens.get(target.accountantId) ?? null,
            // Sealed per accountant and client, so the daily summary can renew access later.
            ...(secretsKey
              ? { tokenCacheStore: createSealedTokenCacheStore({ registry, secretsKey, logger }) }
              : {}),
          })
        : undefined;

    const outboundPolicy = createOutboundPolicy({
      origins: [config.bcApiBaseUrl],
      sampleTenantUrl: sampleTenant?.url ?? null,
    });
    const connector = createBusinessCentralConnector({
      apiBaseUrl: config.bcApiBaseUrl,
      ...(sampleTenant ? { sampleApiBaseUrl: sampleTenant.url } : {}),
      webClientBaseUrl: config.bcWebClientUrl,
      tokenProvider: tokenProviderFor({
        sample: noTokenProvider,
        ...(appProvider ? { app: appProvider } : {}),
        ...(delegatedProvider ? { delegated: delegatedProvider } : {}),
      }),
      timeoutMs: config.bcTimeoutMs,
      clock,
      logger,
      // "Test Client URL" must not turn the server into a way to reach arbitrary addresses:
      // only BC's API host (and the sample tenant's loopback origin in sample mode) is called,
      // DNS answers pointing inside are refused, and redirects are never followed.
      isAllowedUrl: (url: URL) => isAllowedUrl(outboundPolicy, url),
      // The DNS check runs when the connection is made, so the address checked is the one used.
      resolveHost: (host: string) => resolveAllowedAddresses(outboundPolicy, host),
    });

    const hub = createHub({
      registry,
      connector,
      clock,
      logger,
      sampleMode: sampleTenant
        ? {
            sampleOrigin: sampleTenant.url,
            defaultClientUrl: sampleTenant.clientUrl(
              defaultSampleTenantId,
              sampleClientEnvironment,
            ),
          }
        : null,
      webClientBaseUrl: config.bcWebClientUrl,
      ...(sampleTenant ? { sampleWebClientBaseUrl: sampleTenant.url } : {}),
      staleAfterMinutes: config.staleAfterMinutes,
      ...(secretsKey
        ? { sealSecret: (plain: string, context: string) => sealSecret(plain, secretsKey, context) }
        : {}),
    });
    cleanups.push(() => hub.idle());
    // Fills delegated clients' token caches while the accountant is signed in, so the daily
    // summary can refresh them later without the accountant.
    const warmUp = delegatedProvider
      ? createDelegatedWarmUp({ registry, provider: delegatedProvider, clock, logger })
      : null;
    if (warmUp) cleanups.push(() => warmUp.idle());

    const authenticator = options.authenticator ?? authenticatorFor(config, clock);
    const core: AppCore = { config, hub, registry, connector, logger, clock, sampleTenant };

    const server = createServer({
      hub,
      authenticator,
      logger,
      staticDir: options.staticDir ?? fileURLToPath(new URL('tab/dist', projectRoot)),
      buildWorkbook: buildStatementWorkbook,
      version: await readVersion(),
      sampleMode: config.sampleMode,
      clock,
      ...(options.rateLimiter !== undefined ? { rateLimiter: options.rateLimiter } : {}),
      // Delegated access calls BC on behalf of the accountant with their own (validated) token.
      ...(delegatedProvider
        ? {
            onAuthenticated: (identity, req) => {
              const token = bearerTokenOf(req);
              if (token) userTokens.set(identity.id, token);
              warmUp?.signedIn(identity.id);
            },
          }
        : {}),
    });

    const edge = (await options.mountEdges?.(server, core)) ?? null;
    if (edge) cleanups.push(() => edge.close());

    let closing: Promise<void> | null = null;
    let listening = false;

    async function stopServer(): Promise<void> {
      if (!listening) return;
      closeEventStreams(server);
      const http = server.server;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const finished = await Promise.race([
        closed.then(() => true),
        pause(shutdownRequestWaitMs).then(() => false),
      ]);
      if (!finished) {
        logger.warn('requests still running at shutdown were cut off');
        http.closeAllConnections();
        await closed;
      }
    }

    async function shutDown(): Promise<void> {
      await stopServer();
      if (edge)
        await edge
          .close()
          .catch((e: unknown) => logger.warn('edge close failed', { error: toAppError(e) }));
      // Refreshes write snapshots: let them finish before the tenant and the file go away.
      const settled = await Promise.race([
        hub.idle().then(() => true),
        pause(shutdownRefreshWaitMs).then(() => false),
      ]);
      if (!settled) logger.warn('refreshes still running at shutdown; stopping their sources');
      if (sampleTenant) await sampleTenant.close();
      if (!settled) await Promise.race([hub.idle(), pause(shutdownRefreshWaitMs)]);
      await registry.close();
      logger.info('stopped');
    }

    return {
      server,
      core,
      async listen() {
        const http = server.server;
        await new Promise<void>((resolve, reject) => {
          const onError = (e: unknown): void => {
            reject(
              isAddressInUse(e)
                ? new AppError(
                    'config',
                    `Cannot listen on port ${config.port}: it is in use. Stop the other program or set PORT to a free port.`,
                  )
                : toAppError(e),
            );
          };
          // restify re-emits the HTTP server's errors on itself (and throws when nobody listens).
          server.once('error', onError);
          server.listen(config.port, config.host, () => {
            server.off('error', onError);
            resolve();
          });
        });
        listening = true;
        const { port } = http.address() as AddressInfo;
        const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
        logger.info('listening', { url });
        return { url, port };
      },
      close() {
        closing ??= shutDown();
        return closing;
      },
    };
  } catch (e) {
    await cleanUp();
    throw e;
  }
}

/** `AUTH_MODE=local`: this computer only. `entra`: Teams SSO tokens checked against Entra's keys. */
function authenticatorFor(config: AppConfig, clock: Clock): Authenticator {
  switch (config.authMode) {
    case 'local':
      return localAuthenticator();
    case 'entra':
      return createEntraAuthenticator(config, { clock });
    default:
      return assertNever(config.authMode);
  }
}
