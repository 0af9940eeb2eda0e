import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  defaultSampleTenantId,
  startSampleTenant,
  type GeneratedCompany,
  type SampleTenant,
} from '../../src/sample-tenant/index.js';
import {
  apiRoot,
  companySegment,
  correlationTail,
  errorOf,
  fixedNow,
  odataRoot,
  q,
  request,
  valueOf,
  type Row,
} from './support.js';

let tenant: SampleTenant;
let companies: readonly GeneratedCompany[];

beforeAll(async () => {
  tenant = await startSampleTenant({ now: fixedNow });
  companies = tenant.fleet.environment(defaultSampleTenantId, 'production')?.companies ?? [];
});
afterAll(async () => {
  await tenant.close();
});

const first = (): GeneratedCompany => {
  const c = companies[0];
  if (!c) throw new Error('no companies');
  return c;
};

describe('API v2.0 URL and JSON shapes', () => {
  it('lists the three default companies with context, etags and BC company fields', async () => {
    const r = await request(`${apiRoot(tenant)}/companies`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('odata-version')).toBe('4.0');
    expect(r.body['@odata.context']).toBe(`${apiRoot(tenant)}/$metadata#companies`);
    const rows = valueOf(r);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row['@odata.etag']).toMatch(/^W\/".+"$/);
      expect(row['id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(Object.keys(row)).toEqual(
        expect.arrayContaining([
          'name',
          'displayName',
          'businessProfileId',
          'systemVersion',
          'systemCreatedAt',
        ]),
      );
    }
    expect(rows.map((row) => row['id'])).toEqual(companies.map((c) => c.id));
  });

  it('answers companies({id}) as a single entity', async () => {
    const r = await request(`${apiRoot(tenant)}/companies(${first().id})`);
    expect(r.status).toBe(200);
    expect(r.body['@odata.context']).toBe(`${apiRoot(tenant)}/$metadata#companies/$entity`);
    expect(r.body['name']).toBe(first().name);
    expect(r.body['value']).toBeUndefined();
  });

  it('matches tenant and environment case-insensitively', async () => {
    const r = await request(
      `${tenant.url}/v2.0/${defaultSampleTenantId.toUpperCase()}/PRODUCTION/api/v2.0/companies`,
    );
    expect(r.status).toBe(200);
    expect(valueOf(r)).toHaveLength(3);
  });

  it('serves every entity set the connector reads, each row with an etag', async () => {
    const sets = [
      'companyInformation',
      'customers',
      'vendors',
      'salesInvoices',
      'purchaseInvoices',
      'salesQuotes',
      'salesOrders',
      'accounts',
      'generalLedgerEntries',
      'agedAccountsReceivables',
      'agedAccountsPayables',
      'trialBalances',
      'balanceSheets',
      'incomeStatements',
      'cashFlowStatements',
    ];
    for (const set of sets) {
      const r = await request(`${apiRoot(tenant)}/companies(${first().id})/${set}`);
      expect({ set, status: r.status }).toEqual({ set, status: 200 });
      expect(r.body['@odata.context']).toBe(
        `${apiRoot(tenant)}/$metadata#companies(${first().id})/${set}`,
      );
      const rows = valueOf(r);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row['@odata.etag']).toMatch(/^W\/"/);
    }
  });

  it('renders dates, date-times, decimals and encoded enums in BC form', async () => {
    const rows = valueOf(
      await request(`${apiRoot(tenant)}/companies(${first().id})/salesInvoices`),
    );
    const inv = rows[0] as Row;
    expect(inv['dueDate']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(inv['lastModifiedDateTime']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(typeof inv['remainingAmount']).toBe('number');
    expect(typeof inv['totalTaxAmount']).toBe('number');
    expect(inv['currencyCode']).toBe(first().currencyCode);
    const statuses = new Set(rows.map((r) => r['status']));
    expect(statuses).toContain('Open');
    expect(statuses).toContain('Draft');
    for (const s of statuses)
      expect(['Open', 'Paid', 'Draft', 'In_x0020_Review', 'Canceled']).toContain(s);

    const customers = valueOf(
      await request(`${apiRoot(tenant)}/companies(${first().id})/customers`),
    );
    expect(customers.some((c) => c['blocked'] === '_x0020_')).toBe(true);
    const accounts = valueOf(await request(`${apiRoot(tenant)}/companies(${first().id})/accounts`));
    expect(accounts.map((a) => a['accountType'])).toEqual(
      expect.arrayContaining(['Begin_x0020_Total', 'End_x0020_Total']),
    );
    expect(accounts.map((a) => a['category'])).toEqual(
      expect.arrayContaining(['Cost_x0020_of_x0020_Goods_x0020_Sold', '_x0020_']),
    );
  });

  it('encodes the expired quote status with its trailing space', async () => {
    const all = tenant.fleet
      .companies()
      .flatMap((c) => tenant.fleet.books(c).salesQuotes.map((sq) => sq.status));
    const r = await request(
      `${apiRoot(tenant)}/companies(${first().id})/salesQuotes${q({ $filter: "status eq 'Expired_x0020_'" })}`,
    );
    expect(r.status).toBe(200);
    for (const row of valueOf(r)) expect(row['status']).toBe('Expired_x0020_');
    expect(all.every((s) => ['Draft', 'Sent', 'Accepted', 'Expired_x0020_'].includes(s))).toBe(
      true,
    );
  });

  it('answers trial balance amounts as formatted text', async () => {
    const rows = valueOf(
      await request(`${apiRoot(tenant)}/companies(${first().id})/trialBalances`),
    );
    for (const row of rows) {
      for (const f of ['totalDebit', 'totalCredit', 'balanceAtDateDebit', 'balanceAtDateCredit']) {
        expect(row[f]).toMatch(/^\d{1,3}(,\d{3})*\.\d{2}$/);
      }
    }
    expect(rows.some((row) => String(row['balanceAtDateDebit']).includes(','))).toBe(true);
  });

  it('gives companyInformation the local currency and names', async () => {
    const r = await request(`${apiRoot(tenant)}/companies(${first().id})/companyInformation`);
    const info = valueOf(r)[0] as Row;
    expect(info['currencyCode']).toBe(first().currencyCode);
    expect(info['displayName']).toBe(first().displayName);
    expect(info['name']).toBe(first().name);
  });

  it('answers an entity by key and 404s an unknown key', async () => {
    const rows = valueOf(
      await request(`${apiRoot(tenant)}/companies(${first().id})/salesInvoices${q({ $top: '1' })}`),
    );
    const id = String(rows[0]?.['id']);
    const one = await request(`${apiRoot(tenant)}/companies(${first().id})/salesInvoices(${id})`);
    expect(one.status).toBe(200);
    expect(one.body['id']).toBe(id);
    expect(one.body['@odata.context']).toBe(
      `${apiRoot(tenant)}/$metadata#companies(${first().id})/salesInvoices/$entity`,
    );
    const missing = await request(
      `${apiRoot(tenant)}/companies(${first().id})/salesInvoices(00000000-0000-0000-0000-000000000001)`,
    );
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('Internal_RecordNotFound');
  });

  it('accepts the company as a query parameter', async () => {
    const r = await request(`${apiRoot(tenant)}/salesQuotes?company=${first().id}`);
    expect(r.status).toBe(200);
    expect(valueOf(r).length).toBe(tenant.fleet.books(first()).salesQuotes.length);
  });
});

describe('ODataV4 URL and JSON shapes', () => {
  it('lists companies with Name, Display_Name and Evaluation_Company', async () => {
    const r = await request(`${odataRoot(tenant)}/Company`);
    expect(r.status).toBe(200);
    expect(r.body['@odata.context']).toBe(`${odataRoot(tenant)}/$metadata#Company`);
    const rows = valueOf(r);
    expect(rows.map((row) => row['Name'])).toEqual(companies.map((c) => c.name));
    for (const row of rows) {
      expect(row['Evaluation_Company']).toBe(false);
      expect(typeof row['Display_Name']).toBe('string');
    }
  });

  it("reaches a company whose name has an apostrophe through Company('…') with the quote doubled", async () => {
    const quoted = companies.find((c) => c.name.includes("'"));
    expect(quoted).toBeDefined();
    const name = quoted?.name ?? '';
    const r = await request(
      `${odataRoot(tenant)}/${companySegment(name)}/AccountantPortalActivityCues`,
    );
    expect(r.status).toBe(200);
    expect(r.body['@odata.context']).toBe(
      `${odataRoot(tenant)}/$metadata#${companySegment(name)}/AccountantPortalActivityCues`,
    );
    const single = await request(`${odataRoot(tenant)}/${companySegment(name)}`);
    expect(single.body['Name']).toBe(name);
    const lone = await request(
      `${odataRoot(tenant)}/Company('${encodeURIComponent(name)}')/AccountantPortalActivityCues`,
    );
    expect(lone.status).toBe(400);
  });

  it('answers activity and finance cues as one row of padded text, styles and decimals', async () => {
    for (const c of companies) {
      const activity = valueOf(
        await request(
          `${odataRoot(tenant)}/${companySegment(c.name)}/AccountantPortalActivityCues`,
        ),
      );
      const finance = valueOf(
        await request(`${odataRoot(tenant)}/${companySegment(c.name)}/AccountantPortalFinanceCues`),
      );
      expect(activity).toHaveLength(1);
      expect(finance).toHaveLength(1);
      for (const row of [activity[0] as Row, finance[0] as Row]) {
        expect(row['Primary_Key']).toBe('');
        expect(row['CurrencySymbol']).toBe(c.currencySymbol);
        for (const [key, value] of Object.entries(row)) {
          if (key.endsWith('Amount') && typeof value === 'string' && value.trim().length <= 30) {
            expect(value).toHaveLength(30);
          }
          if (key.endsWith('Style'))
            expect(['None', 'Favorable', 'Unfavorable', 'Ambiguous', 'Subordinate']).toContain(
              value,
            );
        }
      }
      const a = activity[0] as Row;
      expect(a['OverdueSalesInvoiceAmount']).toMatch(/^ +\S/);
      expect(String(a['OverdueSalesInvoiceAmount']).trim().startsWith(c.currencySymbol)).toBe(true);
      const decimals = ['OverdueSalesInvoiceAmountDecimal', 'OverduePurchInvoiceAmountDecimal'];
      for (const d of decimals) {
        if (c.legacyCues) expect(a[d]).toBeUndefined();
        else expect(typeof a[d]).toBe('number');
      }
      const f = finance[0] as Row;
      if (c.legacyCues) expect(f['CashAccountsBalanceAmountDecimal']).toBeUndefined();
      else expect(typeof f['CashAccountsBalanceAmountDecimal']).toBe('number');
    }
  });

  it('makes at least one default company answer like older BC, without the decimal cue fields', () => {
    expect(companies.some((c) => c.legacyCues)).toBe(true);
    expect(companies.some((c) => c.currencyCode !== 'USD')).toBe(true);
  });

  it("answers user tasks in page 1316's shape with a link to page 1171 of the sample web client", async () => {
    const c = first();
    const r = await request(
      `${odataRoot(tenant)}/${companySegment(c.name)}/AccountantPortalUserTasks`,
    );
    const rows = valueOf(r);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(
        [
          '@odata.etag',
          'ID',
          'Title',
          'Due_DateTime',
          'Percent_Complete',
          'Priority',
          'Created_By_Name',
          'Created_DateTime',
          'Start_DateTime',
          'Assigned_To',
          'Link',
          'User_Task_Group_Assigned_To',
        ].sort(),
      );
      expect(['Low', 'Normal', 'High', '_x0020_']).toContain(row['Priority']);
      expect(String(row['Link'])).toMatch(
        new RegExp(
          `^${tenant.clientUrl(defaultSampleTenantId, 'production').replace(/[.]/g, '\\.')}/\\?company=.+&page=1171&.*Mode=Edit$`,
        ),
      );
      expect(row['Due_DateTime']).toMatch(/Z$/);
    }
    const link = String(rows[0]?.['Link']);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('User Task Card');
  });
});

describe('errors in BC shape', () => {
  it('answers an unknown tenant with 404 Internal_TenantUnavailable and a correlation id', async () => {
    const r = await request(
      `${tenant.url}/v2.0/no-such-tenant.example.com/production/api/v2.0/companies`,
    );
    expect(r.status).toBe(404);
    const e = errorOf(r);
    expect(e.code).toBe('Internal_TenantUnavailable');
    expect(e.message).toContain("'no-such-tenant.example.com'");
    expect(e.message).toMatch(correlationTail);
  });

  it('answers an unknown environment with 404', async () => {
    const r = await request(`${apiRoot(tenant, defaultSampleTenantId, 'sandbox')}/companies`);
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('Internal_TenantUnavailable');
  });

  it('answers an unknown company with 404 Internal_CompanyNotFound, in API and ODataV4', async () => {
    const api = await request(
      `${apiRoot(tenant)}/companies(11111111-2222-4333-8444-555555555555)/salesInvoices`,
    );
    expect(api.status).toBe(404);
    expect(errorOf(api).code).toBe('Internal_CompanyNotFound');
    expect(errorOf(api).message).toMatch(correlationTail);
    const odata = await request(
      `${odataRoot(tenant)}/${companySegment('Nobody Ltd.')}/AccountantPortalActivityCues`,
    );
    expect(odata.status).toBe(404);
    expect(errorOf(odata).code).toBe('Internal_CompanyNotFound');
  });

  it('answers a malformed company GUID with 400 Application_InvalidGUID', async () => {
    const r = await request(`${apiRoot(tenant)}/companies(not-a-guid)/customers`);
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('Application_InvalidGUID');
  });

  it('answers an unknown entity set with BadRequest_ResourceNotFound naming the segment', async () => {
    const r = await request(
      `${apiRoot(tenant)}/companies(${first().id})/officeAppResourceRegistrations`,
    );
    expect(r.status).toBe(404);
    expect(errorOf(r)).toEqual({
      code: 'BadRequest_ResourceNotFound',
      message: expect.stringContaining(
        "Resource not found for the segment 'officeAppResourceRegistrations'.",
      ),
    });
    const odata = await request(
      `${odataRoot(tenant)}/${companySegment(first().name)}/NoSuchService`,
    );
    expect(odata.status).toBe(404);
  });

  it('refuses writes to read-only entity sets with 405', async () => {
    const r = await request(`${apiRoot(tenant)}/companies(${first().id})/salesInvoices`, {
      method: 'POST',
      body: '{}',
    });
    expect(r.status).toBe(405);
    expect(errorOf(r).code).toBe('BadRequest_MethodNotAllowed');
  });

  it('answers a broken percent-encoding with 400 instead of crashing', async () => {
    const r = await request(`${apiRoot(tenant)}/companies(%E0%A4%A)`);
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('BadRequest_InvalidRequestUrl');
  });

  it('answers a path that is neither api/v2.0 nor ODataV4 with 404', async () => {
    const r = await request(
      `${tenant.url}/v2.0/${defaultSampleTenantId}/production/api/v1.0/companies`,
    );
    expect(r.status).toBe(404);
    expect(errorOf(r).code).toBe('BadRequest_ResourceNotFound');
  });
});

describe('sample web client', () => {
  it('shows the tenant, environment, company and page a Client URL asks for', async () => {
    const c = first();
    const res = await fetch(
      `${tenant.clientUrl(defaultSampleTenantId, 'production')}/?company=${encodeURIComponent(c.name)}&page=132`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('Posted Sales Invoice');
    expect(html).toContain(c.displayName.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
  });

  it('answers the bare Client URL, as registered, with the company list', async () => {
    const res = await fetch(tenant.clientUrl(defaultSampleTenantId, 'production'));
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const c of companies) {
      expect(html).toContain(c.displayName.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    }
  });

  it('escapes query text so a link cannot inject markup', async () => {
    const hostile = '<script>alert(1)</script>';
    const res = await fetch(
      `${tenant.clientUrl(defaultSampleTenantId, 'production')}?company=${encodeURIComponent(hostile)}&page=${encodeURIComponent('"><img src=x onerror=alert(1)>')}&${encodeURIComponent('<b>k</b>')}=${encodeURIComponent("'v'")}`,
    );
    const html = await res.text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>k');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&#39;v&#39;');
  });

  it('answers an unknown tenant with a 404 page that escapes the path', async () => {
    const res = await fetch(`${tenant.url}/%3Cscript%3Ex%3C%2Fscript%3E/production`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).not.toContain('<script>x');
  });

  it('lists every Client URL on its home page', async () => {
    const res = await fetch(`${tenant.url}/`);
    expect(await res.text()).toContain(tenant.clientUrl(defaultSampleTenantId, 'production'));
  });
});
