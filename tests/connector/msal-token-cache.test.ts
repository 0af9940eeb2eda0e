/**
 * The sealed token cache store on the real lowdb registry (temp file), and the MSAL cache plugin
 * against MSAL's real token cache.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfidentialClientApplication, TokenCacheContext } from '@azure/msal-node';
import {
  createMemoryTokenCacheStore,
  createSealedTokenCacheStore,
  createTokenCachePlugin,
  delegatedTokenCacheName,
  type TokenCacheOwner,
  type TokenCacheStore,
} from '../../src/connector/msal-token-cache.js';
import { accountantIdOf, type ClientId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logging.js';
import { openLowdbRegistry } from '../../src/registry/lowdb-registry.js';
import type { Registry } from '../../src/registry/registry.js';
import { generateSecretsKey } from '../../src/registry/secret-box.js';

const ALICE = accountantIdOf('11111111-2222-4333-8444-555555555555', 'a1');
const BOB = accountantIdOf('11111111-2222-4333-8444-555555555555', 'b2');
/** Looks like a serialized MSAL cache; the point is that it never appears in plain text. */
const CACHE_TEXT = JSON.stringify({
  RefreshToken: { k: { secret: 'RT-PLAINTEXT-42', credential_type: 'RefreshToken' } },
});

let dir: string;
let file: string;
let registry: Registry;
let clientId: ClientId;
let lines: string[];
const key = generateSecretsKey();

function store(secretsKey = key): TokenCacheStore {
  return createSealedTokenCacheStore({
    registry,
    secretsKey,
    logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
  });
}

const owner = (over: Partial<TokenCacheOwner> = {}): TokenCacheOwner => ({
  accountantId: ALICE,
  clientId,
  tenant: 'contoso.onmicrosoft.com',
  ...over,
});

async function addClient(acc: typeof ALICE): Promise<ClientId> {
  const c = await registry.forAccountant(acc).createClient({
    name: 'Contoso',
    url: 'https://businesscentral.dynamics.com/contoso.onmicrosoft.com/production',
    target: { tenant: 'contoso.onmicrosoft.com', environment: 'production' },
    connection: { kind: 'delegated' },
  });
  return c.id;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'token-cache-test-'));
  file = path.join(dir, 'registry.json');
  registry = await openLowdbRegistry({ file, idGenerator: () => 'client-1' });
  lines = [];
  clientId = await addClient(ALICE);
});

afterEach(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the sealed store', () => {
  test('keeps the cache across a reopened registry, sealed on disk', async () => {
    await store().save(owner(), CACHE_TEXT);
    await registry.close();
    const onDisk = await readFile(file, 'utf8');
    expect(onDisk).toContain(delegatedTokenCacheName);
    expect(onDisk).not.toContain('RT-PLAINTEXT-42');
    registry = await openLowdbRegistry({ file });
    expect(await store().load(owner())).toBe(CACHE_TEXT);
  });

  test('nothing stored is null', async () => {
    expect(await store().load(owner())).toBeNull();
  });

  test('another key opens nothing, and the log says so without the contents', async () => {
    await store().save(owner(), CACHE_TEXT);
    expect(await store(generateSecretsKey()).load(owner())).toBeNull();
    expect(lines.join('\n')).toMatch(/token cache could not be opened/);
    expect(lines.join('\n')).not.toContain('RT-PLAINTEXT-42');
  });

  test('a blob moved to another accountant or client does not open', async () => {
    await store().save(owner(), CACHE_TEXT);
    const sealed = await registry.forAccountant(ALICE).getSecret(clientId, delegatedTokenCacheName);
    const bobClient = await addClient(BOB);
    await registry.forAccountant(BOB).saveSecret(bobClient, delegatedTokenCacheName, sealed);
    expect(await store().load(owner({ accountantId: BOB, clientId: bobClient }))).toBeNull();

    await registry.close();
    registry = await openLowdbRegistry({ file, idGenerator: () => 'client-2' });
    const other = await addClient(ALICE);
    await registry.forAccountant(ALICE).saveSecret(other, delegatedTokenCacheName, sealed);
    expect(await store().load(owner({ clientId: other }))).toBeNull();
  });

  test('a cache made for another tenant is not handed out', async () => {
    await store().save(owner(), CACHE_TEXT);
    expect(await store().load(owner({ tenant: 'CONTOSO.onmicrosoft.com' }))).toBe(CACHE_TEXT);
    expect(await store().load(owner({ tenant: 'fabrikam.onmicrosoft.com' }))).toBeNull();
  });

  test('saving for a client removed meanwhile is logged, not thrown', async () => {
    await registry.forAccountant(ALICE).removeClient(clientId);
    await expect(store().save(owner(), CACHE_TEXT)).resolves.toBeUndefined();
    expect(lines.join('\n')).toMatch(/token cache not kept: no such client/);
    expect(lines.join('\n')).not.toContain('RT-PLAINTEXT-42');
  });

  test('a registry that fails to write is a warning, not a failed sign-in', async () => {
    await registry.close();
    const failing = createSealedTokenCacheStore({
      registry: {
        ...registry,
        forAccountant: (id) => ({
          ...registry.forAccountant(id),
          saveSecret: async () => {
            throw Object.assign(new Error('EROFS'), { reason: 'storage' });
          },
        }),
      },
      secretsKey: key,
      logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    });
    await expect(failing.save(owner(), CACHE_TEXT)).resolves.toBeUndefined();
    expect(lines.join('\n')).toMatch(
      /"level":"warn".*token cache could not be saved.*"reason":"storage"/,
    );
    registry = await openLowdbRegistry({ file });
  });
});

describe('the MSAL cache plugin', () => {
  function msalCache() {
    return new ConfidentialClientApplication({
      auth: {
        clientId: 'hub',
        clientSecret: 's',
        authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      },
    }).getTokenCache();
  }

  const account = {
    home_account_id: 'uid.utid',
    environment: 'login.microsoftonline.com',
    realm: 'utid',
    local_account_id: 'uid',
    username: 'ann@example.com',
    authority_type: 'MSSTS',
  };
  const validCache = JSON.stringify({
    Account: { 'uid.utid-login.microsoftonline.com-utid': account },
  });

  test('loads what the store holds before MSAL reads', async () => {
    const memory = createMemoryTokenCacheStore();
    await memory.save(owner(), validCache);
    const cache = msalCache();
    await createTokenCachePlugin(memory, owner()).beforeCacheAccess(
      new TokenCacheContext(cache, false),
    );
    expect(Object.keys(cache.getKVStore())).toEqual(['uid.utid-login.microsoftonline.com-utid']);
  });

  test('stores only when MSAL changed the cache', async () => {
    const saved: string[] = [];
    const counting: TokenCacheStore = {
      load: async () => validCache,
      save: async (_o, text) => {
        saved.push(text);
      },
    };
    const plugin = createTokenCachePlugin(counting, owner());
    const cache = msalCache();
    await plugin.beforeCacheAccess(new TokenCacheContext(cache, false));
    await plugin.afterCacheAccess(new TokenCacheContext(cache, false));
    expect(saved).toHaveLength(0);
    await plugin.afterCacheAccess(new TokenCacheContext(cache, true));
    expect(saved).toHaveLength(1);
    expect(JSON.parse(saved[0] ?? '{}').Account).toEqual(JSON.parse(validCache).Account);
  });

  test.each([
    ['broken JSON', '{"Account":'],
    ['an array', '[1,2]'],
    ['entities that are not objects', '{"Account":{"k":7}}'],
    ['a section that is not an object', '{"RefreshToken":"x"}'],
    ['entities MSAL refuses', '{"Account":{"k":{"tenantProfiles":"nope"}}}'],
  ])('a stored cache holding %s loads as empty, and can be replaced', async (_what, text) => {
    const memory = createMemoryTokenCacheStore();
    await memory.save(owner(), text);
    const cache = msalCache();
    const plugin = createTokenCachePlugin(memory, owner());
    await plugin.beforeCacheAccess(new TokenCacheContext(cache, true));
    expect(cache.getKVStore()).toEqual({});
    await plugin.afterCacheAccess(new TokenCacheContext(cache, true));
    expect(JSON.parse(memory.peek(owner()) ?? 'null')).toMatchObject({ Account: {} });
  });

  test('a store that throws is an empty cache, not a failed sign-in', async () => {
    const broken: TokenCacheStore = {
      load: async () => {
        throw new Error('disk on fire');
      },
      save: async () => {
        throw new Error('disk on fire');
      },
    };
    const cache = msalCache();
    const plugin = createTokenCachePlugin(broken, owner());
    await expect(
      plugin.beforeCacheAccess(new TokenCacheContext(cache, true)),
    ).resolves.toBeUndefined();
    await expect(
      plugin.afterCacheAccess(new TokenCacheContext(cache, true)),
    ).resolves.toBeUndefined();
  });
});
