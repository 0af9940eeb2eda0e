import { describe, expect, it } from '@jest/globals';
import {
  companyLink,
  encodeUrlComponent,
  pageLink,
  postedPurchaseInvoiceLink,
  postedSalesInvoiceLink,
  purchaseInvoiceLink,
  salesInvoiceLink,
  userTaskLink,
  type BcLinkContext,
} from '../../src/domain/bc-links.js';
import { asUserTaskId } from '../../src/domain/ids.js';
import { parseClientUrl } from '../../src/domain/client-url.js';

const TENANT = '1a23b456-789c-0123-45de-678910fa12bc';
const ctx = (over: Partial<BcLinkContext> = {}): BcLinkContext => ({
  webClientBaseUrl: 'https://businesscentral.dynamics.com',
  target: { tenant: TENANT, environment: 'production' },
  companyName: 'CRONUS USA, Inc.',
  ...over,
});
const base = `https://businesscentral.dynamics.com/${TENANT}/production`;

/** The filter parameter as the web client will read it. */
function filterOf(link: string): string | null {
  return new URL(link).searchParams.get('filter');
}

describe('BC web client links', () => {
  it('opens the company with its name encoded', () => {
    expect(companyLink(ctx())).toBe(`${base}?company=CRONUS%20USA%2C%20Inc.`);
  });

  it('produces a company link the Client URL parser reads back to the same target and company', () => {
    const r = parseClientUrl(companyLink(ctx()), {});
    expect(r.ok && r.value.target).toEqual({ tenant: TENANT, environment: 'production' });
    expect(r.ok && r.value.companyName).toBe('CRONUS USA, Inc.');
  });

  it('links a posted sales invoice to page 132 filtered on its number', () => {
    const link = postedSalesInvoiceLink(ctx(), '103001');
    expect(link).toBe(
      `${base}?company=CRONUS%20USA%2C%20Inc.&page=132&filter=%27No.%27%20IS%20%27103001%27`,
    );
    expect(filterOf(link)).toBe("'No.' IS '103001'");
  });

  it('links a posted purchase invoice to page 138', () => {
    const link = postedPurchaseInvoiceLink(ctx(), '108017');
    expect(new URL(link).searchParams.get('page')).toBe('138');
    expect(filterOf(link)).toBe("'No.' IS '108017'");
  });

  it('links draft sales and purchase invoices to pages 43 and 51', () => {
    expect(new URL(salesInvoiceLink(ctx(), 'S-INV1')).searchParams.get('page')).toBe('43');
    expect(new URL(purchaseInvoiceLink(ctx(), 'P-INV1')).searchParams.get('page')).toBe('51');
  });

  it('links a user task to page 1171 filtered on its ID', () => {
    const link = userTaskLink(ctx(), asUserTaskId(7));
    expect(new URL(link).searchParams.get('page')).toBe('1171');
    expect(filterOf(link)).toBe("'ID' IS '7'");
  });

  it('refuses a task id that is not an integer', () => {
    expect(() => userTaskLink(ctx(), 1.5)).toThrow(RangeError);
  });

  it('refuses a page id that is not a positive integer', () => {
    expect(() => pageLink(ctx(), 0)).toThrow(RangeError);
  });

  it('keeps a hostile company name inside the company parameter', () => {
    const name = `Smith's & Sons"><script>#?=`;
    const link = companyLink(ctx({ companyName: name }));
    expect(link).not.toMatch(/["'<> #]/);
    const url = new URL(link);
    expect(url.searchParams.get('company')).toBe(name);
    expect([...url.searchParams.keys()]).toEqual(['company']);
  });

  it('doubles a quote inside a document number so it cannot end the filter value', () => {
    const link = postedSalesInvoiceLink(ctx(), "X' OR 'No.' IS '*");
    expect(filterOf(link)).toBe("'No.' IS 'X'' OR ''No.'' IS ''*'");
    expect([...new URL(link).searchParams.keys()]).toEqual(['company', 'page', 'filter']);
  });

  it('keeps an ampersand in a document number inside the filter', () => {
    const link = postedSalesInvoiceLink(ctx(), 'A&page=1');
    expect(new URL(link).searchParams.get('page')).toBe('132');
    expect(filterOf(link)).toBe("'No.' IS 'A&page=1'");
  });

  it('builds links on the sample tenant origin and ignores trailing slashes on the base', () => {
    const link = companyLink(
      ctx({ webClientBaseUrl: 'http://127.0.0.1:3979//', companyName: 'A' }),
    );
    expect(link).toBe(`http://127.0.0.1:3979/${TENANT}/production?company=A`);
  });

  it('encodes the tenant and environment path segments', () => {
    const link = companyLink(
      ctx({ target: { tenant: 'a/b', environment: 'c?d' }, companyName: 'X' }),
    );
    expect(link).toBe('https://businesscentral.dynamics.com/a%2Fb/c%3Fd?company=X');
  });

  it('ANDs several filter conditions', () => {
    const link = pageLink(ctx(), 9305, {
      'Sell-to Customer No.': '10000',
      'Location Code': 'BLUE',
    });
    expect(filterOf(link)).toBe("'Sell-to Customer No.' IS '10000' AND 'Location Code' IS 'BLUE'");
  });

  it('percent-encodes the characters encodeURIComponent leaves alone', () => {
    expect(encodeUrlComponent("!'()*")).toBe('%21%27%28%29%2A');
  });
});
