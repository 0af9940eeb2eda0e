/**
 * Who may talk to the bot (issue 4). With a bot app id configured, every activity POSTed to
 * /api/messages must carry a Bot Connector token that botbuilder verifies against the published
 * signing keys; here a loopback stand-in publishes them, so real tokens and forgeries are checked
 * over real HTTP with nothing leaving the machine (the DNS guard proves that). Without a bot app
 * id (local development), only this computer may call.
 */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { SignJWT, UnsecuredJWT } from 'jose';
import { accountantIdOf } from '../../src/domain/ids.js';
import { installDnsGuard, type DnsGuard } from './dns-guard.js';
import {
  TENANT,
  cardText,
  messageActivity,
  personalChat,
  postActivity,
  startBotApp,
  startFakeConnector,
  testUser,
  type BotTestApp,
  type FakeConnector,
  type TestUser,
} from './harness.js';
import {
  generateSigningKey,
  startOpenIdStandIn,
  type OpenIdStandIn,
  type SigningKey,
} from './openid-stand-in.js';

const APP_ID = '6c3f4a1b-2d5e-4f60-8a7b-9c0d1e2f3a4b';
const OTHER_APP_ID = '0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b';
/** The issuer of Emulator tokens, one botbuilder routes to its Emulator/skill token check. */
const EMULATOR_ISSUER = 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/';

let guard: DnsGuard;
let standIn: OpenIdStandIn;
let connector: FakeConnector;
let secured: BotTestApp;
let attackerKey: SigningKey;

/** A v1 token in the Emulator's shape for this bot, signed by the attacker's key. */
async function emulatorStyleToken(claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: EMULATOR_ISSUER,
    appid: APP_ID,
    ver: '1.0',
    nbf: now - 60,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: attackerKey.kid })
    .sign(attackerKey.privateKey);
}
let userNumber = 100;

beforeAll(async () => {
  guard = installDnsGuard();
  // botbuilder writes every refused token to console.error; the assertions below say what matters.
  jest.spyOn(console, 'error').mockImplementation(() => {});
  standIn = await startOpenIdStandIn();
  connector = await startFakeConnector();
  attackerKey = await generateSigningKey();
  secured = await startBotApp({
    env: { BOT_APP_ID: APP_ID, BOT_APP_PASSWORD: 'not-a-real-secret' },
    mount: { botFrameworkEndpoints: standIn.endpoints },
  });
});

afterAll(async () => {
  await secured?.close();
  await connector?.close();
  await standIn?.close();
  jest.restoreAllMocks();
  guard?.uninstall();
});

const storeOf = (app: BotTestApp, user: TestUser) =>
  app.app.core.registry.forAccountant(accountantIdOf(TENANT, user.aadObjectId));

/** Nothing reached the Bot Connector for this user's chat and nothing was stored for them. */
async function expectUntouched(app: BotTestApp, user: TestUser): Promise<void> {
  expect(connector.activities.filter((a) => a.conversationId === personalChat(user).id)).toEqual(
    [],
  );
  expect(await storeOf(app, user).getProfile()).toBeNull();
}

/** A JWT's three parts with the payload replaced (the signature no longer matches). */
function withPayload(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

describe('with a bot app id configured', () => {
  test('a token signed by the published key, for this bot and this serviceUrl, is accepted', async () => {
    const user = testUser(userNumber++);
    const activity = messageActivity(connector.url, user, 'clients');
    const token = await standIn.channelToken(APP_ID, connector.url);
    const result = await postActivity(secured.base, activity, {
      authorization: `Bearer ${token}`,
    });
    expect(result.status).toBe(200);
    const reply = await connector.waitFor((a) => a.replyToId === activity['id']);
    expect(reply.card && cardText(reply.card)).toContain('Clients');
    expect(await storeOf(secured, user).getProfile()).not.toBeNull();
    // The keys came from the stand-in, and the reply carried the bot's own token for the connector.
    expect(standIn.requests).toEqual(
      expect.arrayContaining(['/channel/.well-known/openidconfiguration', '/channel/keys']),
    );
    const issued = standIn.issuedToBot.at(-1);
    expect(issued?.audience).toBe(standIn.endpoints.connectorScope);
    expect(reply.authorization).toBe(`Bearer ${issued?.token}`);
  });

  type Forgery = (activity: Record<string, unknown>) => Promise<Record<string, string>>;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const forgeries: [string, Forgery][] = [
    ['no Authorization header', async () => ({})],
    ['an empty Authorization header', async () => ({ authorization: '' })],
    ['a bearer value that is not a JWT', async () => ({ authorization: 'Bearer not-a-jwt' })],
    ['Basic credentials', async () => ({ authorization: 'Basic dXNlcjpwYXNzd29yZA==' })],
    [
      'a valid token without the Bearer scheme',
      async () => ({ authorization: await standIn.channelToken(APP_ID, connector.url) }),
    ],
    [
      'a token signed by another key under the published key id',
      async () =>
        bearer(
          await standIn.channelToken(APP_ID, connector.url, {
            key: attackerKey,
            kid: standIn.channelKey.kid,
          }),
        ),
    ],
    [
      'a token signed by another key under its own key id',
      async () => bearer(await standIn.channelToken(APP_ID, connector.url, { key: attackerKey })),
    ],
    [
      'a genuine token whose claims were edited',
      async () => {
        const genuine = await standIn.channelToken(OTHER_APP_ID, connector.url);
        const now = Math.floor(Date.now() / 1000);
        return bearer(
          withPayload(genuine, {
            iss: standIn.channelIssuer,
            aud: APP_ID,
            serviceurl: connector.url,
            nbf: now - 60,
            exp: now + 600,
          }),
        );
      },
    ],
    [
      'a token for another bot (audience)',
      async () => bearer(await standIn.channelToken(OTHER_APP_ID, connector.url)),
    ],
    [
      'a token without an audience',
      async () =>
        bearer(await standIn.channelToken(APP_ID, connector.url, { claims: { aud: undefined } })),
    ],
    [
      'a token from another issuer',
      async () =>
        bearer(
          await standIn.channelToken(APP_ID, connector.url, {
            claims: { iss: 'http://127.0.0.1:1/impostor' },
          }),
        ),
    ],
    [
      'a token that expired (beyond the 5 minutes of clock skew allowed)',
      async () =>
        bearer(await standIn.channelToken(APP_ID, connector.url, { expiresInSeconds: -3600 })),
    ],
    [
      'a token that is not valid yet',
      async () =>
        bearer(
          await standIn.channelToken(APP_ID, connector.url, {
            claims: { nbf: Math.floor(Date.now() / 1000) + 3600 },
          }),
        ),
    ],
    [
      'an unsigned token (alg none)',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const unsigned = new UnsecuredJWT({
          iss: standIn.channelIssuer,
          aud: APP_ID,
          serviceurl: connector.url,
          nbf: now - 60,
          exp: now + 600,
        }).encode();
        // Keep the published key id, so only the algorithm stands between it and acceptance.
        const [, payload] = unsigned.split('.');
        const header = Buffer.from(
          JSON.stringify({ alg: 'none', typ: 'JWT', kid: standIn.channelKey.kid }),
        ).toString('base64url');
        return bearer(`${header}.${payload}.`);
      },
    ],
    [
      'a token signed with HS256 using the public key as the secret',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const secret = new TextEncoder().encode(await standIn.channelPublicKeyPem());
        const token = await new SignJWT({
          iss: standIn.channelIssuer,
          aud: APP_ID,
          serviceurl: connector.url,
          nbf: now - 60,
          exp: now + 600,
        })
          .setProtectedHeader({ alg: 'HS256', kid: standIn.channelKey.kid })
          .sign(secret);
        return bearer(token);
      },
    ],
    [
      'a genuine token issued for another serviceUrl',
      async () => bearer(await standIn.channelToken(APP_ID, 'http://127.0.0.1:1/elsewhere/')),
    ],
    [
      'a genuine token without a serviceUrl claim',
      async () =>
        bearer(
          await standIn.channelToken(APP_ID, connector.url, {
            claims: { serviceurl: undefined },
          }),
        ),
    ],
    [
      'a genuine token used on a channel its key is not endorsed for',
      async (activity) => {
        activity['channelId'] = 'webchat';
        return bearer(await standIn.channelToken(APP_ID, connector.url));
      },
    ],
    [
      'an Emulator-style token signed by an unknown key',
      async () => bearer(await emulatorStyleToken({ aud: APP_ID })),
    ],
    [
      'an App Service Environment token (botbuilder checks those against public keys only)',
      async (activity) => {
        activity['channelId'] = 'AseChannel';
        return bearer(await emulatorStyleToken({}));
      },
    ],
  ];

  test.each(forgeries)('%s is refused with 401 and nothing is sent', async (_label, forge) => {
    const user = testUser(userNumber++);
    const activity = messageActivity(connector.url, user, 'summary');
    const headers = await forge(activity);
    const result = await postActivity(secured.base, activity, headers);
    expect(result.status).toBe(401);
    await expectUntouched(secured, user);
  });

  test('a card action with a forged token gets 401 instead of a card', async () => {
    const user = testUser(userNumber++);
    const invoke = {
      ...messageActivity(connector.url, user, ''),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'show', data: {} } },
    };
    const token = await standIn.channelToken(APP_ID, connector.url, { key: attackerKey });
    const result = await postActivity(secured.base, invoke, { authorization: `Bearer ${token}` });
    expect(result.status).toBe(401);
    expect(JSON.stringify(result.body)).not.toContain('application/vnd.microsoft.card.adaptive');
    await expectUntouched(secured, user);
  });
});

test('when the signing keys cannot be fetched, an activity is refused as a server error', async () => {
  const blind = await startBotApp({
    env: { BOT_APP_ID: APP_ID, BOT_APP_PASSWORD: 'not-a-real-secret' },
    mount: {
      botFrameworkEndpoints: {
        ...standIn.endpoints,
        // Nothing listens on port 1: the fetch of the metadata fails at once.
        channelOpenIdMetadataUrl: 'http://127.0.0.1:1/.well-known/openidconfiguration',
      },
    },
  });
  try {
    const user = testUser(userNumber++);
    const token = await standIn.channelToken(APP_ID, connector.url);
    const result = await postActivity(blind.base, messageActivity(connector.url, user, 'help'), {
      authorization: `Bearer ${token}`,
    });
    // Not the caller's fault, so not a 401: the Bot Connector may try again later.
    expect(result.status).toBe(500);
    await expectUntouched(blind, user);
  } finally {
    await blind.close();
  }
});

/** This computer's first address that is not a loopback one (the app sees it as remote). */
function nonLoopbackAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (!a.internal && a.family === 'IPv4') return a.address;
    }
  }
  throw new Error(
    'This test needs a network interface other than loopback (it need not reach anywhere).',
  );
}

/** POSTs from `address` to `address`: traffic that stays on this computer but is not loopback. */
function postFrom(
  address: string,
  port: number,
  activity: unknown,
  headers: Record<string, string> = {},
): Promise<number> {
  const body = JSON.stringify(activity);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port,
        localAddress: address,
        method: 'POST',
        path: '/api/messages',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('reached from another address of this computer', () => {
  // The app listens on every interface here, as it would behind a public address.
  const everywhere = {
    HOST: '0.0.0.0',
    // AUTH_MODE=local is for loopback only; the tab's sign-in plays no part in these tests.
    AUTH_MODE: 'entra',
    ENTRA_CLIENT_ID: '3f2e1d0c-b9a8-4765-8432-10fedcba9876',
    ENTRA_AUTHORITY_HOST: 'http://127.0.0.1:1',
  };

  test('without a bot app id, a request that is not from loopback is refused with 403', async () => {
    const open = await startBotApp({ env: everywhere });
    try {
      const address = nonLoopbackAddress();
      const port = new URL(open.base).port;
      const user = testUser(userNumber++);
      const status = await postFrom(
        address,
        Number(port),
        messageActivity(connector.url, user, 'summary'),
      );
      expect(status).toBe(403);
      await expectUntouched(open, user);
      // The same app, called over loopback, answers.
      const local = testUser(userNumber++);
      const activity = messageActivity(connector.url, local, 'help');
      expect((await postActivity(`http://127.0.0.1:${port}`, activity)).status).toBe(200);
      await connector.waitFor((a) => a.replyToId === activity['id']);
    } finally {
      await open.close();
    }
  });

  test('with a bot app id, a request that is not from loopback is judged by its token alone', async () => {
    const app = await startBotApp({
      env: { ...everywhere, BOT_APP_ID: APP_ID, BOT_APP_PASSWORD: 'not-a-real-secret' },
      mount: { botFrameworkEndpoints: standIn.endpoints },
    });
    try {
      const address = nonLoopbackAddress();
      const port = Number(new URL(app.base).port);
      const refusedUser = testUser(userNumber++);
      expect(
        await postFrom(address, port, messageActivity(connector.url, refusedUser, 'help')),
      ).toBe(401);
      await expectUntouched(app, refusedUser);
      const user = testUser(userNumber++);
      const activity = messageActivity(connector.url, user, 'help');
      const token = await standIn.channelToken(APP_ID, connector.url);
      expect(await postFrom(address, port, activity, { authorization: `Bearer ${token}` })).toBe(
        200,
      );
      await connector.waitFor((a) => a.replyToId === activity['id']);
    } finally {
      await app.close();
    }
  });
});

test('without a bot app id, loopback requests are accepted without any token', async () => {
  const local = await startBotApp();
  try {
    const user = testUser(userNumber++);
    const activity = messageActivity(connector.url, user, 'help');
    expect((await postActivity(local.base, activity)).status).toBe(200);
    const reply = await connector.waitFor((a) => a.replyToId === activity['id']);
    expect(reply.authorization).toBeNull();
  } finally {
    await local.close();
  }
});

test('the DNS guard refuses and records a lookup of a name that is not loopback', async () => {
  const probe = installDnsGuard();
  try {
    await expect(fetch('http://dns-guard-probe.invalid/')).rejects.toThrow();
    expect(probe.refused).toEqual(['dns-guard-probe.invalid']);
  } finally {
    probe.uninstall();
  }
});

// Last on purpose: it covers everything above.
test('nothing in this suite looked up a name other than loopback', () => {
  expect(guard.refused).toEqual([]);
});
