/**
 * Taxes due: Business Central has no API for a VAT or sales-tax return, so the hub estimates it
 * from what it can read — the tax on posted sales invoices less the tax on posted purchase
 * invoices in the client's filing period — and says on screen that it is an estimate and how it
 * was made.
 */
import { addDays, addMonths, endOfMonth, parseIsoDate, toIsoDate } from './dates.js';
import type { IsoDate, TaxInputs, TaxSettings, TaxesDueEstimate } from './model.js';

/** One filing period of a client and the day its return and payment are due. */
export interface TaxFilingPeriod {
  readonly periodStart: IsoDate;
  readonly periodEnd: IsoDate;
  readonly dueDate: IsoDate;
}

/** The longest due-day rule the hub accepts: a year after the period ends. */
export const maxDueDaysAfterPeriodEnd = 366;

/** How the estimate is made, for the details pane and cards. */
export const taxesDueMethod =
  'Estimate: tax on posted sales invoices less tax on posted purchase invoices with a posting date in the filing period. ' +
  'Check the tax return in Business Central before filing.';

const monthsPerPeriod: Record<TaxSettings['frequency'], number> = {
  monthly: 1,
  quarterly: 3,
  yearly: 12,
};

/**
 * The calendar filing period that contains `date`: its month, its calendar quarter
 * (Jan–Mar, Apr–Jun, …), or its calendar year.
 */
export function filingPeriodContaining(
  date: IsoDate,
  frequency: TaxSettings['frequency'],
): { periodStart: IsoDate; periodEnd: IsoDate } {
  const d = parseIsoDate(date);
  const months = monthsPerPeriod[frequency];
  const startMonth = Math.floor(d.getUTCMonth() / months) * months;
  const periodStart = toIsoDate(new Date(Date.UTC(d.getUTCFullYear(), startMonth, 1)));
  const periodEnd = endOfMonth(addMonths(periodStart, months - 1));
  return { periodStart, periodEnd };
}

function withDueDate(
  period: { periodStart: IsoDate; periodEnd: IsoDate },
  settings: TaxSettings,
): TaxFilingPeriod {
  return { ...period, dueDate: addDays(period.periodEnd, settings.dueDaysAfterPeriodEnd) };
}

/**
 * The filing period the taxes-due estimate is for on `today`: the most recent period that has
 * ended, as long as its return is still due (due date today or later); once that deadline has
 * passed, the current (still open) period, whose tax is accruing.
 */
export function taxFilingPeriodFor(today: IsoDate, settings: TaxSettings): TaxFilingPeriod {
  const current = filingPeriodContaining(today, settings.frequency);
  const previous = filingPeriodContaining(addDays(current.periodStart, -1), settings.frequency);
  const previousWithDue = withDueDate(previous, settings);
  return previousWithDue.dueDate >= today ? previousWithDue : withDueDate(current, settings);
}

/** Whether tax settings are usable: a known frequency and a whole number of days 0…366. */
export function isValidTaxSettings(value: unknown): value is TaxSettings {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const frequency = v['frequency'];
  const days = v['dueDaysAfterPeriodEnd'];
  return (
    (frequency === 'monthly' || frequency === 'quarterly' || frequency === 'yearly') &&
    typeof days === 'number' &&
    Number.isInteger(days) &&
    days >= 0 &&
    days <= maxDueDaysAfterPeriodEnd
  );
}

/**
 * The estimate for a period: sales tax less purchase tax (negative means a refund is expected).
 * Returns null when the two amounts are in different currencies, which would make the
 * difference meaningless.
 */
export function estimateTaxesDue(
  inputs: TaxInputs,
  period: TaxFilingPeriod,
): TaxesDueEstimate | null {
  if (inputs.salesTax.currency !== inputs.purchaseTax.currency) return null;
  const minor = inputs.salesTax.minor - inputs.purchaseTax.minor;
  return {
    amount: { minor: minor === 0 ? 0 : minor, currency: inputs.salesTax.currency },
    periodStart: period.periodStart,
    periodEnd: period.periodEnd,
    dueDate: period.dueDate,
    isEstimate: true,
  };
}
