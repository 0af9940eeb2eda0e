/** Small helpers shared by the sample-tenant suites: a fixed clock and JSON over real HTTP. */
import { defaultSampleTenantId, type SampleTenant } from '../../src/sample-tenant/index.js';

/** A Friday morning; the sample's data is dated relative to it. */
export const fixedNow = (): Date => new Date('2025-03-14T10:00:00Z');
export const today = '2025-03-14';

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  // Responses are arbitrary JSON; tests narrow with expect().
  readonly body: Record<string, unknown>;
}

export async function request(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

export type Row = Record<string, unknown>;

export function valueOf(r: JsonResponse): Row[] {
  const value = r.body['value'];
  if (!Array.isArray(value))
    throw new Error(`no value array in ${JSON.stringify(r.body).slice(0, 300)}`);
  return value as Row[];
}

export function apiRoot(
  tenant: SampleTenant,
  tenantId = defaultSampleTenantId,
  env = 'production',
): string {
  return `${tenant.url}/v2.0/${tenantId}/${env}/api/v2.0`;
}

export function odataRoot(
  tenant: SampleTenant,
  tenantId = defaultSampleTenantId,
  env = 'production',
): string {
  return `${tenant.url}/v2.0/${tenantId}/${env}/ODataV4`;
}

/** The ODataV4 `Company('…')` segment, quote doubled then percent-encoded, as Company Hub builds it. */
export function companySegment(name: string): string {
  return `Company('${encodeURIComponent(name.replace(/'/g, "''"))}')`;
}

/** `?$filter=…&$select=…` with values encoded as %20 (never +). */
export function q(options: Record<string, string>): string {
  return `?${Object.entries(options)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')}`;
}

/** Decimal → integer cents, so sums compare exactly. */
export function cents(x: unknown): number {
  if (typeof x !== 'number') throw new Error(`not a number: ${String(x)}`);
  return Math.round(x * 100);
}

/** Parses cue text such as `"          $-1,234.56"` or `"kr12,345.67"` to cents. */
export function cueTextCents(text: unknown): number {
  if (typeof text !== 'string') throw new Error(`not a string: ${String(text)}`);
  const m = /(-?)([\d,]+)\.(\d{2})\s*$/.exec(text.trim());
  if (!m) throw new Error(`not an amount: ${text}`);
  const units = Number((m[2] ?? '').replace(/,/g, ''));
  const value = units * 100 + Number(m[3]);
  return m[1] === '-' ? -value : value;
}

export function cueCount(text: unknown): number {
  if (typeof text !== 'string') throw new Error(`not a string: ${String(text)}`);
  return Number(text.trim().replace(/,/g, ''));
}

export function sumCents(rows: readonly Row[], field: string): number {
  return rows.reduce((s, r) => s + cents(r[field]), 0);
}

/** Follows `@odata.nextLink` and returns every row. */
export async function allPages(
  url: string,
  init: RequestInit = {},
): Promise<{ rows: Row[]; pages: number }> {
  const rows: Row[] = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next !== undefined) {
    const r = await request(next, init);
    if (r.status !== 200)
      throw new Error(`page ${pages + 1} answered ${r.status}: ${JSON.stringify(r.body)}`);
    rows.push(...valueOf(r));
    pages++;
    const link = r.body['@odata.nextLink'];
    next = typeof link === 'string' ? link : undefined;
  }
  return { rows, pages };
}

export function errorOf(r: JsonResponse): { code: string; message: string } {
  const error = r.body['error'] as { code?: unknown; message?: unknown } | undefined;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') {
    throw new Error(`not a BC error body: ${JSON.stringify(r.body)}`);
  }
  return { code: error.code, message: error.message };
}

export const correlationTail =
  / {2}CorrelationId: {2}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.$/;
