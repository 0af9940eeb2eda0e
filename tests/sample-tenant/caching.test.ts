import { afterEach, describe, expect, it } from '@jest/globals';
import {
  benchmarkFleet,
  startSampleTenant,
  type GeneratedCompany,
  type SampleTenant,
} from '../../src/sample-tenant/index.js';
import { companySegment, fixedNow, q, request, valueOf, type Row } from './support.js';

const started: SampleTenant[] = [];

async function start(now: () => Date = fixedNow): Promise<SampleTenant> {
  const t = await startSampleTenant({ fleet: benchmarkFleet(40, 4), now });
  started.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
});

const root = (t: SampleTenant, c: GeneratedCompany, service: 'api/v2.0' | 'ODataV4'): string =>
  `${t.url}/v2.0/${c.tenantId}/${c.environment}/${service}`;

/** What a refresh reads of a company, with the server's own address taken out. */
async function refreshReads(t: SampleTenant, c: GeneratedCompany): Promise<string> {
  const seg = companySegment(c.name);
  const odata = await request(`${root(t, c, 'ODataV4')}/$batch`, {
    method: 'POST',
    body: JSON.stringify({
      requests: [
        'AccountantPortalActivityCues',
        'AccountantPortalFinanceCues',
        'AccountantPortalUserTasks',
      ].map((service) => ({ id: service, method: 'GET', url: `${seg}/${service}` })),
    }),
  });
  const filter = {
    $filter: 'postingDate ge 2025-01-01 and postingDate le 2025-03-31',
    $select: 'totalTaxAmount,status',
  };
  const api = await request(`${root(t, c, 'api/v2.0')}/$batch`, {
    method: 'POST',
    body: JSON.stringify({
      requests: [
        {
          id: 'info',
          method: 'GET',
          url: `companies(${c.id})/companyInformation${q({ $select: 'currencyCode' })}`,
        },
        { id: 'sales', method: 'GET', url: `companies(${c.id})/salesInvoices${q(filter)}` },
        { id: 'purchases', method: 'GET', url: `companies(${c.id})/purchaseInvoices${q(filter)}` },
      ],
    }),
  });
  expect([odata.status, api.status]).toEqual([200, 200]);
  // A task's etag covers its link, which names the server: two servers differ there alone.
  const withoutServer = JSON.stringify([odata.body, api.body]).split(t.url).join('<server>');
  return JSON.stringify(
    JSON.parse(withoutServer, (key, value: unknown) =>
      value && typeof value === 'object' && 'Link' in value
        ? { ...value, '@odata.etag': '<covers the link>' }
        : value,
    ),
  );
}

describe('warming and caching', () => {
  it('warms every company, and answers exactly as a tenant that was not warmed', async () => {
    const cold = await start();
    const warm = await start();
    expect(await warm.warm()).toBe(40);
    const companies = warm.fleet.companies();
    expect(companies).toHaveLength(40);
    for (const c of companies.filter((_, i) => i % 7 === 0)) {
      expect(await refreshReads(warm, c)).toBe(await refreshReads(cold, c));
    }
  });

  it('answers twice the same, byte for byte, from what it keeps', async () => {
    const t = await start();
    const c = t.fleet.companies()[3] as GeneratedCompany;
    expect(await refreshReads(t, c)).toBe(await refreshReads(t, c));
  });

  it('drops a completed task from a task list it has already served', async () => {
    const t = await start();
    await t.warm();
    const c = t.fleet.companies()[5] as GeneratedCompany;
    const tasksUrl = `${root(t, c, 'ODataV4')}/${companySegment(c.name)}/AccountantPortalUserTasks`;
    const before = valueOf(await request(tasksUrl));
    const done = before[0] as Row;
    const completed = await request(
      `${root(t, c, 'ODataV4')}/${companySegment(c.name)}/UserTaskSetComplete(${String(done['ID'])})/NAV.SetComplete`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' } },
    );
    expect(completed.status).toBe(204);
    const after = valueOf(await request(tasksUrl));
    expect(after.map((r) => r['ID'])).toEqual(before.slice(1).map((r) => r['ID']));
    expect(after).toEqual(before.slice(1));
  });

  it('keeps an invoice’s etag for the day, different for each invoice, and new the next day', async () => {
    let now = fixedNow();
    const t = await start(() => now);
    const c = t.fleet.companies()[0] as GeneratedCompany;
    const url = `${root(t, c, 'api/v2.0')}/companies(${c.id})/salesInvoices${q({ $select: 'number' })}`;
    const etags = async (): Promise<Map<unknown, unknown>> =>
      new Map(valueOf(await request(url)).map((r) => [r['number'], r['@odata.etag']]));
    const first = await etags();
    expect(new Set(first.values()).size).toBe(first.size);
    for (const etag of first.values()) expect(etag).toMatch(/^W\/"[A-Za-z0-9+/=]+"$/);
    expect(await etags()).toEqual(first);
    now = new Date(fixedNow().getTime() + 86_400_000);
    const next = await etags();
    const shared = [...next.keys()].filter((n) => first.has(n));
    expect(shared.length).toBeGreaterThan(0);
    for (const n of shared) expect(next.get(n)).not.toBe(first.get(n));
  });

  it('a selected invoice row carries the same etag as the whole row', async () => {
    const t = await start();
    const c = t.fleet.companies()[1] as GeneratedCompany;
    const base = `${root(t, c, 'api/v2.0')}/companies(${c.id})/purchaseInvoices`;
    const whole = valueOf(await request(base));
    const selected = valueOf(await request(`${base}${q({ $select: 'id,status' })}`));
    expect(selected).toEqual(
      whole.map((r) => ({ '@odata.etag': r['@odata.etag'], id: r['id'], status: r['status'] })),
    );
  });
});
