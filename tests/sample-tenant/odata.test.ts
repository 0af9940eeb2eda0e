import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  defaultSampleTenantId,
  startSampleTenant,
  type GeneratedCompany,
  type SampleTenant,
} from '../../src/sample-tenant/index.js';
import {
  allPages,
  apiRoot,
  companySegment,
  errorOf,
  fixedNow,
  odataRoot,
  q,
  request,
  today,
  valueOf,
  type Row,
} from './support.js';

let tenant: SampleTenant;
let company: GeneratedCompany;
let quoted: GeneratedCompany;

beforeAll(async () => {
  tenant = await startSampleTenant({ now: fixedNow });
  const companies = tenant.fleet.companies();
  company = companies[0] as GeneratedCompany;
  quoted = companies[1] as GeneratedCompany;
});
afterAll(async () => {
  await tenant.close();
});

const invoicesUrl = (): string => `${apiRoot(tenant)}/companies(${company.id})/salesInvoices`;
const get = (set: string, options: Record<string, string>) =>
  request(`${apiRoot(tenant)}/companies(${company.id})/${set}${q(options)}`);

describe('$filter subset', () => {
  it('compares dates unquoted with lt, le, gt, ge, eq and ne', async () => {
    const all = valueOf(await request(invoicesUrl()));
    const cases: [string, (d: string) => boolean][] = [
      [`dueDate lt ${today}`, (d) => d < today],
      [`dueDate le ${today}`, (d) => d <= today],
      [`dueDate gt ${today}`, (d) => d > today],
      [`dueDate ge ${today}`, (d) => d >= today],
      [`dueDate eq ${String(all[0]?.['dueDate'])}`, (d) => d === all[0]?.['dueDate']],
      [`dueDate ne ${String(all[0]?.['dueDate'])}`, (d) => d !== all[0]?.['dueDate']],
    ];
    for (const [filter, keep] of cases) {
      const rows = valueOf(await get('salesInvoices', { $filter: filter }));
      expect({ filter, ids: rows.map((r) => r['id']) }).toEqual({
        filter,
        ids: all.filter((r) => keep(String(r['dueDate']))).map((r) => r['id']),
      });
    }
  });

  it('combines with and, and with or on the same field', async () => {
    const all = valueOf(await request(invoicesUrl()));
    const rows = valueOf(
      await get('salesInvoices', {
        $filter: "(status eq 'Open' or status eq 'Paid') and totalAmountExcludingTax gt 1000.00",
      }),
    );
    expect(rows.map((r) => r['id'])).toEqual(
      all
        .filter(
          (r) =>
            (r['status'] === 'Open' || r['status'] === 'Paid') &&
            Number(r['totalAmountExcludingTax']) > 1000,
        )
        .map((r) => r['id']),
    );
  });

  it("refuses or across different fields with BC's message", async () => {
    const r = await get('salesInvoices', { $filter: `status eq 'Open' or dueDate lt ${today}` });
    expect(r.status).toBe(400);
    expect(errorOf(r).message).toContain(
      "The 'OR' operator is not supported on distinct fields on an OData filter.",
    );
  });

  it('accepts both the encoded and the plain form of an enum member', async () => {
    const encoded = valueOf(await get('salesInvoices', { $filter: "status eq 'In_x0020_Review'" }));
    const plain = valueOf(await get('salesInvoices', { $filter: "status eq 'In Review'" }));
    expect(plain).toEqual(encoded);
    for (const r of encoded) expect(r['status']).toBe('In_x0020_Review');
  });

  it('matches a name with a doubled quote, as the connector resolves a company by name', async () => {
    const literal = `'${quoted.name.replace(/'/g, "''")}'`;
    const rows = valueOf(
      await request(`${apiRoot(tenant)}/companies${q({ $filter: `name eq ${literal}` })}`),
    );
    expect(rows.map((r) => r['id'])).toEqual([quoted.id]);
  });

  it('filters GUIDs unquoted, and booleans and text functions', async () => {
    const customer = valueOf(await get('customers', { $top: '1' }))[0] as Row;
    const byCustomer = valueOf(
      await get('salesInvoices', { $filter: `customerId eq ${String(customer['id'])}` }),
    );
    expect(byCustomer.length).toBeGreaterThan(0);
    for (const r of byCustomer) expect(r['customerId']).toBe(customer['id']);
    const taxed = valueOf(await get('customers', { $filter: 'taxLiable eq true' }));
    for (const r of taxed) expect(r['taxLiable']).toBe(true);
    const prefix = String(customer['displayName']).slice(0, 3);
    const starts = valueOf(
      await get('customers', {
        $filter: `startswith(displayName,'${prefix.replace(/'/g, "''")}')`,
      }),
    );
    expect(starts.map((r) => r['id'])).toContain(customer['id']);
    const notOpen = valueOf(await get('salesInvoices', { $filter: "not (status eq 'Open')" }));
    for (const r of notOpen) expect(r['status']).not.toBe('Open');
  });

  it.each([
    [
      'an unknown field',
      'nonsense eq 1',
      'BadRequest_NotFound',
      "Could not find a property named 'nonsense'",
    ],
    ['a quoted date', "dueDate lt '2025-01-01'", 'BadRequest', 'incompatible types'],
    ['an unterminated string', "status eq 'Open", 'BadRequest_NotFound', 'Unterminated'],
    ['a missing operand', 'dueDate lt', 'BadRequest_NotFound', 'Unexpected end'],
    ['a stray token', "status eq 'Open' dueDate", 'BadRequest_NotFound', 'Syntax error'],
    ['an unknown enum member', "status eq 'Lost'", 'BadRequest', "'Lost' is not valid"],
    ['an impossible date', 'dueDate lt 2025-02-30', 'BadRequest', 'Unable to convert'],
    ['an unknown function', "substringof('a',number)", 'BadRequest_NotFound', 'unknown function'],
    ['the in operator', "status in ('Open','Paid')", 'BadRequest_NotFound', "'in' operator"],
    [
      'a malformed GUID',
      "customerId eq 'abc'",
      'Application_InvalidGUID',
      'Invalid format of GUID',
    ],
    ['uppercase keywords', "status EQ 'Open'", 'BadRequest_NotFound', 'comparison operator'],
  ])('rejects %s with a BC error', async (_name, filter, code, text) => {
    const r = await get('salesInvoices', { $filter: filter });
    expect(r.status).toBe(400);
    const e = errorOf(r);
    expect(e.code).toBe(code);
    expect(e.message).toContain(text);
  });
});

describe('$select, $orderby, $top, $skip and other options', () => {
  it('keeps only the selected properties and the etag, and says so in the context', async () => {
    const r = await get('salesInvoices', { $select: 'number,dueDate' });
    expect(r.body['@odata.context']).toBe(
      `${apiRoot(tenant)}/$metadata#companies(${company.id})/salesInvoices(number,dueDate)`,
    );
    for (const row of valueOf(r))
      expect(Object.keys(row).sort()).toEqual(['@odata.etag', 'dueDate', 'number']);
  });

  it('rejects selecting an unknown property', async () => {
    const r = await get('purchaseInvoices', { $select: 'number,remainingAmount' });
    expect(r.status).toBe(400);
    expect(errorOf(r).message).toContain(
      "Could not find a property named 'remainingAmount' on type 'Microsoft.NAV.purchaseInvoice'",
    );
  });

  it('orders by several fields, ascending and descending', async () => {
    const rows = valueOf(
      await get('salesInvoices', { $orderby: 'status asc,totalAmountIncludingTax desc' }),
    );
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1] as Row;
      const b = rows[i] as Row;
      expect(String(a['status']) <= String(b['status'])).toBe(true);
      if (a['status'] === b['status'])
        expect(Number(a['totalAmountIncludingTax'])).toBeGreaterThanOrEqual(
          Number(b['totalAmountIncludingTax']),
        );
    }
  });

  it('applies $skip then $top', async () => {
    const all = valueOf(await request(invoicesUrl()));
    const rows = valueOf(await get('salesInvoices', { $skip: '2', $top: '3' }));
    expect(rows.map((r) => r['id'])).toEqual(all.slice(2, 5).map((r) => r['id']));
  });

  it.each([
    ['$expand', 'customer'],
    ['$count', 'true'],
    ['$top', '-1'],
    ['$skip', 'abc'],
    ['$orderby', 'dueDate sideways'],
    ['$apply', 'groupby((status))'],
  ])('rejects %s=%s', async (option, value) => {
    const r = await get('salesInvoices', { [option]: value });
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe('BadRequest_NotFound');
  });

  it('rejects an option given twice', async () => {
    const r = await request(`${invoicesUrl()}?$top=1&$top=2`);
    expect(r.status).toBe(400);
  });

  it('honours report date filters: a balance sheet at a date, statements over a range', async () => {
    const sheet = valueOf(await get('balanceSheets', { $filter: 'dateFilter eq 2025-01-31' }));
    for (const l of sheet) expect(l['dateFilter']).toBe('2025-01-31');
    const income = valueOf(
      await get('incomeStatements', {
        $filter: 'dateFilter ge 2025-01-01 and dateFilter le 2025-01-31',
        $orderby: 'lineNumber',
      }),
    );
    for (const l of income) expect(l['dateFilter']).toBe('2025-01-31');
    expect(income.map((l) => l['lineNumber'])).toEqual(
      [...income.map((l) => Number(l['lineNumber']))].sort((a, b) => a - b),
    );
  });
});

describe('server-driven paging', () => {
  it('pages with Prefer: odata.maxpagesize and reassembles the full set from @odata.nextLink', async () => {
    const url = `${apiRoot(tenant)}/companies(${company.id})/generalLedgerEntries${q({ $filter: 'debitAmount gt 0', $select: 'id,entryNumber,debitAmount' })}`;
    const whole = valueOf(await request(url));
    expect(whole.length).toBeGreaterThan(25);
    const first = await request(url, { headers: { Prefer: 'odata.maxpagesize=10' } });
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=10');
    expect(valueOf(first)).toHaveLength(10);
    const link = String(first.body['@odata.nextLink']);
    expect(
      link.startsWith(`${apiRoot(tenant)}/companies(${company.id})/generalLedgerEntries?`),
    ).toBe(true);
    expect(link).toContain('$skiptoken=');
    expect(link).not.toContain('+');
    const paged = await allPages(url, { headers: { Prefer: 'odata.maxpagesize=10' } });
    expect(paged.pages).toBe(Math.ceil(whole.length / 10));
    expect(paged.rows).toEqual(whole);
    expect(whole.every((r) => Object.keys(r).length === 4)).toBe(true);
  });

  it('pages ODataV4 collections too', async () => {
    const url = `${odataRoot(tenant)}/${companySegment(quoted.name)}/AccountantPortalUserTasks`;
    const whole = valueOf(await request(url));
    const paged = await allPages(url, { headers: { Prefer: 'odata.maxpagesize=1' } });
    expect(paged.pages).toBe(whole.length);
    expect(paged.rows).toEqual(whole);
  });

  it('answers a page size above 20,000 with 413', async () => {
    const r = await request(invoicesUrl(), { headers: { Prefer: 'odata.maxpagesize=20001' } });
    expect(r.status).toBe(413);
    expect(errorOf(r).message).toContain('20000');
  });

  it('rejects a forged skip token', async () => {
    for (const token of [
      'garbage',
      Buffer.from('{"o":-5}').toString('base64url'),
      Buffer.from('{"o":99999}').toString('base64url'),
    ]) {
      const r = await request(`${invoicesUrl()}?$skiptoken=${token}`);
      expect(r.status).toBe(400);
    }
  });
});

describe('$batch', () => {
  it('runs API operations and answers each with id, status, headers and body', async () => {
    const r = await request(`${apiRoot(tenant)}/$batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        requests: [
          {
            id: '1',
            method: 'GET',
            url: `companies(${company.id})/companyInformation`,
            headers: {},
          },
          {
            id: '2',
            method: 'GET',
            url: `companies(${company.id})/salesInvoices?$filter=status eq 'Open'&$select=number,status`,
          },
          { id: '3', method: 'GET', url: `companies(${company.id})/nope` },
          {
            id: '4',
            method: 'GET',
            url: `companies(${company.id})/purchaseInvoices?$select=id`,
            headers: { Prefer: 'odata.maxpagesize=2' },
          },
          { id: '5', method: 'GET', url: `${apiRoot(tenant)}/companies` },
        ],
      }),
    });
    expect(r.status).toBe(200);
    const responses = r.body['responses'] as Row[];
    expect(responses.map((x) => [x['id'], x['status']])).toEqual([
      ['1', 200],
      ['2', 200],
      ['3', 404],
      ['4', 200],
      ['5', 200],
    ]);
    const first = responses[0] as Row;
    expect((first['headers'] as Row)['content-type']).toMatch(/^application\/json/);
    expect(((first['body'] as Row)['value'] as Row[])[0]?.['currencyCode']).toBe(
      company.currencyCode,
    );
    for (const inv of (responses[1]?.['body'] as Row)['value'] as Row[])
      expect(inv['status']).toBe('Open');
    expect(((responses[2]?.['body'] as Row)['error'] as Row)['code']).toBe(
      'BadRequest_ResourceNotFound',
    );
    const paged = responses[3] as Row;
    expect(((paged['body'] as Row)['value'] as Row[]).length).toBe(2);
    expect(String((paged['body'] as Row)['@odata.nextLink'])).toContain('/purchaseInvoices?');
    expect((paged['headers'] as Row)['preference-applied']).toBe('odata.maxpagesize=2');
  });

  it('runs ODataV4 operations, including marking a task complete', async () => {
    const seg = companySegment(quoted.name);
    const before = tenant.fleet.myPendingTasks(quoted);
    const task = before[0];
    expect(task).toBeDefined();
    const r = await request(`${odataRoot(tenant)}/$batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: 'a', method: 'GET', url: `${seg}/AccountantPortalActivityCues` },
          { id: 'f', method: 'GET', url: `${seg}/AccountantPortalFinanceCues` },
          {
            id: 'c',
            method: 'POST',
            url: `${seg}/UserTaskSetComplete(${task?.id})/NAV.SetComplete`,
            headers: { 'Content-Type': 'application/json' },
          },
          { id: 't', method: 'GET', url: `${seg}/AccountantPortalUserTasks` },
        ],
      }),
    });
    const responses = r.body['responses'] as Row[];
    expect(responses.map((x) => x['status'])).toEqual([200, 200, 204, 200]);
    expect(responses[2]?.['body']).toBeUndefined();
    const ids = ((responses[3]?.['body'] as Row)['value'] as Row[]).map((t) => t['ID']);
    expect(ids).not.toContain(task?.id);
    expect(ids).toHaveLength(before.length - 1);
  });

  it('rejects more than 100 operations with a BC error', async () => {
    const requests = Array.from({ length: 101 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: 'companies',
    }));
    const r = await request(`${apiRoot(tenant)}/$batch`, {
      method: 'POST',
      body: JSON.stringify({ requests }),
    });
    expect(r.status).toBe(400);
    expect(errorOf(r).message).toContain('101');
    const exactly = await request(`${apiRoot(tenant)}/$batch`, {
      method: 'POST',
      body: JSON.stringify({ requests: requests.slice(0, 100) }),
    });
    expect(exactly.status).toBe(200);
    expect(exactly.body['responses']).toHaveLength(100);
  });

  it('rejects bodies that are not a JSON batch, nested batches and foreign URLs', async () => {
    const notJson = await request(`${apiRoot(tenant)}/$batch`, {
      method: 'POST',
      body: '{"requests": [',
    });
    expect(notJson.status).toBe(400);
    const noRequests = await request(`${apiRoot(tenant)}/$batch`, {
      method: 'POST',
      body: '{"ops": []}',
    });
    expect(noRequests.status).toBe(400);
    const get = await request(`${apiRoot(tenant)}/$batch`);
    expect(get.status).toBe(405);
    const mixed = await request(`${apiRoot(tenant)}/$batch`, {
      method: 'POST',
      body: JSON.stringify({
        requests: [
          { id: 'n', method: 'POST', url: '$batch', body: { requests: [] } },
          {
            id: 'x',
            method: 'GET',
            url: `${tenant.url}/v2.0/other-tenant/production/api/v2.0/companies`,
          },
          { id: 'm', method: 'GET' },
          'nonsense',
        ],
      }),
    });
    expect(mixed.status).toBe(200);
    expect((mixed.body['responses'] as Row[]).map((x) => x['status'])).toEqual([
      400, 400, 400, 400,
    ]);
  });

  it('refuses a body larger than 1 MB', async () => {
    const r = await request(`${apiRoot(tenant)}/$batch`, {
      method: 'POST',
      body: 'x'.repeat(1_100_000),
    });
    expect(r.status).toBe(413);
  });
});

describe('marking a task complete', () => {
  it('answers 204 and the task leaves AccountantPortalUserTasks but stays in the task list at 100%', async () => {
    const c = tenant.fleet.companies()[2] as GeneratedCompany;
    const seg = companySegment(c.name);
    const task = tenant.fleet.myPendingTasks(c)[0];
    expect(task).toBeDefined();
    const res = await fetch(
      `${odataRoot(tenant)}/${seg}/UserTaskSetComplete(${task?.id})/NAV.SetComplete`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
      },
    );
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const mine = valueOf(await request(`${odataRoot(tenant)}/${seg}/AccountantPortalUserTasks`));
    expect(mine.map((t) => t['ID'])).not.toContain(task?.id);
    const listed = await request(`${odataRoot(tenant)}/${seg}/UserTaskSetComplete(${task?.id})`);
    expect(listed.body['Percent_Complete']).toBe(100);
    expect(listed.body['Completed_DateTime']).toBe(fixedNow().toISOString());
    const again = await fetch(
      `${odataRoot(tenant)}/${seg}/UserTaskSetComplete(${task?.id})/NAV.SetComplete`,
      { method: 'POST' },
    );
    expect(again.status).toBe(204);
  });

  it('answers an unknown task ID with 404 and a GET on the action with 405', async () => {
    const seg = companySegment(company.name);
    const missing = await request(
      `${odataRoot(tenant)}/${seg}/UserTaskSetComplete(999999)/NAV.SetComplete`,
      { method: 'POST' },
    );
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('Internal_RecordNotFound');
    const wrongMethod = await request(
      `${odataRoot(tenant)}/${seg}/UserTaskSetComplete(1)/NAV.SetComplete`,
    );
    expect(wrongMethod.status).toBe(405);
  });

  it('keeps completions when the tenant id is written in another case', async () => {
    const c = tenant.fleet.companies()[0] as GeneratedCompany;
    const task = tenant.fleet.myPendingTasks(c)[0];
    const upper = `${tenant.url}/v2.0/${defaultSampleTenantId.toUpperCase()}/Production/ODataV4`;
    const res = await fetch(
      `${upper}/${companySegment(c.name)}/UserTaskSetComplete(${task?.id})/NAV.SetComplete`,
      { method: 'POST' },
    );
    expect(res.status).toBe(204);
    expect(tenant.fleet.myPendingTasks(c).map((t) => t.id)).not.toContain(task?.id);
  });
});
