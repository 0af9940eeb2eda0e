/**
 * "clients": the accountant's clients and their companies, each with its connection status, when
 * it was last refreshed and, when a refresh failed, why. Refresh buttons per client and for all.
 */
import type { ClientDto, DashboardRow, RefreshProgress } from '../../src/hub/api-types.js';
import type { CardView } from './actions.js';
import {
  clampOffset,
  noticeBlock,
  rangeLine,
  titleBlock,
  type CardNotice,
  type CardOwner,
} from './common.js';
import {
  actionSet,
  card,
  container,
  dataText,
  execute,
  fitPage,
  formatAge,
  plural,
  text,
  type AdaptiveCard,
  type CardAction,
  type CardElement,
} from './elements.js';
import { compareNames } from '../../src/domain/names.js';

export interface ClientsCardInput {
  readonly clients: readonly ClientDto[];
  readonly rows: readonly DashboardRow[];
  readonly owner: CardOwner;
  readonly offset: number;
  readonly now: Date;
  /** The refresh that just ran, to report how it went. */
  readonly refresh?: RefreshProgress;
  readonly notice?: CardNotice;
}

export const CLIENTS_PER_PAGE = 8;

const statusWord: Record<DashboardRow['status'], string> = {
  fresh: 'OK',
  stale: 'Stale',
  failed: 'Failed',
  never: 'Not refreshed',
};

const statusColor: Record<DashboardRow['status'], 'good' | 'warning' | 'attention' | 'default'> = {
  fresh: 'good',
  stale: 'warning',
  failed: 'attention',
  never: 'default',
};

function companyLine(row: DashboardRow, now: Date): CardElement[] {
  const out: CardElement[] = [
    dataText(
      [
        { text: `${statusWord[row.status]}  `, weight: 'bolder', color: statusColor[row.status] },
        row.companyName,
        { text: `  · refreshed ${formatAge(row.refreshedAt, now)}`, subtle: true, size: 'small' },
      ],
      { spacing: 'small' },
    ),
  ];
  if (row.status !== 'fresh' && row.statusReason !== null) {
    out.push(
      dataText([{ text: row.statusReason, size: 'small', color: 'warning' }], { spacing: 'none' }),
    );
  }
  return out;
}

function clientBlock(
  client: ClientDto,
  rows: readonly DashboardRow[],
  owner: CardOwner,
  view: CardView,
  now: Date,
): CardElement {
  const mine = rows.filter((r) => r.clientId === client.id);
  const companies =
    mine.length > 0
      ? mine.flatMap((r) => companyLine(r, now))
      : [
          text(
            'No companies found yet. Open the tab and use Test Client URL to check the connection.',
            { size: 'small', subtle: true },
          ),
        ];
  const actions: CardAction[] = [
    execute('Refresh', {
      verb: 'refresh',
      owner: owner.accountantId,
      view: { ...view, offset: 0 },
      clientId: client.id,
    }),
  ];
  return container(
    [
      dataText([
        { text: client.name, weight: 'bolder', color: 'accent' },
        ...(client.isSample ? [{ text: '  (sample)', subtle: true }] : []),
      ]),
      dataText([{ text: client.url, size: 'small', subtle: true }], { spacing: 'none' }),
      ...companies,
      actionSet(actions),
    ],
    { separator: true, spacing: 'medium' },
  );
}

function refreshReport(progress: RefreshProgress | undefined): CardElement[] {
  if (progress === undefined) return [];
  const head = progress.finished
    ? `Refreshed ${plural(progress.succeeded, 'company', 'companies')}${progress.failed > 0 ? `, ${progress.failed} failed` : ''}.`
    : `Refreshing: ${progress.done} of ${progress.total} done. Press Refresh again in a moment to see the rest.`;
  const failures = progress.failures.slice(0, 5).map((f) =>
    dataText([{ text: `${f.clientName} — ${f.companyName}: `, weight: 'bolder' }, f.message], {
      spacing: 'small',
    }),
  );
  return [
    container([text(head), ...failures], {
      style: progress.failed > 0 ? 'warning' : progress.finished ? 'good' : 'emphasis',
    }),
  ];
}

export function clientsCard(input: ClientsCardInput): AdaptiveCard {
  const clients = [...input.clients].sort((a, b) => compareNames(a.name, b.name));
  const offset = clampOffset(input.offset, clients.length);
  const view: CardView = { card: 'clients', offset };
  const failedCompanies = input.rows.filter(
    (r) => r.status === 'failed' || r.errorReason !== null,
  ).length;
  const head = [
    ...titleBlock(
      'Clients',
      input.owner,
      `${plural(clients.length, 'client')}, ${plural(input.rows.length, 'company', 'companies')}${failedCompanies > 0 ? `, ${failedCompanies} with refresh problems` : ''}`,
    ),
    ...noticeBlock(input.notice),
    ...refreshReport(input.refresh),
  ];
  const refreshAll = execute('Refresh all', {
    verb: 'refresh',
    owner: input.owner.accountantId,
    view: { ...view, offset: 0 },
    clientId: null,
  });
  if (clients.length === 0) {
    return card([
      ...head,
      text('You have no clients yet. Add one in the Accountant Hub tab: Manage Clients → New.'),
    ]);
  }
  const { card: built } = fitPage(clients.slice(offset), CLIENTS_PER_PAGE, (page) => {
    const next = offset + page.length;
    const actions: CardAction[] = [];
    if (next < clients.length) {
      actions.push(
        execute(`Show more (${clients.length - next} left)`, {
          verb: 'show',
          owner: input.owner.accountantId,
          view: { ...view, offset: next },
        }),
      );
    }
    if (offset > 0) {
      actions.push(
        execute('Back to start', {
          verb: 'show',
          owner: input.owner.accountantId,
          view: { ...view, offset: 0 },
        }),
      );
    }
    actions.push(refreshAll);
    return card(
      [
        ...head,
        ...page.map((c) => clientBlock(c, input.rows, input.owner, view, input.now)),
        ...rangeLine(offset, page.length, clients.length),
      ],
      actions,
    );
  });
  return built;
}
