import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportSPKI, SignJWT } from 'jose';
import { isAppError } from '../../../src/domain/errors.js';
import {
  MAX_TOKEN_LENGTH,
  TEAMS_CLIENT_APP_IDS,
  type EntraTokenValidatorOptions,
  type EntraUser,
  type TokenFailure,
} from '../../../server/auth/entra-token.js';
import type { Result } from '../../../src/domain/errors.js';
import { testValidator, useEntraStandIn } from './token-fixtures.js';
import {
  APP_ID_URI,
  b64url,
  CLIENT_ID,
  makeKey,
  nowSec,
  OTHER_TENANT,
  sign,
  TENANT,
  USER_OID,
  v1Claims,
  v2Claims,
  type SigningKey,
} from './token-kit.js';

const entra = useEntraStandIn();
let rogueKey: SigningKey;

beforeAll(async () => {
  rogueKey = await makeKey('rogue-key');
});

const validator = (overrides: Partial<EntraTokenValidatorOptions> = {}) =>
  testValidator(entra.jwks, overrides);

/** Asserts a refusal: reason unauthenticated, the expected failure, and a message without the token. */
function expectRefused(result: Result<EntraUser>, failure: TokenFailure, token: string): string {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(isAppError(result.error)).toBe(true);
  expect(result.error.reason).toBe('unauthenticated');
  expect(result.error.details).toEqual({ failure });
  if (token.length > 0) expect(result.error.message).not.toContain(token);
  return result.error.message;
}

describe('Entra token validator: tokens Teams really issues', () => {
  it('accepts a v2.0 token and names the user, tenant and display name', async () => {
    const result = await validator().validate(await sign(entra.key, v2Claims()));
    expect(result).toEqual({
      ok: true,
      value: { entraTenantId: TENANT, userObjectId: USER_OID, displayName: 'Ada Lovelace' },
    });
  });

  it('accepts a v1.0 token whose audience is the Application ID URI', async () => {
    const result = await validator().validate(await sign(entra.key, v1Claims()));
    expect(result.ok && result.value.userObjectId).toBe(USER_OID);
  });

  it('accepts a v1.0 token whose audience is the client id', async () => {
    const result = await validator().validate(await sign(entra.key, v1Claims({ aud: CLIENT_ID })));
    expect(result.ok).toBe(true);
  });

  it('lowercases tenant and object ids so one person maps to one accountant', async () => {
    const token = await sign(
      entra.key,
      v2Claims({
        tid: TENANT.toUpperCase(),
        oid: USER_OID.toUpperCase(),
        iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      }),
    );
    const result = await validator().validate(token);
    expect(result.ok && [result.value.entraTenantId, result.value.userObjectId]).toEqual([
      TENANT,
      USER_OID,
    ]);
  });

  it('falls back to preferred_username, then a neutral label, when the token has no name', async () => {
    const noName = await validator().validate(await sign(entra.key, v2Claims({ name: undefined })));
    expect(noName.ok && noName.value.displayName).toBe('ada@contoso.example');
    const nothing = await validator().validate(
      await sign(entra.key, v2Claims({ name: undefined, preferred_username: undefined })),
    );
    expect(nothing.ok && nothing.value.displayName).toBe('Microsoft 365 user');
  });

  it('accepts the scope among several delegated scopes', async () => {
    const token = await sign(entra.key, v2Claims({ scp: 'User.Read access_as_user openid' }));
    expect((await validator().validate(token)).ok).toBe(true);
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    const token = await sign(entra.key, v2Claims({ exp: nowSec - 120 }));
    expect((await validator({ clockToleranceSec: 300 }).validate(token)).ok).toBe(true);
  });

  it('accepts any tenant when every tenant is allowed', async () => {
    const token = await sign(
      entra.key,
      v2Claims({
        tid: OTHER_TENANT,
        iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`,
      }),
    );
    expect((await validator({ allowedTenants: '*' }).validate(token)).ok).toBe(true);
  });

  it('accepts a token from a Teams client app when client apps are restricted', async () => {
    const v = validator({ allowedClientAppIds: TEAMS_CLIENT_APP_IDS });
    expect((await v.validate(await sign(entra.key, v2Claims()))).ok).toBe(true);
    expect((await v.validate(await sign(entra.key, v1Claims()))).ok).toBe(true);
  });

  it("fetches a tenant's signing keys once and reuses them", async () => {
    const tenant = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const v = validator({ allowedTenants: [tenant] });
    const claims = v2Claims({
      tid: tenant,
      iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
    });
    for (let i = 0; i < 3; i++)
      expect((await v.validate(await sign(entra.key, claims))).ok).toBe(true);
    expect(entra.jwks.fetches.get(tenant)).toBe(1);
  });
});

describe('Entra token validator: refusals', () => {
  it('refuses an expired token', async () => {
    const token = await sign(entra.key, v2Claims({ exp: nowSec - 3600 }));
    const message = expectRefused(await validator().validate(token), 'expired', token);
    expect(message).toMatch(/expired/);
  });

  it('refuses a token that is not valid yet', async () => {
    const token = await sign(entra.key, v2Claims({ nbf: nowSec + 3600, iat: nowSec + 3600 }));
    expectRefused(await validator().validate(token), 'not-yet-valid', token);
  });

  it('refuses a token without exp or nbf', async () => {
    const noExp = await sign(entra.key, v2Claims({ exp: undefined }));
    expectRefused(await validator().validate(noExp), 'malformed', noExp);
    const noNbf = await sign(entra.key, v2Claims({ nbf: undefined }));
    expectRefused(await validator().validate(noNbf), 'malformed', noNbf);
  });

  it('refuses a token issued for another application', async () => {
    const token = await sign(entra.key, v2Claims({ aud: 'ffffffff-0000-4000-8000-000000000000' }));
    const message = expectRefused(await validator().validate(token), 'audience', token);
    expect(message).toMatch(/another application/);
  });

  it('refuses a v2.0 token whose audience is the Application ID URI (v2 tokens carry the client id)', async () => {
    const token = await sign(entra.key, v2Claims({ aud: APP_ID_URI }));
    expectRefused(await validator().validate(token), 'audience', token);
  });

  it('refuses a token from an issuer that does not match its tenant', async () => {
    const token = await sign(
      entra.key,
      v2Claims({ iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }),
    );
    expectRefused(await validator().validate(token), 'issuer', token);
  });

  it('refuses a v2.0 token carrying the v1.0 issuer', async () => {
    const token = await sign(entra.key, v2Claims({ iss: `https://sts.windows.net/${TENANT}/` }));
    expectRefused(await validator().validate(token), 'issuer', token);
  });

  it('refuses an issuer on another host', async () => {
    const token = await sign(
      entra.key,
      v2Claims({ iss: `https://login.example.test/${TENANT}/v2.0` }),
    );
    expectRefused(await validator().validate(token), 'issuer', token);
  });

  it('refuses a tenant that is not allowed, without fetching its keys', async () => {
    const foreign = 'fefefefe-0000-4000-8000-fefefefefefe';
    const token = await sign(
      entra.key,
      v2Claims({ tid: foreign, iss: `https://login.microsoftonline.com/${foreign}/v2.0` }),
    );
    const message = expectRefused(await validator().validate(token), 'tenant-not-allowed', token);
    expect(message).toMatch(/tenant is not allowed/);
    expect(entra.jwks.fetches.get(foreign)).toBeUndefined();
  });

  it('refuses a token whose tenant is not a GUID (it would otherwise pick the key URL)', async () => {
    for (const tid of ['../../evil', 'common', 42, undefined]) {
      const token = await sign(entra.key, v2Claims({ tid }));
      expectRefused(await validator({ allowedTenants: '*' }).validate(token), 'tenant', token);
    }
  });

  it('refuses a token without the access_as_user scope', async () => {
    const token = await sign(entra.key, v2Claims({ scp: 'User.Read access_as_userX' }));
    const message = expectRefused(await validator().validate(token), 'scope', token);
    expect(message).toMatch(/permission/);
  });

  it('refuses an app-only token (roles, no scp)', async () => {
    const token = await sign(entra.key, v2Claims({ scp: undefined, roles: ['access_as_user'] }));
    expectRefused(await validator().validate(token), 'scope', token);
  });

  it('honours a configured scope name', async () => {
    const token = await sign(entra.key, v2Claims({ scp: 'hub.read' }));
    expect((await validator({ requiredScope: 'hub.read' }).validate(token)).ok).toBe(true);
    expectRefused(await validator().validate(token), 'scope', token);
  });

  it('refuses a token without a user object id', async () => {
    for (const oid of [undefined, '', 'not-a-guid']) {
      const token = await sign(entra.key, v2Claims({ oid }));
      expectRefused(await validator().validate(token), 'user', token);
    }
  });

  it('refuses a token of an unknown version', async () => {
    for (const ver of [undefined, '3.0', 2]) {
      const token = await sign(entra.key, v2Claims({ ver }));
      expectRefused(await validator().validate(token), 'version', token);
    }
  });

  it('refuses a token requested by a client app that is not allowed', async () => {
    const token = await sign(entra.key, v2Claims({ azp: 'ffffffff-0000-4000-8000-000000000000' }));
    const v = validator({ allowedClientAppIds: TEAMS_CLIENT_APP_IDS });
    expectRefused(await v.validate(token), 'client-app', token);
    const noAzp = await sign(entra.key, v2Claims({ azp: undefined }));
    expectRefused(await v.validate(noAzp), 'client-app', noAzp);
  });

  it('refuses an unsigned token (alg: none), with or without a signature segment', async () => {
    const header = b64url({ alg: 'none', typ: 'JWT' });
    const payload = b64url(v2Claims());
    for (const token of [`${header}.${payload}.`, `${header}.${payload}.c2lnbmF0dXJl`]) {
      const message = expectRefused(await validator().validate(token), 'algorithm', token);
      expect(message).toMatch(/algorithm/);
    }
  });

  it('refuses an HS256 token signed with the public key as the HMAC secret', async () => {
    const pem = await exportSPKI(entra.key.publicKey);
    for (const secret of [pem, JSON.stringify(entra.key.publicJwk)]) {
      const token = await new SignJWT(v2Claims())
        .setProtectedHeader({ alg: 'HS256', kid: entra.key.kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(secret));
      expectRefused(await validator().validate(token), 'algorithm', token);
    }
  });

  it('refuses RSA algorithms other than RS256', async () => {
    const token = `${b64url({ alg: 'RS512', kid: entra.key.kid })}.${b64url(v2Claims())}.c2ln`;
    expectRefused(await validator().validate(token), 'algorithm', token);
  });

  it('refuses a token signed by a key Entra never published', async () => {
    const token = await sign(rogueKey, v2Claims());
    const message = expectRefused(await validator().validate(token), 'signature', token);
    expect(message).toMatch(/signature/);
  });

  it("refuses a token signed by another key under the real key's kid", async () => {
    const token = await sign({ ...rogueKey, kid: entra.key.kid }, v2Claims());
    expectRefused(await validator().validate(token), 'signature', token);
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const genuine = await sign(entra.key, v2Claims());
    const [h, , s] = genuine.split('.');
    const forged = `${h}.${b64url(v2Claims({ oid: '11111111-2222-4333-8444-555555555555' }))}.${s}`;
    expectRefused(await validator().validate(forged), 'signature', forged);
  });

  it('refuses malformed strings', async () => {
    const cases = [
      'garbage',
      'a.b',
      'a.b.c.d',
      '...',
      'a b.c.d',
      '%%%.%%%.%%%',
      `${b64url('not json')}.${b64url(v2Claims())}.c2ln`,
      `${b64url({ alg: 'RS256' })}.${b64url('not json')}.c2ln`,
      `${b64url({ alg: 'RS256' })}.${b64url([1, 2])}.c2ln`,
    ];
    for (const token of cases) {
      expectRefused(await validator().validate(token), 'malformed', token);
    }
  });

  it('refuses an empty token', async () => {
    expectRefused(await validator().validate(''), 'missing', '');
  });

  it('refuses an oversized token before parsing it', async () => {
    const big = await sign(entra.key, v2Claims({ padding: 'x'.repeat(MAX_TOKEN_LENGTH) }));
    expect(big.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expectRefused(await validator().validate(big), 'too-large', big);
  });

  it('says the keys are unavailable when Entra does not answer, and recovers when it does', async () => {
    const tenant = '12345678-1234-4234-8234-123456789abc';
    const v = validator({ allowedTenants: [tenant] });
    const token = await sign(
      entra.key,
      v2Claims({ tid: tenant, iss: `https://login.microsoftonline.com/${tenant}/v2.0` }),
    );
    entra.jwks.status = 503;
    try {
      const message = expectRefused(await v.validate(token), 'keys-unavailable', token);
      expect(message).toMatch(/Try again/);
    } finally {
      entra.jwks.status = 200;
    }
    expect((await v.validate(token)).ok).toBe(true);
  });

  it('says the keys are unavailable when the key endpoint cannot be reached', async () => {
    const token = await sign(entra.key, v2Claims());
    const v = validator({ jwksUrl: () => 'http://127.0.0.1:1/keys' });
    expectRefused(await v.validate(token), 'keys-unavailable', token);
  });
});

describe('Entra token validator: configuration', () => {
  it('refuses to start with a client id that is not a GUID', () => {
    expect(() => validator({ clientId: 'my-app' })).toThrow(/client id must be a GUID/);
  });

  it('refuses to start with an Application ID URI that is not api://', () => {
    expect(() => validator({ appIdUri: 'https://hub.example.test' })).toThrow(/api:\/\//);
  });
});
