import { beforeAll, describe, expect, it } from '@jest/globals';
import { accountantIdOf } from '../../../src/domain/ids.js';
import {
  createEntraAuthenticator,
  entraAuthenticator,
} from '../../../server/auth/entra-authenticator.js';
import type { Authenticator } from '../../../server/authenticator.js';
import { testValidator, useEntraStandIn } from './token-fixtures.js';
import { CLIENT_ID, NOW, nowSec, sign, TENANT, USER_OID, v1Claims, v2Claims } from './token-kit.js';

const entra = useEntraStandIn();
let auth: Authenticator;

beforeAll(() => {
  auth = entraAuthenticator(testValidator(entra.jwks));
});

const request = (authorization?: string | string[]) => ({
  headers: { host: 'hub.example.test', authorization },
  remoteAddress: '203.0.113.7',
});

describe('Entra authenticator', () => {
  it('turns a valid bearer token into the accountant it names', async () => {
    const token = await sign(entra.key, v2Claims());
    const result = await auth.authenticate(request(`Bearer ${token}`));
    expect(result).toEqual({
      ok: true,
      value: {
        id: accountantIdOf(TENANT, USER_OID),
        entraTenantId: TENANT,
        userObjectId: USER_OID,
        displayName: 'Ada Lovelace',
      },
    });
  });

  it('accepts the Bearer scheme in any case', async () => {
    const token = await sign(entra.key, v2Claims());
    expect((await auth.authenticate(request(`bearer ${token}`))).ok).toBe(true);
  });

  it('trusts the token, not the network: the remote address plays no part', async () => {
    const token = await sign(entra.key, v2Claims());
    const fromLoopback = await auth.authenticate({
      headers: { authorization: `Bearer ${token}` },
      remoteAddress: '127.0.0.1',
    });
    const withoutToken = await auth.authenticate({ headers: {}, remoteAddress: '127.0.0.1' });
    expect(fromLoopback.ok).toBe(true);
    expect(withoutToken.ok).toBe(false);
  });

  it('refuses a request without an Authorization header', async () => {
    for (const header of [undefined, '']) {
      const result = await auth.authenticate(request(header));
      expect(!result.ok && [result.error.reason, result.error.message]).toEqual([
        'unauthenticated',
        'Sign-in is required: no token was sent.',
      ]);
    }
  });

  it('refuses other schemes and a bare token', async () => {
    const token = await sign(entra.key, v2Claims());
    for (const header of [
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      token,
      'Bearer',
      'Bearer  ',
      `Bearer ${token} extra`,
    ]) {
      const result = await auth.authenticate(request(header));
      expect(!result.ok && result.error.reason).toBe('unauthenticated');
      expect(!result.ok && result.error.message).toBe(
        'The Authorization header must be "Bearer <token>".',
      );
    }
  });

  it('refuses a request carrying several Authorization headers', async () => {
    const token = await sign(entra.key, v2Claims());
    const result = await auth.authenticate(request([`Bearer ${token}`, `Bearer ${token}`]));
    expect(!result.ok && result.error.reason).toBe('unauthenticated');
  });

  it("passes the validator's refusal through, never echoing the token", async () => {
    const token = await sign(entra.key, v2Claims({ exp: nowSec - 7200 }));
    const result = await auth.authenticate(request(`Bearer ${token}`));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.details).toEqual({ failure: 'expired' });
    expect(result.error.message).not.toContain(token);
  });
});

describe('Entra authenticator built from the configuration', () => {
  const config = {
    entraClientId: CLIENT_ID,
    publicUrl: 'https://hub.example.test',
    entraAllowedTenants: [TENANT],
    entraAuthorityHost: 'https://login.microsoftonline.com',
  };
  const fromConfig = () =>
    createEntraAuthenticator(config, { clock: () => NOW, jwksUrl: entra.jwks.url });

  it('accepts v2 tokens for the client id and v1 tokens for api://{public host}/{client id}', async () => {
    const a = fromConfig();
    const v2 = await sign(entra.key, v2Claims());
    const v1 = await sign(entra.key, v1Claims());
    expect((await a.authenticate(request(`Bearer ${v2}`))).ok).toBe(true);
    expect((await a.authenticate(request(`Bearer ${v1}`))).ok).toBe(true);
  });

  it('accepts tokens requested by Teams or by the app itself, and no other client app', async () => {
    const a = fromConfig();
    const own = await sign(entra.key, v2Claims({ azp: CLIENT_ID }));
    const stranger = await sign(
      entra.key,
      v2Claims({ azp: 'ffffffff-0000-4000-8000-000000000000' }),
    );
    expect((await a.authenticate(request(`Bearer ${own}`))).ok).toBe(true);
    const refused = await a.authenticate(request(`Bearer ${stranger}`));
    expect(!refused.ok && refused.error.details).toEqual({ failure: 'client-app' });
  });

  it('refuses to build without ENTRA_CLIENT_ID', () => {
    expect(() => createEntraAuthenticator({ ...config, entraClientId: null })).toThrow(
      /ENTRA_CLIENT_ID/,
    );
  });
});
