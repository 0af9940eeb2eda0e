/**
 * "summary": each client company's key dashboard numbers, and first of all what needs the
 * accountant's attention (failed refreshes, overdue tasks, late payables and receivables, taxes
 * falling due).
 */
import { daysBetween, toIsoDate } from '../../src/domain/dates.js';
import type { DashboardRow } from '../../src/hub/api-types.js';
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
  card,
  container,
  dataText,
  facts,
  fitPage,
  formatAge,
  formatDay,
  formatAmount,
  plural,
  text,
  type AdaptiveCard,
  type CardElement,
} from './elements.js';
import { compareByClientThenCompany } from '../../src/domain/names.js';

export interface SummaryCardInput {
  readonly rows: readonly DashboardRow[];
  readonly owner: CardOwner;
  readonly offset: number;
  readonly now: Date;
  readonly notice?: CardNotice;
}

export const COMPANIES_PER_PAGE = 6;
/** Taxes due within this many days count as needing attention. */
const TAX_ATTENTION_DAYS = 14;

export interface AttentionItem {
  /** Lower is more urgent. */
  readonly rank: number;
  readonly place: string;
  readonly what: string;
}

/**
 * What needs attention first, most urgent first: refreshes that failed (the numbers cannot be
 * trusted), overdue tasks, taxes due soon, money owed to vendors past due, then money customers owe.
 */
export function attentionItems(rows: readonly DashboardRow[], now: Date): AttentionItem[] {
  const today = toIsoDate(now);
  const items: AttentionItem[] = [];
  for (const row of rows) {
    const place = placeName(row.clientName, row.companyName);
    if (row.status === 'failed' || (row.status === 'stale' && row.errorReason !== null)) {
      items.push({ rank: 0, place, what: row.statusReason ?? 'The last refresh failed.' });
    }
    if ((row.overdueTasks ?? 0) > 0) {
      items.push({ rank: 1, place, what: `${plural(row.overdueTasks ?? 0, 'overdue task')}` });
    }
    if (row.taxesDue !== null && row.taxesDue.amount.minor > 0) {
      const days = daysBetween(today, row.taxesDue.dueDate);
      if (days <= TAX_ATTENTION_DAYS) {
        const when =
          days < 0
            ? `was due ${formatDay(row.taxesDue.dueDate)}`
            : `due ${formatDay(row.taxesDue.dueDate)}`;
        items.push({
          rank: 2,
          place,
          what: `Taxes of about ${formatAmount(row.taxesDue.amount)} ${when} (estimate)`,
        });
      }
    }
    if (row.overduePurchaseInvoiceAmount !== null && row.overduePurchaseInvoiceAmount.minor > 0) {
      items.push({
        rank: 3,
        place,
        what: `${formatAmount(row.overduePurchaseInvoiceAmount)} owed to vendors is overdue`,
      });
    }
    if (row.overdueSalesInvoiceAmount !== null && row.overdueSalesInvoiceAmount.minor > 0) {
      items.push({
        rank: 4,
        place,
        what: `${formatAmount(row.overdueSalesInvoiceAmount)} from customers is overdue`,
      });
    }
  }
  return items.sort((a, b) => a.rank - b.rank || a.place.localeCompare(b.place));
}

function money(m: DashboardRow['cashAccountsBalance']): string {
  return m === null ? '—' : formatAmount(m);
}

function count(n: number | null): string {
  return n === null ? '—' : String(n);
}

function statusText(row: DashboardRow, now: Date): string {
  switch (row.status) {
    case 'fresh':
      return `Up to date (refreshed ${formatAge(row.refreshedAt, now)})`;
    case 'stale':
      return `Stale (refreshed ${formatAge(row.refreshedAt, now)})`;
    case 'failed':
      return 'Refresh failed';
    case 'never':
      return 'Not refreshed yet';
  }
}

function companyBlock(row: DashboardRow, now: Date): CardElement {
  const numbers: [string, string][] = [
    ['Status', statusText(row, now)],
    ['Overdue sales', money(row.overdueSalesInvoiceAmount)],
    ['Overdue purchases', money(row.overduePurchaseInvoiceAmount)],
    ['Cash', money(row.cashAccountsBalance)],
    ['Open sales documents', count(row.openSalesDocuments)],
    ['Purchase invoices due next week', count(row.purchaseInvoicesDueNextWeek)],
    [
      'My tasks (overdue)',
      row.tasksAssignedToMe === null ? '—' : `${row.tasksAssignedToMe} (${row.overdueTasks ?? 0})`,
    ],
  ];
  if (row.taxesDue !== null) {
    numbers.push([
      'Taxes due (estimate)',
      `${formatAmount(row.taxesDue.amount)} by ${formatDay(row.taxesDue.dueDate)}`,
    ]);
  }
  return container(
    [
      dataText([
        { text: placeName(row.clientName, row.companyName), weight: 'bolder', color: 'accent' },
      ]),
      ...(row.statusReason !== null && row.status !== 'fresh'
        ? [
            dataText([{ text: row.statusReason, size: 'small', color: 'warning' }], {
              spacing: 'none',
            }),
          ]
        : []),
      facts(numbers),
    ],
    { separator: true, spacing: 'medium' },
  );
}

const ATTENTION_SHOWN = 5;

function attentionBlock(items: readonly AttentionItem[]): CardElement[] {
  if (items.length === 0) {
    return [container([text('Nothing needs your attention right now.')], { style: 'good' })];
  }
  const shown = items.slice(0, ATTENTION_SHOWN);
  return [
    container(
      [
        text('Needs attention first', { weight: 'bolder' }),
        ...shown.map((item) =>
          dataText([{ text: `${item.place}: `, weight: 'bolder' }, item.what], {
            spacing: 'small',
          }),
        ),
        ...(items.length > shown.length
          ? [text(`…and ${items.length - shown.length} more.`, { size: 'small', subtle: true })]
          : []),
      ],
      { style: 'emphasis' },
    ),
  ];
}

export function summaryCard(input: SummaryCardInput): AdaptiveCard {
  const rows = [...input.rows].sort(compareByClientThenCompany);
  const offset = clampOffset(input.offset, rows.length);
  const view: CardView = { card: 'summary', offset };
  const clients = new Set(rows.map((r) => r.clientId)).size;
  const head = [
    ...titleBlock(
      'Summary',
      input.owner,
      `${plural(clients, 'client')}, ${plural(rows.length, 'company', 'companies')}`,
    ),
    ...noticeBlock(input.notice),
  ];
  if (rows.length === 0) {
    return card(
      [
        ...head,
        text('You have no clients yet. Add one in the Accountant Hub tab: Manage Clients → New.'),
      ],
      pagingActions(input.owner, view, 0, 0),
    );
  }
  // The attention list covers every company (not just this page's), so it leads the first page.
  const attention = offset === 0 ? attentionBlock(attentionItems(rows, input.now)) : [];
  const { card: built } = fitPage(rows.slice(offset), COMPANIES_PER_PAGE, (page) =>
    card(
      [
        ...head,
        ...attention,
        ...page.map((r) => companyBlock(r, input.now)),
        ...rangeLine(offset, page.length, rows.length),
      ],
      pagingActions(input.owner, view, rows.length, page.length),
    ),
  );
  return built;
}
