/**
 * Deep links into a client's Business Central web client, following the web client URL syntax
 * (`devenv-web-client-urls.md`): `{origin}/{tenant}/{environment}?company=…&page=…&filter=…`,
 * where a filter reads `'Field' IS 'value'`. Company Hub builds its "Go to company" link the
 * same way (`Link + '&company=' + name`), and BC's own task links (page 1171) have this shape.
 *
 * Everything variable is percent-encoded, including the quote characters that `encodeURIComponent`
 * leaves alone, so a company called `Smith's & Sons` or a document number with `#` cannot end
 * the parameter early or break out of an HTML attribute.
 */
import type { BcEnvironmentRef } from './model.js';
import type { UserTaskId } from './ids.js';

export interface BcLinkContext {
  /** `https://businesscentral.dynamics.com`, or the sample tenant's origin in sample mode. */
  readonly webClientBaseUrl: string;
  readonly target: BcEnvironmentRef;
  /** BC company `name` (not the display name): what the web client's `company` parameter takes. */
  readonly companyName: string;
}

/** BC page ids the links open. */
export const bcPages = {
  salesInvoice: 43,
  purchaseInvoice: 51,
  postedSalesInvoice: 132,
  postedPurchaseInvoice: 138,
  userTaskCard: 1171,
} as const;

/** `encodeURIComponent` plus the characters it leaves alone that can still end a quoted value. */
export function encodeUrlComponent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A filter value in single quotes; an embedded quote is doubled, as in AL text literals. */
function quoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function environmentUrl(ctx: BcLinkContext): string {
  const base = ctx.webClientBaseUrl.replace(/\/+$/, '');
  return `${base}/${encodeUrlComponent(ctx.target.tenant)}/${encodeUrlComponent(ctx.target.environment)}`;
}

/** Opens the web client on the company (its role centre). */
export function companyLink(ctx: BcLinkContext): string {
  return `${environmentUrl(ctx)}?company=${encodeUrlComponent(ctx.companyName)}`;
}

/** Opens `page` in the company, optionally filtered to records whose fields equal the values. */
export function pageLink(
  ctx: BcLinkContext,
  page: number,
  filter: Readonly<Record<string, string>> = {},
): string {
  if (!Number.isInteger(page) || page <= 0) throw new RangeError(`Not a page id: ${page}`);
  const conditions = Object.entries(filter).map(
    ([field, value]) => `${quoted(field)} IS ${quoted(value)}`,
  );
  const filterPart =
    conditions.length > 0 ? `&filter=${encodeUrlComponent(conditions.join(' AND '))}` : '';
  return `${companyLink(ctx)}&page=${page}${filterPart}`;
}

/** A posted sales invoice (page 132 "Posted Sales Invoice"). */
export function postedSalesInvoiceLink(ctx: BcLinkContext, number: string): string {
  return pageLink(ctx, bcPages.postedSalesInvoice, { 'No.': number });
}

/** A posted purchase invoice (page 138 "Posted Purchase Invoice"). */
export function postedPurchaseInvoiceLink(ctx: BcLinkContext, number: string): string {
  return pageLink(ctx, bcPages.postedPurchaseInvoice, { 'No.': number });
}

/** An unposted (draft) sales invoice (page 43 "Sales Invoice"). */
export function salesInvoiceLink(ctx: BcLinkContext, number: string): string {
  return pageLink(ctx, bcPages.salesInvoice, { 'No.': number });
}

/** An unposted (draft) purchase invoice (page 51 "Purchase Invoice"). */
export function purchaseInvoiceLink(ctx: BcLinkContext, number: string): string {
  return pageLink(ctx, bcPages.purchaseInvoice, { 'No.': number });
}

/** A user task (page 1171 "User Task Card"). */
export function userTaskLink(ctx: BcLinkContext, id: UserTaskId | number): string {
  if (!Number.isInteger(id)) throw new RangeError(`Not a user task id: ${id}`);
  return pageLink(ctx, bcPages.userTaskCard, { ID: String(id) });
}
