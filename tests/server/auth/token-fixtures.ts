/**
 * The Entra suites' shared setup: Entra's signing key served by the loopback key set, started once
 * per suite, and token validators configured for the test app and tenant that read their keys
 * there.
 */
import { afterAll, beforeAll } from '@jest/globals';
import {
  createEntraTokenValidator,
  type EntraTokenValidator,
  type EntraTokenValidatorOptions,
} from '../../../server/auth/entra-token.js';
import {
  APP_ID_URI,
  CLIENT_ID,
  makeKey,
  NOW,
  startJwksServer,
  TENANT,
  type JwksServer,
  type SigningKey,
} from './token-kit.js';

/** Entra as a suite sees it; its fields are set once the suite's `beforeAll` hooks have run. */
export interface EntraStandIn {
  /** The key tokens are signed with (kid `entra-key-1`), the only one the key set serves. */
  readonly key: SigningKey;
  readonly jwks: JwksServer;
}

/**
 * Starts the key set before the suite's tests and closes it after them. Call it at the top of a
 * test file, before the file's own `beforeAll` hooks, which may then use the stand-in.
 */
export function useEntraStandIn(): EntraStandIn {
  let started: EntraStandIn | null = null;
  beforeAll(async () => {
    const key = await makeKey('entra-key-1');
    started = { key, jwks: await startJwksServer([key]) };
  });
  afterAll(async () => {
    await started?.jwks.close();
  });
  const get = (): EntraStandIn => {
    if (started === null) throw new Error('the Entra stand-in starts in beforeAll');
    return started;
  };
  return {
    get key() {
      return get().key;
    },
    get jwks() {
      return get().jwks;
    },
  };
}

/** A validator for the test app and tenant at `NOW`, reading keys from `jwks`; override any option. */
export function testValidator(
  jwks: JwksServer,
  overrides: Partial<EntraTokenValidatorOptions> = {},
): EntraTokenValidator {
  return createEntraTokenValidator({
    clientId: CLIENT_ID,
    appIdUri: APP_ID_URI,
    allowedTenants: [TENANT],
    jwksUrl: jwks.url,
    // A loaded CI machine can be slow to answer even on loopback; the keys' arrival is not what
    // these tests measure.
    jwksTimeoutMs: 60_000,
    clock: () => NOW,
    ...overrides,
  });
}
