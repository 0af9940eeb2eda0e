/**
 * Fuzzing the edges with thousands of seeded hostile inputs: every JSON-accepting route of the
 * REST API, random paths and query strings on the GET routes, and the bot's command parser. The
 * real app answers over real HTTP; nothing may answer 5xx, every error is `{ code, message }`,
 * the server stays up, and `Object.prototype` stays clean.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { extraSampleEnvironment } from '../../server/app.js';
import type { ClientDto } from '../../src/hub/api-types.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import { parseCommand, type CommandKind } from '../../bot/commands.js';
import { call, rawRequest, startTestApp, type TestApp } from '../server/app-harness.js';
import { Gen, encodedJunk, hostileStrings, mutate, rawBody } from './hostile-inputs.js';

let t: TestApp;
let clientId: string;
let companyId: string;
let sampleUrl: string;
const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  // No rate limiter: every hostile request must reach the parsers, not bounce off a 429.
  t = await startTestApp({ app: { rateLimiter: null } });
  expect((await call(t.base, 'GET', '/api/me')).status).toBe(200);
  const clients = await call<{ clients: ClientDto[] }>(t.base, 'GET', '/api/clients');
  const client = clients.body.clients[0];
  const company = client?.companies[0];
  if (!client || !company) throw new Error('the sample client is missing');
  clientId = client.id;
  companyId = company.id;
  sampleUrl = t.sample.clientUrl(defaultSampleTenantId, extraSampleEnvironment);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

interface Case {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string | Buffer;
  /** Send the path as is, without URL normalisation. */
  readonly verbatim?: boolean;
}

interface Outcome {
  readonly c: Case;
  readonly status: number;
  readonly problem: string | null;
}

/** What is wrong with an answer, or null when it is an acceptable one. */
function problemWith(status: number, contentType: string, text: string): string | null {
  if (status >= 500) return `answered ${status}: ${text.slice(0, 200)}`;
  if (status < 400) return null;
  if (!contentType.includes('application/json')) return `error is ${contentType}, not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `error body is not JSON: ${text.slice(0, 200)}`;
  }
  if (typeof body !== 'object' || body === null) return 'error body is not an object';
  const keys = Object.keys(body).sort().join(',');
  const { code, message } = body as { code?: unknown; message?: unknown };
  if (keys !== 'code,message' || typeof code !== 'string' || typeof message !== 'string') {
    return `error body is not {code, message}: ${text.slice(0, 200)}`;
  }
  if (/\bat .+\(.+:\d+:\d+\)/.test(message)) return 'error message carries a stack trace';
  return null;
}

async function run(c: Case): Promise<Outcome> {
  try {
    if (c.verbatim) {
      // Sent byte for byte: fetch would resolve `%2e%2e` and leave the API for the tab's pages.
      const res = await rawRequest(t.base, {
        method: c.method,
        path: c.path,
        headers: {
          Host: new URL(t.base).host,
          ...(c.body === undefined
            ? {}
            : {
                'Content-Type': 'application/json',
                'Content-Length': String(Buffer.byteLength(c.body)),
              }),
        },
        ...(c.body === undefined ? {} : { body: c.body }),
      });
      const contentType = String(res.headers['content-type'] ?? '');
      return { c, status: res.status, problem: problemWith(res.status, contentType, res.text) };
    }
    const res = await fetch(`${t.base}${c.path}`, {
      method: c.method,
      headers: c.body === undefined ? {} : { 'content-type': 'application/json' },
      body: typeof c.body === 'string' || c.body === undefined ? c.body : new Uint8Array(c.body),
    });
    const text = await res.text();
    return {
      c,
      status: res.status,
      problem: problemWith(res.status, res.headers.get('content-type') ?? '', text),
    };
  } catch (e) {
    return { c, status: 0, problem: `request failed: ${String(e)}` };
  }
}

/** Runs the cases a few at a time: the point is hostile input, not load. */
async function runAll(cases: readonly Case[], concurrency = 6): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const c = cases[i];
      if (c === undefined) return;
      outcomes.push(await run(c));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

function describeFailures(outcomes: readonly Outcome[]): string[] {
  return outcomes
    .filter((o) => o.problem !== null)
    .slice(0, 10)
    .map((o) => {
      const body = o.c.body === undefined ? '' : ` body=${String(o.c.body).slice(0, 120)}`;
      return `${o.c.label}: ${o.c.method} ${o.c.path.slice(0, 120)}${body} -> ${o.problem ?? ''}`;
    });
}

/** The body routes with a valid body each, which the generator mutates. */
function bodyRoutes(): { method: string; path: string; template: unknown }[] {
  return [
    {
      method: 'POST',
      path: '/api/clients',
      template: {
        name: 'Fuzz',
        url: sampleUrl,
        contact: 'c',
        notes: 'n',
        taxSettings: { frequency: 'monthly', dueDaysAfterPeriodEnd: 30 },
        appCredentials: { appClientId: 'x', clientSecret: 'y' },
      },
    },
    {
      method: 'PATCH',
      path: `/api/clients/${encodeURIComponent(clientId)}`,
      template: {
        notes: 'n',
        contact: 'c',
        taxSettings: { frequency: 'yearly', dueDaysAfterPeriodEnd: 5 },
      },
    },
    { method: 'POST', path: '/api/clients/test', template: { url: sampleUrl } },
    {
      method: 'POST',
      path: '/api/clients/from-invitation',
      template: { link: `${sampleUrl}?company=x`, name: 'Invited' },
    },
    {
      method: 'POST',
      path: '/api/refresh',
      template: { scope: { kind: 'companies', companies: [{ clientId, companyId }] } },
    },
    {
      method: 'PUT',
      path: '/api/views/dashboard',
      template: {
        columns: ['taxesDue', 'status'],
        text: '',
        filters: { hasOverdueInvoices: true, refreshFailed: false, clientId },
        sort: { column: 'clientName', direction: 'asc' },
      },
    },
  ];
}

describe('REST API under hostile input', () => {
  test('thousands of hostile bodies on every JSON route never answer 5xx nor a non-{code, message} error', async () => {
    const g = new Gen(0x5eed_0001);
    const cases: Case[] = [];
    for (const route of bodyRoutes()) {
      for (let i = 0; i < 350; i++) {
        const raw = g.chance(0.5);
        const body = raw ? rawBody(g, route.template) : JSON.stringify(mutate(g, route.template));
        cases.push({ label: `${route.path}#${i}`, method: route.method, path: route.path, body });
      }
    }
    const outcomes = await runAll(cases);
    expect(outcomes).toHaveLength(cases.length);
    expect(describeFailures(outcomes)).toEqual([]);
    // The generator reaches both the validators and the code behind them.
    const statuses = new Set(outcomes.map((o) => o.status));
    expect(statuses).toContain(400);
    expect([...statuses].some((s) => s >= 200 && s < 300)).toBe(true);
  }, 60_000);

  test('random paths and query strings on the GET routes never answer 5xx', async () => {
    const g = new Gen(0x5eed_0002);
    const enc = encodeURIComponent;
    const query = (): string =>
      Array.from({ length: g.int(4) }, () => {
        const k = g.chance(0.6)
          ? g.pick([
              'sort',
              'direction',
              'clientId',
              'due',
              'from',
              'to',
              '__proto__',
              'constructor',
            ])
          : encodedJunk(g);
        const v = g.chance(0.5)
          ? g.pick([
              'dueDate',
              'client',
              'priority',
              'asc',
              'overdue',
              '2026-01-01',
              '2026-13-45',
              '9999-12-31',
              '',
            ])
          : encodedJunk(g);
        return `${k}=${v}`;
      }).join(g.pick(['&', '&&', ';', '&amp;']));
    const shapes: (() => string)[] = [
      () => `/api/tasks?${query()}`,
      () => `/api/dashboard?${query()}`,
      () => `/api/clients?${query()}`,
      () => `/api/views/dashboard?${query()}`,
      () => `/api/clients/${encodedJunk(g)}`,
      () => `/api/refresh/${encodedJunk(g)}`,
      () => `/api/refresh/${encodedJunk(g)}/events`,
      () => `/api/companies/${encodedJunk(g)}/${encodedJunk(g)}`,
      () => `/api/companies/${enc(clientId)}/${enc(companyId)}?${query()}`,
      () => `/api/companies/${enc(clientId)}/${encodedJunk(g)}/reports/balance-sheet`,
      () =>
        `/api/companies/${enc(clientId)}/${enc(companyId)}/reports/${g.chance(0.5) ? encodedJunk(g) : 'trial-balance'}?${query()}`,
      () => `/api/${encodedJunk(g)}?${query()}`,
    ];
    const cases: Case[] = Array.from({ length: 1_500 }, (_, i) => ({
      label: `get#${i}`,
      method: 'GET',
      verbatim: true,
      path: g.pick(shapes)(),
    }));
    const outcomes = await runAll(cases);
    expect(describeFailures(outcomes)).toEqual([]);
    expect(new Set(outcomes.map((o) => o.status))).toContain(400);
  }, 60_000);

  test('hostile ids in the task-complete path never answer 5xx', async () => {
    const g = new Gen(0x5eed_0003);
    const cases: Case[] = Array.from({ length: 300 }, (_, i) => ({
      label: `complete#${i}`,
      method: 'POST',
      verbatim: g.chance(0.5),
      path: `/api/tasks/${g.chance(0.5) ? encodeURIComponent(clientId) : encodedJunk(g)}/${encodedJunk(g)}/${g.pick(['0', '-1', '1e3', '99999999999999999999', '1.5', 'NaN', encodedJunk(g)])}/complete`,
      ...(g.chance(0.5) ? { body: rawBody(g, {}) } : {}),
    }));
    const outcomes = await runAll(cases);
    expect(describeFailures(outcomes)).toEqual([]);
  }, 60_000);

  test('after the storm the server is up, the sample client intact, and Object.prototype clean', async () => {
    const health = await call<{ status: string }>(t.base, 'GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const client = await call<ClientDto>(
      t.base,
      'GET',
      `/api/clients/${encodeURIComponent(clientId)}`,
    );
    expect(client.status).toBe(200);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const stored = await call<Record<string, unknown>>(t.base, 'GET', '/api/views/dashboard');
    expect(stored.status).toBe(200);
    expect(Object.getPrototypeOf(stored.body)).toBe(Object.prototype);
    expect(Object.hasOwn(stored.body, '__proto__')).toBe(false);
  });
});

describe('bot command parser under hostile input', () => {
  const kinds: readonly CommandKind[] = [
    'help',
    'overdue-tasks',
    'my-tasks',
    'overdue-invoices',
    'summary',
    'clients',
    'refresh',
    'daily-summary-at',
    'daily-summary-on',
    'daily-summary-off',
    'daily-summary-status',
    'time-zone',
    'invalid',
    'unknown',
  ];
  const commandWords = [
    'show',
    'overdue',
    'tasks',
    'invoices',
    'for',
    'summary',
    'clients',
    'refresh',
    'all',
    'my',
    'today',
    'this week',
    'daily summary at',
    'time zone',
    'on',
    'off',
    'help',
    '<at>Accountant Hub</at>',
    'please',
    '25:99',
    '7pm',
    'Europe/Paris',
    'America/../../etc',
  ];

  test('three thousand generated messages each parse to a known command without throwing', () => {
    const g = new Gen(0x5eed_0004);
    const seen = new Set<CommandKind>();
    for (let i = 0; i < 3_000; i++) {
      const pieces = Array.from({ length: 1 + g.int(6) }, () =>
        g.chance(0.5) ? g.pick(commandWords) : g.chance(0.5) ? g.pick(hostileStrings) : g.string(2),
      );
      const text = pieces.join(g.pick([' ', '', '  ', '\n', '\t', '\u00a0']));
      let command: ReturnType<typeof parseCommand>;
      try {
        command = parseCommand(text);
      } catch (e) {
        throw new Error(
          `parseCommand threw on case ${i} ${JSON.stringify(text.slice(0, 200))}: ${String(e)}`,
        );
      }
      expect(kinds).toContain(command.kind);
      seen.add(command.kind);
    }
    // The generator reaches real commands as well as junk.
    expect(seen.size).toBeGreaterThanOrEqual(6);
  }, 60_000);

  test('huge and degenerate messages parse without throwing', () => {
    const texts = [
      '',
      ' '.repeat(1_000_000),
      'show '.repeat(200_000),
      'refresh ' + 'x'.repeat(1_000_000),
      '\ud800'.repeat(100_000),
      '<at>'.repeat(60_000),
      '<'.repeat(200_000),
      '<at x="'.repeat(30_000),
      '\u0000'.repeat(10_000),
      'show overdue invoices ' + '\u202e'.repeat(10_000),
    ];
    for (const text of texts) expect(kinds).toContain(parseCommand(text).kind);
  });
});
