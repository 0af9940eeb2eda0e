import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Request, Response } from 'restify';
import { err, AppError, ok } from '../../src/domain/errors.js';
import { accountantIdOf } from '../../src/domain/ids.js';
import type { Authenticator } from '../../server/authenticator.js';
import {
  createRateLimiter,
  defaultRateLimit,
  rateLimitedBody,
  type RateLimiter,
} from '../../server/rate-limit.js';
import { call, startTestApp, type TestApp } from './app-harness.js';

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-03-10T09:00:00Z')) {
  let now = start;
  return {
    clock: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Signs in whoever the `x-test-user` header names, so one server can see several accountants. */
const headerAuthenticator: Authenticator = {
  async authenticate(req) {
    const user = req.headers['x-test-user'];
    if (typeof user !== 'string' || user === '') {
      return err(new AppError('unauthenticated', 'Sign in first.'));
    }
    return ok({
      id: accountantIdOf('test-tenant', user),
      entraTenantId: 'test-tenant',
      userObjectId: user,
      displayName: user,
    });
  },
};

async function as(
  base: string,
  user: string | null,
  path = '/api/me',
  method = 'GET',
): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: user === null ? {} : { 'x-test-user': user },
  });
  const text = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: text ? (JSON.parse(text) as unknown) : null,
  };
}

describe('the token bucket', () => {
  it('allows a burst, then refuses until time has refilled a token', () => {
    const time = manualClock();
    const limiter = createRateLimiter({ ratePerSec: 2, burst: 3, clock: time.clock });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    time.advance(499);
    expect(limiter.take('a').allowed).toBe(false);
    time.advance(1);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('sustains exactly the configured rate once the burst is spent', () => {
    const time = manualClock();
    const limiter = createRateLimiter({ ratePerSec: 20, burst: 60, clock: time.clock });
    let allowed = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      if (limiter.take('a').allowed) allowed++;
      time.advance(10);
    }
    // 60 at once plus 20 per second for the 10 seconds (the last refill lands after the loop).
    expect(allowed).toBe(60 + 20 * 10 - 1);
  });

  it('says in whole seconds how long to wait, rounded up and never 0', () => {
    const time = manualClock();
    const slow = createRateLimiter({ ratePerSec: 0.25, burst: 1, clock: time.clock });
    expect(slow.take('a').allowed).toBe(true);
    expect(slow.take('a')).toEqual({ allowed: false, retryAfterSeconds: 4 });
    time.advance(2500);
    expect(slow.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    const fast = createRateLimiter({ ratePerSec: 1000, burst: 1, clock: time.clock });
    fast.take('a');
    expect(fast.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('keeps each key in its own bucket', () => {
    const time = manualClock();
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 1, clock: time.clock });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('forgets buckets idle long enough to be full again, so memory follows active accountants', () => {
    const time = manualClock();
    const limiter = createRateLimiter({ ratePerSec: 10, burst: 20, clock: time.clock });
    for (let i = 0; i < 5000; i++) limiter.take(`acc-${i}`);
    expect(limiter.size).toBe(5000);
    time.advance(2000);
    limiter.take('latecomer');
    expect(limiter.size).toBe(1);
  });

  it('never holds more than maxBuckets, dropping the least recently used', () => {
    const time = manualClock();
    const limiter = createRateLimiter({
      ratePerSec: 1,
      burst: 1,
      clock: time.clock,
      maxBuckets: 3,
    });
    limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    limiter.take('a'); // refused, but now the most recently used
    limiter.take('d'); // evicts b, the least recently used
    expect(limiter.size).toBe(3);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('c').allowed).toBe(false);
  });

  it('does not hand out tokens when the clock jumps backwards', () => {
    const time = manualClock();
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 1, clock: time.clock });
    limiter.take('a');
    time.advance(-60_000);
    expect(limiter.take('a').allowed).toBe(false);
    time.advance(60_000);
    expect(limiter.take('a').allowed).toBe(false);
    time.advance(1000);
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('refuses settings that would disable or break limiting', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createRateLimiter({ ratePerSec: bad, burst: 5 })).toThrow(RangeError);
      expect(() => createRateLimiter({ ratePerSec: 5, burst: bad })).toThrow(RangeError);
    }
    expect(() => createRateLimiter({ ratePerSec: 5, burst: 5, maxBuckets: 0 })).toThrow(RangeError);
  });

  it('defaults to 20 per second with bursts of 60', () => {
    expect(defaultRateLimit).toEqual({ ratePerSec: 20, burst: 60 });
  });
});

describe('the API over HTTP', () => {
  let t: TestApp;
  const time = manualClock();
  let limiter: RateLimiter;

  beforeAll(async () => {
    limiter = createRateLimiter({ ratePerSec: 1, burst: 3, clock: time.clock });
    t = await startTestApp({
      app: {
        authenticator: headerAuthenticator,
        rateLimiter: limiter,
        // Stands in for the bot's endpoint, which the Bot Connector authenticates on its own.
        mountEdges: async (server) => {
          server.post('/api/messages', async (_req: Request, res: Response) => {
            res.sendRaw(200, '{}', { 'Content-Type': 'application/json' });
          });
        },
      },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it("answers an accountant's requests beyond the burst with 429, a message and Retry-After", async () => {
    for (let i = 0; i < 3; i++) expect((await as(t.base, 'alice')).status).toBe(200);
    const refused = await as(t.base, 'alice', '/api/clients');
    expect(refused).toEqual({ status: 429, retryAfter: '1', body: rateLimitedBody });
    expect(rateLimitedBody).toEqual({
      code: 'rate-limited',
      message: 'Too many requests from your account; wait a few seconds and try again.',
    });
  });

  it('marks the 429 like every API answer: not cacheable, not sniffable', async () => {
    const res = await fetch(`${t.base}/api/dashboard`, { headers: { 'x-test-user': 'alice' } });
    await res.text();
    expect(res.status).toBe(429);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('does not let one accountant use up another accountant’s share', async () => {
    expect((await as(t.base, 'alice')).status).toBe(429);
    expect((await as(t.base, 'bob')).status).toBe(200);
  });

  it('lets the accountant back in once the clock has refilled the bucket', async () => {
    time.advance(1000);
    expect((await as(t.base, 'alice')).status).toBe(200);
    expect((await as(t.base, 'alice')).status).toBe(429);
  });

  it('never limits the health check or the bot endpoint', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await as(t.base, 'alice', '/api/health')).status).toBe(200);
      expect((await as(t.base, 'alice', '/api/messages', 'POST')).status).toBe(200);
    }
  });

  it('refuses unauthenticated requests with 401 without touching anyone’s bucket', async () => {
    const before = limiter.size;
    for (let i = 0; i < 10; i++) expect((await as(t.base, null)).status).toBe(401);
    expect(limiter.size).toBe(before);
  });

  it('limits writes too, before the body is read or anything is stored', async () => {
    time.advance(10_000);
    for (let i = 0; i < 3; i++) expect((await as(t.base, 'carol')).status).toBe(200);
    const res = await fetch(`${t.base}/api/clients`, {
      method: 'POST',
      headers: { 'x-test-user': 'carol', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Should not exist', clientUrl: 'https://example.invalid' }),
    });
    expect(res.status).toBe(429);
    time.advance(10_000);
    const list = await as(t.base, 'carol', '/api/clients');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('Should not exist');
  });
});

describe('the default server', () => {
  it('limits each accountant to a burst of 60 when no limiter is given', async () => {
    const t = await startTestApp();
    try {
      const statuses: number[] = [];
      // Tokens refill at 20/s while the requests run, so go on until the first refusal; requests
      // on loopback are far faster than 20/s, so it comes soon after the 60th.
      while (statuses.length < 2000 && statuses.at(-1) !== 429) {
        statuses.push((await call(t.base, 'GET', '/api/me')).status);
      }
      expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
    } finally {
      await t.close();
    }
  });
});
