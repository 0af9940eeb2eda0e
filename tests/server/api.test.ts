import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import type {
  ClientDto,
  CompanyDetailsDto,
  DashboardDto,
  DashboardView,
  RefreshProgress,
  TaskRow,
  TestClientUrlResult,
} from '../../src/hub/api-types.js';
import { defaultDashboardView } from '../../src/domain/model.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import { call, readEvents, startTestApp, waitForJob, type TestApp } from './app-harness.js';

let t: TestApp;
let sampleClient: ClientDto;

beforeAll(async () => {
  t = await startTestApp();
  // The first request signs the accountant in, which adds the sample client and refreshes it.
  await call(t.base, 'GET', '/api/me');
  await t.app.core.hub.idle();
  const clients = await call<{ clients: ClientDto[] }>(t.base, 'GET', '/api/clients');
  const first = clients.body.clients[0];
  if (!first) throw new Error('no sample client');
  sampleClient = first;
});

afterAll(async () => {
  await t.close();
});

const companyOf = (client: ClientDto, i = 0) => {
  const company = client.companies[i];
  if (!company) throw new Error(`client ${client.name} has no company ${i}`);
  return company;
};

describe('health and identity', () => {
  it('answers health without signing in', async () => {
    const res = await call(t.base, 'GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', version: expect.any(String), sampleMode: true });
  });

  it('says who is signed in: the local accountant in sample mode', async () => {
    const res = await call(t.base, 'GET', '/api/me');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'local:local-accountant',
      displayName: 'Local accountant',
      sampleMode: true,
    });
  });

  it('marks every API answer as not cacheable and not sniffable, with a request id', async () => {
    const res = await call(t.base, 'GET', '/api/dashboard');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('first run', () => {
  it('shows the sample client on the dashboard with fresh numbers after its refresh', async () => {
    const res = await call<DashboardDto>(t.base, 'GET', '/api/dashboard');
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(3);
    for (const row of res.body.rows) {
      expect(row.isSample).toBe(true);
      expect(row.clientId).toBe(sampleClient.id);
      expect(row.status).toBe('fresh');
      expect(row.overdueSalesInvoiceAmount).not.toBeNull();
      expect(row.goToClientUrl.startsWith(t.sample.url)).toBe(true);
    }
    expect(res.body.view).toEqual(defaultDashboardView);
  });

  it('lists the sample client with its companies', async () => {
    const res = await call<{ clients: ClientDto[] }>(t.base, 'GET', '/api/clients');
    expect(res.status).toBe(200);
    expect(res.body.clients).toHaveLength(1);
    expect(sampleClient.isSample).toBe(true);
    expect(sampleClient.companies).toHaveLength(3);
  });
});

describe('managing clients', () => {
  const sandboxUrl = () => t.sample.clientUrl(defaultSampleTenantId, 'sandbox');

  it('tests a sample Client URL and lists the companies it finds, saving nothing', async () => {
    const res = await call<TestClientUrlResult>(t.base, 'POST', '/api/clients/test', {
      url: sandboxUrl(),
    });
    expect(res.status).toBe(200);
    expect(res.body.target).toEqual({ tenant: defaultSampleTenantId, environment: 'sandbox' });
    expect(res.body.companies).toHaveLength(2);
    const clients = await call<{ clients: ClientDto[] }>(t.base, 'GET', '/api/clients');
    expect(clients.body.clients).toHaveLength(1);
  });

  it('answers a malformed Client URL with 400 and a sentence that says what is wrong', async () => {
    const res = await call<{ code: string; message: string }>(t.base, 'POST', '/api/clients/test', {
      url: 'not a url at all',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation');
    expect(res.body.message.length).toBeGreaterThan(20);
    expect(res.body.message).not.toMatch(/at .*\.ts:\d+|Error:/);
  });

  it('refuses a URL on another host, so the server cannot be used to reach arbitrary addresses', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'https://evil.example/tenant/production',
    ]) {
      const res = await call<{ code: string }>(t.base, 'POST', '/api/clients/test', { url });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation');
    }
  });

  it('answers an unknown tenant with 422 bc-tenant-not-found', async () => {
    const res = await call<{ code: string; message: string }>(t.base, 'POST', '/api/clients/test', {
      url: t.sample.clientUrl('0b0e0b0e-0000-4000-8000-000000000001', 'production'),
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('bc-tenant-not-found');
  });

  it('adds, reads, renames and removes a client from a sample URL', async () => {
    const added = await call<ClientDto>(t.base, 'POST', '/api/clients', {
      name: 'Sandbox books',
      url: sandboxUrl(),
      contact: 'Ana',
    });
    expect(added.status).toBe(201);
    expect(added.headers.get('location')).toBe(`/api/clients/${added.body.id}`);
    expect(added.body).toMatchObject({
      name: 'Sandbox books',
      contact: 'Ana',
      connection: { kind: 'sample' },
    });
    expect(added.body.companies).toHaveLength(2);

    const read = await call<ClientDto>(t.base, 'GET', `/api/clients/${added.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Sandbox books');

    const renamed = await call<ClientDto>(t.base, 'PATCH', `/api/clients/${added.body.id}`, {
      name: 'Sandbox ledger',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Sandbox ledger');

    const badPatch = await call<{ code: string }>(
      t.base,
      'PATCH',
      `/api/clients/${added.body.id}`,
      {
        name: 42,
      },
    );
    expect(badPatch.status).toBe(400);

    const removed = await call(t.base, 'DELETE', `/api/clients/${added.body.id}`);
    expect(removed.status).toBe(204);
    const gone = await call<{ code: string }>(t.base, 'GET', `/api/clients/${added.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('not-found');
  });

  it('answers 409 when the same environment is added twice', async () => {
    const res = await call<{ code: string }>(t.base, 'POST', '/api/clients', {
      name: 'Again',
      url: sampleClient.url,
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
  });

  it('lists every problem of an invalid client body, field by field', async () => {
    const res = await call<{ code: string; message: string }>(t.base, 'POST', '/api/clients', {
      contact: 5,
      color: 'blue',
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('name is required');
    expect(res.body.message).toContain('url is required');
    expect(res.body.message).toContain('contact must be a string');
    expect(res.body.message).toContain('unknown field(s) "color"');
  });

  it('answers 404 for a client that does not exist and 400 for an id that cannot be one', async () => {
    expect((await call(t.base, 'GET', '/api/clients/no-such-client')).status).toBe(404);
    expect((await call(t.base, 'DELETE', '/api/clients/no-such-client')).status).toBe(404);
    const bad = await call<{ code: string }>(
      t.base,
      'GET',
      `/api/clients/${encodeURIComponent('a b<c>')}`,
    );
    expect(bad.status).toBe(400);
  });
});

describe('refresh', () => {
  it('starts a refresh with 202 and reports progress until it finishes', async () => {
    const started = await call<RefreshProgress>(t.base, 'POST', '/api/refresh', {
      scope: { kind: 'all' },
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/api/refresh/${started.body.jobId}`);
    const done = await waitForJob<RefreshProgress>(t.base, started.body.jobId);
    expect(done).toMatchObject({ total: 3, done: 3, succeeded: 3, failed: 0, failures: [] });
    expect(done.finishedAt).not.toBeNull();
  });

  it('streams progress as Server-Sent Events until the job finishes', async () => {
    const started = await call<RefreshProgress>(t.base, 'POST', '/api/refresh', {
      scope: { kind: 'client', clientId: sampleClient.id },
    });
    const res = await fetch(`${t.base}/api/refresh/${started.body.jobId}/events`, {
      headers: { Accept: 'text/event-stream' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = await readEvents<RefreshProgress>(res);
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.every((e) => e.event === 'progress' && e.data.jobId === started.body.jobId)).toBe(
      true,
    );
    const dones = events.map((e) => e.data.done);
    expect([...dones].sort((a, b) => a - b)).toEqual(dones);
    const last = events[events.length - 1]?.data;
    expect(last).toMatchObject({ finished: true, done: 3, total: 3 });
    expect(events.filter((e) => e.data.finished)).toHaveLength(1);
  });

  it('ends the stream at once with the final progress of a finished job', async () => {
    const started = await call<RefreshProgress>(t.base, 'POST', '/api/refresh', {
      scope: {
        kind: 'companies',
        companies: [{ clientId: sampleClient.id, companyId: companyOf(sampleClient).id }],
      },
    });
    await waitForJob(t.base, started.body.jobId);
    const res = await fetch(`${t.base}/api/refresh/${started.body.jobId}/events`);
    const events = await readEvents<RefreshProgress>(res);
    expect(events.map((e) => e.data.finished)).toEqual([true]);
  });

  it('answers 404 JSON for the progress or events of an unknown job', async () => {
    const progress = await call<{ code: string }>(t.base, 'GET', '/api/refresh/unknown-job');
    expect(progress.status).toBe(404);
    const events = await fetch(`${t.base}/api/refresh/unknown-job/events`);
    expect(events.status).toBe(404);
    expect(await events.json()).toMatchObject({ code: 'not-found' });
  });

  it('refuses a scope it does not know', async () => {
    const res = await call<{ message: string }>(t.base, 'POST', '/api/refresh', {
      scope: { kind: 'everything' },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('scope.kind must be one of "all", "client", "companies"');
  });

  it('answers 404 when the scope names a client that does not exist', async () => {
    const res = await call(t.base, 'POST', '/api/refresh', {
      scope: { kind: 'client', clientId: 'no-such-client' },
    });
    expect(res.status).toBe(404);
  });
});

describe('company details and reports', () => {
  it('gives the details of a company', async () => {
    const company = companyOf(sampleClient);
    const res = await call<CompanyDetailsDto>(
      t.base,
      'GET',
      `/api/companies/${sampleClient.id}/${company.id}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.companyId).toBe(company.id);
    expect(res.body.clientName).toBe(sampleClient.name);
    expect(res.body.forecast.weeks.length).toBeGreaterThan(0);
    expect(Array.isArray(res.body.overdueSalesInvoices)).toBe(true);
  });

  it('answers 404 for a company the client does not have', async () => {
    const res = await call(
      t.base,
      'GET',
      `/api/companies/${sampleClient.id}/00000000-0000-4000-8000-000000000000`,
    );
    expect(res.status).toBe(404);
  });

  it('downloads a balance sheet workbook that opens in Excel with the company in it', async () => {
    const company = companyOf(sampleClient);
    const res = await fetch(
      `${t.base}/api/companies/${sampleClient.id}/${company.id}/reports/balance-sheet`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(
      /^attachment; filename="[^"\\\r\n]+ - Balance sheet - \d{4}-\d{2}-\d{2}\.xlsx"; filename\*=UTF-8''/,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet).toBeDefined();
    const texts: string[] = [];
    sheet?.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.text))));
    expect(texts.some((s) => s.includes(company.displayName) || s.includes(company.name))).toBe(
      true,
    );
  });

  it('downloads a trial balance for a chosen period', async () => {
    const company = companyOf(sampleClient, 1);
    const res = await fetch(
      `${t.base}/api/companies/${sampleClient.id}/${company.id}/reports/trial-balance?from=2026-01-01&to=2026-03-31`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('Trial balance - 2026-03-31.xlsx');
  });

  it.each([
    ['reports/profit-and-loss', 'kind must be one of'],
    ['reports/balance-sheet?from=2026-01-01', 'give both from and to'],
    ['reports/balance-sheet?from=2026-03-01&to=2026-01-01', 'from must not be after to'],
    ['reports/balance-sheet?from=2026-02-30&to=2026-03-01', 'YYYY-MM-DD'],
    ['reports/balance-sheet?to=2026-01-01&to=2026-02-01&from=2025-01-01', 'only once'],
  ])('refuses %s with 400', async (suffix, message) => {
    const company = companyOf(sampleClient);
    const res = await call<{ code: string; message: string }>(
      t.base,
      'GET',
      `/api/companies/${sampleClient.id}/${company.id}/${suffix}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });
});

describe('my tasks', () => {
  const dueTime = (task: TaskRow) => (task.dueAt === null ? Infinity : Date.parse(task.dueAt));

  it('lists my tasks across clients sorted by due date', async () => {
    const res = await call<{ tasks: TaskRow[] }>(
      t.base,
      'GET',
      '/api/tasks?sort=dueDate&direction=asc',
    );
    expect(res.status).toBe(200);
    const times = res.body.tasks.map(dueTime);
    expect(times.length).toBeGreaterThan(1);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(res.body.tasks.some((task) => task.isOverdue)).toBe(true);
  });

  it('filters to overdue tasks of one client', async () => {
    const res = await call<{ tasks: TaskRow[] }>(
      t.base,
      'GET',
      `/api/tasks?due=overdue&clientId=${sampleClient.id}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.tasks.length).toBeGreaterThan(0);
    expect(
      res.body.tasks.every((task) => task.isOverdue && task.clientId === sampleClient.id),
    ).toBe(true);
  });

  it.each(['sort=bogus', 'direction=up', 'due=someday', 'sort=client&sort=priority'])(
    'answers 400 to the query %s',
    async (query) => {
      const res = await call<{ code: string }>(t.base, 'GET', `/api/tasks?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation');
    },
  );

  it('marks a task complete, after which it is no longer listed', async () => {
    const before = await call<{ tasks: TaskRow[] }>(t.base, 'GET', '/api/tasks');
    const task = before.body.tasks[0];
    if (!task) throw new Error('the sample client has no tasks');
    const res = await call(
      t.base,
      'POST',
      `/api/tasks/${task.clientId}/${task.companyId}/${task.id}/complete`,
    );
    expect(res.status).toBe(204);
    const after = await call<{ tasks: TaskRow[] }>(t.base, 'GET', '/api/tasks');
    expect(
      after.body.tasks.some(
        (x) => x.id === task.id && x.companyId === task.companyId && x.clientId === task.clientId,
      ),
    ).toBe(false);
    expect(after.body.tasks).toHaveLength(before.body.tasks.length - 1);
  });

  it('answers 400 for a task id that is not a positive whole number', async () => {
    const company = companyOf(sampleClient);
    for (const id of ['abc', '0', '-1', '1.5', '99999999999']) {
      const res = await call(
        t.base,
        'POST',
        `/api/tasks/${sampleClient.id}/${company.id}/${id}/complete`,
      );
      expect(res.status).toBe(400);
    }
  });
});

describe('dashboard view', () => {
  it('starts with the default view and saves a new one', async () => {
    const initial = await call<DashboardView>(t.base, 'GET', '/api/views/dashboard');
    expect(initial.body).toEqual(defaultDashboardView);
    const view: DashboardView = {
      columns: ['taxesDue', 'overdueTasks', 'status'],
      text: 'copper',
      filters: { refreshFailed: false, clientId: sampleClient.id },
      sort: { column: 'overdueTasks', direction: 'desc' },
    };
    const saved = await call<DashboardView>(t.base, 'PUT', '/api/views/dashboard', view);
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual(view);
    expect((await call(t.base, 'GET', '/api/views/dashboard')).body).toEqual(view);
    const dashboard = await call<DashboardDto>(t.base, 'GET', '/api/dashboard');
    expect(dashboard.body.view).toEqual(view);
  });

  it('refuses a view with an unknown column', async () => {
    const res = await call<{ message: string }>(t.base, 'PUT', '/api/views/dashboard', {
      ...defaultDashboardView,
      columns: ['status', 'secretColumn'],
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('columns[1] must be one of');
  });
});
