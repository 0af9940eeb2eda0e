import { describe, expect, it } from '@jest/globals';
import { fastSnapshotCopy, snapshotSchema } from '../../src/registry/schema.js';

const valid = {
  clientId: 'client-1',
  companyId: 'c0000000-0000-4000-8000-000000000001',
  kpis: {
    currency: 'USD',
    overdueSalesInvoiceAmount: { minor: 400107, currency: 'USD' },
    overduePurchaseInvoiceAmount: { minor: -5, currency: 'USD' },
    cashAccountsBalance: { minor: 0, currency: 'USD' },
    openSalesDocuments: 7,
    salesInvoicesDueNextWeek: 11,
    purchaseInvoicesDueNextWeek: 3,
    overdueSalesDocuments: 9,
    overduePurchaseDocuments: 7,
    tasksAssignedToMe: 2,
    overdueTasks: 1,
    taxesDue: {
      amount: { minor: 12345, currency: 'USD' },
      periodStart: '2025-01-01',
      periodEnd: '2025-03-31',
      dueDate: '2025-04-30',
      isEstimate: true,
    },
  },
  refreshedAt: '2025-03-14T10:00:00.000Z',
  lastAttemptAt: '2025-03-14T10:00:00.000Z',
  lastError: null,
  tasks: [
    {
      id: 3,
      title: 'Close the month',
      dueAt: '2025-03-13T17:00:00.000Z',
      startAt: null,
      createdAt: '2025-03-01T09:00:00.000Z',
      createdBy: 'ADMIN',
      percentComplete: 25,
      priority: 'high',
      link: 'https://businesscentral.dynamics.com/x',
    },
  ],
};

/** Replaces the value at `path` (or removes it, for `undefined`) in a deep copy of `base`. */
function variant(base: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

/** Every path to a value inside `value`, objects and arrays included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value as Record<string, unknown>);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))].filter(
    (p) => p.length > 0,
  );
}

const hostile: unknown[] = [
  undefined,
  null,
  '',
  'x',
  '2025-1-1',
  0,
  -1,
  1.5,
  2 ** 60,
  true,
  {},
  [],
  [{}],
];

describe('the snapshot fast check', () => {
  it('accepts and refuses exactly what the snapshot schema does, and copies like it', () => {
    expect(fastSnapshotCopy(valid)).toEqual(snapshotSchema.parse(valid));
    const variants: unknown[] = [
      null,
      [],
      { ...valid, kpis: null, lastError: { reason: 'bc-timeout', message: 'slow', at: 'now' } },
      { ...valid, extra: 'dropped', tasks: [] },
    ];
    for (const path of paths(valid)) {
      for (const value of hostile) variants.push(variant(valid, path, value));
    }
    let accepted = 0;
    for (const v of variants) {
      const expected = snapshotSchema.safeParse(v);
      const quick = fastSnapshotCopy(v);
      if (quick !== undefined) {
        accepted++;
        expect(expected.success).toBe(true);
        expect(quick).toEqual(expected.data);
      }
    }
    expect(accepted).toBeGreaterThan(20);
  });

  it('returns a copy that shares nothing with what it was given', () => {
    const copy = fastSnapshotCopy(valid);
    expect(copy).not.toBe(valid);
    expect(copy?.kpis).not.toBe(valid.kpis);
    expect(copy?.kpis?.taxesDue?.amount).not.toBe(valid.kpis.taxesDue.amount);
    expect(copy?.tasks[0]).not.toBe(valid.tasks[0]);
  });
});
