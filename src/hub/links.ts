/**
 * Links into a client's BC web client, for "Go to client" and the invoice rows of the details
 * pane, built by `domain/bc-links.ts`. The sample client's links open the sample tenant's web
 * client.
 */
import {
  companyLink,
  postedPurchaseInvoiceLink,
  postedSalesInvoiceLink,
} from '../domain/bc-links.js';
import type { BcLinkContext } from '../domain/bc-links.js';
import type { Client, Company, InvoiceSummary } from '../domain/model.js';
import { webClientBaseFor } from './context.js';
import type { HubContext } from './context.js';

function linkContext(ctx: HubContext, client: Client, company: Company): BcLinkContext {
  return {
    webClientBaseUrl: webClientBaseFor(ctx, client),
    target: client.target,
    companyName: company.name,
  };
}

/** Opens the client's BC web client on this company. */
export function goToCompanyUrl(ctx: HubContext, client: Client, company: Company): string {
  return companyLink(linkContext(ctx, client, company));
}

/** Opens a posted invoice (page 132 or 138) in the client's BC web client. */
export function invoiceUrl(
  ctx: HubContext,
  client: Client,
  company: Company,
  kind: 'sales' | 'purchase',
  invoice: Pick<InvoiceSummary, 'number'>,
): string {
  const link = linkContext(ctx, client, company);
  return kind === 'sales'
    ? postedSalesInvoiceLink(link, invoice.number)
    : postedPurchaseInvoiceLink(link, invoice.number);
}
