/**
 * Keeps the hub inside Business Central's per-user, per-environment OData limits: at most 5
 * requests processing at once and 6,000 requests per sliding 5-minute window. Past those BC
 * queues, then answers 429, and each 429 costs a back-off; waiting here in a FIFO queue is
 * cheaper and fair to every company of the environment.
 *
 * Limits are kept per key (environment + identity), so environments never wait for each other:
 * refreshing N environments runs N × 5 requests in parallel.
 */
import type { Clock } from '../domain/dates.js';
import { systemClock } from '../domain/dates.js';

/** Limits per key; defaults are BC online's per-user, per-environment limits. */
export interface LimiterOptions {
  /** Requests in flight per key (BC: 5 per user per environment). */
  readonly maxConcurrent?: number;
  /** Requests started per sliding window per key (BC: 6,000). */
  readonly ratePerWindow?: number;
  /** Length of the sliding window (BC: 5 minutes). */
  readonly windowMs?: number;
  readonly clock?: Clock;
  /** Schedules `fn` after `ms`; returns a cancel function. Defaults to `setTimeout`. */
  readonly setTimer?: (fn: () => void, ms: number) => () => void;
}

/** Gives a slot back; calling it twice is harmless. */
export type Release = () => void;

/** What one key's limiter holds right now, for tests and diagnostics. */
export interface LimiterStats {
  readonly inFlight: number;
  readonly queued: number;
  /** Requests started within the current window. */
  readonly startedInWindow: number;
}

/** FIFO admission per key under a concurrency bound and a sliding-window rate. */
export interface EnvironmentLimiter {
  /** Waits for a slot under `key`; rejects with the signal's reason if it aborts while queued. */
  acquire(key: string, signal?: AbortSignal): Promise<Release>;
  /** Runs `fn` holding a slot under `key`. */
  run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  stats(key: string): LimiterStats;
}

/** BC online: requests processed at once per user per environment. */
export const BC_MAX_CONCURRENT = 5;
/** BC online: requests per user per environment in one sliding window. */
export const BC_RATE_PER_WINDOW = 6_000;
/** BC online: the sliding window, 5 minutes. */
export const BC_WINDOW_MS = 5 * 60_000;

interface Waiter {
  readonly resolve: (release: Release) => void;
  readonly reject: (reason: unknown) => void;
  readonly cleanup: () => void;
}

/** A FIFO array with O(1) amortised removal at the head. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  remove(item: T): boolean {
    const i = this.items.indexOf(item, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }
}

interface KeyState {
  inFlight: number;
  readonly queue: Fifo<Waiter>;
  /** Start times (ms) of requests in the current window, oldest first. */
  readonly starts: Fifo<number>;
  cancelTimer: (() => void) | null;
}

const defaultSetTimer = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

/** Creates a limiter; keys are independent, so environments never wait for each other. */
export function createEnvironmentLimiter(options: LimiterOptions = {}): EnvironmentLimiter {
  const maxConcurrent = positive(options.maxConcurrent, BC_MAX_CONCURRENT);
  const ratePerWindow = positive(options.ratePerWindow, BC_RATE_PER_WINDOW);
  const windowMs = positive(options.windowMs, BC_WINDOW_MS);
  const clock = options.clock ?? systemClock;
  const setTimer = options.setTimer ?? defaultSetTimer;
  const states = new Map<string, KeyState>();

  const stateOf = (key: string): KeyState => {
    let s = states.get(key);
    if (!s) {
      s = { inFlight: 0, queue: new Fifo(), starts: new Fifo(), cancelTimer: null };
      states.set(key, s);
    }
    return s;
  };

  const prune = (s: KeyState, now: number): void => {
    for (let t = s.starts.peek(); t !== undefined && t <= now - windowMs; t = s.starts.peek()) {
      s.starts.shift();
    }
  };

  const canStart = (s: KeyState): boolean =>
    s.inFlight < maxConcurrent && s.starts.length < ratePerWindow;

  const grant = (key: string, s: KeyState, now: number): Release => {
    s.inFlight++;
    s.starts.push(now);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      s.inFlight--;
      pump(key, s);
    };
  };

  const pump = (key: string, s: KeyState): void => {
    const now = clock().getTime();
    prune(s, now);
    while (s.queue.length > 0 && canStart(s)) {
      const waiter = s.queue.shift();
      if (!waiter) break;
      waiter.cleanup();
      waiter.resolve(grant(key, s, now));
    }
    if (s.queue.length > 0 && s.inFlight < maxConcurrent && s.cancelTimer === null) {
      // Only the window is full: wake when its oldest start slides out.
      const oldest = s.starts.peek() ?? now;
      s.cancelTimer = setTimer(
        () => {
          s.cancelTimer = null;
          pump(key, s);
        },
        Math.max(1, oldest + windowMs - now),
      );
    }
    if (s.inFlight === 0 && s.queue.length === 0 && s.starts.length === 0) {
      s.cancelTimer?.();
      states.delete(key);
    }
  };

  // Keys of idle environments are dropped once their window has slid past; sweeping now and then
  // keeps a hub with thousands of clients from holding them all.
  let acquiresSinceSweep = 0;
  const sweep = (): void => {
    const now = clock().getTime();
    for (const [key, s] of states) {
      prune(s, now);
      if (s.inFlight === 0 && s.queue.length === 0 && s.starts.length === 0) {
        s.cancelTimer?.();
        states.delete(key);
      }
    }
  };

  const acquire = (key: string, signal?: AbortSignal): Promise<Release> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (++acquiresSinceSweep >= 10_000) {
      acquiresSinceSweep = 0;
      sweep();
    }
    const s = stateOf(key);
    const now = clock().getTime();
    prune(s, now);
    if (s.queue.length === 0 && canStart(s)) return Promise.resolve(grant(key, s, now));
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        if (s.queue.remove(waiter)) {
          reject(signal?.reason);
          pump(key, s);
        }
      };
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      s.queue.push(waiter);
      pump(key, s);
    });
  };

  return {
    acquire,
    async run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      const release = await acquire(key, signal);
      try {
        return await fn();
      } finally {
        release();
      }
    },
    stats(key: string): LimiterStats {
      const s = states.get(key);
      if (!s) return { inFlight: 0, queued: 0, startedInWindow: 0 };
      prune(s, clock().getTime());
      return { inFlight: s.inFlight, queued: s.queue.length, startedInWindow: s.starts.length };
    },
  };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
