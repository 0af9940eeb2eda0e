/**
 * File names for downloads. A company name is accountant-entered text from another system: it may
 * hold quotes, slashes, line breaks or non-Latin letters, none of which may break the
 * `Content-Disposition` header or choose a path on the accountant's disk.
 */
import type { FinancialStatementKind, IsoDate } from '../src/domain/model.js';

const kindTitles: Readonly<Record<FinancialStatementKind, string>> = {
  'balance-sheet': 'Balance sheet',
  'income-statement': 'Income statement',
  'trial-balance': 'Trial balance',
  'cash-flow-statement': 'Cash flow statement',
  'aged-receivables': 'Aged receivables',
  'aged-payables': 'Aged payables',
};

/** Letters and digits of any script, spaces and `.,_-()&`; everything else becomes a space. */
function cleanName(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N} .,_\-()&]/gu, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+/, '')
    .slice(0, 120)
    .trim();
}

/** `CRONUS USA, Inc. - Balance sheet - 2026-11-22.xlsx`. */
export function reportFileName(
  companyName: string,
  kind: FinancialStatementKind,
  date: IsoDate,
): string {
  const company = cleanName(companyName) || 'Company';
  return `${company} - ${kindTitles[kind]} - ${date}.xlsx`;
}

/** RFC 5987 value-chars: `encodeURIComponent` leaves `'()*` and `!` bare, which the header grammar does not allow. */
const encodeRfc5987 = (s: string): string =>
  encodeURIComponent(s).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/**
 * `attachment; filename="ascii fallback"; filename*=UTF-8''…` (RFC 6266): the quoted fallback keeps
 * printable ASCII only, without quotes or backslashes; the extended form carries the real name.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}
