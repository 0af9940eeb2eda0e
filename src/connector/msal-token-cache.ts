/**
 * MSAL's token cache for delegated access, kept between runs: one cache per accountant and
 * client, sealed with the secrets key (AES-256-GCM) and stored in the registry next to that
 * client's other secrets. The refresh token MSAL keeps in it is what lets the daily summary
 * reach a client's Business Central while the accountant is not signed in.
 *
 * Isolation: every (accountant, client) pair has its own MSAL application and so its own
 * in-memory cache (see `token-providers.ts`), and its own stored blob. The blob is sealed with
 * the accountant, the client and the name as additional authenticated data, so a blob copied
 * onto another accountant or client does not open; and it records the tenant it was made for,
 * so a client whose URL now names another tenant starts with an empty cache.
 *
 * A cache that cannot be read (sealed with another key, tampered with, not MSAL's format) is
 * treated as empty and logged without its contents: the accountant signs in again, nothing
 * crashes.
 */
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { AccountantId, ClientId } from '../domain/ids.js';
import { silentLogger, type Logger } from '../logging.js';
import type { Registry } from '../registry/registry.js';
import { openSecret, sealSecret } from '../registry/secret-box.js';

/** The registry secret name of a client's delegated token cache. */
export const delegatedTokenCacheName = 'msal-token-cache';

/** Whose token cache: one accountant's, for one of their clients' tenant. */
export interface TokenCacheOwner {
  readonly accountantId: AccountantId;
  readonly clientId: ClientId;
  /** The client's tenant (as in its Client URL); a cache made for another tenant is not used. */
  readonly tenant: string;
}

/** Where serialized MSAL caches are kept between runs. Neither method throws. */
export interface TokenCacheStore {
  /** The owner's serialized cache, or null when there is none or it cannot be read. */
  load(owner: TokenCacheOwner): Promise<string | null>;
  /** Stores the owner's serialized cache; a failure is logged, not thrown. */
  save(owner: TokenCacheOwner, serialized: string): Promise<void>;
}

/** What is sealed: the tenant beside MSAL's serialized cache. */
interface Envelope {
  readonly v: 1;
  readonly tenant: string;
  readonly cache: string;
}

function sealContext(owner: TokenCacheOwner, name: string): string {
  return `${owner.accountantId}/${owner.clientId}/${name}`;
}

function isEnvelope(value: unknown): value is Envelope {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return v.v === 1 && typeof v.tenant === 'string' && typeof v.cache === 'string';
}

/**
 * A {@link TokenCacheStore} in the registry: `getSecret/saveSecret(clientId, name)` of the
 * owner's accountant store, sealed with `secretsKey`.
 */
export function createSealedTokenCacheStore(options: {
  readonly registry: Registry;
  readonly secretsKey: Buffer;
  readonly logger?: Logger;
  /** Default {@link delegatedTokenCacheName}. */
  readonly name?: string;
}): TokenCacheStore {
  const name = options.name ?? delegatedTokenCacheName;
  const logger = (options.logger ?? silentLogger).child({ component: 'token-cache' });
  const where = (owner: TokenCacheOwner) => ({
    accountantId: owner.accountantId,
    clientId: owner.clientId,
  });

  return {
    async load(owner) {
      let sealed;
      try {
        sealed = await options.registry
          .forAccountant(owner.accountantId)
          .getSecret(owner.clientId, name);
      } catch (e) {
        logger.warn('token cache could not be read; using an empty one', {
          ...where(owner),
          reason: isReasoned(e) ? e.reason : 'unknown',
        });
        return null;
      }
      if (sealed === null) return null;
      let envelope: unknown;
      try {
        envelope = JSON.parse(openSecret(sealed, options.secretsKey, sealContext(owner, name)));
      } catch (_e) {
        // The cause is a wrong key, tampering or a foreign format; its text is not logged
        // because a parse error can quote the plaintext.
        logger.warn('token cache could not be opened; using an empty one', where(owner));
        return null;
      }
      if (!isEnvelope(envelope)) {
        logger.warn('token cache is not in the expected form; using an empty one', where(owner));
        return null;
      }
      if (envelope.tenant.toLowerCase() !== owner.tenant.toLowerCase()) {
        logger.info('token cache was made for another tenant; using an empty one', where(owner));
        return null;
      }
      return envelope.cache;
    },

    async save(owner, serialized) {
      const envelope: Envelope = { v: 1, tenant: owner.tenant, cache: serialized };
      try {
        await options.registry
          .forAccountant(owner.accountantId)
          .saveSecret(
            owner.clientId,
            name,
            sealSecret(JSON.stringify(envelope), options.secretsKey, sealContext(owner, name)),
          );
      } catch (e) {
        const reason = isReasoned(e) ? e.reason : 'unknown';
        // A client not stored (yet, while its URL is tested; or any more, removed meanwhile)
        // has nowhere to keep its cache: expected, so not a warning.
        if (reason === 'not-found')
          logger.debug('token cache not kept: no such client', where(owner));
        else logger.warn('token cache could not be saved', { ...where(owner), reason });
      }
    },
  };
}

function isReasoned(e: unknown): e is { reason: string } {
  return (
    e !== null && typeof e === 'object' && typeof (e as { reason?: unknown }).reason === 'string'
  );
}

/** A {@link TokenCacheStore} in memory, for a hub without a secrets key (and for tests). */
export function createMemoryTokenCacheStore(): TokenCacheStore & {
  /** The stored text of an owner, for tests. */
  peek(owner: TokenCacheOwner): string | undefined;
} {
  const caches = new Map<string, string>();
  const keyOf = (o: TokenCacheOwner): string =>
    JSON.stringify([o.accountantId, o.clientId, o.tenant.toLowerCase()]);
  return {
    load: async (owner) => caches.get(keyOf(owner)) ?? null,
    save: async (owner, serialized) => {
      caches.set(keyOf(owner), serialized);
    },
    peek: (owner) => caches.get(keyOf(owner)),
  };
}

/** An empty cache in MSAL's serialized form. */
const EMPTY_CACHE = '';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The sections of MSAL's serialized cache; each maps cache keys to entity objects. */
const CACHE_SECTIONS = ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'];

/**
 * Whether `text` has the shape of MSAL's serialized cache. MSAL's own deserializer accepts
 * entities that are not objects and only fails later, when it serializes, which would keep a
 * bad cache from ever being replaced; so the shape is checked before MSAL sees it.
 */
function isCacheJson(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (!isPlainObject(parsed)) return false;
  return CACHE_SECTIONS.every((section) => {
    const entries = parsed[section];
    return (
      entries === undefined ||
      (isPlainObject(entries) && Object.values(entries).every(isPlainObject))
    );
  });
}

/**
 * The MSAL cache plugin of one owner's application: before MSAL reads the cache it loads the
 * stored one (or an empty one); after MSAL changed it, it stores it again. MSAL calls
 * `afterCacheAccess` after every access, so `cacheHasChanged` keeps reads from writing.
 */
export function createTokenCachePlugin(
  store: TokenCacheStore,
  owner: TokenCacheOwner,
  logger: Logger = silentLogger,
): ICachePlugin {
  const log = logger.child({ component: 'token-cache' });
  const where = { accountantId: owner.accountantId, clientId: owner.clientId };
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      let text: string | null = null;
      try {
        text = await store.load(owner);
      } catch (_e) {
        text = null;
      }
      if (text !== null && !isCacheJson(text)) {
        log.warn('stored token cache is not MSAL’s format; using an empty one', where);
        text = null;
      }
      try {
        context.tokenCache.deserialize(text ?? EMPTY_CACHE);
      } catch (_e) {
        // MSAL rejected the content: start empty rather than fail the sign-in.
        log.warn('stored token cache could not be loaded; using an empty one', where);
        context.tokenCache.deserialize(EMPTY_CACHE);
      }
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (!context.cacheHasChanged) return;
      let serialized: string;
      try {
        serialized = context.tokenCache.serialize();
      } catch (_e) {
        log.warn('token cache could not be serialized', where);
        return;
      }
      try {
        await store.save(owner, serialized);
      } catch (_e) {
        log.warn('token cache could not be saved', where);
      }
    },
  };
}
