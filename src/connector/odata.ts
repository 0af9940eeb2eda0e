/**
 * OData details Business Central gets particular about: URL building with `$` options encoded
 * the way BC parses them, string literals with doubled quotes, `Company('…')` segments, the
 * `_xHHHH_` encoding of enum values, and the padded, locale-formatted text of cue fields.
 */

/** Single-quoted OData string literal; a quote inside is doubled (`O'Brien` → `'O''Brien'`). */
export function odataStringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The ODataV4 `Company('{name}')` path segment. BC keys ODataV4 services by company *name*, which
 * may contain quotes, commas, spaces and `&`: the quote is doubled first (OData literal rule),
 * then the whole name is percent-encoded, exactly as Company Hub builds it.
 */
export function companySegment(companyName: string): string {
  return `Company('${encodeURIComponent(companyName.replace(/'/g, "''"))}')`;
}

/** Tenant (GUID or domain) and environment names that are safe as one path segment each. */
const PATH_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;

/** True when `s` can be used as the tenant or environment segment of a BC URL. */
export function isSafePathName(s: string): boolean {
  return PATH_NAME.test(s) && !s.includes('..');
}

/** A query option value; `undefined` options are left out. */
export type QueryOptions = Readonly<Record<string, string | number | undefined>>;

/**
 * Appends OData query options. Values are percent-encoded with `%20` for spaces (never `+`,
 * which OData reads as a literal plus); the `$` of option names stays readable.
 */
export function withQuery(url: string, query: QueryOptions = {}): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    parts.push(`${key}=${encodeURIComponent(String(value))}`);
  }
  if (parts.length === 0) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${parts.join('&')}`;
}

/**
 * Decodes OData's XML-name encoding of enum members: `In_x0020_Review` → `In Review`,
 * `Positive_x0020_Adjmt_x002E_` → `Positive Adjmt.`, and the blank member `_x0020_` → `''`.
 * The result is trimmed, because BC's blank option is a single space.
 */
export function decodeEnumValue(wire: string): string {
  // Most members (`Open`, `Paid`, `High`) have nothing encoded.
  if (!wire.includes('_x')) return wire.trim();
  return wire
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .trim();
}

/** Encodes an enum member for a `$filter` literal: `In Review` → `In_x0020_Review`. */
export function encodeEnumValue(value: string): string {
  return value.replace(
    /[^A-Za-z0-9]/g,
    (c) => `_x${c.charCodeAt(0).toString(16).padStart(4, '0')}_`,
  );
}

const NUMBER_CORE = /\d(?:[\d.,'’\s\u00a0\u202f]*\d)?/;

/**
 * Parses the text of a cue or a formatted amount as BC writes it: right-aligned in 30 characters,
 * with a currency symbol before or after, group separators, and the company's decimal separator:
 * `"      $1,234.56"`, `"1.234,56 kr."`, `"(1,234.56)"`, `"-1 234,56 €"`, `"1'234.50"`, `"12"`.
 * Returns `0` for blank text and `null` when there is no number to read.
 *
 * The decimal separator is the last `.` or `,` when both occur; when only one kind occurs it is a
 * group separator if it repeats or is followed by exactly three digits (BC formats counts as
 * `1,234` and amounts always with their decimal places, e.g. `1,234.00`).
 */
export function parseFormattedNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  const match = NUMBER_CORE.exec(trimmed);
  if (!match) return null;
  const core = match[0].replace(/['’\s\u00a0\u202f]/g, '');
  const before = trimmed.slice(0, match.index);
  const after = trimmed.slice(match.index + match[0].length);
  if (/\d/.test(before) || /\d/.test(after)) return null;
  const negative =
    /[-\u2212]/.test(before) ||
    /^\s*[-\u2212]/.test(after) ||
    (before.includes('(') && after.includes(')'));

  const lastDot = core.lastIndexOf('.');
  const lastComma = core.lastIndexOf(',');
  let normalized: string;
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const group = decimal === '.' ? ',' : '.';
    normalized = core.split(group).join('').replace(decimal, '.');
  } else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ',';
    const pieces = core.split(sep);
    const last = pieces[pieces.length - 1] ?? '';
    const isGroup = pieces.length > 2 || last.length === 3;
    normalized = isGroup ? pieces.join('') : pieces.join('.');
  } else {
    normalized = core;
  }
  if (!/^\d+(?:\.\d+)?$/.test(normalized)) return null;
  const value = Number(normalized);
  if (!Number.isFinite(value)) return null;
  return negative && value !== 0 ? -value : value;
}

/** An OData collection page: `value` plus an optional opaque `@odata.nextLink`. */
export interface ODataPage<T> {
  readonly value: readonly T[];
  readonly nextLink: string | null;
}

/**
 * Follows `@odata.nextLink` until the last page. `nextLink`s are opaque: they are followed as
 * they come, but a link seen twice, or more than `maxPages` pages, ends with an error instead of
 * a loop that never stops.
 */
export async function collectPages<T, E>(
  first: ODataPage<T>,
  fetchPage: (
    nextLink: string,
  ) => Promise<{ ok: true; value: ODataPage<T> } | { ok: false; error: E }>,
  onLoop: (reason: string) => E,
  maxPages = 10_000,
): Promise<{ ok: true; value: T[] } | { ok: false; error: E }> {
  const rows: T[] = [...first.value];
  const seen = new Set<string>();
  let next = first.nextLink;
  let pages = 1;
  while (next !== null) {
    if (seen.has(next))
      return { ok: false, error: onLoop('Business Central repeated a page link') };
    if (++pages > maxPages)
      return { ok: false, error: onLoop('Business Central sent too many pages') };
    seen.add(next);
    const page = await fetchPage(next);
    if (!page.ok) return page;
    rows.push(...page.value.value);
    next = page.value.nextLink;
  }
  return { ok: true, value: rows };
}
