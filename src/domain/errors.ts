/**
 * One error family for the whole app. Callers branch on `reason`, never on message text.
 * Each edge translates a reason once: the REST API to an HTTP status, the bot to a card.
 */
export type ErrorReason =
  // Input and access at our own edge
  | 'validation'
  | 'not-found'
  | 'conflict'
  | 'unauthenticated'
  | 'forbidden'
  | 'rate-limited'
  | 'payload-too-large'
  // Business Central, after the connector's mapping table
  | 'bc-tenant-not-found'
  | 'bc-company-not-found'
  | 'bc-access-denied'
  | 'bc-throttled'
  | 'bc-unavailable'
  | 'bc-timeout'
  | 'bc-unreachable'
  | 'bc-bad-response'
  | 'bc-rejected'
  | 'host-not-allowed'
  // Our own infrastructure
  | 'storage'
  | 'config'
  | 'internal';

export class AppError extends Error {
  readonly reason: ErrorReason;
  /** Extra facts safe to show or log (never tokens or secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    reason: ErrorReason,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.reason = reason;
    this.details = details;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Wraps anything thrown into an AppError, keeping AppErrors as they are. */
export function toAppError(e: unknown, fallback: ErrorReason = 'internal'): AppError {
  if (e instanceof AppError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new AppError(fallback, message, {}, { cause: e });
}

/** Expected outcomes are values: a company that failed to refresh is a result, not a throw. */
export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** Makes a `switch` over a union exhaustive: adding a member breaks the build here. */
export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}
