import { describe, expect, test } from '@jest/globals';
import { parseCardAction } from '../../bot/cards/actions.js';
import { clientsCard } from '../../bot/cards/clients-card.js';
import { dailySummaryCard, type DailySummaryContent } from '../../bot/cards/daily-summary-card.js';
import type { AdaptiveCard } from '../../bot/cards/elements.js';
import {
  clientChoiceCard,
  dailySummarySettingsCard,
  errorCard,
  helpCard,
  welcomeCard,
} from '../../bot/cards/help-cards.js';
import { overdueInvoicesCard, type CompanyInvoices } from '../../bot/cards/invoices-card.js';
import { attentionItems, summaryCard } from '../../bot/cards/summary-card.js';
import { myTasksCard, overdueTasksCard } from '../../bot/cards/tasks-card.js';
import { manifestCommands } from '../../bot/manifest-commands.js';
import { clientDto, dashboardRow, invoiceRow, owner, sharedOwner, taskRow } from './builders.js';
import { cardActions, cardProblems, cardText, walk, TEAMS_SAFE_MESSAGE_BYTES } from './harness.js';

const now = new Date('2026-03-10T07:00:00Z');

function expectValid(card: AdaptiveCard): void {
  expect(cardProblems(card)).toEqual([]);
}

function showMore(card: AdaptiveCard) {
  return cardActions(card).find((a) => a.title.startsWith('Show more'));
}

function bytes(card: AdaptiveCard): number {
  return new TextEncoder().encode(JSON.stringify(card)).length;
}

const hostile = '**Bold** [click me](https://evil.example) _x_ <at>Someone</at> # heading';

describe('task cards', () => {
  test('overdue tasks are grouped by client with due date, days overdue, priority and both buttons', () => {
    const tasks = [
      taskRow(1, { priority: 'high' }),
      taskRow(2, { daysOverdue: 1, clientName: 'Client 2' }),
      taskRow(4, { percentComplete: 50 }),
    ];
    const card = overdueTasksCard({ tasks, owner, offset: 0 });
    expectValid(card);
    const text = cardText(card);
    expect(text).toContain('Overdue tasks');
    expect(text).toContain('3 tasks overdue across 2 clients.');
    expect(text).toContain('Client 1 — Company 1');
    expect(text).toContain('Due 1 Mar 2026 · 9 days overdue · High priority');
    expect(text).toContain('1 day overdue');
    expect(text).toContain('50% done');
    const actions = cardActions(card);
    expect(actions.filter((a) => a.title === 'Open in BC').map((a) => a.url)).toHaveLength(3);
    const complete = actions.filter((a) => a.title === 'Mark complete');
    expect(complete).toHaveLength(3);
    expect(parseCardAction(complete[0]?.verb, complete[0]?.data)).toMatchObject({
      verb: 'complete-task',
      owner: owner.accountantId,
      view: { card: 'overdue-tasks', offset: 0 },
    });
  });

  test('a long list pages under the size limit and "Show more" continues where the page ended', () => {
    const tasks = Array.from({ length: 95 }, (_, i) =>
      taskRow(i + 1, { title: `T${i + 1} ${'x'.repeat(250)}` }),
    );
    const seen = new Set<string>();
    let offset = 0;
    let pages = 0;
    for (;;) {
      const card = overdueTasksCard({ tasks, owner, offset });
      expectValid(card);
      expect(bytes(card)).toBeLessThanOrEqual(TEAMS_SAFE_MESSAGE_BYTES);
      walk(card, (node) => {
        if (
          node['type'] === 'TextRun' &&
          typeof node['text'] === 'string' &&
          /^T\d+ /.test(node['text'])
        ) {
          seen.add(node['text'].split(' ')[0] ?? '');
        }
      });
      pages++;
      const more = showMore(card);
      if (more === undefined) {
        if (offset > 0)
          expect(cardActions(card).some((a) => a.title === 'Back to start')).toBe(true);
        break;
      }
      const action = parseCardAction(more.verb, more.data);
      if (action === null || action.verb !== 'show')
        throw new Error('show more is not a show action');
      expect(action.view.offset).toBeGreaterThan(offset);
      offset = action.view.offset;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBe(95);
  });

  test('an offset past the end (the last task was completed) goes back to the start', () => {
    const card = overdueTasksCard({ tasks: [taskRow(1)], owner, offset: 40 });
    expect(cardText(card)).toContain('Task number 1');
  });

  test('an empty list says so, and still offers Refresh', () => {
    const card = overdueTasksCard({ tasks: [], owner, offset: 0 });
    expectValid(card);
    expect(cardText(card)).toContain('Nothing is overdue');
    expect(cardActions(card).map((a) => a.title)).toEqual(['Refresh']);
  });

  test('my tasks names the window and counts the overdue ones', () => {
    const card = myTasksCard({
      tasks: [
        taskRow(1),
        taskRow(2, { isOverdue: false, daysOverdue: 0, dueAt: '2026-03-12T09:00:00Z' }),
      ],
      owner,
      offset: 0,
      range: 'this-week',
    });
    expectValid(card);
    expect(cardText(card)).toContain('My tasks due this week');
    expect(cardText(card)).toContain('2 open tasks, 1 of them overdue.');
  });

  test('text from Business Central is never read as Markdown', () => {
    const card = overdueTasksCard({
      tasks: [taskRow(1, { title: hostile, clientName: hostile })],
      owner,
      offset: 0,
    });
    expectValid(card);
    walk(card, (node) => {
      if (node['type'] === 'TextBlock') expect(String(node['text'])).not.toContain('evil.example');
    });
    const runs: string[] = [];
    walk(card, (node) => {
      if (node['type'] === 'TextRun') runs.push(String(node['text']));
    });
    expect(runs).toContain(hostile);
  });

  test('in a shared chat the card says whose clients it shows', () => {
    const card = overdueTasksCard({ tasks: [taskRow(1)], owner: sharedOwner, offset: 0 });
    expectValid(card);
    expect(cardText(card)).toContain('Overdue tasks for Alice Accountant');
    expect(cardText(card)).toContain("Only Alice Accountant's clients are shown.");
  });
});

describe('overdue invoices card', () => {
  const company = (n: number, overrides: Partial<CompanyInvoices> = {}): CompanyInvoices => ({
    clientId: `client-${n}`,
    clientName: `Client ${n}`,
    companyId: `company-${n}`,
    companyName: `Company ${n}`,
    sales: [invoiceRow(1), invoiceRow(2, { amount: { minor: 10_000, currency: 'USD' } })],
    purchase: [
      invoiceRow(3, {
        partnerName: 'Vendor 3',
        amountKind: 'total',
        amount: { minor: 5_000, currency: 'EUR' },
      }),
    ],
    error: null,
    ...overrides,
  });

  test('lists sales and purchase invoices with partner, amount in its currency, days overdue and a link', () => {
    const card = overdueInvoicesCard({ companies: [company(1)], owner, offset: 0, client: null });
    expectValid(card);
    const text = cardText(card);
    expect(text).toContain('2 overdue sales invoices (€1,234.57 + $100.00)');
    expect(text).toContain('1 overdue purchase invoice (€50.00)');
    expect(text).toContain('Customer 1');
    expect(text).toContain('Vendor 3');
    expect(text).toContain('total incl. tax');
    expect(text).toContain('37 days overdue');
    expect(cardActions(card).filter((a) => a.title === 'Open in BC')).toHaveLength(3);
  });

  test('a company whose invoices could not be read says so instead of showing none', () => {
    const card = overdueInvoicesCard({
      companies: [
        company(1, {
          sales: [],
          purchase: [],
          error: { reason: 'bc-access-denied', message: 'Access denied.' },
        }),
      ],
      owner,
      offset: 0,
      client: { id: 'client-1', name: 'Client 1' },
    });
    expectValid(card);
    expect(cardText(card)).toContain('Could not read the invoices: Access denied.');
    expect(cardText(card)).toContain('Client: Client 1');
  });

  test('hundreds of invoices page under the size limit', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      invoiceRow(i, { partnerName: `Customer ${'y'.repeat(200)} ${i}` }),
    );
    const card = overdueInvoicesCard({
      companies: [company(1, { sales: many })],
      owner,
      offset: 0,
      client: null,
    });
    expectValid(card);
    expect(bytes(card)).toBeLessThanOrEqual(TEAMS_SAFE_MESSAGE_BYTES);
    expect(showMore(card)?.title).toMatch(/^Show more \(\d+ left\)$/);
  });
});

describe('summary card', () => {
  test('puts what needs attention first: failed refreshes, then overdue tasks, taxes, payables, receivables', () => {
    const rows = [
      dashboardRow(1),
      dashboardRow(2, {
        status: 'failed',
        statusReason: 'Refresh failed: Business Central refused access.',
        errorReason: 'bc-access-denied',
        overdueTasks: 0,
        overdueSalesInvoiceAmount: null,
        overduePurchaseInvoiceAmount: null,
        taxesDue: null,
      }),
    ];
    const items = attentionItems(rows, now);
    expect(items[0]).toMatchObject({ rank: 0, place: 'Client 2 — Company 2' });
    expect(items.map((i) => i.rank)).toEqual([0, 1, 2, 3, 4]);
    const card = summaryCard({ rows, owner, offset: 0, now });
    expectValid(card);
    const text = cardText(card);
    expect(text.indexOf('Needs attention first')).toBeLessThan(text.indexOf('Overdue sales'));
    expect(text).toContain(
      'Client 2 — Company 2: Refresh failed: Business Central refused access.',
    );
    expect(text).toContain('Taxes of about $500.00 due 20 Mar 2026 (estimate)');
    expect(text).toContain('Cash: $9,000.00');
    expect(text).toContain('My tasks (overdue): 3 (1)');
  });

  test('says when nothing needs attention, and when there are no clients', () => {
    const calm = dashboardRow(1, {
      overdueTasks: 0,
      overdueSalesInvoiceAmount: { minor: 0, currency: 'USD' },
      overduePurchaseInvoiceAmount: { minor: 0, currency: 'USD' },
      taxesDue: null,
    });
    expect(cardText(summaryCard({ rows: [calm], owner, offset: 0, now }))).toContain(
      'Nothing needs your attention',
    );
    const empty = summaryCard({ rows: [], owner, offset: 0, now });
    expectValid(empty);
    expect(cardText(empty)).toContain('You have no clients yet');
  });

  test('a thousand companies page under the size limit', () => {
    const rows = Array.from({ length: 1000 }, (_, i) =>
      dashboardRow(i, { clientName: `Client ${'z'.repeat(150)} ${i}` }),
    );
    const card = summaryCard({ rows, owner, offset: 0, now });
    expectValid(card);
    expect(bytes(card)).toBeLessThanOrEqual(TEAMS_SAFE_MESSAGE_BYTES);
    expect(showMore(card)).toBeDefined();
  });
});

describe('clients card', () => {
  test('shows each company’s status, last refresh and the reason of a failure, with refresh buttons', () => {
    const clients = [clientDto(1), clientDto(2, { isSample: true })];
    const rows = [
      dashboardRow(1),
      dashboardRow(2, {
        status: 'stale',
        statusReason: 'The last refresh failed: timeout.',
        errorReason: 'bc-timeout',
      }),
    ];
    const card = clientsCard({ clients, rows, owner, offset: 0, now });
    expectValid(card);
    const text = cardText(card);
    expect(text).toContain('2 clients, 2 companies, 1 with refresh problems');
    expect(text).toContain('OK Company 1 · refreshed 30 min ago');
    expect(text).toContain('Stale Company 2');
    expect(text).toContain('The last refresh failed: timeout.');
    expect(text).toContain('(sample)');
    const refresh = cardActions(card).filter((a) => a.title === 'Refresh');
    expect(refresh.map((a) => parseCardAction(a.verb, a.data))).toEqual([
      expect.objectContaining({ verb: 'refresh', clientId: 'client-1' }),
      expect.objectContaining({ verb: 'refresh', clientId: 'client-2' }),
    ]);
    expect(cardActions(card).some((a) => a.title === 'Refresh all')).toBe(true);
  });

  test('reports a refresh that just ran, with its failures', () => {
    const card = clientsCard({
      clients: [clientDto(1)],
      rows: [dashboardRow(1)],
      owner,
      offset: 0,
      now,
      refresh: {
        jobId: 'job' as never,
        total: 3,
        done: 3,
        succeeded: 2,
        failed: 1,
        failures: [
          {
            clientId: 'client-1' as never,
            clientName: 'Client 1',
            companyId: 'company-9' as never,
            companyName: 'Company 9',
            reason: 'bc-unavailable',
            message: 'Business Central is temporarily unavailable.',
          },
        ],
        finished: true,
        startedAt: now.toISOString(),
        finishedAt: now.toISOString(),
      },
    });
    expectValid(card);
    expect(cardText(card)).toContain('Refreshed 2 companies, 1 failed.');
    expect(cardText(card)).toContain(
      'Client 1 — Company 9: Business Central is temporarily unavailable.',
    );
  });
});

describe('help, welcome and error cards', () => {
  test('help lists every manifest command', () => {
    const card = helpCard({ kind: 'full' });
    expectValid(card);
    for (const c of manifestCommands) expect(cardText(card)).toContain(c.title);
  });

  test('an unknown message gets the closest commands as buttons that send them', () => {
    const card = helpCard({
      kind: 'unknown',
      typed: 'ovrdue stuff',
      suggestions: ['show overdue tasks', 'show overdue invoices'],
    });
    expectValid(card);
    const submits = cardActions(card).filter((a) => a.type === 'Action.Submit');
    expect(submits.map((a) => (a.data as { msteams: { value: string } }).msteams.value)).toEqual([
      'show overdue tasks',
      'show overdue invoices',
      'help',
    ]);
  });

  test('an invalid argument gets the problem and the usage', () => {
    const card = helpCard({
      kind: 'invalid',
      problem: 'Not a time.',
      usage: 'daily summary at 8:00',
    });
    expectValid(card);
    expect(cardText(card)).toContain('Not a time.');
    expect(cardText(card)).toContain('Usage: daily summary at 8:00');
  });

  test('the welcome explains what the bot does and how to add clients in the tab', () => {
    const card = welcomeCard({ displayName: 'Alice Accountant', hasSampleClient: true });
    expectValid(card);
    const text = cardText(card);
    expect(text).toContain('Welcome to Accountant Hub, Alice');
    expect(text).toContain('Manage Clients → New');
    expect(text).toContain('Test Client URL');
    expect(text).toContain('sample client');
  });

  test('an error card says what happened and what to do, with retry and back buttons', () => {
    const card = errorCard({
      doing: 'Marking the task complete',
      reason: 'bc-access-denied',
      message: 'Business Central answered 403.',
      retry: {
        title: 'Try again',
        data: { verb: 'show', owner: 'a', view: { card: 'summary', offset: 0 } },
      },
      back: {
        title: 'Back',
        data: { verb: 'show', owner: 'a', view: { card: 'summary', offset: 0 } },
      },
    });
    expectValid(card);
    const text = cardText(card);
    expect(text).toContain('Marking the task complete did not work');
    expect(text).toContain('What happened: Business Central answered 403.');
    expect(text).toContain('What to do: Business Central refused access.');
    expect(cardActions(card).map((a) => a.title)).toEqual(['Try again', 'Back']);
  });

  test('the client choice and daily summary settings cards are valid', () => {
    expectValid(
      clientChoiceCard({
        typed: 'adv',
        command: 'refresh',
        candidates: [{ name: 'A' }, { name: 'B' }],
        noMatch: false,
      }),
    );
    const settings = dailySummarySettingsCard({
      enabled: true,
      time: '08:00',
      timeZone: 'Europe/Berlin',
      next: 'today at 08:00',
      notice: 'On.',
    });
    expectValid(settings);
    expect(cardText(settings)).toContain('Next: today at 08:00');
  });
});

describe('daily summary card', () => {
  const content = (overrides: Partial<DailySummaryContent> = {}): DailySummaryContent => ({
    accountantId: 'tenant:alice',
    displayName: 'Alice Accountant',
    day: '2026-03-10',
    timeZone: 'Europe/Berlin',
    overdueTasks: [taskRow(1), taskRow(2)],
    dueThisWeek: [taskRow(3, { isOverdue: false, daysOverdue: 0, dueAt: '2026-03-12T09:00:00Z' })],
    overdueInvoices: [
      {
        place: 'Client 1 — Company 1',
        sales: { minor: 100_00, currency: 'USD' },
        purchase: { minor: 0, currency: 'USD' },
      },
    ],
    purchaseInvoicesDueNextWeek: 2,
    changes: {
      since: '2026-03-09',
      newlyOverdue: [{ place: 'Client 1 — Company 1', title: 'Task number 2' }],
      cleared: [{ place: 'Client 0 — Company 0', title: 'Old task' }],
      invoiceChanges: [
        { place: 'Client 1 — Company 1', what: 'Overdue from customers up from $50.00 to $100.00' },
      ],
    },
    failures: [{ place: 'Client 2 — Company 2', message: 'Refresh failed: timeout.' }],
    ...overrides,
  });

  test('has overdue now, due this week, what changed and failed clients', () => {
    const card = dailySummaryCard(content());
    expectValid(card);
    const text = cardText(card);
    expect(text).toContain('Daily summary for Alice Accountant');
    expect(text).toContain('10 Mar 2026 · Europe/Berlin');
    expect(text).toContain('2 tasks overdue:');
    expect(text).toContain('Overdue invoices: customers owe $100.00; owed to vendors nothing.');
    expect(text).toContain('1 task due:');
    expect(text).toContain('2 purchase invoices to pay in the next 7 days.');
    expect(text).toContain('What changed since 9 Mar 2026');
    expect(text).toContain('Newly overdue (1):');
    expect(text).toContain('Cleared (1):');
    expect(text).toContain('Overdue from customers up from $50.00 to $100.00');
    expect(text).toContain('1 company failed to refresh');
    expect(text).toContain('Refresh failed: timeout.');
    expect(cardActions(card).map((a) => a.title)).toEqual([
      'Show overdue tasks',
      'Summary',
      'Clients',
    ]);
  });

  test('the first summary says there is nothing to compare with yet', () => {
    const text = cardText(dailySummaryCard(content({ changes: null, failures: [] })));
    expect(text).toContain('This is your first daily summary');
    expect(text).not.toContain('failed to refresh');
  });

  test('stays under the size limit with huge lists and long names', () => {
    const long = (i: number) => taskRow(i, { title: 'w'.repeat(290), clientName: 'c'.repeat(290) });
    const card = dailySummaryCard(
      content({
        overdueTasks: Array.from({ length: 400 }, (_, i) => long(i)),
        dueThisWeek: Array.from({ length: 400 }, (_, i) => long(i)),
        changes: {
          since: '2026-03-09',
          newlyOverdue: Array.from({ length: 400 }, (_, i) => ({
            place: 'p'.repeat(290),
            title: `t${i}`,
          })),
          cleared: Array.from({ length: 400 }, (_, i) => ({
            place: 'p'.repeat(290),
            title: `t${i}`,
          })),
          invoiceChanges: Array.from({ length: 400 }, () => ({
            place: 'p'.repeat(290),
            what: 'q'.repeat(290),
          })),
        },
        failures: Array.from({ length: 400 }, () => ({
          place: 'p'.repeat(290),
          message: 'm'.repeat(290),
        })),
      }),
    );
    expectValid(card);
    expect(bytes(card)).toBeLessThanOrEqual(TEAMS_SAFE_MESSAGE_BYTES);
    expect(cardText(card)).toContain('…and');
  });
});

test('no card reuses an element id', () => {
  const cards = [
    overdueTasksCard({ tasks: [taskRow(1), taskRow(2)], owner, offset: 0 }),
    summaryCard({ rows: [dashboardRow(1), dashboardRow(2)], owner, offset: 0, now }),
    helpCard({ kind: 'full' }),
  ];
  for (const card of cards) {
    const ids: string[] = [];
    walk(card, (node) => {
      if (typeof node['id'] === 'string') ids.push(node['id']);
    });
    expect(new Set(ids).size).toBe(ids.length);
  }
});
