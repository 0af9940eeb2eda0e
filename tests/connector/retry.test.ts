import { describe, expect, test } from '@jest/globals';
import type { BcFailure } from '../../src/connector/bc-error-map.js';
import {
  backoffDelay,
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  realSleep,
  withRetry,
  type AttemptOutcome,
  type RetryPolicy,
} from '../../src/connector/retry.js';

const now = new Date('2025-03-10T12:00:00Z');
const policy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxTotalMs: 10_000,
};

/** Replays outcomes in order and records the waits, without waiting. */
function harness(outcomes: AttemptOutcome<string>[], overrides: Partial<RetryPolicy> = {}) {
  const sleeps: number[] = [];
  let calls = 0;
  const run = () =>
    withRetry<string>(async () => outcomes[Math.min(calls++, outcomes.length - 1)]!, {
      policy: { ...policy, ...overrides },
      clock: () => now,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  return { run, sleeps, calls: () => calls };
}

const http = (status: number, retryAfterMs?: number): AttemptOutcome<string> => ({
  ok: false,
  failure: { kind: 'http', status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
});
const success: AttemptOutcome<string> = { ok: true, value: 'done' };

describe('Retry-After', () => {
  test('delta-seconds become milliseconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  test('an HTTP date counts from the injected clock', () => {
    expect(parseRetryAfter('Mon, 10 Mar 2025 12:00:30 GMT', now)).toBe(30_000);
  });

  test('a date in the past means retry now', () => {
    expect(parseRetryAfter('Mon, 10 Mar 2025 11:00:00 GMT', now)).toBe(0);
  });

  test.each([null, undefined, '', '-5', '1.5', 'soon', '2025-13-45'])('%j is ignored', (v) => {
    expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('back-off', () => {
  test('full jitter stays below a doubling ceiling capped at maxDelay', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(2, policy, () => 0.999)).toBe(199);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  test('the transient statuses are 408, 429, 502, 503 and 504 only', () => {
    expect(
      [400, 401, 403, 404, 405, 408, 409, 413, 429, 500, 502, 503, 504].filter(isRetryableStatus),
    ).toEqual([408, 429, 502, 503, 504]);
  });

  test('the default policy caps attempts and total time', () => {
    expect(defaultRetryPolicy.maxAttempts).toBeGreaterThan(1);
    expect(defaultRetryPolicy.maxTotalMs).toBeLessThanOrEqual(120_000);
  });
});

describe('withRetry', () => {
  test('a 429 with Retry-After waits exactly that long, then succeeds', async () => {
    const h = harness([http(429, 2000), success]);
    await expect(h.run()).resolves.toEqual(success);
    expect(h.sleeps).toEqual([2000]);
  });

  test('503 without Retry-After backs off exponentially with jitter', async () => {
    const h = harness([http(503), http(503), http(503), success]);
    await expect(h.run()).resolves.toEqual(success);
    expect(h.sleeps).toEqual([50, 100, 200]);
  });

  test('502, 504 and 408 are retried too', async () => {
    const h = harness([http(502), http(504), http(408), success]);
    await expect(h.run()).resolves.toEqual(success);
    expect(h.calls()).toBe(4);
  });

  test.each([400, 401, 403, 404, 409, 500])('a %d is never retried', async (status) => {
    const h = harness([http(status), success]);
    const r = await h.run();
    expect(r.ok).toBe(false);
    expect(h.calls()).toBe(1);
    expect(h.sleeps).toEqual([]);
  });

  test('timeouts, network errors and unreadable answers are not retried', async () => {
    for (const failure of [
      { kind: 'timeout', timeoutMs: 10 },
      { kind: 'network' },
      { kind: 'bad-response', detail: 'x' },
    ] satisfies BcFailure[]) {
      const h = harness([{ ok: false, failure }, success]);
      expect((await h.run()).ok).toBe(false);
      expect(h.calls()).toBe(1);
    }
  });

  test('attempts are capped and the last failure is returned', async () => {
    const h = harness([http(503)]);
    const r = await h.run();
    expect(r).toEqual(http(503));
    expect(h.calls()).toBe(policy.maxAttempts);
  });

  test('a Retry-After beyond the total budget gives up at once', async () => {
    const h = harness([http(429, 60_000), success]);
    const r = await h.run();
    expect(r).toEqual(http(429, 60_000));
    expect(h.sleeps).toEqual([]);
  });

  test('waits add up against the total budget even when the clock stands still', async () => {
    const h = harness([http(429, 4000)], { maxAttempts: 10 });
    await h.run();
    expect(h.sleeps).toEqual([4000, 4000]);
  });

  test('a caller abort during a wait ends with cancelled', async () => {
    const controller = new AbortController();
    const pending = withRetry<string>(async () => http(503), {
      policy: { ...policy, baseDelayMs: 60_000, maxDelayMs: 60_000, maxTotalMs: 600_000 },
      clock: () => now,
      random: () => 0.5,
      sleep: realSleep,
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).resolves.toEqual({ ok: false, failure: { kind: 'cancelled' } });
  });

  test('onRetry hears each wait before it happens', async () => {
    const seen: number[] = [];
    await withRetry<string>(
      (() => {
        const outs = [http(429, 10), success];
        let i = 0;
        return async () => outs[i++]!;
      })(),
      {
        policy,
        clock: () => now,
        random: () => 0,
        sleep: async () => undefined,
        onRetry: ({ attempt, delayMs }) => seen.push(attempt, delayMs),
      },
    );
    expect(seen).toEqual([1, 10]);
  });
});

describe('realSleep', () => {
  test('rejects at once when the signal is already aborted', async () => {
    const c = new AbortController();
    c.abort(new Error('stop'));
    await expect(realSleep(10_000, c.signal)).rejects.toThrow('stop');
  });

  test('resolves after a zero wait', async () => {
    await expect(realSleep(0)).resolves.toBeUndefined();
  });
});
