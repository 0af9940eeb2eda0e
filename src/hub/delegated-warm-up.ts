/**
 * Fills each delegated client's token cache while the accountant is signed in.
 *
 * The daily summary refreshes delegated clients from MSAL's sealed token cache, which only an
 * on-behalf-of exchange during a live Teams sign-in fills. An accountant who signs in but opens
 * no client would otherwise find those clients "needing a sign-in" in tomorrow's summary. So on
 * an accountant's first request (and again after `everyMs`), one token is asked for per
 * delegated client, in the background, one at a time.
 */
import type { Clock } from '../domain/dates.js';
import type { AccountantId } from '../domain/ids.js';
import type { Logger } from '../logging.js';
import type { Registry } from '../registry/registry.js';
import type { TokenProvider } from '../connector/token-provider.js';
import { environmentTargetOf } from './context.js';

export interface DelegatedWarmUpOptions {
  readonly registry: Registry;
  /** The delegated (on-behalf-of) provider. */
  readonly provider: TokenProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long before the same accountant is warmed again (default 6 h). */
  readonly everyMs?: number;
  /** Accountants remembered at most (default 10,000); the oldest are forgotten first. */
  readonly maxAccountants?: number;
}

export interface DelegatedWarmUp {
  /** Starts a warm-up for the accountant unless one ran recently; never throws. */
  signedIn(acc: AccountantId): void;
  /** Resolves when every warm-up started so far has finished. */
  idle(): Promise<void>;
}

export function createDelegatedWarmUp(options: DelegatedWarmUpOptions): DelegatedWarmUp {
  const everyMs = options.everyMs ?? 6 * 60 * 60_000;
  const maxAccountants = options.maxAccountants ?? 10_000;
  const log = options.logger.child({ component: 'delegated-warm-up' });
  const lastWarmed = new Map<AccountantId, number>();
  const running = new Set<Promise<void>>();

  async function warm(acc: AccountantId): Promise<void> {
    const clients = await options.registry.forAccountant(acc).listClients();
    let failed = 0;
    const delegated = clients.filter((c) => c.connection.kind === 'delegated');
    for (const client of delegated) {
      const token = await options.provider.getToken(environmentTargetOf(acc, client));
      if (!token.ok) failed += 1;
    }
    if (delegated.length > 0) {
      log.debug('delegated token caches warmed', { clients: delegated.length, failed });
    }
  }

  return {
    signedIn(acc) {
      const now = options.clock().getTime();
      const last = lastWarmed.get(acc);
      if (last !== undefined && now - last < everyMs) return;
      lastWarmed.delete(acc);
      lastWarmed.set(acc, now);
      if (lastWarmed.size > maxAccountants) {
        const oldest = lastWarmed.keys().next().value;
        if (oldest !== undefined) lastWarmed.delete(oldest);
      }
      const job = warm(acc)
        .catch((e: unknown) => log.warn('warming delegated token caches failed', { error: e }))
        .finally(() => running.delete(job));
      running.add(job);
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
