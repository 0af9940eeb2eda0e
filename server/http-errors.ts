/**
 * The REST API's one translation of errors: an {@link ErrorReason} becomes an HTTP status and a
 * `{ code, message }` body. Nothing else in server/ picks a status for an error.
 */
import { assertNever, type AppError, type ErrorReason } from '../src/domain/errors.js';

/**
 * Codes the API answers with: every {@link ErrorReason}, plus two that only the HTTP edge can
 * produce (a method the route does not have, a body that is not JSON).
 */
export type ApiErrorCode = ErrorReason | 'method-not-allowed' | 'unsupported-media-type';

/** The body of every error response. */
export interface ApiErrorBody {
  readonly code: ApiErrorCode;
  readonly message: string;
}

/** Said instead of the real message when our own infrastructure failed; the details go to the log. */
export const internalErrorMessage =
  'Something went wrong on the server. The error was logged; please try again.';

/**
 * The status for a reason.
 * - `bc-tenant-not-found`, `bc-company-not-found`, `host-not-allowed` are 422: the request was
 *   well-formed but names a BC tenant, company or host that cannot be used; the accountant can fix
 *   it (a typo in the Client URL), unlike an outage.
 * - `bc-throttled` is 503 (Business Central asked us to slow down; try again later), distinct from
 *   429, which says that *this* API limits the caller.
 * - `bc-timeout` is 504; every other upstream failure is 502 Bad Gateway.
 */
export function httpStatusOf(reason: ErrorReason): number {
  switch (reason) {
    case 'validation':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'payload-too-large':
      return 413;
    case 'rate-limited':
      return 429;
    case 'bc-tenant-not-found':
    case 'bc-company-not-found':
    case 'host-not-allowed':
      return 422;
    case 'bc-throttled':
      return 503;
    case 'bc-timeout':
      return 504;
    case 'bc-access-denied':
    case 'bc-unavailable':
    case 'bc-unreachable':
    case 'bc-bad-response':
    case 'bc-rejected':
      return 502;
    case 'storage':
    case 'config':
    case 'internal':
      return 500;
    default:
      return assertNever(reason);
  }
}

/** True when the message is ours to hide (infrastructure failures may name files or internals). */
export function isInternalReason(reason: ErrorReason): boolean {
  return httpStatusOf(reason) === 500;
}

/** The response for an AppError: its status and a body safe to show the accountant. */
export function errorResponseOf(error: AppError): { status: number; body: ApiErrorBody } {
  const status = httpStatusOf(error.reason);
  const message = isInternalReason(error.reason) ? internalErrorMessage : error.message;
  return { status, body: { code: error.reason, message } };
}
