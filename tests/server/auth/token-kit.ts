/**
 * A stand-in for Entra in tests: an RSA key set served over loopback HTTP exactly as
 * `login.microsoftonline.com/{tenant}/discovery/v2.0/keys` serves it, and a signer that issues
 * access tokens shaped like the ones Teams SSO hands the tab.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
export const CLIENT_ID = '0a6b2c3d-4e5f-4a1b-8c9d-0e1f2a3b4c5d';
export const APP_ID_URI = `api://hub.example.test/${CLIENT_ID}`;
export const USER_OID = '00000000-0000-0000-66f3-3332eca7ea81';
export const TEAMS_WEB = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
/** The tests' "now": tokens are minted relative to it and the validator's clock returns it. */
export const NOW = new Date('2026-11-16T09:00:00Z');
export const nowSec = Math.floor(NOW.getTime() / 1000);

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function makeKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicKey, publicJwk };
}

export interface JwksServer {
  readonly url: (tenantId: string) => string;
  /** How many times each tenant's key set was fetched. */
  readonly fetches: Map<string, number>;
  /** Status to answer with, to play an Entra outage. */
  status: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: readonly SigningKey[]): Promise<JwksServer> {
  const fetches = new Map<string, number>();
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const match = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(req.url ?? '');
    const tenant = match?.[1];
    if (!tenant) {
      // Two calls, not a chain: restify (loaded in the same process by suites that run the app)
      // replaces `writeHead` with one that returns nothing.
      res.writeHead(404);
      res.end();
      return;
    }
    fetches.set(tenant, (fetches.get(tenant) ?? 0) + 1);
    if (state.status !== 200) {
      res.writeHead(state.status, { 'content-type': 'application/json' });
      res.end('{"error":"down"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (tenantId) => `http://127.0.0.1:${port}/${tenantId}/discovery/v2.0/keys`,
    fetches,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** Claims of a valid v2.0 Teams SSO access token at {@link NOW}; override any to break it. */
export function v2Claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    aud: CLIENT_ID,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    iat: nowSec - 60,
    nbf: nowSec - 60,
    exp: nowSec + 3600,
    tid: TENANT,
    oid: USER_OID,
    azp: TEAMS_WEB,
    name: 'Ada Lovelace',
    preferred_username: 'ada@contoso.example',
    scp: 'access_as_user',
    ver: '2.0',
    ...overrides,
  };
}

/** Claims of a valid v1.0 token (STS issuer, Application ID URI audience). */
export function v1Claims(overrides: JWTPayload = {}): JWTPayload {
  const { azp: _azp, ...rest } = v2Claims();
  return {
    ...rest,
    aud: APP_ID_URI,
    iss: `https://sts.windows.net/${TENANT}/`,
    appid: TEAMS_WEB,
    ver: '1.0',
    ...overrides,
  };
}

/** Signs with RS256 under the key's kid; claims set to `undefined` are left out. */
export async function sign(key: SigningKey, claims: JWTPayload): Promise<string> {
  const defined = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  return new SignJWT(defined)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}

export const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
