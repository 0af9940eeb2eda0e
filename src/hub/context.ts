/**
 * What every use case of the hub shares: its ports, clock and settings, resolved once by
 * `createHub`, plus the small helpers that turn a stored client into a connector target.
 */
import type { AccountantId, ClientId } from '../domain/ids.js';
import type { Clock } from '../domain/dates.js';
import type { Client, Company } from '../domain/model.js';
import type { Logger } from '../logging.js';
import type { SchedulerLimits } from './refresh-scheduler.js';
import type { AccountantStore, Registry, SealedSecret } from '../registry/registry.js';
import type {
  CompanyTarget,
  EnvironmentTarget,
  TenantConnector,
} from '../connector/tenant-connector.js';

/** Sample mode: the embedded sample tenant is reachable and offered as the first client. */
export interface SampleMode {
  /** Origin of the sample tenant's web client and API, e.g. `http://127.0.0.1:4010`. */
  readonly sampleOrigin: string;
  /** The Client URL of the sample client added on first sign-in. */
  readonly defaultClientUrl: string;
}

export interface HubDeps {
  readonly registry: Registry;
  readonly connector: TenantConnector;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly sampleMode: SampleMode | null;
  /** Business Central's web client, for "Go to client" and document links. */
  readonly webClientBaseUrl: string;
  /** The sample tenant's web client; defaults to the sample origin. */
  readonly sampleWebClientBaseUrl?: string;
  /** Numbers older than this show as stale (default a day). */
  readonly staleAfterMinutes?: number;
  /** How long company details fetched live are reused (default 60 s). */
  readonly detailsCacheMs?: number;
  /** Job ids; defaults to random UUIDs. */
  readonly idGenerator?: () => string;
  /** Companies refreshing at once, overall and per environment (default 256 and 5). */
  readonly refreshLimits?: Partial<SchedulerLimits>;
  /**
   * Encrypts an app's client secret for the registry. Without it, clients with app-only access
   * cannot be added. `context` is bound to the sealed value (see `secret-box.ts`).
   */
  readonly sealSecret?: (plain: string, context: string) => SealedSecret;
}

export interface HubContext {
  readonly registry: Registry;
  readonly connector: TenantConnector;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sampleMode: SampleMode | null;
  readonly webClientBaseUrl: string;
  readonly sampleWebClientBaseUrl: string | null;
  readonly staleAfterMinutes: number;
  readonly detailsCacheMs: number;
  readonly idGenerator: () => string;
  readonly refreshLimits: SchedulerLimits;
  readonly sealSecret: ((plain: string, context: string) => SealedSecret) | null;
}

export function storeOf(ctx: HubContext, acc: AccountantId): AccountantStore {
  return ctx.registry.forAccountant(acc);
}

export function environmentTargetOf(
  acc: AccountantId,
  client: Pick<Client, 'id' | 'target' | 'connection'>,
): EnvironmentTarget {
  return {
    accountantId: acc,
    clientId: client.id,
    tenant: client.target.tenant,
    environment: client.target.environment,
    connection: client.connection,
  };
}

export function companyTargetOf(
  acc: AccountantId,
  client: Pick<Client, 'id' | 'target' | 'connection'>,
  company: Pick<Company, 'id' | 'name'>,
): CompanyTarget {
  return { ...environmentTargetOf(acc, client), companyId: company.id, companyName: company.name };
}

/** The web client a client's links open: the sample tenant's for the sample client. */
export function webClientBaseFor(ctx: HubContext, client: Client): string {
  if (client.connection.kind === 'sample') {
    return ctx.sampleWebClientBaseUrl ?? ctx.sampleMode?.sampleOrigin ?? ctx.webClientBaseUrl;
  }
  return ctx.webClientBaseUrl;
}

/** A key for per-company maps (in-flight refreshes, the details cache). */
export function companyKey(acc: AccountantId, clientId: ClientId, companyId: string): string {
  return `${acc}\u0000${clientId}\u0000${companyId}`;
}

/**
 * Runs `task` after every earlier task queued under the same key has settled: the per-accountant
 * critical sections (first sign-in, duplicate checks) must not interleave.
 */
export function createKeyedMutex(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
