/**
 * Business Central online's per-user OData limits, per (tenant, environment, user): 5 requests
 * run at once, up to 95 more wait in a queue, and at most 6,000 requests are accepted per sliding
 * 5-minute window. A request beyond the queue or the rate gets 429. These numbers are why a
 * connector must bound its own concurrency per environment and back off on 429.
 */
import { performance } from 'node:perf_hooks';

/** BC's per-user OData limits (see `bcOnlineLimits` for the real values). */
export interface LimitSettings {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly rateLimit: number;
  readonly rateWindowMs: number;
}

/** Business Central online: 5 running, 95 queued, 6,000 requests per sliding 5 minutes. */
export const bcOnlineLimits: LimitSettings = {
  maxConcurrent: 5,
  maxQueue: 95,
  rateLimit: 6000,
  rateWindowMs: 300_000,
};

/** Whether a request may run now, must wait, or is refused (and why). */
export type Admission =
  | {
      readonly kind: 'admitted';
      readonly ready: Promise<void>;
      readonly release: () => void;
      readonly cancel: () => void;
    }
  | { readonly kind: 'queue-full'; readonly actual: number; readonly maximum: number }
  | {
      readonly kind: 'rate';
      readonly actual: number;
      readonly maximum: number;
      readonly retryAfterSeconds: number;
    };

interface Waiter {
  readonly start: () => void;
}

interface UserState {
  running: number;
  readonly queue: Waiter[];
  /** Acceptance times within the window, oldest first (head index avoids O(n) shifts). */
  readonly accepted: number[];
  head: number;
}

/** Admission control with BC's limits; `now` is monotonic milliseconds. */
export class RequestLimiter {
  private readonly users = new Map<string, UserState>();

  constructor(
    private readonly settings: LimitSettings,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Admits a request for `key` or says why not. When admitted, await `ready` (a slot is free),
   * then call `release` once done; call `cancel` instead if the caller goes away while queued.
   */
  admit(key: string): Admission {
    const state = this.stateOf(key);
    const now = this.now();
    while (
      state.head < state.accepted.length &&
      (state.accepted[state.head] ?? 0) <= now - this.settings.rateWindowMs
    ) {
      state.head++;
    }
    if (state.head > 1024 && state.head * 2 > state.accepted.length) {
      state.accepted.splice(0, state.head);
      state.head = 0;
    }
    const inWindow = state.accepted.length - state.head;
    if (inWindow >= this.settings.rateLimit) {
      const oldest = state.accepted[state.head] ?? now;
      return {
        kind: 'rate',
        actual: inWindow + 1,
        maximum: this.settings.rateLimit,
        retryAfterSeconds: Math.max(
          1,
          Math.ceil((oldest + this.settings.rateWindowMs - now) / 1000),
        ),
      };
    }
    const inFlight = state.running + state.queue.length;
    if (
      state.running >= this.settings.maxConcurrent &&
      state.queue.length >= this.settings.maxQueue
    ) {
      return {
        kind: 'queue-full',
        actual: inFlight + 1,
        maximum: this.settings.maxConcurrent + this.settings.maxQueue,
      };
    }
    state.accepted.push(now);

    let released = false;
    let started = false;
    let cancelled = false;
    const release = (): void => {
      if (released || !started) return;
      released = true;
      state.running--;
      this.startNext(key, state);
    };
    if (state.running < this.settings.maxConcurrent) {
      state.running++;
      started = true;
      return { kind: 'admitted', ready: Promise.resolve(), release, cancel: release };
    }
    let resolveReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      resolveReady = resolve;
    });
    const waiter: Waiter = {
      start: () => {
        started = true;
        if (cancelled) {
          release();
          return;
        }
        resolveReady();
      },
    };
    state.queue.push(waiter);
    const cancel = (): void => {
      if (cancelled) return;
      cancelled = true;
      const i = state.queue.indexOf(waiter);
      if (i >= 0) state.queue.splice(i, 1);
      else release();
    };
    return { kind: 'admitted', ready, release, cancel };
  }

  /** Requests running now for `key`. */
  running(key: string): number {
    return this.users.get(key)?.running ?? 0;
  }

  private startNext(key: string, state: UserState): void {
    const next = state.queue.shift();
    if (next) {
      state.running++;
      next.start();
    } else if (state.running === 0 && state.accepted.length - state.head === 0) {
      this.users.delete(key);
    }
  }

  private stateOf(key: string): UserState {
    let state = this.users.get(key);
    if (!state) {
      state = { running: 0, queue: [], accepted: [], head: 0 };
      this.users.set(key, state);
    }
    return state;
  }
}
