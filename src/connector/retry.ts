/**
 * Retries for transient Business Central failures. BC answers 429 when a user exceeds its rate or
 * queue limits, 503 when a request sat queued too long, 502/504 from its gateway, and 408 when an
 * operation was cancelled; all of these may succeed later. Every other 4xx is final: retrying a
 * bad request or a rejected sign-in only burns the accountant's request budget.
 *
 * Waits honour `Retry-After` (seconds or an HTTP date); otherwise exponential back-off with full
 * jitter spreads the retries of many companies refreshing at once. Attempts and total waiting are
 * both capped, so a refresh never stalls on one sick tenant.
 */
import type { Clock } from '../domain/dates.js';
import type { BcFailure } from './bc-error-map.js';

/** Caps on retrying one request. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** First back-off ceiling; doubles per attempt. */
  readonly baseDelayMs: number;
  /** Ceiling of one back-off wait (a longer `Retry-After` is still honoured). */
  readonly maxDelayMs: number;
  /** Give up rather than wait past this much time since the first attempt. */
  readonly maxTotalMs: number;
}

/** Four attempts within a minute: enough to ride out a throttle, short enough for a refresh. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxTotalMs: 60_000,
};

/** Waits `ms`, rejecting when the signal aborts; injected so tests need not wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** `setTimeout` as a promise that rejects when the signal aborts. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

/** True for the HTTP statuses that BC documents as transient. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** True for failures worth another attempt: HTTP answers with a transient status. */
export function isRetryableFailure(f: BcFailure): boolean {
  return f.kind === 'http' && isRetryableStatus(f.status);
}

/**
 * `Retry-After` in milliseconds from `now`: delta-seconds (`"120"`) or an HTTP date. Missing,
 * malformed or negative values give `undefined`; a date in the past gives `0`.
 */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** Full jitter: a uniform wait between 0 and `min(maxDelay, base × 2^(attempt−1))`. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** What one attempt produced: a value, or the failure that ended it. */
export type AttemptOutcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: BcFailure };

/** The policy and the injected clock, randomness and sleep. */
export interface RetryDeps {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly signal?: AbortSignal;
  /** Called before each wait, e.g. to log the retry. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; failure: BcFailure }) => void;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's caps are reached; returns the
 * last failure in that case. A caller abort during a wait ends with a `cancelled` failure.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
  deps: RetryDeps,
): Promise<AttemptOutcome<T>> {
  const { policy, clock, random, sleep, signal } = deps;
  const startedAt = clock().getTime();
  let waited = 0;
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if (outcome.ok) return outcome;
    const failure = outcome.failure;
    if (!isRetryableFailure(failure) || n >= policy.maxAttempts) return outcome;
    const retryAfter = failure.kind === 'http' ? failure.retryAfterMs : undefined;
    const delayMs = retryAfter ?? backoffDelay(n, policy, random);
    // The injected clock may stand still in tests while sleeps are instant: count both.
    const elapsed = Math.max(clock().getTime() - startedAt, waited);
    if (elapsed + delayMs > policy.maxTotalMs) return outcome;
    deps.onRetry?.({ attempt: n, delayMs, failure });
    try {
      await sleep(delayMs, signal);
    } catch {
      return { ok: false, failure: { kind: 'cancelled' } };
    }
    if (signal?.aborted) return { ok: false, failure: { kind: 'cancelled' } };
    waited += delayMs;
  }
}
