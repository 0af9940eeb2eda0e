/**
 * A local stand-in for Microsoft Entra ID over real HTTPS on a loopback port: OpenID discovery
 * metadata and the token endpoint, with the on-behalf-of and refresh-token grants MSAL sends.
 * MSAL only accepts https authorities, so the stand-in makes itself a self-signed certificate
 * (built here from node:crypto, no files, no network) that the tests' MSAL network client trusts.
 *
 * It behaves like Entra where the hub cares: tokens are per user (the assertion's `oid`), every
 * on-behalf-of answer carries a refresh token, a refresh token can be revoked, and each answer
 * can be scripted to fail (Entra's JSON errors, 401, 500, non-JSON, no answer, a redirect).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

// --- A self-signed certificate, DER by hand ---------------------------------------------------

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
const sequence = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
const oid = (...bytes: number[]): Buffer => tlv(0x06, Buffer.from(bytes));
const utcTime = (d: Date): Buffer =>
  tlv(0x17, Buffer.from(`${d.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));
const commonName = (cn: string): Buffer =>
  sequence(tlv(0x31, sequence(oid(0x55, 0x04, 0x03), tlv(0x0c, Buffer.from(cn)))));

/** An EC P-256 key and a self-signed certificate for `localhost` and 127.0.0.1 (PEM). */
export function selfSignedCertificate(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaWithSha256 = sequence(oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02));
  const subjectAltName = sequence(
    tlv(0x82, Buffer.from('localhost')),
    tlv(0x87, Buffer.from([127, 0, 0, 1])),
  );
  const extensions = tlv(
    0xa3,
    sequence(sequence(oid(0x55, 0x1d, 0x11), tlv(0x04, subjectAltName))),
  );
  const now = Date.now();
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.from([0x01, 0x5e, 0xed])),
    ecdsaWithSha256,
    commonName('Entra stand-in'),
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    commonName('Entra stand-in'),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.from([0]), signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`,
  };
}

// --- Tokens -----------------------------------------------------------------------------------

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT: MSAL reads ID token claims without checking a signature. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

/** The accountant's home tenant in the tests (their guest identity lives in the client's). */
export const homeTenantId = '11111111-2222-4333-8444-555555555555';
/** The hub's own app registration in the tests. */
export const hubClientId = '99999999-8888-4777-8666-555555555555';
export const hubClientSecret = 'hub-secret-Q8~do-not-log';

/** A Teams SSO token for user `oid`, expiring `expiresInSeconds` from now (negative: expired). */
export function teamsAssertion(oid: string, expiresInSeconds = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  return unsignedJwt({
    aud: `api://hub.example/${hubClientId}`,
    iss: `https://login.microsoftonline.com/${homeTenantId}/v2.0`,
    tid: homeTenantId,
    oid,
    sub: `sub-${oid}`,
    iat: now - 60,
    exp: now + expiresInSeconds,
    name: `User ${oid.slice(-4)}`,
  });
}

function claimsOf(jwt: string): Record<string, unknown> | null {
  try {
    const payload = jwt.split('.')[1];
    if (payload === undefined) return null;
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object'
      ? (claims as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

// --- The server -------------------------------------------------------------------------------

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The form of a POST (empty for GET). */
  readonly form: URLSearchParams;
}

/** What the token endpoint does with the next request instead of its normal answer. */
export type Scripted =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'raw'; readonly status: number; readonly body: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'redirect'; readonly location: string };

/** Entra's error answer for `AADSTS{code}`. */
function errorAnswer(
  status: number,
  error: string,
  code: number,
  text: string,
): { status: number; body: unknown } {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: 0 Correlation ID: 0 Timestamp: 2025-06-11 10:00:00Z`,
      error_codes: [code],
      timestamp: '2025-06-11 10:00:00Z',
      trace_id: '00000000-0000-0000-0000-000000000000',
      correlation_id: '00000000-0000-0000-0000-000000000000',
    },
  };
}

/** A scripted Entra error answer for `AADSTS{code}`. */
export function entraError(status: number, error: string, code: number, text: string): Scripted {
  return { kind: 'json', ...errorAnswer(status, error, code, text) };
}

export interface EntraStandIn {
  /** `https://127.0.0.1:{port}`: the login authority host to configure. */
  readonly origin: string;
  /** The certificate to trust (PEM). */
  readonly ca: string;
  readonly requests: RecordedRequest[];
  /** Token POSTs by grant type: `obo`, `refresh`, `client_credentials`. */
  grants(): string[];
  /** Every access and refresh token issued so far (to look for them in logs and files). */
  readonly issued: string[];
  /** Answers the next token POSTs with these, in order, before answering normally again. */
  script(...answers: Scripted[]): void;
  /** Refresh tokens issued so far stop working (`invalid_grant`, AADSTS700082). */
  revokeRefreshTokens(): void;
  /** Access token lifetime in seconds (default 3599; below 300 MSAL treats it as expired). */
  accessTokenSeconds: number;
  /** Whether answers carry an ID token (default true, as Entra does when `openid` is asked). */
  withIdToken: boolean;
  close(): Promise<void>;
}

const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export async function startEntraStandIn(): Promise<EntraStandIn> {
  const { key, cert } = selfSignedCertificate();
  const requests: RecordedRequest[] = [];
  const issued: string[] = [];
  const scripted: Scripted[] = [];
  /** Live refresh tokens → the user and tenant they were issued for. */
  const refreshTokens = new Map<string, { oid: string; tenant: string }>();
  let serial = 0;
  let origin = '';

  const standIn = {
    accessTokenSeconds: 3599,
    withIdToken: true,
  };

  function tokenAnswer(oid: string, tenant: string): Record<string, unknown> {
    serial += 1;
    const accessToken = `bc-at.${oid}.${serial}`;
    const refreshToken = `bc-rt.${oid}.${serial}`;
    issued.push(accessToken, refreshToken);
    refreshTokens.set(refreshToken, { oid, tenant });
    const now = Math.floor(Date.now() / 1000);
    // The guest account lives in the client's tenant; its home is the accountant's tenant.
    const tenantGuid = '0b9d8c7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e';
    return {
      token_type: 'Bearer',
      scope:
        'https://api.businesscentral.dynamics.com/user_impersonation https://api.businesscentral.dynamics.com/.default',
      expires_in: standIn.accessTokenSeconds,
      ext_expires_in: standIn.accessTokenSeconds,
      access_token: accessToken,
      refresh_token: refreshToken,
      client_info: b64url({ uid: oid, utid: homeTenantId }),
      ...(standIn.withIdToken
        ? {
            id_token: unsignedJwt({
              aud: hubClientId,
              iss: `${origin}/${tenantGuid}/v2.0`,
              iat: now,
              nbf: now,
              exp: now + 3600,
              oid,
              sub: `sub-${oid}`,
              tid: tenantGuid,
              preferred_username: `${oid}@accountants.example`,
              name: `User ${oid.slice(-4)}`,
              ver: '2.0',
            }),
          }
        : {}),
    };
  }

  function answerToken(form: URLSearchParams, tenant: string): { status: number; body: unknown } {
    if (form.get('client_id') !== hubClientId || form.get('client_secret') !== hubClientSecret) {
      return errorAnswer(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    const grant = form.get('grant_type');
    if (grant === OBO_GRANT) {
      const claims = claimsOf(form.get('assertion') ?? '');
      const oid = claims?.oid;
      const exp = claims?.exp;
      if (typeof oid !== 'string' || typeof exp !== 'number') {
        return errorAnswer(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
      }
      if (exp * 1000 <= Date.now()) {
        return errorAnswer(
          400,
          'invalid_grant',
          500133,
          'Assertion is not within its valid time range.',
        );
      }
      return { status: 200, body: tokenAnswer(oid, tenant) };
    }
    if (grant === 'refresh_token') {
      const known = refreshTokens.get(form.get('refresh_token') ?? '');
      if (known === undefined || known.tenant !== tenant) {
        return errorAnswer(
          400,
          'invalid_grant',
          700082,
          'The refresh token has expired due to inactivity.',
        );
      }
      return { status: 200, body: tokenAnswer(known.oid, tenant) };
    }
    return errorAnswer(400, 'unsupported_grant_type', 70003, 'Unsupported grant type.');
  }

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin);
      const form =
        req.method === 'POST'
          ? new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
          : new URLSearchParams();
      requests.push({ method: req.method ?? '', path: url.pathname, form });
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      const segments = url.pathname.split('/').filter(Boolean);
      const tenant = segments[0] ?? '';
      if (req.method === 'GET' && url.pathname.endsWith('/v2.0/.well-known/openid-configuration')) {
        json(200, {
          issuer: `${origin}/${tenant}/v2.0`,
          authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
          token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
          jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
          end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
        });
        return;
      }
      if (req.method === 'POST' && segments[1] === 'oauth2' && segments[3] === 'token') {
        const next = scripted.shift();
        if (next !== undefined) {
          switch (next.kind) {
            case 'json':
              json(next.status, next.body);
              return;
            case 'raw':
              res.writeHead(next.status, { 'Content-Type': 'text/html' });
              res.end(next.body);
              return;
            case 'hang':
              return;
            case 'redirect':
              res.writeHead(302, { Location: next.location });
              res.end();
              return;
          }
        }
        const answer = answerToken(form, tenant);
        json(answer.status, answer.body);
        return;
      }
      json(404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return Object.assign(standIn, {
    origin,
    ca: cert,
    requests,
    issued,
    grants: () =>
      requests
        .filter((r) => r.method === 'POST')
        .map((r) => {
          const g = r.form.get('grant_type');
          return g === OBO_GRANT ? 'obo' : g === 'refresh_token' ? 'refresh' : (g ?? '');
        }),
    script: (...answers: Scripted[]) => {
      scripted.push(...answers);
    },
    revokeRefreshTokens: () => refreshTokens.clear(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
