import { describe, expect, it } from '@jest/globals';
import { buildCashFlowForecast } from '../../src/domain/forecast.js';
import type { ForecastInputs, OpenItem } from '../../src/domain/model.js';

const usd = (minor: number) => ({ minor, currency: 'USD' });
const item = (dueDate: string, minor: number, currency = 'USD'): OpenItem => ({
  dueDate,
  amount: { minor, currency },
});
const inputs = (overrides: Partial<ForecastInputs> = {}): ForecastInputs => ({
  currency: 'USD',
  cashBalance: usd(100_000),
  receivables: [],
  payables: [],
  payablesSource: 'open-purchase-invoice-totals',
  ...overrides,
});

// 2025-06-11 is a Wednesday; its ISO week starts on Monday 2025-06-09.
const today = '2025-06-11';

describe('buildCashFlowForecast', () => {
  it('gives eight weeks starting with the Monday of the current ISO week', () => {
    const forecast = buildCashFlowForecast(inputs(), today);
    expect(forecast.weeks.map((w) => w.weekStart)).toEqual([
      '2025-06-09',
      '2025-06-16',
      '2025-06-23',
      '2025-06-30',
      '2025-07-07',
      '2025-07-14',
      '2025-07-21',
      '2025-07-28',
    ]);
    expect(forecast.weeks.every((w) => w.balance.minor === 100_000)).toBe(true);
  });

  it('adds receivables and subtracts payables in the week they fall due, carrying the balance', () => {
    const forecast = buildCashFlowForecast(
      inputs({
        receivables: [item('2025-06-16', 5_000), item('2025-06-22', 2_500)],
        payables: [item('2025-06-15', 1_000), item('2025-06-30', 50_000)],
      }),
      today,
      4,
    );
    expect(forecast.weeks).toEqual([
      { weekStart: '2025-06-09', inflow: usd(0), outflow: usd(1_000), balance: usd(99_000) },
      { weekStart: '2025-06-16', inflow: usd(7_500), outflow: usd(0), balance: usd(106_500) },
      { weekStart: '2025-06-23', inflow: usd(0), outflow: usd(0), balance: usd(106_500) },
      { weekStart: '2025-06-30', inflow: usd(0), outflow: usd(50_000), balance: usd(56_500) },
    ]);
  });

  it('puts overdue items in the first week', () => {
    const forecast = buildCashFlowForecast(
      inputs({ receivables: [item('2024-12-01', 3_000)], payables: [item('2025-06-08', 1_000)] }),
      today,
      2,
    );
    expect(forecast.weeks[0]).toMatchObject({ inflow: usd(3_000), outflow: usd(1_000) });
    expect(forecast.method).toMatch(/Overdue amounts are counted in the first week/);
  });

  it('leaves out items due after the horizon and says so', () => {
    const forecast = buildCashFlowForecast(
      inputs({ receivables: [item('2025-06-22', 10), item('2025-06-23', 999)] }),
      today,
      2,
    );
    expect(forecast.weeks.map((w) => w.inflow.minor)).toEqual([0, 10]);
    expect(forecast.method).toMatch(/1 item\(s\) due after the last week are not shown/);
  });

  it('leaves out items in a foreign currency rather than adding them at par', () => {
    const forecast = buildCashFlowForecast(
      inputs({ receivables: [item('2025-06-10', 700, 'EUR'), item('2025-06-10', 300)] }),
      today,
      1,
    );
    expect(forecast.weeks[0]?.inflow).toEqual(usd(300));
    expect(forecast.method).toMatch(/1 item\(s\) in other currencies are left out/);
  });

  it('names where payables came from', () => {
    const invoices = buildCashFlowForecast(inputs(), today);
    const aged = buildCashFlowForecast(inputs({ payablesSource: 'aged-accounts-payable' }), today);
    expect(invoices.method).toMatch(/open purchase invoice totals/);
    expect(aged.method).toMatch(/aged accounts payable/);
    expect(aged.payablesSource).toBe('aged-accounts-payable');
  });

  it('clamps a nonsensical number of weeks to 1…52', () => {
    expect(buildCashFlowForecast(inputs(), today, 0).weeks).toHaveLength(1);
    expect(buildCashFlowForecast(inputs(), today, 1000).weeks).toHaveLength(52);
    expect(buildCashFlowForecast(inputs(), today, Number.NaN).weeks).toHaveLength(8);
  });

  it('counts a Sunday as the last day of its week, not the first of the next', () => {
    const forecast = buildCashFlowForecast(
      inputs({ receivables: [item('2025-06-15', 1), item('2025-06-16', 2)] }),
      today,
      2,
    );
    expect(forecast.weeks.map((w) => w.inflow.minor)).toEqual([1, 2]);
  });
});
