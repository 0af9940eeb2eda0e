/**
 * How names are ordered for people: by letters, ignoring case and accents ("émile" next to
 * "Emile"), the same everywhere (tab, cards, exports). One collator each, made once: sorting
 * thousands of rows with `localeCompare(…, locale, options)` builds a collator per comparison
 * and costs several times more.
 */
const nameCollator = new Intl.Collator('en', { sensitivity: 'base' });
const numberCollator = new Intl.Collator('en', { numeric: true });

/** Orders names for people: case and accents do not matter. */
export const compareNames: (a: string, b: string) => number = nameCollator.compare;

/** Orders document numbers so that `SI-9` comes before `SI-10`. */
export const compareDocumentNumbers: (a: string, b: string) => number = numberCollator.compare;

/** Orders rows by client name, then company name. */
export function compareByClientThenCompany(
  a: { readonly clientName: string; readonly companyName: string },
  b: { readonly clientName: string; readonly companyName: string },
): number {
  return compareNames(a.clientName, b.clientName) || compareNames(a.companyName, b.companyName);
}
