import { describe, expect, test } from '@jest/globals';
import type { z } from 'zod';
import {
  BcWireError,
  agedPeriodLabels,
  bcActivityCues,
  bcBatchResponse,
  bcCollection,
  bcCompanyInformation,
  bcFinanceCues,
  bcInvoiceTax,
  bcPurchaseInvoice,
  bcSalesInvoice,
  bcUserTask,
  cueValue,
  localCurrencyOf,
  parseWire,
  safeWebLink,
  toCompanyCues,
  toInstant,
  toInvoiceStatus,
  toPendingUserTasks,
  toSalesInvoiceSummary,
  toStatementLines,
  toTaskPriority,
  toTaxInputs,
  toTrialBalanceLines,
  fastPathOf,
  tryParseWire,
} from '../../src/connector/bc-wire.js';

/** `AccountantPortalActivityCues` as an older BC sends it: padded text only, no Decimal fields. */
const legacyActivity = {
  '@odata.etag': 'W/"JzQ0OzE7Jw=="',
  Primary_Key: '',
  OverduePurchInvoiceAmount: '                    $12,345.60',
  OverduePurchInvoiceStyle: 'Unfavorable',
  OverdueSalesInvoiceAmount: '                     $4,001.07',
  OverdueSalesInvoiceStyle: 'Unfavorable',
  PurchInvoicesDueNextWeekAmount: '                             3',
  SalesInvoicesDueNextWeekAmount: '                            11',
  OngoingSalesInvoicesAmount: '                             2',
  OngoingSalesQuotesAmount: '                             1',
  OngoingSalesOrdersAmount: '                         1,204',
  RequeststoApproveAmount: '                             0',
};
const legacyFinance = {
  OverduePurchaseDocumentsAmount: '                             7',
  OverdueSalesDocumentsAmount: '                             9',
  CashAccountsBalanceAmount: '                   ($1,500.25)',
  CashAccountsBalanceStyle: 'Unfavorable',
};

describe('cues', () => {
  test('padded cue text without Decimal fields is parsed', () => {
    const cues = toCompanyCues(
      parseWire(bcActivityCues, legacyActivity, 'a'),
      parseWire(bcFinanceCues, legacyFinance, 'f'),
      'USD',
    );
    expect(cues).toEqual({
      currency: 'USD',
      overdueSalesInvoiceAmount: { minor: 400107, currency: 'USD' },
      overduePurchaseInvoiceAmount: { minor: 1234560, currency: 'USD' },
      cashAccountsBalance: { minor: -150025, currency: 'USD' },
      ongoingSalesQuotes: 1,
      ongoingSalesOrders: 1204,
      ongoingSalesInvoices: 2,
      salesInvoicesDueNextWeek: 11,
      purchaseInvoicesDueNextWeek: 3,
      overdueSalesDocuments: 9,
      overduePurchaseDocuments: 7,
    });
  });

  test('Decimal fields win over the text when present', () => {
    const activity = parseWire(
      bcActivityCues,
      {
        ...legacyActivity,
        OverdueSalesInvoiceAmount: '1.234,56 kr.',
        OverdueSalesInvoiceAmountDecimal: 1234.56,
      },
      'a',
    );
    const finance = parseWire(
      bcFinanceCues,
      { ...legacyFinance, CashAccountsBalanceAmountDecimal: 0.1 + 0.2 },
      'f',
    );
    const cues = toCompanyCues(activity, finance, 'DKK');
    expect(cues.overdueSalesInvoiceAmount).toEqual({ minor: 123456, currency: 'DKK' });
    expect(cues.cashAccountsBalance).toEqual({ minor: 30, currency: 'DKK' });
  });

  test('a missing cue counts as zero, an unreadable one is an error', () => {
    expect(cueValue('X', undefined)).toBe(0);
    expect(cueValue('X', null)).toBe(0);
    expect(cueValue('X', 7)).toBe(7);
    expect(() => cueValue('X', 'n/a')).toThrow(BcWireError);
  });

  test('a blank company currency becomes ISO "no currency"', () => {
    expect(localCurrencyOf({ currencyCode: '' })).toBe('XXX');
    expect(localCurrencyOf({ currencyCode: 'usd' })).toBe('USD');
  });
});

describe('user tasks', () => {
  const task = {
    '@odata.etag': 'W/"x"',
    ID: 7,
    Title: 'Reconcile bank account',
    Due_DateTime: '2025-01-31T00:00:00Z',
    Percent_Complete: 0,
    Priority: 'High',
    Created_By_Name: 'ADMIN',
    Created_DateTime: '2025-01-02T09:15:00Z',
    Start_DateTime: '0001-01-01T00:00:00Z',
    Assigned_To: 'f2a5738a-44e3-ea11-bb43-000d3a2feca1',
    Link: 'https://businesscentral.dynamics.com/t/production?company=X&page=1171&Mode=Edit',
    User_Task_Group_Assigned_To: '',
  };
  const fallback = (id: number) => `https://fallback/${id}`;

  test('BC’s empty DateTime becomes null and real ones stay instants', () => {
    const [t] = toPendingUserTasks([parseWire(bcUserTask, task, 't')], fallback);
    expect(t).toEqual({
      id: 7,
      title: 'Reconcile bank account',
      dueAt: '2025-01-31T00:00:00.000Z',
      startAt: null,
      createdAt: '2025-01-02T09:15:00.000Z',
      createdBy: 'ADMIN',
      percentComplete: 0,
      priority: 'high',
      link: task.Link,
    });
    expect(toInstant('0001-01-01T00:00:00')).toBeNull();
    expect(toInstant('not a date')).toBeNull();
    expect(toInstant(null)).toBeNull();
  });

  test.each([
    ['_x0020_', 'none'],
    ['', 'none'],
    ['0', 'none'],
    [0, 'none'],
    [' ', 'none'],
    ['Low', 'low'],
    ['Normal', 'normal'],
    ['HIGH', 'high'],
    [3, 'high'],
    ['Urgent', 'none'],
    [null, 'none'],
  ] as const)('priority %j is %s', (wire, expected) => {
    expect(toTaskPriority(wire)).toBe(expected);
  });

  test('completed tasks are dropped even if BC sends them', () => {
    const tasks = [task, { ...task, ID: 8, Percent_Complete: 100 }].map((t) =>
      parseWire(bcUserTask, t, 't'),
    );
    expect(toPendingUserTasks(tasks, fallback).map((t) => t.id)).toEqual([7]);
  });

  test('a javascript: or remote http link is replaced by the built deep link', () => {
    for (const Link of ['javascript:alert(1)', 'http://evil.example/x', 'not a url', '']) {
      const [t] = toPendingUserTasks([parseWire(bcUserTask, { ...task, Link }, 't')], fallback);
      expect(t!.link).toBe('https://fallback/7');
    }
    expect(safeWebLink('http://127.0.0.1:4000/x')).toBe('http://127.0.0.1:4000/x');
    expect(safeWebLink('http://localhost:4000/x')).toBe('http://localhost:4000/x');
  });

  test('a task without an ID is a bad response', () => {
    expect(() => parseWire(bcUserTask, { ...task, ID: 'x' }, 'task')).toThrow(/task: .* at ID/);
  });
});

describe('invoices and tax', () => {
  test.each([
    ['_x0020_', 'none'],
    ['Draft', 'draft'],
    ['In_x0020_Review', 'in-review'],
    ['Open', 'open'],
    ['Paid', 'paid'],
    ['Canceled', 'canceled'],
    ['Corrective', 'corrective'],
    ['Something new', 'none'],
  ] as const)('status %s maps to %s', (wire, expected) => {
    expect(toInvoiceStatus(wire)).toBe(expected);
  });

  test('an invoice without its own currency is in the company’s', () => {
    const inv = parseWire(
      bcSalesInvoice,
      {
        id: 'a',
        number: 'S-1',
        customerNumber: '10000',
        customerName: 'Adatum',
        dueDate: '2025-01-15',
        postingDate: '2025-01-01',
        remainingAmount: 172.94,
        currencyCode: '',
        status: 'Open',
      },
      'inv',
    );
    expect(toSalesInvoiceSummary(inv, 'USD').amount).toEqual({ minor: 17294, currency: 'USD' });
  });

  test('an invoice with an impossible date is rejected', () => {
    expect(() =>
      parseWire(
        bcSalesInvoice,
        { id: 'a', dueDate: '2025-02-30', postingDate: '2025-01-01', remainingAmount: 1 },
        'inv',
      ),
    ).toThrow(BcWireError);
  });

  test('only posted invoices (Open, Paid, Corrective) count for tax, summed in cents', () => {
    const tax = toTaxInputs(
      [
        { totalTaxAmount: 0.1, status: 'Open' },
        { totalTaxAmount: 0.2, status: 'Paid' },
        { totalTaxAmount: -0.05, status: 'Corrective' },
        { totalTaxAmount: 99, status: 'Draft' },
        { totalTaxAmount: 99, status: 'In_x0020_Review' },
        { totalTaxAmount: 99, status: 'Canceled' },
      ],
      [{ totalTaxAmount: 187.37, status: 'Paid' }],
      'USD',
    );
    expect(tax).toEqual({
      currency: 'USD',
      salesTax: { minor: 25, currency: 'USD' },
      purchaseTax: { minor: 18737, currency: 'USD' },
      salesInvoiceCount: 3,
      purchaseInvoiceCount: 1,
    });
  });
});

describe('statements', () => {
  test('trial balance text amounts are parsed', () => {
    const [line] = toTrialBalanceLines([
      {
        number: '1110',
        display: 'Accounts Receivable',
        accountType: 'Posting',
        totalDebit: '0.00',
        totalCredit: '0.00',
        balanceAtDateDebit: '72,893.84',
        balanceAtDateCredit: '(1.00)',
      },
    ]);
    expect(line).toEqual({
      accountNumber: '1110',
      accountName: 'Accounts Receivable',
      accountType: 'Posting',
      totalDebit: 0,
      totalCredit: 0,
      balanceAtDateDebit: 72893.84,
      balanceAtDateCredit: -1,
    });
  });

  test('statement lines come back in line-number order', () => {
    const lines = toStatementLines(
      [
        {
          lineNumber: 20000,
          display: 'Cash',
          netChange: 5,
          lineType: 'detail',
          indentation: 1,
          balance: null,
        },
        {
          lineNumber: 10000,
          display: 'Operating Activities',
          netChange: 0,
          lineType: 'header',
          indentation: 0,
          balance: null,
        },
      ],
      'netChange',
    );
    expect(lines.map((l) => l.lineNumber)).toEqual([10000, 20000]);
  });

  test('aged labels come from BC when present, else from the period length', () => {
    const base = { name: 'n', currencyCode: '', balanceDue: 1 };
    expect(
      agedPeriodLabels(
        [{ ...base, period1Label: 'a', period2Label: 'b', period3Label: 'c' }],
        '30D',
      ),
    ).toEqual(['a', 'b', 'c']);
    expect(agedPeriodLabels([], '30D')).toEqual(['1-30 days', '31-60 days', 'Over 60 days']);
    expect(agedPeriodLabels([], '1M')).toEqual(['1-30 days', '31-60 days', 'Over 60 days']);
  });
});

describe('hostile numbers', () => {
  test('amounts beyond what money can hold are refused', () => {
    expect(() => cueValue('X', '9'.repeat(30))).toThrow(/out of range/);
    expect(() =>
      parseWire(
        bcSalesInvoice,
        { id: 'a', dueDate: '2025-01-01', postingDate: '2025-01-01', remainingAmount: 1e300 },
        'inv',
      ),
    ).toThrow(BcWireError);
  });
});

describe('fast checks of the shapes every refresh reads', () => {
  /** Valid examples of each schema that has a hand-written fast check. */
  const examples: [string, z.ZodType, Record<string, unknown>][] = [
    [
      'batch answer',
      bcBatchResponse,
      {
        responses: [
          { id: 'a', status: 200, headers: { 'content-type': 'application/json' }, body: {} },
          { id: 7, status: 429, headers: null },
        ],
      },
    ],
    ['page', bcCollection, { value: [{ a: 1 }], '@odata.nextLink': 'https://x/next' }],
    ['company information', bcCompanyInformation, { currencyCode: 'USD', id: 'x' }],
    ['tax row', bcInvoiceTax, { '@odata.etag': 'W/"x"', totalTaxAmount: 12.5, status: 'Open' }],
    [
      'sales invoice',
      bcSalesInvoice,
      {
        id: 'a',
        number: 'S-1',
        customerNumber: 'C1',
        customerName: 'Contoso',
        dueDate: '2025-01-31',
        postingDate: '2025-01-01',
        remainingAmount: 10,
        currencyCode: '',
        status: 'Open',
      },
    ],
    [
      'purchase invoice',
      bcPurchaseInvoice,
      {
        id: 'b',
        number: 'P-1',
        vendorNumber: 'V1',
        vendorName: 'Fabrikam',
        dueDate: '2025-01-31',
        postingDate: '2025-01-01',
        totalAmountIncludingTax: 99.99,
        currencyCode: 'EUR',
        status: 'Paid',
      },
    ],
    [
      'activity cues',
      bcActivityCues,
      { ...legacyActivity, OverdueSalesInvoiceAmountDecimal: 4001.07 },
    ],
    ['finance cues', bcFinanceCues, { ...legacyFinance, CurrencySymbol: '$' }],
    [
      'user task',
      bcUserTask,
      {
        ID: 3,
        Title: 'Close the month',
        Due_DateTime: '2025-01-01T00:00:00Z',
        Start_DateTime: null,
        Created_By_Name: null,
        Percent_Complete: 25,
        Priority: 'High',
        Link: 'https://businesscentral.dynamics.com/x',
      },
    ],
  ];
  /** Values each field of an example is replaced with in turn; `undefined` removes the field. */
  const hostile: unknown[] = [
    undefined,
    null,
    '',
    'x',
    '2025-02-30',
    0,
    -1,
    1.5,
    2 ** 60,
    1e16,
    true,
    {},
    [],
    [{ id: 'a', status: '200' }],
  ];

  test.each(examples)(
    'the %s check accepts and refuses exactly what its schema does',
    (_n, schema, valid) => {
      const variants: unknown[] = [valid, null, [], 'text', 42];
      for (const key of Object.keys(valid)) {
        for (const value of hostile) {
          const variant: Record<string, unknown> = { ...valid };
          if (value === undefined) delete variant[key];
          else variant[key] = value;
          variants.push(variant);
        }
      }
      const fast = fastPathOf(schema);
      expect(fast?.(valid)).toEqual(schema.parse(valid));
      let accepted = 0;
      for (const variant of variants) {
        const expected = schema.safeParse(variant);
        const quick = fast?.(variant);
        if (quick !== undefined) {
          accepted++;
          expect(expected.success).toBe(true);
          expect(quick).toEqual(expected.data);
        }
        const actual = tryParseWire(schema, variant);
        if (expected.success) expect(actual).toEqual(expected.data);
        else expect(actual).toBeNull();
      }
      expect(accepted).toBeGreaterThan(1);
    },
  );
});

describe('instants', () => {
  test('BC date-times read the same as through Date, including the odd ones', () => {
    const values = [
      '2025-01-31T09:30:00Z',
      '2025-01-28T23:59:59.123Z',
      '2025-02-28T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2025-02-30T10:00:00Z',
      '2024-12-31T24:00:00Z',
      '2025-13-01T00:00:00Z',
      '2025-00-10T00:00:00Z',
      '2025-01-00T00:00:00Z',
      '2025-01-10T23:60:00Z',
      '2025-01-10T12:00:00.5Z',
      '2025-01-10T12:00:00.12345Z',
      '2025-01-10T12:00:00+02:00',
      '2025-01-10T12:00Z',
      '2025-01-10',
      'yesterday',
    ];
    for (const v of values) {
      const d = new Date(v);
      expect(toInstant(v)).toBe(Number.isNaN(d.getTime()) ? null : d.toISOString());
    }
  });
});
