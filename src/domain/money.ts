/**
 * Money is kept in integer minor units (cents) with its ISO currency code, as actualbudget does:
 * sums of BC decimals in floating point drift (0.1 + 0.2), and a dashboard that adds up thousands
 * of invoices must show the same total BC shows.
 */
export interface Money {
  /** Integer amount in minor units (1/100 of the currency unit). */
  readonly minor: number;
  /** ISO 4217 code, e.g. `USD`; BC's local currency when the document has none. */
  readonly currency: string;
}

/** Converts a BC decimal (JSON number) to Money, rounding half away from zero to the cent. */
export function moneyFromDecimal(amount: number, currency: string): Money {
  const cents = Math.sign(amount) * Math.round(Math.abs(amount) * 100 + Number.EPSILON);
  return { minor: cents === 0 ? 0 : cents, currency };
}

export function money(minor: number, currency: string): Money {
  return { minor, currency };
}

export function zeroMoney(currency: string): Money {
  return { minor: 0, currency };
}

/** Adds amounts of one currency. Mixing currencies is a programming error, so it throws. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new Error(`Cannot add ${a.currency} to ${b.currency}`);
  }
  return { minor: a.minor + b.minor, currency: a.currency };
}

export function sumMoney(amounts: readonly Money[], currency: string): Money {
  return amounts.reduce((acc, m) => addMoney(acc, m), zeroMoney(currency));
}

export function negateMoney(m: Money): Money {
  return { minor: m.minor === 0 ? 0 : -m.minor, currency: m.currency };
}

/** The decimal value, for display and Excel cells. */
export function moneyToDecimal(m: Money): number {
  return m.minor / 100;
}

/** `USD 1,234.56` style text for chat cards and logs; the tab formats with Intl itself. */
export function formatMoney(m: Money, locale = 'en-US'): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(
      moneyToDecimal(m),
    );
  } catch {
    return `${m.currency} ${moneyToDecimal(m).toFixed(2)}`;
  }
}
