/**
 * A loopback stand-in for the Bot Framework's token services: OpenID metadata and a JWKS for the
 * Bot Connector's signing key (and one for Emulator/skill tokens), and the signing itself, so tests
 * can send the bot tokens it accepts and forgeries it must refuse without anything leaving the
 * machine. Its {@link OpenIdStandIn.endpoints} go to `createBotMount({ botFrameworkEndpoints })`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { BotFrameworkEndpoints } from '../../bot/bot-framework.js';

/** An RSA key pair with the `kid` tokens name it by. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export async function generateSigningKey(kid = `key-${randomUUID()}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicKey };
}

export interface TokenSpec {
  /** Claims to add or override; a claim set to `undefined` is left out. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Signs with this key instead of the stand-in's Bot Connector key. */
  readonly key?: SigningKey;
  /** The `kid` header; default the signing key's. */
  readonly kid?: string;
  /** Seconds from now; default 10 minutes. */
  readonly expiresInSeconds?: number;
}

export interface OpenIdStandIn {
  /** What the bot is told to trust and call. */
  readonly endpoints: BotFrameworkEndpoints;
  /** The `iss` of the Bot Connector's tokens. */
  readonly channelIssuer: string;
  /** The key whose public half the channel JWKS publishes. */
  readonly channelKey: SigningKey;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  /** Tokens handed to the bot for its own calls (`acquireToken`), by audience. */
  readonly issuedToBot: { readonly audience: string; readonly token: string }[];
  /** A Bot Connector token for `appId` whose replies may go to `serviceUrl`. */
  channelToken(appId: string, serviceUrl: string, spec?: TokenSpec): Promise<string>;
  /** The channel key's public half as PEM (for key-confusion forgeries). */
  channelPublicKeyPem(): Promise<string>;
  close(): Promise<void>;
}

/** Endorsements limit a key to channels, as the real Bot Framework keys are limited. */
const channelEndorsements = ['msteams'];

async function jwkOf(key: SigningKey, endorsements?: readonly string[]): Promise<JWK> {
  const jwk = await exportJWK(key.publicKey);
  return {
    ...jwk,
    kid: key.kid,
    use: 'sig',
    alg: 'RS256',
    ...(endorsements ? { endorsements: [...endorsements] } : {}),
  };
}

export async function startOpenIdStandIn(): Promise<OpenIdStandIn> {
  const channelKey = await generateSigningKey();
  const emulatorKey = await generateSigningKey();
  // Signs the bot's own tokens, as Entra would.
  const loginKey = await generateSigningKey();
  const channelJwks = { keys: [await jwkOf(channelKey, channelEndorsements)] };
  const emulatorJwks = { keys: [await jwkOf(emulatorKey)] };
  const requests: string[] = [];
  const issuedToBot: { audience: string; token: string }[] = [];
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push(path);
    switch (path) {
      case '/channel/.well-known/openidconfiguration':
        send(res, 200, {
          issuer: `${base}/channel`,
          jwks_uri: `${base}/channel/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        });
        return;
      case '/channel/keys':
        send(res, 200, channelJwks);
        return;
      case '/emulator/.well-known/openid-configuration':
        send(res, 200, { issuer: `${base}/emulator`, jwks_uri: `${base}/emulator/keys` });
        return;
      case '/emulator/keys':
        send(res, 200, emulatorJwks);
        return;
      default:
        send(res, 404, { error: 'not_found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const channelIssuer = `${base}/channel`;
  const connectorScope = `${base}/connector`;

  async function sign(
    key: SigningKey,
    kid: string,
    claims: Record<string, unknown>,
    expiresInSeconds: number,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      nbf: now - 60,
      iat: now - 60,
      exp: now + expiresInSeconds,
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) {
      if (value === undefined) delete payload[name];
    }
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(key.privateKey);
  }

  return {
    endpoints: {
      channelOpenIdMetadataUrl: `${base}/channel/.well-known/openidconfiguration`,
      channelTokenIssuer: channelIssuer,
      emulatorOpenIdMetadataUrl: `${base}/emulator/.well-known/openid-configuration`,
      loginUrl: `${base}/login`,
      connectorScope,
      tokenServiceUrl: `${base}/token-service`,
      acquireToken: async (audience) => {
        const token = await sign(
          loginKey,
          loginKey.kid,
          { iss: `${base}/login`, aud: audience },
          3600,
        );
        issuedToBot.push({ audience, token });
        return token;
      },
    },
    channelIssuer,
    channelKey,
    requests,
    issuedToBot,
    channelToken: (appId, serviceUrl, spec = {}) => {
      const key = spec.key ?? channelKey;
      return sign(
        key,
        spec.kid ?? key.kid,
        { iss: channelIssuer, aud: appId, serviceurl: serviceUrl, ...spec.claims },
        spec.expiresInSeconds ?? 600,
      );
    },
    channelPublicKeyPem: () => exportSPKI(channelKey.publicKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
