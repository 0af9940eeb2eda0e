import { describe, expect, it } from '@jest/globals';
import {
  estimateTaxesDue,
  filingPeriodContaining,
  isValidTaxSettings,
  taxFilingPeriodFor,
} from '../../src/domain/taxes.js';
import type { TaxInputs } from '../../src/domain/model.js';

const inputs = (sales: number, purchase: number, currency = 'USD'): TaxInputs => ({
  currency,
  salesTax: { minor: sales, currency },
  purchaseTax: { minor: purchase, currency },
  salesInvoiceCount: 3,
  purchaseInvoiceCount: 2,
});

describe('filingPeriodContaining', () => {
  it('gives the calendar month for monthly filers, including a leap February', () => {
    expect(filingPeriodContaining('2024-02-10', 'monthly')).toEqual({
      periodStart: '2024-02-01',
      periodEnd: '2024-02-29',
    });
  });

  it('gives the calendar quarter for quarterly filers', () => {
    expect(filingPeriodContaining('2025-05-31', 'quarterly')).toEqual({
      periodStart: '2025-04-01',
      periodEnd: '2025-06-30',
    });
    expect(filingPeriodContaining('2025-12-31', 'quarterly')).toEqual({
      periodStart: '2025-10-01',
      periodEnd: '2025-12-31',
    });
  });

  it('gives the calendar year for yearly filers', () => {
    expect(filingPeriodContaining('2025-01-01', 'yearly')).toEqual({
      periodStart: '2025-01-01',
      periodEnd: '2025-12-31',
    });
  });
});

describe('taxFilingPeriodFor', () => {
  it('estimates the quarter that just ended while its return is still due', () => {
    expect(
      taxFilingPeriodFor('2025-04-20', { frequency: 'quarterly', dueDaysAfterPeriodEnd: 30 }),
    ).toEqual({ periodStart: '2025-01-01', periodEnd: '2025-03-31', dueDate: '2025-04-30' });
  });

  it('still picks the ended period on its due date itself', () => {
    expect(
      taxFilingPeriodFor('2025-04-30', { frequency: 'quarterly', dueDaysAfterPeriodEnd: 30 }),
    ).toEqual({ periodStart: '2025-01-01', periodEnd: '2025-03-31', dueDate: '2025-04-30' });
  });

  it('moves to the current period the day after the deadline has passed', () => {
    expect(
      taxFilingPeriodFor('2025-05-01', { frequency: 'quarterly', dueDaysAfterPeriodEnd: 30 }),
    ).toEqual({ periodStart: '2025-04-01', periodEnd: '2025-06-30', dueDate: '2025-07-30' });
  });

  it('crosses the year boundary for a monthly filer in early January', () => {
    expect(
      taxFilingPeriodFor('2026-01-05', { frequency: 'monthly', dueDaysAfterPeriodEnd: 10 }),
    ).toEqual({ periodStart: '2025-12-01', periodEnd: '2025-12-31', dueDate: '2026-01-10' });
  });

  it('uses the current period when returns are due the day the period ends', () => {
    expect(
      taxFilingPeriodFor('2025-03-01', { frequency: 'monthly', dueDaysAfterPeriodEnd: 0 }),
    ).toEqual({ periodStart: '2025-03-01', periodEnd: '2025-03-31', dueDate: '2025-03-31' });
  });

  it('handles a yearly filer with a long deadline', () => {
    expect(
      taxFilingPeriodFor('2025-03-15', { frequency: 'yearly', dueDaysAfterPeriodEnd: 90 }),
    ).toEqual({ periodStart: '2024-01-01', periodEnd: '2024-12-31', dueDate: '2025-03-31' });
  });
});

describe('estimateTaxesDue', () => {
  const period = { periodStart: '2025-01-01', periodEnd: '2025-03-31', dueDate: '2025-04-30' };

  it('is sales tax less purchase tax, marked as an estimate', () => {
    expect(estimateTaxesDue(inputs(125_050, 25_025), period)).toEqual({
      amount: { minor: 100_025, currency: 'USD' },
      ...period,
      isEstimate: true,
    });
  });

  it('is negative when more tax was paid than collected (a refund)', () => {
    expect(estimateTaxesDue(inputs(100, 350), period)?.amount).toEqual({
      minor: -250,
      currency: 'USD',
    });
  });

  it('is zero, not negative zero, when the two cancel out', () => {
    expect(Object.is(estimateTaxesDue(inputs(0, 0), period)?.amount.minor, 0)).toBe(true);
  });

  it('refuses to subtract amounts in different currencies', () => {
    const mixed: TaxInputs = { ...inputs(100, 50), purchaseTax: { minor: 50, currency: 'EUR' } };
    expect(estimateTaxesDue(mixed, period)).toBeNull();
  });
});

describe('isValidTaxSettings', () => {
  it('accepts the known frequencies with a whole number of days', () => {
    expect(isValidTaxSettings({ frequency: 'monthly', dueDaysAfterPeriodEnd: 0 })).toBe(true);
    expect(isValidTaxSettings({ frequency: 'yearly', dueDaysAfterPeriodEnd: 366 })).toBe(true);
  });

  it.each([
    null,
    'quarterly',
    { frequency: 'weekly', dueDaysAfterPeriodEnd: 10 },
    { frequency: 'monthly', dueDaysAfterPeriodEnd: -1 },
    { frequency: 'monthly', dueDaysAfterPeriodEnd: 10.5 },
    { frequency: 'monthly', dueDaysAfterPeriodEnd: 367 },
    { frequency: 'monthly', dueDaysAfterPeriodEnd: '10' },
    { frequency: 'monthly' },
  ])('rejects %p', (value) => {
    expect(isValidTaxSettings(value)).toBe(false);
  });
});
