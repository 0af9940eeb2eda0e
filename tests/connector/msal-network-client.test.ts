/**
 * MSAL's HTTP client behind the outbound guard, over real HTTPS to the local Entra stand-in.
 * Refusals happen before any byte leaves: a refused host, a private DNS answer and a disallowed
 * loopback address never reach a server.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { AuthError, type INetworkModule } from '@azure/msal-node';
import {
  createGuardedMsalNetworkClient,
  msalNetworkErrorCodes,
  type MsalNetworkClientOptions,
} from '../../src/connector/msal-network-client.js';
import { createLogger } from '../../src/logging.js';
import {
  entraError,
  selfSignedCertificate,
  startEntraStandIn,
  type EntraStandIn,
} from './msal-entra-stand-in.js';

let entra: EntraStandIn;
/** A certificate for a server that accepts connections and never answers. */
const hungKey = selfSignedCertificate();
beforeAll(async () => {
  entra = await startEntraStandIn();
});
afterAll(async () => {
  await entra.close();
});

function client(overrides: Partial<MsalNetworkClientOptions> = {}): INetworkModule {
  return createGuardedMsalNetworkClient({
    policy: { allowedOrigins: [entra.origin], allowLoopback: true },
    ca: entra.ca,
    timeoutMs: 5_000,
    ...overrides,
  });
}

/** The AuthError a call rejects with (fails the test when it resolves). */
async function refusal(call: Promise<unknown>): Promise<AuthError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof AuthError) return e;
    throw new Error(`expected an AuthError, got ${String(e)}`);
  }
  throw new Error('expected the call to fail');
}

const form = 'grant_type=refresh_token&refresh_token=nope&client_id=x&client_secret=y';
const tokenUrl = () => `${entra.origin}/contoso.onmicrosoft.com/oauth2/v2.0/token`;

describe('what it calls', () => {
  test('fetches OpenID metadata from the allowed sign-in origin', async () => {
    const r = await client().sendGetRequestAsync<{ token_endpoint: string }>(
      `${entra.origin}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`,
    );
    expect(r.status).toBe(200);
    expect(r.body.token_endpoint).toBe(tokenUrl());
  });

  test('hands Entra’s JSON errors (4xx) to MSAL as they are', async () => {
    // The stand-in refuses the made-up client with Entra's 401 invalid_client.
    const r = await client().sendPostRequestAsync<{ error: string }>(tokenUrl(), {
      body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  test('refuses a host that is not the sign-in origin, before connecting', async () => {
    const before = entra.requests.length;
    for (const url of [
      'https://attacker.example/common/oauth2/v2.0/token',
      'https://login.microsoftonline.com/common/discovery/instance',
      `${entra.origin.replace('https:', 'http:')}/x`,
      'https://10.0.0.5/x',
      'https://user:pw@127.0.0.1/x',
      'not a url',
    ]) {
      const e = await refusal(client().sendPostRequestAsync(url, { body: form }));
      expect(e.errorCode).toBe(msalNetworkErrorCodes.refused);
    }
    expect(entra.requests.length).toBe(before);
  });

  test('refuses a host name whose DNS answer is a private address', async () => {
    const looked: string[] = [];
    const e = await refusal(
      client({
        policy: { allowedOrigins: ['https://login.example.test'], allowLoopback: false },
        lookup: async (host) => {
          looked.push(host);
          return [{ address: '10.1.2.3', family: 4 }];
        },
      }).sendGetRequestAsync(
        'https://login.example.test/tenant/v2.0/.well-known/openid-configuration',
      ),
    );
    expect(looked).toEqual(['login.example.test']);
    expect(e.errorCode).toBe(msalNetworkErrorCodes.refused);
    expect(e.errorMessage).toMatch(/private network address/);
  });

  test('refuses a name pointing at loopback unless loopback is allowed', async () => {
    const port = new URL(entra.origin).port;
    const lookup = async () => [{ address: '127.0.0.1', family: 4 }];
    const policy = { allowedOrigins: [`https://localhost:${port}`], allowLoopback: false };
    const e = await refusal(
      client({ policy, lookup }).sendGetRequestAsync(
        `https://localhost:${port}/t/v2.0/.well-known/openid-configuration`,
      ),
    );
    expect(e.errorCode).toBe(msalNetworkErrorCodes.refused);
    expect(e.errorMessage).toMatch(/loopback/);

    const allowed = await client({
      policy: { ...policy, allowLoopback: true },
      lookup,
    }).sendGetRequestAsync<{ issuer: string }>(
      `https://localhost:${port}/t/v2.0/.well-known/openid-configuration`,
    );
    expect(allowed.status).toBe(200);
  });

  test('a name that does not resolve is unreachable', async () => {
    const e = await refusal(
      client({
        policy: { allowedOrigins: ['https://login.example.test'], allowLoopback: false },
        lookup: async () => {
          throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
        },
      }).sendGetRequestAsync('https://login.example.test/x'),
    );
    expect(e.errorCode).toBe(msalNetworkErrorCodes.unreachable);
  });

  test('does not trust a certificate it was not told to trust', async () => {
    const e = await refusal(
      client({ ca: selfSignedCertificate().cert }).sendGetRequestAsync(tokenUrl()),
    );
    expect(e.errorCode).toBe(msalNetworkErrorCodes.unreachable);
  });
});

describe('what it does with answers', () => {
  test('refuses a redirect instead of following it', async () => {
    entra.script({ kind: 'redirect', location: 'https://169.254.169.254/metadata' });
    const e = await refusal(client().sendPostRequestAsync(tokenUrl(), { body: form }));
    expect(e.errorCode).toBe(msalNetworkErrorCodes.refused);
    expect(e.errorMessage).toMatch(/redirect/);
    expect(e.errorMessage).not.toContain('169.254');
  });

  test('a 5xx is Entra unavailable, with or without a JSON body', async () => {
    entra.script(entraError(503, 'temporarily_unavailable', 90000, 'Try later.'));
    entra.script({ kind: 'raw', status: 500, body: '<html>oops</html>' });
    for (let i = 0; i < 2; i++) {
      const e = await refusal(client().sendPostRequestAsync(tokenUrl(), { body: form }));
      expect(e.errorCode).toBe(msalNetworkErrorCodes.unavailable);
    }
  });

  test('an answer that is not a JSON object is a bad response', async () => {
    entra.script({ kind: 'raw', status: 200, body: '<html>captive portal</html>' });
    entra.script({ kind: 'raw', status: 401, body: 'Unauthorized' });
    entra.script({ kind: 'json', status: 200, body: ['not', 'an', 'object'] });
    for (let i = 0; i < 3; i++) {
      const e = await refusal(client().sendPostRequestAsync(tokenUrl(), { body: form }));
      expect(e.errorCode).toBe(msalNetworkErrorCodes.badResponse);
    }
  });

  test('an answer larger than the cap is refused', async () => {
    entra.script({ kind: 'json', status: 200, body: { padding: 'x'.repeat(5_000) } });
    const e = await refusal(
      client({ maxResponseBytes: 1_000 }).sendPostRequestAsync(tokenUrl(), { body: form }),
    );
    expect(e.errorCode).toBe(msalNetworkErrorCodes.badResponse);
  });

  test('gives up on a server that never answers', async () => {
    entra.script({ kind: 'hang' });
    const e = await refusal(
      client({ timeoutMs: 200 }).sendPostRequestAsync(tokenUrl(), { body: form }),
    );
    expect(e.errorCode).toBe(msalNetworkErrorCodes.timeout);
  });

  test('MSAL’s own shorter timeout for a GET is respected', async () => {
    const server = https.createServer({ key: hungKey.key, cert: hungKey.cert }, () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const e = await refusal(
        client({
          policy: { allowedOrigins: [origin], allowLoopback: true },
          ca: hungKey.cert,
          timeoutMs: 30_000,
        }).sendGetRequestAsync(`${origin}/x`, undefined, 150),
      );
      expect(e.errorCode).toBe(msalNetworkErrorCodes.timeout);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

test('logs the host and status, never a body or a query', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
  const secretForm = 'client_secret=SEKRIT-123&assertion=eyJhbGciOiJub25lIn0.ASSERTION-XYZ.';
  entra.script({ kind: 'json', status: 200, body: { access_token: 'AT-LEAK-CHECK' } });
  await client({ logger }).sendPostRequestAsync(`${tokenUrl()}?client-request-id=QUERY-ABC`, {
    body: secretForm,
  });
  entra.script({ kind: 'raw', status: 500, body: 'AT-LEAK-CHECK-2' });
  await refusal(client({ logger }).sendPostRequestAsync(tokenUrl(), { body: secretForm }));
  await refusal(
    client({ logger }).sendPostRequestAsync('https://attacker.example/x', { body: secretForm }),
  );

  expect(lines.length).toBeGreaterThanOrEqual(3);
  const log = lines.join('\n');
  expect(log).toContain(new URL(entra.origin).host);
  for (const leak of ['SEKRIT', 'ASSERTION-XYZ', 'AT-LEAK-CHECK', 'QUERY-ABC']) {
    expect(log).not.toContain(leak);
  }
});
