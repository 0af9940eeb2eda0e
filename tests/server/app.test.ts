import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApp, type AppCore } from '../../server/app.js';
import { createOutboundPolicy, isAllowedUrl } from '../../src/net/outbound-guard.js';
import type {
  CompanyDetailsDto,
  DashboardDto,
  DashboardView,
  RefreshProgress,
} from '../../src/hub/api-types.js';
import { defaultDashboardView } from '../../src/domain/model.js';
import { isAppError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/logging.js';
import {
  CLIENT_ID,
  makeKey,
  NOW,
  sign,
  startJwksServer,
  TENANT,
  v2Claims,
} from './auth/token-kit.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import {
  call,
  makeDataDir,
  readEvents,
  startTestApp,
  testConfig,
  waitForJob,
  type TestApp,
} from './app-harness.js';

const running: TestApp[] = [];
const dirs: string[] = [];

async function start(options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const t = await startTestApp(options);
  running.push(t);
  return t;
}

afterEach(async () => {
  for (const t of running.splice(0)) await t.close({ keepData: true });
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await makeDataDir();
  dirs.push(dir);
  return dir;
}

describe('start-up', () => {
  it('creates the data folder, the registry and a private secrets key in sample mode', async () => {
    const dir = join(await dataDir(), 'nested', 'data');
    const t = await start({ dataDir: dir });
    await call(t.base, 'GET', '/api/me');
    await t.app.core.hub.idle();
    const key = await stat(join(dir, 'secrets.key'));
    expect(key.mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'registry.json'))).isFile()).toBe(true);
  });

  it('keeps the same secrets key across restarts', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir });
    const key = await readFile(join(dir, 'secrets.key'), 'utf8');
    await first.close({ keepData: true });
    running.splice(running.indexOf(first), 1);
    await start({ dataDir: dir });
    expect(await readFile(join(dir, 'secrets.key'), 'utf8')).toBe(key);
  });

  it('refuses to start on a corrupt registry file, says so, and leaves the file untouched', async () => {
    const dir = await dataDir();
    const file = join(dir, 'registry.json');
    const corrupt = '{"schemaVersion": 1, "accountants": {"local:local-accountant": {"clients": [';
    await writeFile(file, corrupt);
    const failure = await createApp(testConfig(dir), { logger: silentLogger }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAppError(failure)).toBe(true);
    if (isAppError(failure)) {
      expect(failure.reason).toBe('storage');
      expect(failure.message).toContain(file);
    }
    expect(await readFile(file, 'utf8')).toBe(corrupt);
  });

  it('says which key to change when the sample tenant port is taken', async () => {
    const blocker = createHttpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as AddressInfo;
    try {
      const failure = await createApp(
        testConfig(await dataDir(), { SAMPLE_TENANT_PORT: String(port) }),
        { logger: silentLogger },
      ).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isAppError(failure) && failure.message).toMatch(/SAMPLE_TENANT_PORT/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('says which key to change when the app port is taken, and can still be closed', async () => {
    const blocker = createHttpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as AddressInfo;
    const app = await createApp(testConfig(await dataDir(), { PORT: String(port) }), {
      logger: silentLogger,
    });
    try {
      const failure = await app.listen().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isAppError(failure) && failure.message).toMatch(/set PORT to a free port/);
    } finally {
      await app.close();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('restart', () => {
  it('keeps the saved dashboard view and the clients across an app restart on the same data folder', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir });
    await call(first.base, 'GET', '/api/me');
    await first.app.core.hub.idle();
    const view: DashboardView = {
      ...defaultDashboardView,
      columns: ['cashAccountsBalance', 'lastRefreshed'],
      sort: { column: 'companyName', direction: 'desc' },
    };
    expect((await call(first.base, 'PUT', '/api/views/dashboard', view)).status).toBe(200);
    await first.close({ keepData: true });
    running.splice(running.indexOf(first), 1);

    const second = await start({ dataDir: dir });
    expect((await call(second.base, 'GET', '/api/views/dashboard')).body).toEqual(view);
    const dashboard = await call<DashboardDto>(second.base, 'GET', '/api/dashboard');
    expect(dashboard.body.rows).toHaveLength(3);
    // Numbers fetched before the restart are still shown; the sample tenant moved to a new port.
    expect(dashboard.body.rows.every((r) => r.refreshedAt !== null)).toBe(true);
    expect(dashboard.body.rows.every((r) => r.goToClientUrl.startsWith(second.sample.url))).toBe(
      true,
    );
  });
});

describe('when Business Central fails', () => {
  it('keeps the last numbers, shows the rows as stale with the reason, and keeps answering', async () => {
    const t = await start();
    await call(t.base, 'GET', '/api/me');
    await t.app.core.hub.idle();
    const before = await call<DashboardDto>(t.base, 'GET', '/api/dashboard');
    const row = before.body.rows[0];
    if (!row) throw new Error('no rows');

    t.sample.setFault(defaultSampleTenantId, { kind: 'status', status: 503, retryAfterSeconds: 0 });
    const started = await call<RefreshProgress>(t.base, 'POST', '/api/refresh', {
      scope: { kind: 'all' },
    });
    expect(started.status).toBe(202);
    const done = await waitForJob<RefreshProgress>(t.base, started.body.jobId);
    expect(done).toMatchObject({ total: 3, failed: 3, succeeded: 0 });
    expect(done.failures.every((f) => f.reason === 'bc-unavailable' && f.message.length > 0)).toBe(
      true,
    );

    const after = await call<DashboardDto>(t.base, 'GET', '/api/dashboard');
    expect(after.status).toBe(200);
    for (const r of after.body.rows) {
      expect(r.status).toBe('stale');
      expect(r.errorReason).toBe('bc-unavailable');
      expect(r.statusReason).toEqual(expect.any(String));
      expect(r.overdueSalesInvoiceAmount).not.toBeNull();
    }
    const details = await call<{ code: string; message: string }>(
      t.base,
      'GET',
      `/api/companies/${row.clientId}/${row.companyId}`,
    );
    expect(details.status).toBe(502);
    expect(details.body.code).toBe('bc-unavailable');
    expect(details.body.message.length).toBeGreaterThan(10);

    t.sample.setFault(defaultSampleTenantId, null);
    const again = await call<RefreshProgress>(t.base, 'POST', '/api/refresh', {
      scope: { kind: 'all' },
    });
    await waitForJob(t.base, again.body.jobId);
    const healed = await call<DashboardDto>(t.base, 'GET', '/api/dashboard');
    expect(healed.body.rows.every((r) => r.status === 'fresh')).toBe(true);
    const fresh = await call<CompanyDetailsDto>(
      t.base,
      'GET',
      `/api/companies/${row.clientId}/${row.companyId}`,
    );
    expect(fresh.status).toBe(200);
  });

  it('answers 504 bc-timeout for details when Business Central does not answer in time', async () => {
    const t = await start({ env: { BC_TIMEOUT_MS: '300' } });
    await call(t.base, 'GET', '/api/me');
    await t.app.core.hub.idle();
    const rows = (await call<DashboardDto>(t.base, 'GET', '/api/dashboard')).body.rows;
    const row = rows[0];
    if (!row) throw new Error('no rows');
    t.sample.setFault(defaultSampleTenantId, { kind: 'hang' });
    const details = await call<{ code: string }>(
      t.base,
      'GET',
      `/api/companies/${row.clientId}/${row.companyId}`,
    );
    expect(details.status).toBe(504);
    expect(details.body.code).toBe('bc-timeout');
    t.sample.setFault(defaultSampleTenantId, null);
  });
});

describe('edges and shutdown', () => {
  it('lets an edge mount routes on the server and stops it with the app', async () => {
    let closed = false;
    let seenCore: AppCore | null = null;
    const t = await start({
      app: {
        mountEdges: async (server, core) => {
          seenCore = core;
          server.post('/api/messages', async (_req, res) => {
            res.sendRaw(200, '{"edge":true}', { 'Content-Type': 'application/json' });
          });
          return {
            close: async () => {
              closed = true;
            },
          };
        },
      },
    });
    const res = await fetch(`${t.base}/api/messages`, { method: 'POST' });
    expect(await res.json()).toEqual({ edge: true });
    expect(seenCore).toBe(t.app.core);
    await t.app.close();
    expect(closed).toBe(true);
  });

  it('ends open progress streams and stops listening on close; closing twice is harmless', async () => {
    const t = await start({ env: { BC_TIMEOUT_MS: '300' } });
    await call(t.base, 'GET', '/api/me');
    await t.app.core.hub.idle();
    t.sample.setFault(defaultSampleTenantId, { kind: 'hang' });
    const started = await call<RefreshProgress>(t.base, 'POST', '/api/refresh', {
      scope: { kind: 'all' },
    });
    const stream = await fetch(`${t.base}/api/refresh/${started.body.jobId}/events`);
    expect(stream.status).toBe(200);
    const events = readEvents<RefreshProgress>(stream);
    await Promise.all([t.app.close(), t.app.close()]);
    expect((await events).length).toBeGreaterThanOrEqual(1);
    await expect(fetch(`${t.base}/api/health`)).rejects.toThrow();
  });

  it('signs in with Entra tokens in entra mode: no token answers 401, health still answers', async () => {
    const t = await start({
      env: { AUTH_MODE: 'entra', ENTRA_CLIENT_ID: '11111111-2222-4333-8444-555555555555' },
    });
    const me = await call<{ code: string }>(t.base, 'GET', '/api/me');
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toBe('Bearer');
    expect(me.body.code).toBe('unauthenticated');
    const forged = await fetch(`${t.base}/api/dashboard`, {
      headers: { Authorization: 'Bearer not.a.token' },
    });
    expect(forged.status).toBe(401);
    expect((await call(t.base, 'GET', '/api/health')).status).toBe(200);
  });
});

describe('the outbound policy the app builds in sample mode', () => {
  const policy = createOutboundPolicy({
    origins: ['https://api.businesscentral.dynamics.com'],
    sampleTenantUrl: 'http://127.0.0.1:3979',
  });
  const allowed = (url: URL): boolean => isAllowedUrl(policy, url);

  it.each([
    ['https://api.businesscentral.dynamics.com/v2.0/t/production/api/v2.0/companies', true],
    ['http://127.0.0.1:3979/v2.0/t/production/api/v2.0/companies', true],
    ['http://api.businesscentral.dynamics.com/v2.0/', false],
    ['https://api.businesscentral.dynamics.com:8443/v2.0/', false],
    ['https://api.businesscentral.dynamics.com.evil.example/v2.0/', false],
    ['https://user:pw@api.businesscentral.dynamics.com/v2.0/', false],
    ['http://127.0.0.1:3980/v2.0/', false],
    ['http://localhost:3979/v2.0/', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['file:///etc/passwd', false],
  ])('%s → %s', (url, expected) => {
    expect(allowed(new URL(url))).toBe(expected);
  });
});

describe('the Entra sign-in the app builds from its configuration', () => {
  it('checks issuer and keys at the configured authority and only accepts tokens Teams asked for', async () => {
    const key = await makeKey('entra-key-1');
    const jwks = await startJwksServer([key]);
    try {
      // A national cloud, played on loopback: keys and issuer both come from this host.
      const authority = jwks.url(TENANT).replace(`/${TENANT}/discovery/v2.0/keys`, '');
      const t = await start({
        env: {
          AUTH_MODE: 'entra',
          ENTRA_CLIENT_ID: CLIENT_ID,
          ENTRA_ALLOWED_TENANTS: TENANT,
          ENTRA_AUTHORITY_HOST: authority,
          PUBLIC_URL: 'https://hub.example.test',
        },
        app: { clock: () => NOW },
      });
      const me = async (claims: Parameters<typeof v2Claims>[0]) =>
        (
          await fetch(`${t.base}/api/me`, {
            headers: { Authorization: `Bearer ${await sign(key, v2Claims(claims))}` },
          })
        ).status;
      expect(await me({ iss: `${authority}/${TENANT}/v2.0` })).toBe(200);
      // The public cloud's issuer is not this authority's.
      expect(await me({})).toBe(401);
      // A token some other app requested for our API is not a Teams sign-in.
      expect(
        await me({
          iss: `${authority}/${TENANT}/v2.0`,
          azp: '12345678-1234-4234-8234-123456789abc',
        }),
      ).toBe(401);
    } finally {
      await jwks.close();
    }
  });
});
