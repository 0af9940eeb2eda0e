import { describe, expect, test } from '@jest/globals';
import {
  createSendQueue,
  DeliveryError,
  SlidingWindowLimiter,
  teamsConversationLimits,
  teamsTenantLimits,
  type RateWindow,
  type SendOutcome,
} from '../../bot/send-queue.js';

/**
 * A virtual clock: `sleep` parks the caller until the driver moves time to its wake-up, so
 * minutes of rate limiting run in milliseconds and every timestamp is exact.
 */
function virtualTime() {
  let t = 0;
  const sleepers: { at: number; resolve: () => void }[] = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => t,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        sleepers.push({ at: t + Math.max(0, ms), resolve });
      }),
    async run<T>(work: Promise<T>): Promise<T> {
      let done = false;
      void work.finally(() => {
        done = true;
      });
      for (;;) {
        await settle();
        if (done) return work;
        if (sleepers.length === 0) continue;
        const next = Math.min(...sleepers.map((s) => s.at));
        t = Math.max(t, next);
        for (const s of sleepers.filter((x) => x.at <= t)) {
          sleepers.splice(sleepers.indexOf(s), 1);
          s.resolve();
        }
      }
    },
  };
}

/** The most sends any window of `ms` holds, over the sorted times. */
function busiestWindow(times: readonly number[], ms: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= ms) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function expectWithinLimits(times: readonly number[], limits: readonly RateWindow[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  for (const w of limits) expect(busiestWindow(sorted, w.ms)).toBeLessThanOrEqual(w.limit);
}

describe('rate limits', () => {
  test('a fan-out to many conversations of one tenant keeps to 50 per second and no more slowly than that', async () => {
    const clock = virtualTime();
    const queue = createSendQueue({ now: clock.now, sleep: clock.sleep });
    const sentAt: number[] = [];
    const outcomes = await clock.run(
      Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          queue.enqueue({
            conversationKey: `conversation-${i}`,
            tenantKey: 'tenant-a',
            send: async (gate) => {
              await gate();
              sentAt.push(clock.now());
            },
          }),
        ),
      ),
    );
    expect(outcomes.every((o) => o.kind === 'sent')).toBe(true);
    expectWithinLimits(sentAt, teamsTenantLimits);
    // 500 at 50 per second: the last can go after 9 seconds at best; the margin adds a little.
    const last = Math.max(...sentAt);
    expect(last).toBeGreaterThanOrEqual(9_000);
    expect(last).toBeLessThanOrEqual(9_000 * 1.05);
  });

  test('one busy conversation keeps to 7 per second, 8 per 2 s and 60 per 30 s', async () => {
    const clock = virtualTime();
    const queue = createSendQueue({ now: clock.now, sleep: clock.sleep });
    const sentAt: number[] = [];
    await clock.run(
      Promise.all(
        Array.from({ length: 130 }, () =>
          queue.enqueue({
            conversationKey: 'one-chat',
            tenantKey: 'tenant-a',
            send: async (gate) => {
              await gate();
              sentAt.push(clock.now());
            },
          }),
        ),
      ),
    );
    expect(sentAt).toHaveLength(130);
    expectWithinLimits(sentAt, teamsConversationLimits);
    // 130 sends need at least two full 30-second windows of 60.
    expect(Math.max(...sentAt)).toBeGreaterThanOrEqual(60_000);
  });

  test('tenants do not wait for each other', async () => {
    const clock = virtualTime();
    const queue = createSendQueue({ now: clock.now, sleep: clock.sleep });
    const sentAt = new Map<string, number[]>();
    await clock.run(
      Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const tenant = i % 2 === 0 ? 'tenant-a' : 'tenant-b';
          return queue.enqueue({
            conversationKey: `c-${i}`,
            tenantKey: tenant,
            send: async (gate) => {
              await gate();
              sentAt.set(tenant, [...(sentAt.get(tenant) ?? []), clock.now()]);
            },
          });
        }),
      ),
    );
    // 50 per tenant fit in the first second of each.
    expect(Math.max(...(sentAt.get('tenant-a') ?? []))).toBe(0);
    expect(Math.max(...(sentAt.get('tenant-b') ?? []))).toBe(0);
  });

  test('the limiter forgets idle keys', () => {
    const limiter = new SlidingWindowLimiter([{ limit: 2, ms: 1_000 }]);
    limiter.commit('a', 0);
    limiter.commit('b', 500);
    expect(limiter.earliest('a', 0)).toBe(0);
    limiter.commit('a', 0);
    expect(limiter.earliest('a', 0)).toBe(1_000);
    limiter.prune(1_200);
    expect(limiter.size).toBe(1);
    limiter.prune(5_000);
    expect(limiter.size).toBe(0);
  });
});

describe('retries and failures', () => {
  function scripted(answers: (number | null)[], retryAfterMs: number | null = null) {
    let i = 0;
    const attemptsAt: number[] = [];
    return {
      attemptsAt,
      send: (clock: { now: () => number }) => async (gate: () => Promise<void>) => {
        await gate();
        attemptsAt.push(clock.now());
        const status = answers[i++];
        if (status === undefined) return;
        throw new DeliveryError(status, `status ${status ?? 'none'}`, retryAfterMs);
      },
    };
  }

  async function sendOnce(
    answers: (number | null)[],
    options: { retryAfterMs?: number | null; random?: () => number } = {},
  ) {
    const clock = virtualTime();
    const queue = createSendQueue({
      now: clock.now,
      sleep: clock.sleep,
      random: options.random ?? (() => 0.5),
    });
    const script = scripted(answers, options.retryAfterMs ?? null);
    const outcome: SendOutcome = await clock.run(
      queue.enqueue({ conversationKey: 'c', tenantKey: 't', send: script.send(clock) }),
    );
    return { outcome, attemptsAt: script.attemptsAt, stats: queue.stats() };
  }

  test('429 is retried after the Retry-After the connector asked for', async () => {
    const { outcome, attemptsAt, stats } = await sendOnce([429], { retryAfterMs: 3_000 });
    expect(outcome).toEqual({ kind: 'sent', attempts: 2 });
    expect((attemptsAt[1] ?? 0) - (attemptsAt[0] ?? 0)).toBeGreaterThanOrEqual(3_000);
    expect(stats).toMatchObject({ sent: 1, throttled: 1, retries: 1 });
  });

  test.each([412, 502, 503, 504, null])('%p is retried with back-off', async (status) => {
    const { outcome } = await sendOnce([status, status]);
    expect(outcome).toEqual({ kind: 'sent', attempts: 3 });
  });

  test('back-off grows exponentially with jitter between half and the full step', async () => {
    const low = await sendOnce([502, 502, 502, 502], { random: () => 0 });
    const high = await sendOnce([502, 502, 502, 502], { random: () => 0.999 });
    const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps(low.attemptsAt)).toEqual([500, 1_000, 2_000, 4_000]);
    const highGaps = gaps(high.attemptsAt);
    expect(highGaps[0]).toBeGreaterThan(990);
    expect(highGaps[3]).toBeGreaterThan(7_900);
  });

  test.each([403, 404])('%p means the conversation is gone: no retry', async (status) => {
    const { outcome, attemptsAt } = await sendOnce([status]);
    expect(outcome).toMatchObject({ kind: 'gone', status, attempts: 1 });
    expect(attemptsAt).toHaveLength(1);
  });

  test('other client errors fail at once', async () => {
    const { outcome } = await sendOnce([400]);
    expect(outcome).toMatchObject({ kind: 'failed', status: 400, attempts: 1 });
  });

  test('a connector that keeps throttling is given up on after the last attempt', async () => {
    const { outcome, stats } = await sendOnce([429, 429, 429, 429, 429, 429, 429]);
    expect(outcome).toMatchObject({ kind: 'failed', status: 429, attempts: 6 });
    expect(stats).toMatchObject({ failed: 1, retries: 5, throttled: 6 });
  });

  test('a send that throws something other than a DeliveryError counts as no answer and is retried', async () => {
    const clock = virtualTime();
    const queue = createSendQueue({ now: clock.now, sleep: clock.sleep });
    let calls = 0;
    const outcome = await clock.run(
      queue.enqueue({
        conversationKey: 'c',
        tenantKey: 't',
        send: async (gate) => {
          await gate();
          if (++calls === 1) throw new Error('socket hang up');
        },
      }),
    );
    expect(outcome).toEqual({ kind: 'sent', attempts: 2 });
  });
});
