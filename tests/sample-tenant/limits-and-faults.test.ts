import { afterEach, describe, expect, it } from '@jest/globals';
import {
  defaultSampleTenantId,
  startSampleTenant,
  type SampleFault,
  type SampleTenant,
  type SampleTenantOptions,
} from '../../src/sample-tenant/index.js';
import { RequestLimiter } from '../../src/sample-tenant/limits.js';
import { apiRoot, errorOf, fixedNow, request, valueOf, type JsonResponse } from './support.js';

const twoEnvironments: SampleTenantOptions['fleet'] = {
  tenants: [
    {
      id: defaultSampleTenantId,
      environments: [
        { name: 'production', companies: 1 },
        { name: 'sandbox', companies: 1 },
      ],
    },
    { id: 'contoso.example.com', environments: [{ name: 'production', companies: 1 }] },
  ],
};

const started: SampleTenant[] = [];
async function start(options: SampleTenantOptions): Promise<SampleTenant> {
  const t = await startSampleTenant({ now: fixedNow, fleet: twoEnvironments, ...options });
  started.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
});

const companiesUrl = (
  t: SampleTenant,
  env = 'production',
  tenantId = defaultSampleTenantId,
): string => `${apiRoot(t, tenantId, env)}/companies`;
const envKey = `${defaultSampleTenantId}/production`;

describe('per-user limits', () => {
  it('runs at most 5 requests at once per environment and user; the sixth waits in the queue', async () => {
    const t = await start({ latencyMs: 150 });
    const results = await Promise.all(Array.from({ length: 6 }, () => request(companiesUrl(t))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const stats = t.stats();
    expect(stats.peakConcurrentByEnvironment[envKey]).toBe(5);
    expect(stats.requestsByEnvironment[envKey]).toBe(6);
    expect(stats.throttled).toBe(0);
  });

  it('answers 429 Application_TooManyRequests once running plus queued requests are full', async () => {
    const t = await start({ latencyMs: 300, limits: { maxConcurrent: 1, maxQueue: 1 } });
    const results = await Promise.all([1, 2, 3].map(() => request(companiesUrl(t))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    const throttled = results.find((r) => r.status === 429) as JsonResponse;
    expect(throttled.body).toEqual({
      error: {
        code: 'Application_TooManyRequests',
        message: 'Too many requests reached. Actual (3). Maximum (2).',
      },
    });
    expect(throttled.headers.get('retry-after')).toBeNull();
    expect(t.stats().throttled).toBe(1);
  });

  it('answers 429 with Retry-After beyond the rate limit of the sliding window', async () => {
    const t = await start({ limits: { rateLimit: 3, rateWindowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await request(companiesUrl(t))).status).toBe(200);
    const r = await request(companiesUrl(t));
    expect(r.status).toBe(429);
    expect(errorOf(r).code).toBe('Application_TooManyRequests');
    const retryAfter = Number(r.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('keeps limits per user and per environment', async () => {
    const t = await start({ limits: { rateLimit: 1, rateWindowMs: 60_000 } });
    expect((await request(companiesUrl(t))).status).toBe(200);
    expect((await request(companiesUrl(t))).status).toBe(429);
    const otherUser = await request(companiesUrl(t), {
      headers: { Authorization: 'Bearer token-of-another-user' },
    });
    expect(otherUser.status).toBe(200);
    expect((await request(companiesUrl(t, 'sandbox'))).status).toBe(200);
    expect((await request(companiesUrl(t, 'production', 'contoso.example.com'))).status).toBe(200);
  });

  it('applies no limits when told not to', async () => {
    const t = await start({ latencyMs: 100, limits: false });
    const results = await Promise.all(Array.from({ length: 8 }, () => request(companiesUrl(t))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(t.stats().peakConcurrentByEnvironment[envKey]).toBe(8);
  });

  it('resets its statistics', async () => {
    const t = await start({});
    await request(companiesUrl(t));
    expect(t.stats().requests).toBe(1);
    expect(t.stats().connections).toBeGreaterThan(0);
    t.resetStats();
    expect(t.stats()).toEqual({
      requests: 0,
      throttled: 0,
      peakConcurrentByEnvironment: {},
      requestsByEnvironment: {},
      connections: 0,
    });
  });
});

describe('the limiter on its own', () => {
  it('frees a queued slot when its caller goes away, and starts the next waiter on release', async () => {
    const limiter = new RequestLimiter(
      { maxConcurrent: 1, maxQueue: 2, rateLimit: 100, rateWindowMs: 1000 },
      () => 0,
    );
    const a = limiter.admit('k');
    const b = limiter.admit('k');
    const c = limiter.admit('k');
    if (a.kind !== 'admitted' || b.kind !== 'admitted' || c.kind !== 'admitted')
      throw new Error('not admitted');
    expect(limiter.admit('k').kind).toBe('queue-full');
    b.cancel();
    let cStarted = false;
    void c.ready.then(() => {
      cStarted = true;
    });
    a.release();
    await c.ready;
    expect(cStarted).toBe(true);
    expect(limiter.running('k')).toBe(1);
    c.release();
    expect(limiter.running('k')).toBe(0);
  });

  it('lets the window slide: requests older than the window no longer count', () => {
    let now = 0;
    const limiter = new RequestLimiter(
      { maxConcurrent: 5, maxQueue: 0, rateLimit: 2, rateWindowMs: 1000 },
      () => now,
    );
    for (const _ of [1, 2]) {
      const a = limiter.admit('k');
      if (a.kind === 'admitted') a.release();
    }
    const refused = limiter.admit('k');
    expect(refused).toEqual({ kind: 'rate', actual: 3, maximum: 2, retryAfterSeconds: 1 });
    now = 1001;
    expect(limiter.admit('k').kind).toBe('admitted');
  });
});

describe('injected faults', () => {
  const statuses: [SampleFault & { kind: 'status' }, string][] = [
    [{ kind: 'status', status: 401 }, 'Authentication_InvalidCredentials'],
    [{ kind: 'status', status: 403 }, 'Authorization_InsufficientPermissions'],
    [{ kind: 'status', status: 404 }, 'Internal_TenantUnavailable'],
    [{ kind: 'status', status: 429, retryAfterSeconds: 7 }, 'Application_TooManyRequests'],
    [{ kind: 'status', status: 500 }, 'Internal_ServerError'],
    [{ kind: 'status', status: 502 }, 'Internal_ServerError'],
    [{ kind: 'status', status: 503 }, 'Internal_ServiceUnavailable'],
    [{ kind: 'status', status: 504 }, 'Internal_GatewayTimeout'],
  ];

  it.each(statuses)('answers a %j fault with a BC body (%s)', async (fault, code) => {
    const t = await start({});
    t.setFault(defaultSampleTenantId, fault);
    const r = await request(companiesUrl(t));
    expect(r.status).toBe(fault.status);
    expect(errorOf(r).code).toBe(code);
    if (fault.status === 503 || fault.status === 502)
      expect(r.headers.get('retry-after')).toBe('1');
    if (fault.status === 429) expect(r.headers.get('retry-after')).toBe('7');
    t.setFault(defaultSampleTenantId, null);
    expect((await request(companiesUrl(t))).status).toBe(200);
  });

  it('fails a burst of `times` requests, then recovers by itself', async () => {
    const t = await start({});
    t.setFault(defaultSampleTenantId, {
      kind: 'status',
      status: 503,
      times: 2,
      retryAfterSeconds: 0,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(companiesUrl(t))).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('limits a fault to one environment when one is named', async () => {
    const t = await start({});
    t.setFault(defaultSampleTenantId.toUpperCase(), { kind: 'status', status: 401 }, 'Sandbox');
    expect((await request(companiesUrl(t, 'sandbox'))).status).toBe(401);
    expect((await request(companiesUrl(t, 'production'))).status).toBe(200);
    expect((await request(companiesUrl(t, 'production', 'contoso.example.com'))).status).toBe(200);
  });

  it('answers malformed-json with a 200 whose body is not JSON', async () => {
    const t = await start({});
    t.setFault(defaultSampleTenantId, { kind: 'malformed-json' });
    const res = await fetch(companiesUrl(t));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('hangs until the client gives up, without holding a slot once the fault is cleared', async () => {
    const t = await start({ limits: { maxConcurrent: 1, maxQueue: 0 } });
    t.setFault(defaultSampleTenantId, { kind: 'hang' });
    await expect(fetch(companiesUrl(t), { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    t.setFault(defaultSampleTenantId, null);
    const r = await request(companiesUrl(t));
    expect(r.status).toBe(200);
    expect(valueOf(r)).toHaveLength(1);
  });

  it('releases hanging requests when the server closes', async () => {
    const t = await startSampleTenant({ now: fixedNow });
    t.setFault(defaultSampleTenantId, { kind: 'hang' });
    const pending = fetch(companiesUrl(t));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await t.close();
    await expect(pending).rejects.toThrow();
  });

  it('answers slowly with a slow fault, still correctly and inside the concurrency slot', async () => {
    const t = await start({ limits: { maxConcurrent: 1, maxQueue: 5 } });
    t.setFault(defaultSampleTenantId, { kind: 'slow', latencyMs: 100 });
    const results = await Promise.all([1, 2, 3].map(() => request(companiesUrl(t))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(t.stats().peakConcurrentByEnvironment[envKey]).toBe(1);
  });

  it('applies faults to $batch requests as a whole', async () => {
    const t = await start({});
    t.setFault(defaultSampleTenantId, { kind: 'status', status: 503 });
    const r = await request(`${apiRoot(t)}/$batch`, {
      method: 'POST',
      body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: 'companies' }] }),
    });
    expect(r.status).toBe(503);
  });
});
