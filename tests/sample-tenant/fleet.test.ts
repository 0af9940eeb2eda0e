import { describe, expect, it } from '@jest/globals';
import { addDays } from '../../src/domain/dates.js';
import {
  benchmarkFleet,
  defaultSampleFleet,
  defaultSampleTenantId,
  startSampleTenant,
} from '../../src/sample-tenant/index.js';
import { generateBooks } from '../../src/sample-tenant/books.js';
import { fleetFor, parseArgs, startFromArgs } from '../../src/sample-tenant/cli.js';
import { generateFleetLayout, validateFleetSpec } from '../../src/sample-tenant/fleet.js';
import { computeCues } from '../../src/sample-tenant/reports.js';
import { apiRoot, fixedNow, request, today, valueOf } from './support.js';

describe('benchmarkFleet', () => {
  it('spreads 1,000 companies over 500 environments, some of them holding 20–50', () => {
    const spec = benchmarkFleet(1000, 500);
    const envs = spec.tenants.flatMap((t) => t.environments);
    expect(envs).toHaveLength(500);
    expect(envs.reduce((n, e) => n + e.companies, 0)).toBe(1000);
    const big = envs.filter((e) => e.companies > 1);
    expect(big.length).toBeGreaterThan(5);
    for (const e of big) {
      expect(e.companies).toBeGreaterThanOrEqual(2);
      expect(e.companies).toBeLessThanOrEqual(50);
    }
    expect(big.filter((e) => e.companies >= 20).length).toBeGreaterThan(big.length / 2);
    for (const t of spec.tenants) {
      expect(t.environments.length).toBeGreaterThanOrEqual(1);
      expect(t.environments.length).toBeLessThanOrEqual(3);
    }
    expect(spec.tenants.some((t) => t.id.includes('.'))).toBe(true);
    expect(() => validateFleetSpec(spec)).not.toThrow();
  });

  it('is deterministic for a seed', () => {
    expect(benchmarkFleet(120, 40, 7)).toEqual(benchmarkFleet(120, 40, 7));
    expect(benchmarkFleet(120, 40, 7)).not.toEqual(benchmarkFleet(120, 40, 8));
  });

  it('rejects impossible shapes', () => {
    expect(() => benchmarkFleet(10, 0)).toThrow(RangeError);
    expect(() => benchmarkFleet(5, 10)).toThrow(RangeError);
    expect(() => benchmarkFleet(1.5, 1)).toThrow(RangeError);
  });
});

describe('fleet layout', () => {
  it('names every company uniquely per environment and gives some of them quotes in their names', () => {
    const tenants = generateFleetLayout(benchmarkFleet(300, 20), 1);
    for (const env of tenants.flatMap((t) => t.environments)) {
      const names = env.companies.map((c) => c.name.toLowerCase());
      expect(new Set(names).size).toBe(names.length);
      const ids = env.companies.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const all = tenants.flatMap((t) => t.environments.flatMap((e) => e.companies));
    expect(all.some((c) => c.name.includes("'"))).toBe(true);
    expect(all.filter((c) => c.currencyCode === 'USD').length).toBeGreaterThan(all.length / 2);
    expect(new Set(all.map((c) => c.currencyCode))).toEqual(new Set(['USD', 'EUR', 'GBP', 'DKK']));
  });

  it('reports every problem of a bad fleet spec at once', () => {
    expect(() =>
      validateFleetSpec({
        tenants: [
          { id: 'a/b', environments: [{ name: 'prod', companies: 301 }] },
          {
            id: 'x.example.com',
            environments: [
              { name: 'p', companies: 1 },
              { name: 'P', companies: -1 },
            ],
          },
          { id: 'X.example.com', environments: [] },
        ],
      }),
    ).toThrow(
      /"a\/b" is not a GUID.*a\/b\/prod: companies must be.*P appears twice.*P: companies must be.*X\.example\.com appears twice/s,
    );
  });

  it('keeps the default sample client stable', () => {
    expect(defaultSampleFleet.tenants[0]?.id).toBe(defaultSampleTenantId);
    expect(defaultSampleTenantId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const [a] = generateFleetLayout(defaultSampleFleet, 1);
    const [b] = generateFleetLayout(defaultSampleFleet, 1);
    expect(a).toEqual(b);
  });
});

describe('generated books', () => {
  it('hold for many companies: balanced ledger, nothing posted after today, something overdue and due next week', () => {
    const tenants = generateFleetLayout(benchmarkFleet(200, 60, 3), 3);
    const now = `${today}T10:00:00Z`;
    const weekEnd = `${addDays(today, 7)}T23:59:59Z`;
    const problems: string[] = [];
    for (const tenant of tenants) {
      for (const company of tenant.environments.flatMap((e) => e.companies)) {
        const books = generateBooks(company, tenant, today);
        const fail = (what: string): void => {
          problems.push(`${company.name}: ${what}`);
        };
        const debit = books.glEntries.reduce((s, e) => s + e.debit, 0);
        const credit = books.glEntries.reduce((s, e) => s + e.credit, 0);
        if (debit !== credit) fail(`ledger off by ${debit - credit}`);
        if (books.glEntries.some((e) => e.postingDate > today)) fail('entry after today');
        for (const i of books.salesInvoices) {
          if (i.remainingAmount < 0 || i.remainingAmount > i.amountExcludingTax + i.taxAmount)
            fail(`${i.number} remaining`);
          if (i.payments.some((p) => p.date < i.invoiceDate || p.date > today))
            fail(`${i.number} payment date`);
          if (i.status === 'Paid' && i.remainingAmount !== 0) fail(`${i.number} paid but open`);
        }
        const cues = computeCues(books);
        if (cues.overdueSalesInvoiceAmount <= 0 || cues.overduePurchaseInvoiceAmount <= 0)
          fail('nothing overdue');
        if (cues.salesInvoicesDueNextWeek <= 0 || cues.purchaseInvoicesDueNextWeek <= 0)
          fail('nothing due next week');
        const mine = books.tasks.filter(
          (t) => t.assignedTo === tenant.accountantUserId && t.percentComplete < 100,
        );
        if (!mine.some((t) => t.dueAt !== null && t.dueAt < now)) fail('no overdue task');
        if (!mine.some((t) => t.dueAt !== null && t.dueAt > now && t.dueAt <= weekEnd))
          fail('no task due this week');
      }
    }
    expect(problems).toEqual([]);
  });

  it('are the same for the same company and day', () => {
    const [tenant] = generateFleetLayout(defaultSampleFleet, 1);
    const company = tenant?.environments[0]?.companies[0];
    if (!tenant || !company) throw new Error('no company');
    expect(generateBooks(company, tenant, today)).toEqual(generateBooks(company, tenant, today));
  });
});

describe('a 1,000-company fleet over HTTP', () => {
  it('starts quickly and answers any environment, generating books only when asked', async () => {
    const t = await startSampleTenant({
      now: fixedNow,
      fleet: benchmarkFleet(1000, 500),
      limits: false,
    });
    try {
      expect(t.fleet.companyCount).toBe(1000);
      const envs = t.fleet.tenants.flatMap((tn) => tn.environments.map((e) => ({ tn, e })));
      const biggest = envs.reduce((a, b) => (b.e.companies.length > a.e.companies.length ? b : a));
      const companies = valueOf(
        await request(`${apiRoot(t, biggest.tn.id, biggest.e.name)}/companies`),
      );
      expect(companies).toHaveLength(biggest.e.companies.length);
      expect(companies.length).toBeGreaterThanOrEqual(20);
      const last = envs[envs.length - 1];
      if (!last) throw new Error('no environments');
      const c = last.e.companies[0];
      const inv = await request(
        `${apiRoot(t, last.tn.id, last.e.name)}/companies(${c?.id})/salesInvoices?$top=1`,
      );
      expect(inv.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('command line', () => {
  it('parses its flags', () => {
    expect(
      parseArgs([
        '--port',
        '8123',
        '--latency=25',
        '--seed',
        '4',
        '--companies',
        '10',
        '--environments',
        '5',
        '--no-limits',
      ]),
    ).toEqual({
      port: 8123,
      host: '127.0.0.1',
      latencyMs: 25,
      seed: 4,
      companies: 10,
      environments: 5,
      limits: false,
    });
    expect(() => parseArgs(['--port', 'eighty'])).toThrow(/--port needs an integer/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/Unknown option --frobnicate/);
    expect(() => parseArgs(['--latency'])).toThrow(/--latency/);
  });

  it('builds the default, single-environment or benchmark fleet', () => {
    const base = parseArgs([]);
    expect(fleetFor(base)).toBe(defaultSampleFleet);
    expect(fleetFor({ ...base, companies: 12 }).tenants[0]?.environments).toEqual([
      { name: 'production', companies: 12 },
    ]);
    expect(
      fleetFor({ ...base, companies: 30, environments: 10 }).tenants.flatMap((x) => x.environments),
    ).toHaveLength(10);
  });

  it('prints the server URL and the Client URLs', async () => {
    const { tenant, banner } = await startFromArgs(['--companies', '2']);
    try {
      expect(banner).toContain(`listening on ${tenant.url}`);
      expect(banner).toContain(tenant.clientUrl(defaultSampleTenantId, 'production'));
    } finally {
      await tenant.close();
    }
  });
});
