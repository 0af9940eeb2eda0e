/**
 * What the bot does: who is talking (the Teams user → their accountant id), which command they
 * typed, which hub calls answer it, and which card shows the answer. Framework-neutral: it sees
 * {@link Turn}s, never botbuilder types.
 *
 * Privacy: every hub call is made for the accountant identified from the activity's Entra ids,
 * never from anything inside a card's data. In a group chat or channel the bot answers only when
 * mentioned, and its cards name whose clients they show; a button pressed by someone other than
 * the card's owner is refused with a short message instead of showing that person's data there.
 */
import { AppError, toAppError, type Result } from '../src/domain/errors.js';
import type { Clock } from '../src/domain/dates.js';
import {
  accountantIdOf,
  asClientId,
  asCompanyId,
  asUserTaskId,
  type AccountantId,
  type ClientId,
} from '../src/domain/ids.js';
import type { Logger } from '../src/logging.js';
import type {
  ClientDto,
  DashboardRow,
  RefreshProgress,
  RefreshScope,
} from '../src/hub/api-types.js';
import type { AccountantIdentity, Hub } from '../src/hub/hub.js';
import type { Registry } from '../src/registry/registry.js';
import { parseCardAction, type CardActionData, type CardView } from './cards/actions.js';
import { clientsCard } from './cards/clients-card.js';
import type { CardNotice, CardOwner } from './cards/common.js';
import type { AdaptiveCard } from './cards/elements.js';
import {
  clientChoiceCard,
  dailySummarySettingsCard,
  errorCard,
  helpCard,
  welcomeCard,
} from './cards/help-cards.js';
import { overdueInvoicesCard, type CompanyInvoices } from './cards/invoices-card.js';
import { summaryCard } from './cards/summary-card.js';
import { myTasksCard, overdueTasksCard } from './cards/tasks-card.js';
import { matchClient, parseCommand, type Command, type RefreshTarget } from './commands.js';
import { describeNextSend, localTimeIn } from './daily-summary.js';
import type { SendOutcome } from './send-queue.js';
import type { BotLogic, CardActionOutcome, OutboundMessage, Turn } from './turn.js';
import { compareByClientThenCompany } from '../src/domain/names.js';

export interface BotHandlerDeps {
  readonly hub: Hub;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * No bot app id (local development): users without Entra ids (emulators) are known by their
   * channel user id under the `local` tenant. Never true when activities are authenticated.
   */
  readonly allowLocalIdentities: boolean;
  /** New accountants get the sample client (mentioned in the welcome). */
  readonly sampleMode: boolean;
  /** Whether users of this Entra tenant may use the hub (`ENTRA_ALLOWED_TENANTS`). */
  readonly isTenantAllowed?: (tenantId: string) => boolean;
  /** Sends into a conversation outside the current turn (a refresh's result). */
  readonly sendLater: (
    reference: Readonly<Record<string, unknown>>,
    message: OutboundMessage,
    keys: { readonly conversationKey: string; readonly tenantKey: string },
  ) => Promise<SendOutcome>;
  /** How long a card's Refresh button waits for fresh numbers before answering (default 8 s). */
  readonly invokeRefreshWaitMs?: number;
  /** How long a command waits for a new accountant's first numbers (default 15 s). */
  readonly firstNumbersWaitMs?: number;
}

export interface BotHandler extends BotLogic {
  /** Settles when the work started in the background (refreshes run from chat) has finished. */
  idle(): Promise<void>;
}

/** Companies whose invoices one "show overdue invoices" reads live from BC at most. */
const MAX_INVOICE_COMPANIES = 30;
/** Live reads of company details at once. */
const INVOICE_READ_CONCURRENCY = 4;

const idPart = /^[A-Za-z0-9-]{1,64}$/;

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) out[i] = await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function placeOf(f: { clientName: string; companyName: string }): string {
  return `${f.clientName} — ${f.companyName}`;
}

/** A one-line account of a refresh, for the notice above a re-rendered card. */
function refreshNotice(p: RefreshProgress): CardNotice {
  if (!p.finished) {
    return {
      tone: 'warning',
      text: `Still refreshing: ${p.done} of ${p.total} companies done. Press Refresh again in a moment for the rest.`,
    };
  }
  if (p.failed === 0) {
    return {
      tone: 'good',
      text: `Refreshed ${p.succeeded} ${p.succeeded === 1 ? 'company' : 'companies'}.`,
    };
  }
  const first = p.failures[0];
  const why = first !== undefined ? ` (${placeOf(first)}: ${first.message})` : '';
  if (p.succeeded === 0) {
    return { tone: 'attention', text: `Refreshed 0, ${p.failed} failed${why}.` };
  }
  return {
    tone: 'attention',
    text: `Refreshed ${p.succeeded}, ${p.failed} failed${why}. The others are up to date.`,
  };
}

export function createBotHandler(deps: BotHandlerDeps): BotHandler {
  const { hub, registry, clock } = deps;
  const log = deps.logger.child({ component: 'bot' });
  const invokeRefreshWaitMs = deps.invokeRefreshWaitMs ?? 8_000;
  const firstNumbersWaitMs = deps.firstNumbersWaitMs ?? 15_000;
  const signedIn = new Set<AccountantId>();
  const knownConversations = new Set<string>();
  const background = new Set<Promise<unknown>>();
  const conversationLocks = new Map<string, Promise<unknown>>();

  /** Runs `task` after any earlier task of the same conversation (install events come in pairs). */
  function serially<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = conversationLocks.get(key) ?? Promise.resolve();
    const run = before.then(task, task);
    const settled = run.catch(() => undefined);
    conversationLocks.set(key, settled);
    void settled.then(() => {
      if (conversationLocks.get(key) === settled) conversationLocks.delete(key);
    });
    return run;
  }

  function track(work: Promise<unknown>): void {
    const p = work.catch((e: unknown) => log.error('bot: background work failed', { error: e }));
    background.add(p);
    void p.finally(() => background.delete(p));
  }

  /** The accountant behind the Teams user, or null when the activity does not say who it is. */
  function identityOf(turn: Turn): AccountantIdentity | null {
    const displayName = turn.user.name.trim().slice(0, 200) || 'Accountant';
    const aad = turn.user.aadObjectId;
    const tenant = turn.tenantId;
    if (aad !== null && tenant !== null && idPart.test(aad) && idPart.test(tenant)) {
      if (deps.isTenantAllowed !== undefined && !deps.isTenantAllowed(tenant.toLowerCase()))
        return null;
      return {
        id: accountantIdOf(tenant, aad),
        entraTenantId: tenant.toLowerCase(),
        userObjectId: aad.toLowerCase(),
        displayName,
      };
    }
    if (deps.allowLocalIdentities && turn.user.id !== '') {
      const local = `bot-${turn.user.id.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 80)}`;
      return {
        id: accountantIdOf('local', local),
        entraTenantId: 'local',
        userObjectId: local,
        displayName,
      };
    }
    return null;
  }

  async function ensureSignedIn(identity: AccountantIdentity): Promise<void> {
    if (signedIn.has(identity.id)) return;
    await hub.signIn(identity);
    signedIn.add(identity.id);
  }

  /**
   * Stores the conversation reference (for proactive messages) the first time this process sees
   * the conversation for this accountant, or again when `force` (team renamed, reinstalled).
   * Returns true when the conversation was not stored (as active) before.
   */
  async function rememberConversation(
    acc: AccountantId,
    turn: Turn,
    force = false,
  ): Promise<boolean> {
    const key = `${acc}|${turn.conversation.id}`;
    if (!force && knownConversations.has(key)) return false;
    const store = registry.forAccountant(acc);
    const existing = (await store.listConversations()).find(
      (c) => c.conversationId === turn.conversation.id,
    );
    const isNew = existing === undefined || !existing.active;
    const sameReference =
      existing !== undefined &&
      JSON.stringify(existing.reference) === JSON.stringify(turn.reference);
    if (isNew || force || !sameReference) {
      await store.saveConversation({
        conversationId: turn.conversation.id,
        reference: turn.reference,
        kind: turn.conversation.kind,
        active: true,
        updatedAt: clock().toISOString(),
      });
    }
    knownConversations.add(key);
    return isNew;
  }

  function ownerOf(identity: AccountantIdentity, turn: Turn): CardOwner {
    return {
      accountantId: identity.id,
      displayName: identity.displayName,
      shared: turn.conversation.kind !== 'personal',
    };
  }

  /**
   * A new accountant's sample client is refreshed in the background at sign-in; commands that read
   * snapshots wait (a little) for companies that were never refreshed, so the first answer has
   * numbers in it.
   */
  async function ensureFirstNumbers(acc: AccountantId): Promise<void> {
    const rows = (await hub.dashboard(acc)).rows;
    const never = rows.filter((r) => r.status === 'never');
    if (never.length === 0) return;
    const scope: RefreshScope = {
      kind: 'companies',
      companies: never.map((r) => ({ clientId: r.clientId, companyId: r.companyId })),
    };
    await refreshWithin(acc, scope, firstNumbersWaitMs);
  }

  /** Refreshes and waits at most `ms`; an unfinished job comes back with its progress so far. */
  async function refreshWithin(
    acc: AccountantId,
    scope: RefreshScope,
    ms: number,
  ): Promise<Result<RefreshProgress>> {
    let last: RefreshProgress | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    try {
      const outcome = await Promise.race([
        hub.refresh(acc, scope, (p) => {
          last = p;
        }),
        timeout,
      ]);
      if (outcome !== 'timeout') return outcome;
      const progress: RefreshProgress | null = last;
      if (progress !== null) return { ok: true, value: progress };
      return {
        ok: false,
        error: new AppError('bc-timeout', 'The refresh has not reported any progress yet.'),
      };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Views: the cards a command or a button shows

  async function invoicesOf(
    acc: AccountantId,
    clients: readonly ClientDto[],
  ): Promise<{ companies: CompanyInvoices[]; skipped: number }> {
    const rows = (await hub.dashboard(acc)).rows;
    const rowOf = new Map(rows.map((r) => [`${r.clientId}/${r.companyId}`, r]));
    const overdueMinor = (r: DashboardRow | undefined): number =>
      r === undefined
        ? Number.MAX_SAFE_INTEGER
        : (r.overdueSalesInvoiceAmount?.minor ?? 0) + (r.overduePurchaseInvoiceAmount?.minor ?? 0);
    // Only companies whose last numbers show something overdue (or that have no numbers) are read
    // live from BC, largest first: reading every company of a big practice would take minutes.
    const targets = clients
      .flatMap((client) =>
        client.companies.map((company) => ({
          client,
          company,
          row: rowOf.get(`${client.id}/${company.id}`),
        })),
      )
      .filter((t) => t.row === undefined || t.row.status !== 'fresh' || overdueMinor(t.row) > 0)
      .sort((a, b) => overdueMinor(b.row) - overdueMinor(a.row));
    const picked = targets.slice(0, MAX_INVOICE_COMPANIES);
    const companies = await mapLimit(
      picked,
      INVOICE_READ_CONCURRENCY,
      async ({ client, company }): Promise<CompanyInvoices> => {
        const details = await hub.companyDetails(acc, client.id, company.id);
        const base = {
          clientId: client.id,
          clientName: client.name,
          companyId: company.id,
          companyName: company.displayName || company.name,
        };
        return details.ok
          ? {
              ...base,
              sales: details.value.overdueSalesInvoices,
              purchase: details.value.overduePurchaseInvoices,
              error: null,
            }
          : {
              ...base,
              sales: [],
              purchase: [],
              error: { reason: details.error.reason, message: details.error.message },
            };
      },
    );
    companies.sort(compareByClientThenCompany);
    return { companies, skipped: targets.length - picked.length };
  }

  async function renderView(
    acc: AccountantId,
    owner: CardOwner,
    view: CardView,
    extras: { notice?: CardNotice; refresh?: RefreshProgress } = {},
  ): Promise<AdaptiveCard> {
    const notice = extras.notice;
    switch (view.card) {
      case 'overdue-tasks': {
        const tasks = await hub.myTasks(acc, { due: 'overdue', sort: 'dueDate' });
        return overdueTasksCard({
          tasks,
          owner,
          offset: view.offset,
          ...(notice ? { notice } : {}),
        });
      }
      case 'my-tasks': {
        const tasks = await hub.myTasks(acc, { due: view.range, sort: 'dueDate' });
        return myTasksCard({
          tasks,
          owner,
          offset: view.offset,
          range: view.range,
          ...(notice ? { notice } : {}),
        });
      }
      case 'overdue-invoices': {
        let clients: ClientDto[];
        if (view.clientId === null) {
          clients = await hub.listClients(acc);
        } else {
          const one = await hub.getClient(acc, asClientId(view.clientId));
          if (!one.ok) {
            return errorCard({
              doing: 'Showing the invoices',
              reason: one.error.reason,
              message: one.error.message,
            });
          }
          clients = [one.value];
        }
        const { companies, skipped } = await invoicesOf(acc, clients);
        const skippedNotice: CardNotice | undefined =
          skipped > 0
            ? {
                tone: 'warning',
                text: `Showing the ${MAX_INVOICE_COMPANIES} companies with the most overdue; ${skipped} more have overdue invoices. Ask for a client by name to see theirs.`,
              }
            : undefined;
        const shownNotice = notice ?? skippedNotice;
        const client =
          view.clientId === null ? null : { id: view.clientId, name: clients[0]?.name ?? '' };
        return overdueInvoicesCard({
          companies,
          owner,
          offset: view.offset,
          client,
          ...(shownNotice ? { notice: shownNotice } : {}),
        });
      }
      case 'summary': {
        const rows = (await hub.dashboard(acc)).rows;
        return summaryCard({
          rows,
          owner,
          offset: view.offset,
          now: clock(),
          ...(notice ? { notice } : {}),
        });
      }
      case 'clients': {
        const [clients, dashboard] = await Promise.all([hub.listClients(acc), hub.dashboard(acc)]);
        return clientsCard({
          clients,
          rows: dashboard.rows,
          owner,
          offset: view.offset,
          now: clock(),
          ...(extras.refresh ? { refresh: extras.refresh } : {}),
          ...(notice ? { notice } : {}),
        });
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  async function dailySummaryCardFor(acc: AccountantId, notice?: string): Promise<AdaptiveCard> {
    const store = registry.forAccountant(acc);
    const [settings, conversations, logEntries] = await Promise.all([
      store.getDailySummarySettings(),
      store.listConversations(),
      store.listSummaryLog(),
    ]);
    const now = clock();
    const localDay = localTimeIn(now, settings.timeZone).day;
    const sentToday = logEntries.some((e) => e.state === 'sent' && e.day >= localDay);
    const hasPersonal = conversations.some((c) => c.active && c.kind === 'personal');
    const warning = !settings.enabled
      ? undefined
      : !hasPersonal
        ? 'I send the daily summary in our personal chat, and we do not have one yet: open a chat with me (Accountant Hub) and say hi.'
        : settings.timeZone === 'UTC'
          ? 'Your time zone is UTC. Set yours, for example: time zone Europe/Berlin.'
          : undefined;
    return dailySummarySettingsCard({
      enabled: settings.enabled,
      time: settings.time,
      timeZone: settings.timeZone,
      next: describeNextSend(settings, now, sentToday),
      ...(warning !== undefined ? { warning } : {}),
      ...(notice !== undefined ? { notice } : {}),
    });
  }

  async function updateDailySummary(
    acc: AccountantId,
    change: (s: { enabled: boolean; time: string; timeZone: string }) => {
      enabled: boolean;
      time: string;
      timeZone: string;
    },
    notice: (s: { enabled: boolean; time: string; timeZone: string }) => string,
  ): Promise<AdaptiveCard> {
    const store = registry.forAccountant(acc);
    const saved = await store.saveDailySummarySettings(
      change(await store.getDailySummarySettings()),
    );
    return dailySummaryCardFor(acc, notice(saved));
  }

  /** Resolves a typed client name, or answers with a card asking which one. */
  async function resolveClient(
    acc: AccountantId,
    typed: string,
    command: string,
  ): Promise<{ client: ClientDto } | { card: AdaptiveCard }> {
    const clients = await hub.listClients(acc);
    const named = clients.map((c) => ({
      ...c,
      companyNames: c.companies.map((co) => co.displayName || co.name),
    }));
    const match = matchClient(typed, named);
    switch (match.kind) {
      case 'one':
        return { client: match.client };
      case 'ambiguous':
        return {
          card: clientChoiceCard({ typed, command, candidates: match.candidates, noMatch: false }),
        };
      case 'none':
        return {
          card: clientChoiceCard({ typed, command, candidates: match.suggestions, noMatch: true }),
        };
    }
  }

  async function startRefreshFromChat(
    identity: AccountantIdentity,
    turn: Turn,
    target: RefreshTarget,
  ): Promise<OutboundMessage> {
    const acc = identity.id;
    let scope: RefreshScope = { kind: 'all' };
    let label = 'all your clients';
    let clientId: ClientId | null = null;
    if (target.kind === 'client') {
      const resolved = await resolveClient(acc, target.name, 'refresh');
      if ('card' in resolved) return { card: resolved.card };
      clientId = resolved.client.id;
      scope = { kind: 'client', clientId };
      label = resolved.client.name;
    }
    const owner = ownerOf(identity, turn);
    const reference = turn.reference;
    const conversationKey = turn.conversation.id;
    // The refresh can take minutes with real tenants: answer now, post the outcome when done.
    track(
      (async () => {
        const result = await hub.refresh(acc, scope);
        const card = result.ok
          ? await renderView(acc, owner, { card: 'clients', offset: 0 }, { refresh: result.value })
          : errorCard({
              doing: 'Refreshing',
              reason: result.error.reason,
              message: result.error.message,
              retry: {
                title: 'Try again',
                data: {
                  verb: 'refresh',
                  owner: acc,
                  view: { card: 'clients', offset: 0 },
                  clientId,
                },
              },
            });
        const outcome = await deps.sendLater(
          reference,
          { card, summary: 'Refresh finished' },
          { conversationKey, tenantKey: identity.entraTenantId },
        );
        if (outcome.kind !== 'sent')
          log.warn('bot: could not post the refresh result', { outcome: outcome.kind });
      })(),
    );
    return { text: `Refreshing ${label}. I'll post the result here when it's done.` };
  }

  async function answer(
    identity: AccountantIdentity,
    turn: Turn,
    command: Command,
  ): Promise<OutboundMessage> {
    const acc = identity.id;
    const owner = ownerOf(identity, turn);
    switch (command.kind) {
      case 'help':
        return { card: helpCard({ kind: 'full' }) };
      case 'unknown':
        return {
          card: helpCard({
            kind: 'unknown',
            typed: command.text,
            suggestions: command.suggestions,
          }),
        };
      case 'invalid':
        return {
          card: helpCard({ kind: 'invalid', problem: command.problem, usage: command.usage }),
        };
      case 'overdue-tasks':
        await ensureFirstNumbers(acc);
        return { card: await renderView(acc, owner, { card: 'overdue-tasks', offset: 0 }) };
      case 'my-tasks':
        await ensureFirstNumbers(acc);
        return {
          card: await renderView(acc, owner, { card: 'my-tasks', range: command.range, offset: 0 }),
        };
      case 'overdue-invoices': {
        // Invoices are read live from each client's BC, which takes a moment.
        if (turn.conversation.kind === 'personal') await turn.typing();
        if (command.client === null) {
          return {
            card: await renderView(acc, owner, {
              card: 'overdue-invoices',
              clientId: null,
              offset: 0,
            }),
          };
        }
        const resolved = await resolveClient(acc, command.client, 'show overdue invoices');
        if ('card' in resolved) return { card: resolved.card };
        return {
          card: await renderView(acc, owner, {
            card: 'overdue-invoices',
            clientId: resolved.client.id,
            offset: 0,
          }),
        };
      }
      case 'summary':
        await ensureFirstNumbers(acc);
        return { card: await renderView(acc, owner, { card: 'summary', offset: 0 }) };
      case 'clients':
        return { card: await renderView(acc, owner, { card: 'clients', offset: 0 }) };
      case 'refresh':
        return startRefreshFromChat(identity, turn, command.target);
      case 'daily-summary-at':
        return {
          card: await updateDailySummary(
            acc,
            (s) => ({ ...s, enabled: true, time: command.time }),
            (s) => `Daily summary on: every day at ${s.time} (${s.timeZone}).`,
          ),
        };
      case 'daily-summary-on':
        return {
          card: await updateDailySummary(
            acc,
            (s) => ({ ...s, enabled: true }),
            (s) => `Daily summary on: every day at ${s.time} (${s.timeZone}).`,
          ),
        };
      case 'daily-summary-off':
        return {
          card: await updateDailySummary(
            acc,
            (s) => ({ ...s, enabled: false }),
            () => 'Daily summary off. Turn it on again any time.',
          ),
        };
      case 'daily-summary-status':
        return { card: await dailySummaryCardFor(acc) };
      case 'time-zone':
        return {
          card: await updateDailySummary(
            acc,
            (s) => ({ ...s, timeZone: command.timeZone }),
            (s) => `Time zone set to ${s.timeZone}.`,
          ),
        };
    }
  }

  function failureCard(doing: string, e: unknown): AdaptiveCard {
    const error = toAppError(e);
    log.error('bot: command failed', { error, reason: error.reason });
    const message =
      error.reason === 'internal' ? 'Something unexpected went wrong on my side.' : error.message;
    return errorCard({ doing, reason: error.reason, message });
  }

  // -------------------------------------------------------------------------------------------
  // Card buttons

  async function cardAction(
    identity: AccountantIdentity,
    turn: Turn,
    action: CardActionData,
  ): Promise<CardActionOutcome> {
    const acc = identity.id;
    const owner = ownerOf(identity, turn);
    switch (action.verb) {
      case 'show':
        return { kind: 'card', card: await renderView(acc, owner, action.view) };
      case 'complete-task': {
        const done = await hub.completeTask(
          acc,
          asClientId(action.clientId),
          asCompanyId(action.companyId),
          asUserTaskId(action.taskId),
        );
        if (done.ok) {
          return {
            kind: 'card',
            card: await renderView(acc, owner, action.view, {
              notice: { tone: 'good', text: 'Task marked complete in Business Central.' },
            }),
          };
        }
        return {
          kind: 'card',
          card: errorCard({
            doing: 'Marking the task complete',
            reason: done.error.reason,
            message: done.error.message,
            retry: { title: 'Try again', data: action },
            back: {
              title: 'Back to the list',
              data: { verb: 'show', owner: acc, view: action.view },
            },
          }),
        };
      }
      case 'refresh': {
        const scope: RefreshScope =
          action.clientId === null
            ? { kind: 'all' }
            : { kind: 'client', clientId: asClientId(action.clientId) };
        const result = await refreshWithin(acc, scope, invokeRefreshWaitMs);
        if (!result.ok) {
          return {
            kind: 'card',
            card: errorCard({
              doing: 'Refreshing',
              reason: result.error.reason,
              message: result.error.message,
              retry: { title: 'Try again', data: action },
              back: { title: 'Back', data: { verb: 'show', owner: acc, view: action.view } },
            }),
          };
        }
        const extras =
          action.view.card === 'clients'
            ? { refresh: result.value }
            : { notice: refreshNotice(result.value) };
        return { kind: 'card', card: await renderView(acc, owner, action.view, extras) };
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // The BotLogic

  return {
    async onMessage(turn) {
      // In a team or group chat the bot speaks only when spoken to.
      if (turn.conversation.kind !== 'personal' && !turn.mentionsBot) return;
      const identity = identityOf(turn);
      if (identity === null) {
        await turn.reply({
          card: errorCard({
            doing: 'Finding out who you are',
            reason: 'unauthenticated',
            message:
              'I could not tell which Microsoft Entra user sent this, or this Accountant Hub does not serve their organization, so I cannot show anyone’s clients.',
          }),
        });
        return;
      }
      let reply: OutboundMessage;
      try {
        await ensureSignedIn(identity);
        await rememberConversation(identity.id, turn);
        reply = await answer(identity, turn, parseCommand(turn.text));
      } catch (e) {
        reply = { card: failureCard('Answering', e) };
      }
      await turn.reply(reply);
    },

    async onInstalled(turn) {
      const identity = identityOf(turn);
      if (identity === null) return;
      await serially(turn.conversation.id, async () => {
        await ensureSignedIn(identity);
        const isNew = await rememberConversation(identity.id, turn, true);
        if (isNew) {
          await turn.reply({
            card: welcomeCard({
              displayName: identity.displayName,
              hasSampleClient: deps.sampleMode,
            }),
            summary: 'Welcome to Accountant Hub',
          });
        }
      });
    },

    async onUninstalled(turn) {
      const identity = identityOf(turn);
      if (identity === null) return;
      await serially(turn.conversation.id, async () => {
        await registry.forAccountant(identity.id).removeConversation(turn.conversation.id);
        knownConversations.delete(`${identity.id}|${turn.conversation.id}`);
      });
    },

    async onConversationChanged(turn) {
      const identity = identityOf(turn);
      if (identity === null) return;
      // Only refreshes a reference this accountant already has (a team renamed or restored).
      const store = registry.forAccountant(identity.id);
      const known = (await store.listConversations()).some(
        (c) => c.conversationId === turn.conversation.id,
      );
      if (known)
        await serially(turn.conversation.id, () => rememberConversation(identity.id, turn, true));
    },

    async onCardAction(turn, verb, data) {
      const identity = identityOf(turn);
      if (identity === null) {
        return {
          kind: 'error',
          status: 401,
          code: 'Unauthorized',
          message: 'I cannot tell who pressed this button.',
        };
      }
      const action = parseCardAction(verb, data);
      if (action === null) {
        return {
          kind: 'error',
          status: 400,
          code: 'BadRequest',
          message:
            'This button is from a card I no longer understand. Ask me again, for example: show overdue tasks.',
        };
      }
      if (action.owner !== identity.id) {
        return {
          kind: 'message',
          text: 'This card shows someone else’s clients, so only they can use its buttons. Mention me with “show overdue tasks” to see yours.',
        };
      }
      try {
        await ensureSignedIn(identity);
        return await cardAction(identity, turn, action);
      } catch (e) {
        return { kind: 'card', card: failureCard('That', e) };
      }
    },

    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}
