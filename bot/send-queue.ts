/**
 * Proactive sends under Teams' rate limits for bots (teams-platform.md):
 * - per bot per conversation: 7 sends per second, 8 per 2 s, 60 per 30 s, 1,800 per hour;
 * - per app per tenant: 50 requests per second.
 *
 * Every send waits for the moment that keeps both the conversation's and the tenant's sliding
 * windows within their limits, as late as possible: the job calls the `gate` it is given right
 * before its request leaves (after building and signing it), so time spent on the way does not
 * bunch requests up at the receiver. Throttling answers (429, and
 * 412/502/503/504 which Teams asks bots to retry too) are retried with exponential back-off and
 * jitter, honouring Retry-After. 403 and 404 mean the conversation is gone for good (bot blocked
 * or removed, conversation deleted): those are reported as `gone`, never retried, so the caller
 * can mark the conversation inactive and go on with the others.
 *
 * Time is injected (`now`, `sleep`), so tests run the limits on a virtual clock.
 */

/** What the Bot Connector answered when a send failed (`status` null: no HTTP answer at all). */
export class DeliveryError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
    readonly retryAfterMs: number | null = null,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface RateWindow {
  readonly limit: number;
  readonly ms: number;
}

/** Teams' per-conversation limits for one bot. */
export const teamsConversationLimits: readonly RateWindow[] = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
  { limit: 1_800, ms: 3_600_000 },
];

/** Teams' per-app, per-tenant limit. */
export const teamsTenantLimits: readonly RateWindow[] = [{ limit: 50, ms: 1_000 }];

/**
 * Sliding windows of send times per key. Sends of one key are recorded in time order, so the
 * earliest next send is the latest of: now, the key's last send, and, for each window, the
 * `limit`-th most recent send plus the window length (plus a safety margin for the delay between
 * a send starting here and reaching the receiver).
 */
export class SlidingWindowLimiter {
  readonly #windows: readonly RateWindow[];
  readonly #marginMs: number;
  readonly #keep: number;
  readonly #longestMs: number;
  readonly #slots = new Map<string, number[]>();

  constructor(windows: readonly RateWindow[], marginMs = 0) {
    this.#windows = windows;
    this.#marginMs = marginMs;
    this.#keep = Math.max(1, ...windows.map((w) => w.limit));
    this.#longestMs = Math.max(0, ...windows.map((w) => w.ms));
  }

  /** The earliest time at or after `now` a send on `key` may start. */
  earliest(key: string, now: number): number {
    const slots = this.#slots.get(key);
    if (slots === undefined || slots.length === 0) return now;
    let t = Math.max(now, slots[slots.length - 1] ?? now);
    for (const w of this.#windows) {
      const older = slots[slots.length - w.limit];
      if (older !== undefined) t = Math.max(t, older + w.ms + this.#marginMs);
    }
    return t;
  }

  /** Records a send on `key` at `at` (≥ every earlier slot of the key). */
  commit(key: string, at: number): void {
    let slots = this.#slots.get(key);
    if (slots === undefined) {
      slots = [];
      this.#slots.set(key, slots);
    }
    slots.push(at);
    if (slots.length > this.#keep * 2) slots.splice(0, slots.length - this.#keep);
  }

  /** Forgets keys idle for longer than the longest window, so memory follows activity. */
  prune(now: number): void {
    for (const [key, slots] of this.#slots) {
      const last = slots[slots.length - 1];
      if (last === undefined || now - last > this.#longestMs) this.#slots.delete(key);
    }
  }

  get size(): number {
    return this.#slots.size;
  }
}

export interface SendJob {
  /** The conversation the message goes to (its per-conversation limits). */
  readonly conversationKey: string;
  /** The Entra tenant of the conversation (the per-tenant limit). */
  readonly tenantKey: string;
  /**
   * Sends the message. It must call `gate()` once, right before the request is transmitted, and
   * transmit only after it resolves: that is where the rate limits wait.
   */
  readonly send: (gate: () => Promise<void>) => Promise<void>;
}

export type SendOutcome =
  | { readonly kind: 'sent'; readonly attempts: number }
  /** 403/404: the bot was removed or blocked, or the conversation no longer exists. */
  | {
      readonly kind: 'gone';
      readonly status: number;
      readonly message: string;
      readonly attempts: number;
    }
  /** Anything else that did not go through, after the retries it deserved. */
  | {
      readonly kind: 'failed';
      readonly status: number | null;
      readonly message: string;
      readonly attempts: number;
    };

export interface SendQueueOptions {
  readonly conversationLimits?: readonly RateWindow[];
  readonly tenantLimits?: readonly RateWindow[];
  /**
   * Added to every window (default 50 ms): a send reaches the Bot Connector a little after it
   * starts here, by more when the event loop is busy, and a window must hold at its end too.
   */
  readonly marginMs?: number;
  /** Attempts per message including the first (default 6). */
  readonly maxAttempts?: number;
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Sends in flight at once (default 32). */
  readonly maxInFlight?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface SendQueueStats {
  readonly sent: number;
  readonly gone: number;
  readonly failed: number;
  readonly retries: number;
  readonly throttled: number;
}

export interface SendQueue {
  enqueue(job: SendJob): Promise<SendOutcome>;
  stats(): SendQueueStats;
}

/** Statuses Teams asks bots to retry with back-off. */
const retryable = new Set([412, 429, 502, 503, 504]);

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });

export function createSendQueue(options: SendQueueOptions = {}): SendQueue {
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const margin = options.marginMs ?? 50;
  const conversations = new SlidingWindowLimiter(
    options.conversationLimits ?? teamsConversationLimits,
    margin,
  );
  const tenants = new SlidingWindowLimiter(options.tenantLimits ?? teamsTenantLimits, margin);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  const baseBackoffMs = options.baseBackoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const maxInFlight = Math.max(1, options.maxInFlight ?? 32);
  const stats = { sent: 0, gone: 0, failed: 0, retries: 0, throttled: 0 };
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  let sinceLastPrune = 0;

  async function acquireInFlight(): Promise<void> {
    if (inFlight < maxInFlight) {
      inFlight++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  function releaseInFlight(): void {
    const next = waiting.shift();
    if (next) next();
    else inFlight--;
  }

  /**
   * Waits until a send on the job's conversation and tenant keeps every window within its limit,
   * and records the send at the moment it starts. Recording the real start (not a time planned
   * in advance) keeps the windows true even when the event loop was busy and a send went late.
   */
  async function waitForSlot(job: SendJob): Promise<void> {
    for (;;) {
      const t = now();
      const at = Math.max(
        conversations.earliest(job.conversationKey, t),
        tenants.earliest(job.tenantKey, t),
      );
      if (at <= t) {
        conversations.commit(job.conversationKey, t);
        tenants.commit(job.tenantKey, t);
        if (++sinceLastPrune >= 1_000) {
          sinceLastPrune = 0;
          conversations.prune(t);
          tenants.prune(t);
        }
        return;
      }
      await sleep(at - t);
    }
  }

  function backoffMs(attempt: number, retryAfterMs: number | null): number {
    const exp = Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
    // "Equal jitter": half fixed, half random, so retries of a burst spread out.
    const jittered = exp / 2 + random() * (exp / 2);
    return Math.min(maxBackoffMs, Math.max(jittered, retryAfterMs ?? 0));
  }

  async function enqueue(job: SendJob): Promise<SendOutcome> {
    for (let attempt = 1; ; attempt++) {
      await acquireInFlight();
      let failure: DeliveryError | null = null;
      try {
        let gated = false;
        await job.send(async () => {
          if (gated) return;
          gated = true;
          await waitForSlot(job);
        });
      } catch (e) {
        failure =
          e instanceof DeliveryError
            ? e
            : new DeliveryError(null, e instanceof Error ? e.message : String(e));
      } finally {
        releaseInFlight();
      }
      if (failure === null) {
        stats.sent++;
        return { kind: 'sent', attempts: attempt };
      }
      if (failure.status === 403 || failure.status === 404) {
        stats.gone++;
        return {
          kind: 'gone',
          status: failure.status,
          message: failure.message,
          attempts: attempt,
        };
      }
      // No HTTP answer (connection refused, reset) is as transient as a 502.
      const transient = failure.status === null || retryable.has(failure.status);
      if (failure.status === 429) stats.throttled++;
      if (!transient || attempt >= maxAttempts) {
        stats.failed++;
        return {
          kind: 'failed',
          status: failure.status,
          message: failure.message,
          attempts: attempt,
        };
      }
      stats.retries++;
      await sleep(backoffMs(attempt, failure.retryAfterMs));
    }
  }

  return { enqueue, stats: () => ({ ...stats }) };
}
