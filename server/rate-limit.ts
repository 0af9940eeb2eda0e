/**
 * Per-accountant rate limiting of the REST API: a token bucket per key (the accountant's id).
 *
 * One accountant's runaway tab, script or stolen token must not starve every other accountant of
 * the server or of BC's own per-user limits, so each key gets `burst` requests at once and
 * `ratePerSec` more every second after that.
 *
 * Memory stays bounded: a bucket that has been idle long enough to be full again holds no
 * information (a fresh bucket is identical), so it is dropped; and above `maxBuckets` the
 * least recently used buckets are dropped too. Buckets live in a `Map` kept in least recently
 * used order (a touched key is re-inserted at the end), so eviction only ever looks at the front.
 */
import { systemClock, type Clock } from '../src/domain/dates.js';

/** The answer for one request: go ahead, or wait this many whole seconds (at least 1). */
export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes one token from the key's bucket if there is one. */
  take(key: string): RateDecision;
  /** How many buckets are held now (for tests and metrics). */
  readonly size: number;
}

export interface RateLimiterOptions {
  /** Tokens added per second (the sustained rate). */
  readonly ratePerSec: number;
  /** Bucket size: requests allowed at once after a quiet spell. */
  readonly burst: number;
  /** Default: the system clock. A clock that jumps back is treated as no time passing. */
  readonly clock?: Clock;
  /** Most buckets held at once; beyond it the least recently used are dropped (default 10 000). */
  readonly maxBuckets?: number;
}

/** The API's default: 20 requests per second sustained, 60 at once, per accountant. */
export const defaultRateLimit = { ratePerSec: 20, burst: 60 } as const;

interface Bucket {
  tokens: number;
  /** Epoch milliseconds of the last refill. */
  at: number;
}

/**
 * Creates a token-bucket limiter. Throws a `RangeError` on a rate or burst that is not a positive
 * finite number (a configuration mistake, not a runtime condition).
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { ratePerSec, burst } = options;
  const clock = options.clock ?? systemClock;
  const maxBuckets = options.maxBuckets ?? 10_000;
  if (!(Number.isFinite(ratePerSec) && ratePerSec > 0)) {
    throw new RangeError('ratePerSec must be a positive number');
  }
  if (!(Number.isFinite(burst) && burst >= 1)) {
    throw new RangeError('burst must be at least 1');
  }
  if (!(Number.isInteger(maxBuckets) && maxBuckets >= 1)) {
    throw new RangeError('maxBuckets must be a positive integer');
  }
  /** After this long untouched a bucket is full again, so forgetting it changes nothing. */
  const refillMs = (burst / ratePerSec) * 1000;
  const buckets = new Map<string, Bucket>();

  function evict(now: number): void {
    for (const [key, bucket] of buckets) {
      if (buckets.size > maxBuckets || now - bucket.at >= refillMs) {
        buckets.delete(key);
      } else {
        // Least recently used first: once one bucket is recent and the cap holds, all later are.
        return;
      }
    }
  }

  return {
    take(key: string): RateDecision {
      const now = clock().getTime();
      const bucket = buckets.get(key) ?? { tokens: burst, at: now };
      const elapsedMs = Math.max(0, now - bucket.at);
      bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs * ratePerSec) / 1000);
      bucket.at = Math.max(bucket.at, now);
      buckets.delete(key);
      buckets.set(key, bucket);
      // After the insert: the key just touched is last, so only older buckets can go.
      evict(now);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      const waitSeconds = (1 - bucket.tokens) / ratePerSec;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
    },
    get size() {
      return buckets.size;
    },
  };
}

/** The 429 body, in the API's `{ code, message }` shape. */
export const rateLimitedBody = {
  code: 'rate-limited',
  message: 'Too many requests from your account; wait a few seconds and try again.',
} as const;
