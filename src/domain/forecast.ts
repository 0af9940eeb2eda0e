/**
 * Cash-flow forecast: Business Central has no forecast API, so the hub projects one from what it
 * can read — today's cash balance, plus open receivables, less open payables, each placed in the
 * week it falls due — and states the method next to the chart.
 */
import { addDays, startOfWeek } from './dates.js';
import { formatMoney } from './money.js';
import type { Money } from './money.js';
import type { ForecastInputs, IsoDate, OpenItem } from './model.js';

/** One week of the forecast (Monday to Sunday). */
export interface ForecastWeek {
  /** Monday of the week. */
  readonly weekStart: IsoDate;
  readonly inflow: Money;
  readonly outflow: Money;
  /** Cash balance at the end of the week. */
  readonly balance: Money;
}

/** A projected cash balance, week by week, as the API and the details pane show it. */
export interface CashFlowForecast {
  readonly currency: string;
  readonly startingBalance: Money;
  readonly weeks: readonly ForecastWeek[];
  readonly method: string;
  readonly payablesSource: ForecastInputs['payablesSource'];
}

export const defaultForecastWeeks = 8;
/** A year of weeks; further out the open documents say little. */
export const maxForecastWeeks = 52;

const payablesSourceText: Record<ForecastInputs['payablesSource'], string> = {
  'open-purchase-invoice-totals':
    'open purchase invoice totals (Business Central keeps no remaining amount on purchase invoices, so part-paid invoices count in full)',
  'aged-accounts-payable': 'the aged accounts payable balances',
};

interface Bucketed {
  readonly perWeek: number[];
  readonly later: number;
  readonly otherCurrency: number;
}

function bucket(
  items: readonly OpenItem[],
  currency: string,
  firstWeek: IsoDate,
  weeks: number,
): Bucketed {
  const perWeek = new Array<number>(weeks).fill(0);
  let later = 0;
  let otherCurrency = 0;
  const lastDay = addDays(firstWeek, weeks * 7 - 1);
  for (const item of items) {
    // Amounts in another currency cannot be added to the local-currency balance without a rate.
    if (item.amount.currency !== currency) {
      otherCurrency += 1;
      continue;
    }
    if (item.dueDate > lastDay) {
      later += 1;
      continue;
    }
    // Overdue items are expected as soon as possible: they land in the first week.
    const index =
      item.dueDate < firstWeek
        ? 0
        : Math.floor(
            (Date.parse(`${item.dueDate}T00:00:00Z`) - Date.parse(`${firstWeek}T00:00:00Z`)) /
              (7 * 86_400_000),
          );
    perWeek[index] = (perWeek[index] ?? 0) + item.amount.minor;
  }
  return { perWeek, later, otherCurrency };
}

/**
 * Projects the cash balance for `weeks` weeks (whole number 1…52, default 8), starting with the
 * ISO week (Monday–Sunday, UTC calendar) that contains `today`. Receivables are inflows and
 * payables outflows in the week of their due date; overdue items count in the first week; items
 * due after the last week, or in a currency other than the balance's, are left out and the
 * method sentence says how many.
 */
export function buildCashFlowForecast(
  inputs: ForecastInputs,
  today: IsoDate,
  weeks: number = defaultForecastWeeks,
): CashFlowForecast {
  const count = Math.min(
    maxForecastWeeks,
    Math.max(1, Number.isFinite(weeks) ? Math.floor(weeks) : defaultForecastWeeks),
  );
  const currency = inputs.cashBalance.currency;
  const firstWeek = startOfWeek(today);
  const inflows = bucket(inputs.receivables, currency, firstWeek, count);
  const outflows = bucket(inputs.payables, currency, firstWeek, count);

  let balance = inputs.cashBalance.minor;
  const result: ForecastWeek[] = [];
  for (let i = 0; i < count; i += 1) {
    const inflow = inflows.perWeek[i] ?? 0;
    const outflow = outflows.perWeek[i] ?? 0;
    balance += inflow - outflow;
    result.push({
      weekStart: addDays(firstWeek, i * 7),
      inflow: { minor: inflow, currency },
      outflow: { minor: outflow, currency },
      balance: { minor: balance, currency },
    });
  }

  const notes: string[] = [];
  const later = inflows.later + outflows.later;
  if (later > 0) notes.push(`${later} item(s) due after the last week are not shown.`);
  const other = inflows.otherCurrency + outflows.otherCurrency;
  if (other > 0) notes.push(`${other} item(s) in other currencies are left out.`);
  const method = [
    `Cash accounts balance today (${formatMoney(inputs.cashBalance)}) plus open sales invoice remaining amounts, ` +
      `minus ${payablesSourceText[inputs.payablesSource]}, by the week they fall due. ` +
      'Overdue amounts are counted in the first week.',
    ...notes,
  ].join(' ');

  return {
    currency,
    startingBalance: inputs.cashBalance,
    weeks: result,
    method,
    payablesSource: inputs.payablesSource,
  };
}
