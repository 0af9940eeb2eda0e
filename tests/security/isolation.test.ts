/**
 * Accountant isolation over real HTTP: accountant A, holding every id of accountant B's data,
 * calls every REST route and every bot command and button with them, and learns nothing about B
 * nor changes anything of B's. The app is the real one (lowdb, sample tenant, connector, hub, bot).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { extraSampleEnvironment } from '../../server/app.js';
import type { ClientDto, RefreshProgress, TaskRow } from '../../src/hub/api-types.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import {
  TENANT,
  cardActionActivity,
  messageActivity,
  postActivity,
  startFakeConnector,
  testUser,
  type FakeConnector,
  type RecordedActivity,
} from '../bot/harness.js';
import {
  headerAuthenticator,
  identityOf,
  send,
  startSecurityApp,
  type Answer,
  type SecurityApp,
} from './security-harness.js';

/** A is the Teams user the bot tests talk as; B lives in another Entra tenant altogether. */
const teamsUserA = testUser(1, 'Alice Accountant');
const people = {
  a: identityOf(TENANT, teamsUserA.aadObjectId, 'Alice Accountant'),
  b: identityOf('0b0b0b0b-0000-4000-8000-00000000000b', 'bob-object-id', 'Bob Accountant'),
};
const B_CLIENT_NAME = 'Bravo Zulu Confidential Holdings';

let t: SecurityApp;
let connector: FakeConnector;

/** Everything of B's that A must never see. */
interface Secrets {
  clientId: string;
  companyIds: string[];
  task: TaskRow;
  jobId: string;
  /** B's company names that none of A's companies shares (titles of tasks repeat, so not those). */
  companyNames: string[];
  aClientId: string;
  aCompanyId: string;
}
let b: Secrets;

function json<T>(answer: Answer): T {
  return JSON.parse(answer.text) as T;
}

async function waitForJob(who: string, jobId: string): Promise<RefreshProgress> {
  for (;;) {
    const res = await send(t.base, who, 'GET', `/api/refresh/${encodeURIComponent(jobId)}`);
    if (res.status !== 200) throw new Error(`progress answered ${res.status}: ${res.text}`);
    const progress = json<RefreshProgress>(res);
    if (progress.finished) return progress;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** B's names and ids that appear in `text`, minus what the caller itself sent (`echo`). */
function leaksIn(text: string, echo = ''): string[] {
  const secrets = [B_CLIENT_NAME, b.clientId, b.jobId, ...b.companyIds, ...b.companyNames];
  let body = text;
  for (const sent of [echo, encodeURIComponent(echo)]) {
    if (sent !== '') body = body.split(sent).join('');
  }
  return secrets.filter((s) => body.toLowerCase().includes(s.toLowerCase()));
}

beforeAll(async () => {
  connector = await startFakeConnector();
  t = await startSecurityApp(headerAuthenticator(people));
  const sample = t.app.core.sampleTenant;
  if (!sample) throw new Error('the security app runs in sample mode');

  // Both sign in (each gets the sample client of sample mode); then B adds a client of B's own.
  for (const who of ['a', 'b'])
    expect((await send(t.base, who, 'GET', '/api/me')).status).toBe(200);
  const created = await send(t.base, 'b', 'POST', '/api/clients', {
    name: B_CLIENT_NAME,
    url: sample.clientUrl(defaultSampleTenantId, extraSampleEnvironment),
    notes: 'B only',
  });
  expect(created.status).toBe(201);
  const client = json<ClientDto>(created);
  const started = await send(t.base, 'b', 'POST', '/api/refresh', {
    scope: { kind: 'client', clientId: client.id },
  });
  expect(started.status).toBe(202);
  const jobId = json<RefreshProgress>(started).jobId;
  const finished = await waitForJob('b', jobId);
  expect(finished.failed).toBe(0);
  const tasks = json<{ tasks: TaskRow[] }>(
    await send(t.base, 'b', 'GET', `/api/tasks?due=all&clientId=${encodeURIComponent(client.id)}`),
  ).tasks;
  const task = tasks[0];
  if (task === undefined) throw new Error('the sandbox companies have no tasks to test with');

  const aClients = json<{ clients: ClientDto[] }>(await send(t.base, 'a', 'GET', '/api/clients'));
  const aClient = aClients.clients[0];
  const aCompany = aClient?.companies[0];
  if (!aClient || !aCompany) throw new Error('A has no sample client');
  b = {
    clientId: client.id,
    companyIds: client.companies.map((c) => c.id),
    task,
    jobId,
    companyNames: client.companies
      .map((c) => c.displayName)
      .filter((n) => !aClients.clients.some((c) => c.companies.some((x) => x.displayName === n))),
    aClientId: aClient.id,
    aCompanyId: aCompany.id,
  };
  // The ids must tell A's and B's data apart, or the checks below would prove nothing.
  expect(b.companyIds).not.toContain(aCompany.id);
  expect(b.companyNames.length).toBeGreaterThan(0);
  expect(aClients.clients.map((c) => c.id)).not.toContain(b.clientId);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await connector?.close();
});

interface Probe {
  readonly name: string;
  readonly method: string;
  readonly path: () => string;
  readonly body?: () => unknown;
  /** Statuses the documentation allows for this refusal. */
  readonly expected: readonly number[];
}

const enc = encodeURIComponent;
const company = (): string => b.companyIds[0] ?? '';
const reportKinds = [
  'balance-sheet',
  'income-statement',
  'trial-balance',
  'cash-flow-statement',
  'aged-receivables',
  'aged-payables',
] as const;

const probes: Probe[] = [
  {
    name: 'GET client',
    method: 'GET',
    path: () => `/api/clients/${enc(b.clientId)}`,
    expected: [404],
  },
  {
    name: 'PATCH client notes',
    method: 'PATCH',
    path: () => `/api/clients/${enc(b.clientId)}`,
    body: () => ({ notes: 'taken over by A' }),
    expected: [404],
  },
  {
    name: 'PATCH client name and url',
    method: 'PATCH',
    path: () => `/api/clients/${enc(b.clientId)}`,
    body: () => ({
      name: 'Mine now',
      url: 'https://businesscentral.dynamics.com/x.com/production',
    }),
    expected: [404, 422],
  },
  {
    name: 'DELETE client',
    method: 'DELETE',
    path: () => `/api/clients/${enc(b.clientId)}`,
    expected: [404],
  },
  {
    name: 'company details',
    method: 'GET',
    path: () => `/api/companies/${enc(b.clientId)}/${enc(company())}`,
    expected: [404],
  },
  {
    name: "company details of B's company under A's client",
    method: 'GET',
    path: () => `/api/companies/${enc(b.aClientId)}/${enc(company())}`,
    expected: [404],
  },
  {
    name: "company details of A's company under B's client",
    method: 'GET',
    path: () => `/api/companies/${enc(b.clientId)}/${enc(b.aCompanyId)}`,
    expected: [404],
  },
  ...reportKinds.map((kind): Probe => ({
    name: `report ${kind}`,
    method: 'GET',
    path: () => `/api/companies/${enc(b.clientId)}/${enc(company())}/reports/${kind}`,
    expected: [404],
  })),
  {
    name: "report under A's client",
    method: 'GET',
    path: () =>
      `/api/companies/${enc(b.aClientId)}/${enc(company())}/reports/balance-sheet?from=2026-01-01&to=2026-01-31`,
    expected: [404],
  },
  {
    name: 'complete task',
    method: 'POST',
    path: () => `/api/tasks/${enc(b.clientId)}/${enc(b.task.companyId)}/${b.task.id}/complete`,
    expected: [404],
  },
  {
    name: "complete B's task under A's client",
    method: 'POST',
    path: () => `/api/tasks/${enc(b.aClientId)}/${enc(b.task.companyId)}/${b.task.id}/complete`,
    expected: [404],
  },
  {
    name: 'refresh client',
    method: 'POST',
    path: () => '/api/refresh',
    body: () => ({ scope: { kind: 'client', clientId: b.clientId } }),
    expected: [404],
  },
  {
    name: 'refresh companies',
    method: 'POST',
    path: () => '/api/refresh',
    body: () => ({
      scope: {
        kind: 'companies',
        companies: b.companyIds.map((companyId) => ({ clientId: b.clientId, companyId })),
      },
    }),
    expected: [404],
  },
  {
    name: "refresh B's company under A's client",
    method: 'POST',
    path: () => '/api/refresh',
    body: () => ({
      scope: { kind: 'companies', companies: [{ clientId: b.aClientId, companyId: company() }] },
    }),
    expected: [404],
  },
  {
    name: 'refresh progress',
    method: 'GET',
    path: () => `/api/refresh/${enc(b.jobId)}`,
    expected: [404],
  },
  {
    name: 'refresh events',
    method: 'GET',
    path: () => `/api/refresh/${enc(b.jobId)}/events`,
    expected: [404],
  },
  {
    name: "tasks filtered to B's client",
    method: 'GET',
    path: () => `/api/tasks?due=all&clientId=${enc(b.clientId)}`,
    expected: [200, 404],
  },
];

describe('REST: accountant A with accountant B’s ids', () => {
  test('the leak check sees B’s data where it belongs: in B’s own answers', async () => {
    const own = await send(t.base, 'b', 'GET', '/api/dashboard');
    expect(leaksIn(own.text)).toEqual(
      expect.arrayContaining([B_CLIENT_NAME, b.clientId, ...b.companyIds, ...b.companyNames]),
    );
  });

  test.each(probes.map((p) => [p.name, p] as const))(
    '%s is refused and tells nothing',
    async (_, p) => {
      const path = p.path();
      const body = p.body?.();
      const res = await send(t.base, 'a', p.method, path, body);
      expect(p.expected).toContain(res.status);
      expect(res.contentType).toContain('application/json');
      if (res.status >= 400) {
        const code = json<{ code: string }>(res).code;
        const codes: Record<number, string[]> = {
          403: ['forbidden'],
          404: ['not-found'],
          422: ['bc-tenant-not-found', 'bc-company-not-found', 'host-not-allowed'],
        };
        expect(codes[res.status]).toContain(code);
      } else {
        expect(json<{ tasks: TaskRow[] }>(res).tasks).toEqual([]);
      }
      expect(leaksIn(res.text, path + (body === undefined ? '' : JSON.stringify(body)))).toEqual(
        [],
      );
    },
  );

  test.each([
    ['GET', '/api/me'],
    ['GET', '/api/clients'],
    ['GET', '/api/dashboard'],
    ['GET', '/api/tasks?due=all'],
    ['GET', '/api/views/dashboard'],
  ])('%s %s lists only A’s own data', async (method, path) => {
    const res = await send(t.base, 'a', method, path);
    expect(res.status).toBe(200);
    expect(leaksIn(res.text)).toEqual([]);
  });

  test('a saved view filtered to B’s client shows A nothing of B', async () => {
    const view = json<Record<string, unknown>>(
      await send(t.base, 'a', 'GET', '/api/views/dashboard'),
    );
    const saved = await send(t.base, 'a', 'PUT', '/api/views/dashboard', {
      ...view,
      filters: { clientId: b.clientId },
    });
    expect([200, 400, 404]).toContain(saved.status);
    const dashboard = await send(t.base, 'a', 'GET', '/api/dashboard');
    expect(dashboard.status).toBe(200);
    // The filter is the tab's to apply: the rows stay A's own, none of B's.
    expect(leaksIn(dashboard.text, b.clientId)).toEqual([]);
    const rows = json<{ rows: { clientId: string }[] }>(dashboard).rows;
    expect(rows.filter((r) => r.clientId === b.clientId)).toEqual([]);
  });

  test('testing B’s Client URL reveals nothing of B’s registration', async () => {
    const url = t.app.core.sampleTenant?.clientUrl(defaultSampleTenantId, extraSampleEnvironment);
    const res = await send(t.base, 'a', 'POST', '/api/clients/test', { url });
    expect(res.status).toBe(200);
    expect([B_CLIENT_NAME, b.clientId, b.jobId].filter((s) => res.text.includes(s))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The bot

async function ask(text: string): Promise<RecordedActivity> {
  const activity = messageActivity(connector.url, teamsUserA, text);
  const result = await postActivity(t.base, activity);
  expect(result.status).toBe(200);
  return connector.waitFor(
    (a) => a.replyToId === activity['id'] && a.activity['type'] === 'message',
  );
}

describe('bot: Teams user A with accountant B’s names and ids', () => {
  test.each([
    'show overdue tasks',
    'show my tasks',
    `show overdue invoices ${B_CLIENT_NAME}`,
    'show overdue invoices Bravo Zulu',
    'summary',
    'clients',
    `refresh ${B_CLIENT_NAME}`,
    'refresh Bravo',
  ])('“%s” answers with nothing of B’s', async (text) => {
    const reply = await ask(text);
    const echo = text.replace(/^(show overdue invoices|refresh) /, '');
    expect(leaksIn(JSON.stringify(reply.activity), echo)).toEqual([]);
  });

  const actions: [string, () => { verb: string; data: Record<string, unknown> }][] = [
    [
      'complete B’s task, owned by A',
      () => ({
        verb: 'complete-task',
        data: {
          verb: 'complete-task',
          owner: people.a.id,
          view: { card: 'overdue-tasks', offset: 0 },
          clientId: b.clientId,
          companyId: b.task.companyId,
          taskId: b.task.id,
        },
      }),
    ],
    [
      'complete B’s task, claiming B as owner',
      () => ({
        verb: 'complete-task',
        data: {
          verb: 'complete-task',
          owner: people.b.id,
          view: { card: 'overdue-tasks', offset: 0 },
          clientId: b.clientId,
          companyId: b.task.companyId,
          taskId: b.task.id,
        },
      }),
    ],
    [
      'show B’s overdue invoices',
      () => ({
        verb: 'show',
        data: {
          verb: 'show',
          owner: people.a.id,
          view: { card: 'overdue-invoices', clientId: b.clientId, offset: 0 },
        },
      }),
    ],
    [
      'show B’s cards claiming B as owner',
      () => ({
        verb: 'show',
        data: { verb: 'show', owner: people.b.id, view: { card: 'clients', offset: 0 } },
      }),
    ],
    [
      'refresh B’s client',
      () => ({
        verb: 'refresh',
        data: {
          verb: 'refresh',
          owner: people.a.id,
          view: { card: 'clients', offset: 0 },
          clientId: b.clientId,
        },
      }),
    ],
  ];

  test.each(actions)('a card button to %s answers with nothing of B’s', async (_, make) => {
    const { verb, data } = make();
    const result = await postActivity(
      t.base,
      cardActionActivity(connector.url, teamsUserA, verb, data),
    );
    expect(result.status).toBe(200);
    // Ids A put in the button come back in its "Try again" data: an echo, not a leak.
    const echoFree = JSON.stringify(result.body).split(JSON.stringify(data)).join('');
    const secrets = [B_CLIENT_NAME, b.jobId, ...b.companyNames];
    expect(secrets.filter((s) => echoFree.includes(s))).toEqual([]);
  });
});

describe('B afterwards', () => {
  test('B’s client, companies and open task are untouched', async () => {
    const client = await send(t.base, 'b', 'GET', `/api/clients/${enc(b.clientId)}`);
    expect(client.status).toBe(200);
    const dto = json<ClientDto>(client);
    expect(dto.name).toBe(B_CLIENT_NAME);
    expect(dto.notes).toBe('B only');
    expect(dto.companies.map((c) => c.id)).toEqual(b.companyIds);

    // A fresh read from the sample tenant, not the hub's snapshot, says the task is still open.
    const refreshed = await send(t.base, 'b', 'POST', '/api/refresh', {
      scope: { kind: 'client', clientId: b.clientId },
    });
    expect(refreshed.status).toBe(202);
    await waitForJob('b', json<RefreshProgress>(refreshed).jobId);
    const tasks = json<{ tasks: TaskRow[] }>(
      await send(t.base, 'b', 'GET', `/api/tasks?due=all&clientId=${enc(b.clientId)}`),
    ).tasks;
    expect(tasks.map((x) => x.id)).toContain(b.task.id);
    const progress = await send(t.base, 'b', 'GET', `/api/refresh/${enc(b.jobId)}`);
    expect(progress.status).toBe(200);
  });

  test('A registering the same Business Central environment gets a client of A’s own', async () => {
    const url = t.app.core.sampleTenant?.clientUrl(defaultSampleTenantId, extraSampleEnvironment);
    const res = await send(t.base, 'a', 'POST', '/api/clients', { name: 'Alice copy', url });
    expect(res.status).toBe(201);
    const mine = json<ClientDto>(res);
    expect(mine.id).not.toBe(b.clientId);
    expect([B_CLIENT_NAME, b.clientId, 'B only'].filter((s) => res.text.includes(s))).toEqual([]);
    expect((await send(t.base, 'a', 'DELETE', `/api/clients/${enc(mine.id)}`)).status).toBe(204);
    expect((await send(t.base, 'b', 'GET', `/api/clients/${enc(b.clientId)}`)).status).toBe(200);
  });

  test('no header at all is unauthenticated, not anyone', async () => {
    const res = await fetch(`${t.base}/api/clients/${enc(b.clientId)}`);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(B_CLIENT_NAME);
  });
});
