/**
 * Business Central's error answers: `{"error":{"code","message"}}` with a real BC code, the
 * message ending in `CorrelationId:  <guid>.` as BC's do.
 */
import { randomUUID } from 'node:crypto';

/** A failure the sample tenant answers with BC's error shape. */
export class BcHttpError extends Error {
  override readonly name = 'BcHttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** False for the few BC messages that carry no correlation id (429). */
    readonly withCorrelationId = true,
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string } } {
    const message = this.withCorrelationId
      ? `${this.message}  CorrelationId:  ${randomUUID()}.`
      : this.message;
    return { error: { code: this.code, message } };
  }
}

/** 400 `BadRequest_NotFound`: BC's code for a query it cannot parse or a property it does not know. */
export function querySyntaxError(detail: string): BcHttpError {
  return new BcHttpError(
    400,
    'BadRequest_NotFound',
    `Bad Request - Error in query syntax. ${detail}`,
  );
}

export function unknownProperty(property: string, typeName: string): BcHttpError {
  return new BcHttpError(
    400,
    'BadRequest_NotFound',
    `Could not find a property named '${property}' on type '${typeName}'.`,
  );
}

export function resourceNotFound(segment: string): BcHttpError {
  return new BcHttpError(
    404,
    'BadRequest_ResourceNotFound',
    `Resource not found for the segment '${segment}'.`,
  );
}

export function invalidGuid(): BcHttpError {
  return new BcHttpError(400, 'Application_InvalidGUID', 'Invalid format of GUID string.');
}

export function tenantUnavailable(tenant: string): BcHttpError {
  return new BcHttpError(
    404,
    'Internal_TenantUnavailable',
    `The tenant '${tenant}' is not accessible.`,
  );
}

export function environmentUnavailable(tenant: string, environment: string): BcHttpError {
  return new BcHttpError(
    404,
    'Internal_TenantUnavailable',
    `The environment '${environment}' of tenant '${tenant}' is not accessible.`,
  );
}

export function companyNotFound(company: string): BcHttpError {
  return new BcHttpError(
    404,
    'Internal_CompanyNotFound',
    `Can't process the request because the company '${company}' can't be found. Make sure the company exists, or add a query string in the form of company=[name].`,
  );
}

export function methodNotAllowed(method: string, segment: string): BcHttpError {
  return new BcHttpError(
    405,
    'BadRequest_MethodNotAllowed',
    `'${method}' requests for '${segment}' of EdmType 'Entity' are not allowed within Microsoft Dynamics NAV OData web services.`,
  );
}

/** The body BC sends with 429 when a user's limits are exceeded (no correlation id). */
export function tooManyRequests(
  actual: number,
  maximum: number,
  headers: Record<string, string> = {},
): BcHttpError {
  return new BcHttpError(
    429,
    'Application_TooManyRequests',
    `Too many requests reached. Actual (${actual}). Maximum (${maximum}).`,
    headers,
    false,
  );
}

/** The error an injected status fault answers with: what BC (or its gateway) sends for that status. */
export function faultError(
  status: 401 | 403 | 404 | 429 | 500 | 502 | 503 | 504,
  tenant: string,
  retryAfterSeconds: number | undefined,
): BcHttpError {
  const retry = (fallback: number | undefined): Record<string, string> => {
    const s = retryAfterSeconds ?? fallback;
    return s === undefined ? {} : { 'Retry-After': String(s) };
  };
  switch (status) {
    case 401:
      return new BcHttpError(
        401,
        'Authentication_InvalidCredentials',
        'The server has rejected the client credentials.',
        { 'WWW-Authenticate': 'Bearer realm=""' },
      );
    case 403:
      return new BcHttpError(
        403,
        'Authorization_InsufficientPermissions',
        'You do not have the following permissions on TableData User Task: Read.',
      );
    case 404:
      return tenantUnavailable(tenant);
    case 429:
      return tooManyRequests(101, 100, retry(undefined));
    case 500:
      return new BcHttpError(
        500,
        'Internal_ServerError',
        'Cannot establish a connection to the SQL Server/Database.',
      );
    case 502:
      return new BcHttpError(502, 'Internal_ServerError', 'Bad Gateway.', retry(1));
    case 503:
      return new BcHttpError(
        503,
        'Internal_ServiceUnavailable',
        'The service is temporarily unavailable. Please try again later.',
        retry(1),
      );
    case 504:
      return new BcHttpError(
        504,
        'Internal_GatewayTimeout',
        'The request timed out at the gateway.',
      );
  }
}
