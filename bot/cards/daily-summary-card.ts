/**
 * The proactive daily summary: what is overdue now, what falls due this week, what changed since
 * the last summary, and which clients failed to refresh and why. One card a day, so it stays
 * short: each list shows its first few entries and buttons open the full cards.
 */
import type { Money } from '../../src/domain/money.js';
import type { TaskRow } from '../../src/hub/api-types.js';
import { placeName } from './common.js';
import {
  card,
  container,
  dataText,
  execute,
  cardBytes,
  CARD_BYTE_BUDGET,
  formatDay,
  plural,
  text,
  type AdaptiveCard,
  type CardAction,
  type CardElement,
} from './elements.js';
import { totalsText } from './invoices-card.js';

export interface PlacedTask {
  readonly place: string;
  readonly title: string;
}

export interface CompanyMoneyLine {
  readonly place: string;
  readonly sales: Money | null;
  readonly purchase: Money | null;
}

/** What changed since the last summary sent (on `since`, the accountant's local day). */
export interface SummaryChanges {
  readonly since: string;
  readonly newlyOverdue: readonly PlacedTask[];
  readonly cleared: readonly PlacedTask[];
  readonly invoiceChanges: readonly { readonly place: string; readonly what: string }[];
}

export interface DailySummaryContent {
  readonly accountantId: string;
  readonly displayName: string;
  /** The accountant's local day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly timeZone: string;
  readonly overdueTasks: readonly TaskRow[];
  /** Open tasks due later this week (not overdue). */
  readonly dueThisWeek: readonly TaskRow[];
  readonly overdueInvoices: readonly CompanyMoneyLine[];
  readonly purchaseInvoicesDueNextWeek: number;
  /** null on the first summary: there is nothing to compare with. */
  readonly changes: SummaryChanges | null;
  readonly failures: readonly { readonly place: string; readonly message: string }[];
}

/** Entries per list; the buttons open the full, paged cards. */
const LIST_MAX = 5;

function taskLines(
  tasks: readonly TaskRow[],
  max: number,
  describe: (t: TaskRow) => string,
): CardElement[] {
  return [
    ...tasks
      .slice(0, max)
      .map((t) =>
        dataText(
          [
            { text: `${placeName(t.clientName, t.companyName)}: `, weight: 'bolder' },
            t.title,
            { text: `  ${describe(t)}`, subtle: true, size: 'small' },
          ],
          { spacing: 'small' },
        ),
      ),
    ...more(tasks.length, max),
  ];
}

function placedLines(items: readonly PlacedTask[], max: number): CardElement[] {
  return [
    ...items
      .slice(0, max)
      .map((i) =>
        dataText([{ text: `${i.place}: `, weight: 'bolder' }, i.title], { spacing: 'small' }),
      ),
    ...more(items.length, max),
  ];
}

function more(total: number, shown: number): CardElement[] {
  return total > shown
    ? [text(`…and ${total - shown} more.`, { size: 'small', subtle: true })]
    : [];
}

function section(
  title: string,
  items: readonly CardElement[],
  style?: 'warning' | 'good' | 'emphasis',
): CardElement {
  return container([text(title, { weight: 'bolder' }), ...items], {
    separator: true,
    spacing: 'medium',
    ...(style ? { style } : {}),
  });
}

function render(c: DailySummaryContent, max: number): AdaptiveCard {
  const body: CardElement[] = [
    dataText([{ text: `Daily summary for ${c.displayName}`, size: 'medium', weight: 'bolder' }]),
    text(`${formatDay(c.day)} · ${c.timeZone}`, { subtle: true, size: 'small', spacing: 'none' }),
  ];

  const overdueMoney = c.overdueInvoices.filter(
    (l) => (l.sales?.minor ?? 0) > 0 || (l.purchase?.minor ?? 0) > 0,
  );
  const salesTotal = totalsText(
    overdueMoney.flatMap((l) => (l.sales && l.sales.minor > 0 ? [l.sales] : [])),
  );
  const purchaseTotal = totalsText(
    overdueMoney.flatMap((l) => (l.purchase && l.purchase.minor > 0 ? [l.purchase] : [])),
  );
  const overdueItems: CardElement[] = [
    text(
      c.overdueTasks.length === 0
        ? 'No overdue tasks.'
        : `${plural(c.overdueTasks.length, 'task')} overdue:`,
      { spacing: 'small' },
    ),
    ...taskLines(c.overdueTasks, max, (t) =>
      t.daysOverdue === 0 ? 'due today' : `${plural(t.daysOverdue, 'day')} late`,
    ),
    text(
      overdueMoney.length === 0
        ? 'No overdue invoices.'
        : `Overdue invoices: customers owe ${salesTotal === '' ? 'nothing' : salesTotal}; owed to vendors ${purchaseTotal === '' ? 'nothing' : purchaseTotal}.`,
      { spacing: 'small' },
    ),
  ];
  body.push(section('Overdue now', overdueItems));

  body.push(
    section('Due this week', [
      text(
        c.dueThisWeek.length === 0
          ? 'No other tasks due this week.'
          : `${plural(c.dueThisWeek.length, 'task')} due:`,
        { spacing: 'small' },
      ),
      ...taskLines(c.dueThisWeek, max, (t) =>
        t.dueAt === null ? '' : `due ${formatDay(t.dueAt)}`,
      ),
      ...(c.purchaseInvoicesDueNextWeek > 0
        ? [
            text(
              `${plural(c.purchaseInvoicesDueNextWeek, 'purchase invoice')} to pay in the next 7 days.`,
              { spacing: 'small' },
            ),
          ]
        : []),
    ]),
  );

  if (c.changes === null) {
    body.push(
      section('What changed', [
        text('This is your first daily summary: tomorrow’s will show what changed since today.', {
          subtle: true,
        }),
      ]),
    );
  } else {
    const ch = c.changes;
    const nothing =
      ch.newlyOverdue.length === 0 && ch.cleared.length === 0 && ch.invoiceChanges.length === 0;
    body.push(
      section(`What changed since ${formatDay(ch.since)}`, [
        ...(nothing ? [text('Nothing changed.', { subtle: true })] : []),
        ...(ch.newlyOverdue.length > 0
          ? [
              text(`Newly overdue (${ch.newlyOverdue.length}):`, {
                color: 'attention',
                spacing: 'small',
              }),
              ...placedLines(ch.newlyOverdue, max),
            ]
          : []),
        ...(ch.cleared.length > 0
          ? [
              text(`Cleared (${ch.cleared.length}):`, { color: 'good', spacing: 'small' }),
              ...placedLines(ch.cleared, max),
            ]
          : []),
        ...ch.invoiceChanges
          .slice(0, max)
          .map((i) =>
            dataText([{ text: `${i.place}: `, weight: 'bolder' }, i.what], { spacing: 'small' }),
          ),
        ...more(ch.invoiceChanges.length, max),
      ]),
    );
  }

  if (c.failures.length > 0) {
    body.push(
      section(
        `${plural(c.failures.length, 'company', 'companies')} failed to refresh`,
        [
          ...c.failures.slice(0, max).map((f) =>
            dataText([{ text: `${f.place}: `, weight: 'bolder' }, f.message], {
              spacing: 'small',
            }),
          ),
          ...more(c.failures.length, max),
        ],
        'warning',
      ),
    );
  }

  const actions: CardAction[] = [
    execute('Show overdue tasks', {
      verb: 'show',
      owner: c.accountantId,
      view: { card: 'overdue-tasks', offset: 0 },
    }),
    execute('Summary', {
      verb: 'show',
      owner: c.accountantId,
      view: { card: 'summary', offset: 0 },
    }),
  ];
  if (c.failures.length > 0) {
    actions.push(
      execute('Clients', {
        verb: 'show',
        owner: c.accountantId,
        view: { card: 'clients', offset: 0 },
      }),
    );
  }
  return card(body, actions);
}

export function dailySummaryCard(content: DailySummaryContent): AdaptiveCard {
  // Lists shrink together when names are long, so the card always fits one message.
  let built = render(content, LIST_MAX);
  for (const max of [3, 1, 0]) {
    if (cardBytes(built) <= CARD_BYTE_BUDGET) break;
    built = render(content, max);
  }
  return built;
}
