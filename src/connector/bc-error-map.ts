/**
 * The one table that turns a Business Central failure into a domain reason and a sentence an
 * accountant can act on. Callers branch on `reason`; BC's own code and message travel in
 * `details` for support, never as the headline.
 */
import { AppError, assertNever, type ErrorReason } from '../domain/errors.js';

/** What went wrong talking to BC, before it is given a domain reason. */
export type BcFailure =
  | {
      readonly kind: 'http';
      readonly status: number;
      /** BC's `error.code`, when the body had one. */
      readonly code?: string;
      /** BC's `error.message`, when the body had one. */
      readonly message?: string;
      /** Parsed `Retry-After`, in milliseconds from now. */
      readonly retryAfterMs?: number;
    }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'network'; readonly cause?: unknown }
  | { readonly kind: 'bad-response'; readonly detail: string }
  | { readonly kind: 'host-not-allowed'; readonly host: string };

/** One row of the table: the first row whose `matches` accepts the failure wins. */
export interface BcErrorRow {
  /** Names the row in tests and logs. */
  readonly name: string;
  readonly matches: (f: BcFailure) => boolean;
  readonly reason: ErrorReason;
  readonly message: string;
}

const http =
  (statuses: readonly number[] | ((s: number) => boolean), code?: RegExp) =>
  (f: BcFailure): boolean =>
    f.kind === 'http' &&
    (typeof statuses === 'function' ? statuses(f.status) : statuses.includes(f.status)) &&
    (code === undefined || code.test(f.code ?? ''));

const kind =
  (k: BcFailure['kind']) =>
  (f: BcFailure): boolean =>
    f.kind === k;

/**
 * Order matters: error codes that identify the cause (company, tenant) come before the
 * status-only rows, and the catch-alls come last.
 */
export const bcErrorTable: readonly BcErrorRow[] = [
  {
    name: 'host not allowed',
    matches: kind('host-not-allowed'),
    reason: 'host-not-allowed',
    message:
      'The hub is not allowed to call this address. Client URLs must point at Business Central.',
  },
  {
    name: 'company not found',
    matches: (f) => f.kind === 'http' && /^Internal_CompanyNotFound$/i.test(f.code ?? ''),
    reason: 'bc-company-not-found',
    message:
      'Business Central could not find this company in the client’s environment. It may have been renamed or deleted: test the Client URL to see the companies it has now.',
  },
  {
    name: '404 tenant or environment unknown',
    matches: http([404], /Tenant|Environment/i),
    reason: 'bc-tenant-not-found',
    message:
      'Business Central does not know this tenant or environment. Check the tenant and environment names in the Client URL.',
  },
  {
    name: '401 sign-in rejected',
    matches: http([401]),
    reason: 'bc-access-denied',
    message:
      'Business Central rejected the sign-in for this client. Sign in again; if it keeps failing, ask the client to check that your account (or the hub’s app registration) still has access.',
  },
  {
    name: '403 no permission',
    matches: http([403]),
    reason: 'bc-access-denied',
    message:
      'Your account has no permission for this in the client’s Business Central. Ask the client to give your user the needed permission sets.',
  },
  {
    name: '404 resource missing',
    matches: http([404]),
    reason: 'bc-rejected',
    message:
      'Business Central does not offer this data for the company (the record is gone, or the web service is not published).',
  },
  {
    name: '408 operation timeout',
    matches: http([408]),
    reason: 'bc-timeout',
    message: 'Business Central took too long and cancelled the request. Try again later.',
  },
  {
    name: '409 changed by another user',
    matches: http([409]),
    reason: 'bc-rejected',
    message: 'Someone changed this record in Business Central meanwhile. Refresh and try again.',
  },
  {
    name: '429 too many requests',
    matches: http([429]),
    reason: 'bc-throttled',
    message:
      'Business Central is limiting how fast the hub may ask for this client’s data. Try again in a few minutes.',
  },
  {
    name: '502/503/504 service unavailable',
    matches: http([502, 503, 504]),
    reason: 'bc-unavailable',
    message:
      'The client’s Business Central is unavailable or overloaded right now. Try again later.',
  },
  {
    name: 'other 5xx',
    matches: http((s) => s >= 500 && s <= 599),
    reason: 'bc-unavailable',
    message: 'The client’s Business Central had an internal error. Try again later.',
  },
  {
    name: '400 and other 4xx rejected',
    matches: http((s) => s >= 400 && s <= 499),
    reason: 'bc-rejected',
    message: 'Business Central rejected the request.',
  },
  {
    name: 'client-side timeout',
    matches: kind('timeout'),
    reason: 'bc-timeout',
    message: 'The client’s Business Central did not answer in time. Try again later.',
  },
  {
    name: 'cancelled',
    matches: kind('cancelled'),
    reason: 'bc-timeout',
    message: 'The request to Business Central was cancelled before it finished.',
  },
  {
    name: 'network failure',
    matches: kind('network'),
    reason: 'bc-unreachable',
    message:
      'The hub could not reach Business Central. Check the network connection and the Client URL.',
  },
  {
    name: 'unreadable response',
    matches: kind('bad-response'),
    reason: 'bc-bad-response',
    message: 'Business Central sent an answer the hub could not read.',
  },
  {
    name: 'unexpected status',
    matches: () => true,
    reason: 'bc-bad-response',
    message: 'Business Central answered with an unexpected status.',
  },
];

/** The row that applies to a failure (the last row matches everything). */
export function findBcErrorRow(f: BcFailure): BcErrorRow {
  const row = bcErrorTable.find((r) => r.matches(f));
  if (!row) throw new Error('bcErrorTable has no catch-all row');
  return row;
}

const MAX_BC_MESSAGE = 500;

/**
 * Builds the `AppError` for a failure. `context` (what was being fetched, tenant, environment)
 * goes into `details`; it must never contain a token.
 */
export function mapBcFailure(f: BcFailure, context: Record<string, unknown> = {}): AppError {
  const row = findBcErrorRow(f);
  const details: Record<string, unknown> = { ...context };
  switch (f.kind) {
    case 'http':
      details.status = f.status;
      if (f.code) details.bcCode = f.code;
      if (f.message) details.bcMessage = f.message.slice(0, MAX_BC_MESSAGE);
      if (f.retryAfterMs !== undefined)
        details.retryAfterSeconds = Math.ceil(f.retryAfterMs / 1000);
      break;
    case 'timeout':
      details.timeoutMs = f.timeoutMs;
      break;
    case 'cancelled':
      details.cancelled = true;
      break;
    case 'network':
      details.cause = networkCauseOf(f.cause);
      break;
    case 'bad-response':
      details.detail = f.detail;
      break;
    case 'host-not-allowed':
      details.host = f.host;
      break;
    default:
      assertNever(f);
  }
  // A rejected request's own explanation helps the accountant ("Field 'x' must not be blank").
  const message =
    row.reason === 'bc-rejected' && f.kind === 'http' && f.message
      ? `${row.message} ${stripCorrelation(f.message).slice(0, MAX_BC_MESSAGE)}`
      : row.message;
  return new AppError(row.reason, message, details);
}

/** BC appends `CorrelationId:  <guid>.` to messages: useful in details, noise in a sentence. */
function stripCorrelation(message: string): string {
  return message.replace(/\s*CorrelationId:\s*[0-9a-fA-F-]*\.?\s*$/, '').trim();
}

/** A short, secret-free description of a network error (`ECONNREFUSED`, `ENOTFOUND`, …). */
function networkCauseOf(cause: unknown): string {
  let current: unknown = cause;
  for (let i = 0; i < 4 && current; i++) {
    if (typeof current === 'object' && current !== null) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return cause instanceof Error ? cause.name : 'network error';
}
