/**
 * "show overdue invoices [client]": overdue sales invoices (customers owe the client) and
 * purchase invoices (the client owes vendors) per company, with partner, amount and currency,
 * days overdue, and a link to the posted document in BC.
 */
import type { ErrorReason } from '../../src/domain/errors.js';
import type { Money } from '../../src/domain/money.js';
import type { InvoiceRow } from '../../src/hub/api-types.js';
import type { CardView } from './actions.js';
import {
  clampOffset,
  noticeBlock,
  pagingActions,
  placeName,
  rangeLine,
  titleBlock,
  type CardNotice,
  type CardOwner,
} from './common.js';
import {
  actionSet,
  card,
  columns,
  container,
  dataText,
  fitPage,
  formatDay,
  formatAmount,
  openUrl,
  plural,
  text,
  type AdaptiveCard,
  type CardElement,
} from './elements.js';

export interface CompanyInvoices {
  readonly clientId: string;
  readonly clientName: string;
  readonly companyId: string;
  readonly companyName: string;
  readonly sales: readonly InvoiceRow[];
  readonly purchase: readonly InvoiceRow[];
  /** Set when the company's invoices could not be read; the card says so instead of "none". */
  readonly error: { readonly reason: ErrorReason; readonly message: string } | null;
}

export interface InvoicesCardInput {
  readonly companies: readonly CompanyInvoices[];
  readonly owner: CardOwner;
  readonly offset: number;
  /** The client the list is limited to, if any. */
  readonly client: { readonly id: string; readonly name: string } | null;
  readonly notice?: CardNotice;
}

export const INVOICES_PER_PAGE = 12;

type Entry =
  | {
      readonly kind: 'sales' | 'purchase';
      readonly company: CompanyInvoices;
      readonly invoice: InvoiceRow;
    }
  | { readonly kind: 'error'; readonly company: CompanyInvoices };

function entriesOf(companies: readonly CompanyInvoices[]): Entry[] {
  const out: Entry[] = [];
  for (const company of companies) {
    if (company.error !== null) out.push({ kind: 'error', company });
    const late = (a: InvoiceRow, b: InvoiceRow) =>
      b.daysOverdue - a.daysOverdue || a.number.localeCompare(b.number);
    for (const invoice of [...company.sales].sort(late))
      out.push({ kind: 'sales', company, invoice });
    for (const invoice of [...company.purchase].sort(late))
      out.push({ kind: 'purchase', company, invoice });
  }
  return out;
}

/** Sums per currency: invoices in foreign currencies are not converted, so totals stay honest. */
export function totalsText(amounts: readonly Money[]): string {
  const byCurrency = new Map<string, number>();
  for (const m of amounts) byCurrency.set(m.currency, (byCurrency.get(m.currency) ?? 0) + m.minor);
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => formatAmount({ minor, currency }))
    .join(' + ');
}

function invoiceItem(entry: Entry & { kind: 'sales' | 'purchase' }): CardElement {
  const inv = entry.invoice;
  const detail = [
    `${entry.kind === 'sales' ? 'Sales' : 'Purchase'} invoice ${inv.number}`,
    `due ${formatDay(inv.dueDate)}`,
    `${plural(inv.daysOverdue, 'day')} overdue`,
  ].join(' · ');
  return container(
    [
      columns([
        {
          width: 'stretch',
          items: [
            dataText([
              {
                text: inv.partnerName === '' ? inv.partnerNumber : inv.partnerName,
                weight: 'bolder',
              },
            ]),
            dataText([{ text: detail, size: 'small', subtle: true }], { spacing: 'none' }),
          ],
        },
        {
          width: 'auto',
          items: [
            dataText([{ text: formatAmount(inv.amount), weight: 'bolder', color: 'attention' }]),
            dataText(
              [
                {
                  text: inv.amountKind === 'remaining' ? 'remaining' : 'total incl. tax',
                  size: 'small',
                  subtle: true,
                },
              ],
              {
                spacing: 'none',
              },
            ),
          ],
        },
      ]),
      ...(inv.link === '' ? [] : [actionSet([openUrl('Open in BC', inv.link)])]),
    ],
    { separator: true, spacing: 'small' },
  );
}

function renderEntries(page: readonly Entry[]): CardElement[] {
  const out: CardElement[] = [];
  let lastHeading: string | null = null;
  for (const entry of page) {
    const company = entry.company;
    const sectionKey = `${company.clientId}/${company.companyId}/${entry.kind}`;
    const companyKey = `${company.clientId}/${company.companyId}`;
    if (lastHeading === null || !lastHeading.startsWith(companyKey + '/')) {
      out.push(
        dataText(
          [
            {
              text: placeName(company.clientName, company.companyName),
              weight: 'bolder',
              color: 'accent',
            },
          ],
          {
            spacing: 'large',
          },
        ),
      );
    }
    if (sectionKey !== lastHeading) {
      if (entry.kind === 'error') {
        out.push(
          container(
            [
              dataText([
                {
                  text: `Could not read the invoices: ${entry.company.error?.message ?? 'unknown error'}`,
                },
              ]),
            ],
            { style: 'warning' },
          ),
        );
      } else {
        out.push(
          text(
            entry.kind === 'sales'
              ? 'Overdue sales invoices (customers owe)'
              : 'Overdue purchase invoices (owed to vendors)',
            {
              weight: 'bolder',
              size: 'small',
              spacing: 'small',
            },
          ),
        );
      }
      lastHeading = sectionKey;
    }
    if (entry.kind !== 'error') out.push(invoiceItem(entry));
  }
  return out;
}

function summaryLine(companies: readonly CompanyInvoices[]): string {
  const sales = companies.flatMap((c) => c.sales);
  const purchase = companies.flatMap((c) => c.purchase);
  const parts: string[] = [];
  parts.push(
    sales.length === 0
      ? 'No overdue sales invoices'
      : `${plural(sales.length, 'overdue sales invoice')} (${totalsText(sales.map((i) => i.amount))})`,
  );
  parts.push(
    purchase.length === 0
      ? 'no overdue purchase invoices'
      : `${plural(purchase.length, 'overdue purchase invoice')} (${totalsText(purchase.map((i) => i.amount))})`,
  );
  return `${parts.join(', ')}.`;
}

export function overdueInvoicesCard(input: InvoicesCardInput): AdaptiveCard {
  const entries = entriesOf(input.companies);
  const offset = clampOffset(input.offset, entries.length);
  const view: CardView = { card: 'overdue-invoices', clientId: input.client?.id ?? null, offset };
  const head = [
    ...titleBlock('Overdue invoices', input.owner),
    ...(input.client === null
      ? []
      : [dataText([{ text: `Client: ${input.client.name}`, subtle: true }], { spacing: 'none' })]),
    ...noticeBlock(input.notice),
  ];
  const refreshClientId = input.client?.id ?? null;
  if (entries.length === 0) {
    const none =
      input.companies.length === 0
        ? 'There are no companies to look at yet.'
        : 'Nothing is overdue.';
    return card([...head, text(none)], pagingActions(input.owner, view, 0, 0, { refreshClientId }));
  }
  const { card: built } = fitPage(entries.slice(offset), INVOICES_PER_PAGE, (page) =>
    card(
      [
        ...head,
        text(summaryLine(input.companies), { spacing: 'small' }),
        ...renderEntries(page),
        ...rangeLine(offset, page.length, entries.length),
      ],
      pagingActions(input.owner, view, entries.length, page.length, { refreshClientId }),
    ),
  );
  return built;
}
