/**
 * The {@link Authenticator} for Teams: the tab sends the Teams SSO token as
 * `Authorization: Bearer …`, and the accountant is whoever that validated token names.
 */
import { AppError, err, ok } from '../../src/domain/errors.js';
import { accountantIdOf } from '../../src/domain/ids.js';
import type { AppConfig } from '../../src/config.js';
import type { Clock } from '../../src/domain/dates.js';
import type { Authenticator } from '../authenticator.js';
import {
  appIdUriFor,
  createEntraTokenValidator,
  TEAMS_CLIENT_APP_IDS,
  tokenError,
  type EntraTokenValidator,
} from './entra-token.js';

/** `Bearer`, one or more spaces, the credential; the scheme is case-insensitive (RFC 9110). */
const BEARER = /^Bearer +(\S+) *$/i;

/** Reads `Authorization: Bearer <token>` and maps a valid token to `accountantIdOf(tid, oid)`. */
export function entraAuthenticator(validator: EntraTokenValidator): Authenticator {
  return {
    async authenticate(req) {
      const header = req.headers['authorization'];
      if (header === undefined || header === '') return err(tokenError('missing'));
      // Node joins repeated headers for most names, but a header array here means the request
      // carried several credentials: refuse rather than guess which one counts.
      if (typeof header !== 'string') {
        return err(
          new AppError('unauthenticated', 'Send exactly one Authorization header.', {
            failure: 'malformed',
          }),
        );
      }
      const match = BEARER.exec(header);
      const token = match?.[1];
      if (!token) {
        return err(
          new AppError('unauthenticated', 'The Authorization header must be "Bearer <token>".', {
            failure: 'malformed',
          }),
        );
      }
      const user = await validator.validate(token);
      if (!user.ok) return user;
      const { entraTenantId, userObjectId, displayName } = user.value;
      return ok({
        id: accountantIdOf(entraTenantId, userObjectId),
        entraTenantId,
        userObjectId,
        displayName,
      });
    },
  };
}

/**
 * The Entra authenticator as `AUTH_MODE=entra` needs it, built from the configuration:
 * audience `ENTRA_CLIENT_ID` or `api://{PUBLIC_URL host}/{ENTRA_CLIENT_ID}`, tenants from
 * `ENTRA_ALLOWED_TENANTS`, keys and issuer from `ENTRA_AUTHORITY_HOST`, and tokens accepted only
 * when a Microsoft 365 host (Teams, Outlook, Microsoft 365) or this app itself requested them.
 */
export function createEntraAuthenticator(
  config: Pick<
    AppConfig,
    'entraClientId' | 'publicUrl' | 'entraAllowedTenants' | 'entraAuthorityHost'
  >,
  options: { clock?: Clock; jwksUrl?: (tenantId: string) => string } = {},
): Authenticator {
  const clientId = config.entraClientId;
  if (clientId === null) {
    throw new AppError('config', 'ENTRA_CLIENT_ID: required when AUTH_MODE=entra');
  }
  return entraAuthenticator(
    createEntraTokenValidator({
      clientId,
      appIdUri: appIdUriFor(config.publicUrl, clientId),
      allowedTenants: config.entraAllowedTenants,
      authorityHost: config.entraAuthorityHost,
      allowedClientAppIds: [...TEAMS_CLIENT_APP_IDS, clientId],
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.jwksUrl ? { jwksUrl: options.jwksUrl } : {}),
    }),
  );
}
