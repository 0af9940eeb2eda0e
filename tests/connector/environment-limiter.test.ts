import { describe, expect, test } from '@jest/globals';
import {
  BC_MAX_CONCURRENT,
  BC_RATE_PER_WINDOW,
  BC_WINDOW_MS,
  createEnvironmentLimiter,
  type Release,
} from '../../src/connector/environment-limiter.js';

/** A clock and timer queue moved by hand. */
function manualTime(start = 0) {
  let now = start;
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  return {
    clock: () => new Date(now),
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn, cancelled: false };
      timers.push(t);
      return () => {
        t.cancelled = true;
      };
    },
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((x) => !x.cancelled && x.at <= now)) {
        t.cancelled = true;
        t.fn();
      }
    },
  };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('environment limiter', () => {
  test('defaults are BC’s: 5 concurrent, 6,000 per 5 minutes', () => {
    expect([BC_MAX_CONCURRENT, BC_RATE_PER_WINDOW, BC_WINDOW_MS]).toEqual([5, 6000, 300_000]);
  });

  test('a sixth request waits until one of five finishes', async () => {
    const limiter = createEnvironmentLimiter();
    const releases: Release[] = [];
    for (let i = 0; i < 5; i++) releases.push(await limiter.acquire('env'));
    let sixth = false;
    const pending = limiter.acquire('env').then((r) => {
      sixth = true;
      return r;
    });
    await flush();
    expect(sixth).toBe(false);
    expect(limiter.stats('env')).toMatchObject({ inFlight: 5, queued: 1 });
    releases[0]!();
    (await pending)();
    expect(sixth).toBe(true);
  });

  test('waiters are served first in, first out', async () => {
    const limiter = createEnvironmentLimiter({ maxConcurrent: 1 });
    const first = await limiter.acquire('env');
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) =>
      limiter.acquire('env').then((release) => {
        order.push(n);
        release();
      }),
    );
    first();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
  });

  test('environments never wait for each other', async () => {
    const limiter = createEnvironmentLimiter({ maxConcurrent: 2 });
    await limiter.acquire('a');
    await limiter.acquire('a');
    let other = false;
    void limiter.acquire('b').then(() => {
      other = true;
    });
    await flush();
    expect(other).toBe(true);
    expect(limiter.stats('a').inFlight).toBe(2);
  });

  test('run holds a slot for the duration of the work and frees it on failure', async () => {
    const limiter = createEnvironmentLimiter({ maxConcurrent: 1 });
    await expect(limiter.run('e', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(limiter.run('e', async () => 42)).resolves.toBe(42);
    expect(limiter.stats('e').inFlight).toBe(0);
  });

  test('releasing twice frees one slot only', async () => {
    const limiter = createEnvironmentLimiter({ maxConcurrent: 2 });
    const a = await limiter.acquire('e');
    await limiter.acquire('e');
    a();
    a();
    expect(limiter.stats('e').inFlight).toBe(1);
  });

  test('the sliding window holds the next request until the oldest start is older than the window', async () => {
    const time = manualTime(1_000);
    const limiter = createEnvironmentLimiter({
      maxConcurrent: 10,
      ratePerWindow: 3,
      windowMs: 60_000,
      clock: time.clock,
      setTimer: time.setTimer,
    });
    for (let i = 0; i < 3; i++) {
      (await limiter.acquire('e'))();
      time.advance(10_000);
    }
    let fourth = false;
    const pending = limiter.acquire('e').then((r) => {
      fourth = true;
      return r;
    });
    await flush();
    expect(fourth).toBe(false);
    expect(limiter.stats('e')).toMatchObject({ inFlight: 0, queued: 1, startedInWindow: 3 });
    time.advance(29_999);
    await flush();
    expect(fourth).toBe(false);
    time.advance(1);
    (await pending)();
    expect(fourth).toBe(true);
  });

  test('an aborted waiter leaves the queue and the others keep their turn', async () => {
    const limiter = createEnvironmentLimiter({ maxConcurrent: 1 });
    const held = await limiter.acquire('e');
    const controller = new AbortController();
    const aborted = limiter.acquire('e', controller.signal);
    const next = limiter.acquire('e');
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    expect(limiter.stats('e').queued).toBe(1);
    held();
    (await next)();
    expect(limiter.stats('e').inFlight).toBe(0);
  });

  test('an already aborted signal is refused without taking a slot', async () => {
    const limiter = createEnvironmentLimiter({ maxConcurrent: 1 });
    const c = new AbortController();
    c.abort(new Error('no'));
    await expect(limiter.acquire('e', c.signal)).rejects.toThrow('no');
    expect(limiter.stats('e').inFlight).toBe(0);
  });

  test('many queued requests never exceed the concurrency bound', async () => {
    const limiter = createEnvironmentLimiter();
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 200 }, () =>
        limiter.run('e', async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await flush();
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(5);
  });
});
