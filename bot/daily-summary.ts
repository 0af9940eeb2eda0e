/**
 * The proactive daily summary: one card per accountant per local day, at the time and in the time
 * zone they chose.
 *
 * Exactly once, across restarts, slow refreshes and several process instances sharing one
 * registry: a day is sent only by the instance holding its claim in the registry's summary log
 * (`claimDailySummary`, a lease); when the work took long enough for the lease to be at risk it
 * is renewed just before the send (so an instance whose refresh outlived its lease and lost the
 * day to another does not send too); and the day is marked `sent` as soon as the Bot Connector
 * accepts the message (within the registry write grouping, about a second). A crash in that last
 * second is the one window left: after the lease runs out another instance sends again — a second
 * card rather than none. A day that is due but not yet sent when a process (re)starts is sent on
 * its first tick, so a restart never skips one.
 *
 * Instances share the registry file: the lowdb registry writes under a lock between processes
 * and decides each claim on the latest file (see src/registry/lowdb-registry.ts); a test runs
 * three instances of the app, two in their own processes, against one data folder.
 *
 * Time-zone math uses `Intl` only: the accountant's local day and minute come from formatting
 * the injected clock's instant in their zone, so daylight-saving changes need no special cases
 * (a 02:30 that does not exist on spring-forward day is simply passed at 03:00).
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Clock } from '../src/domain/dates.js';
import type { AccountantId } from '../src/domain/ids.js';
import { formatAmount } from './cards/elements.js';
import type { Logger } from '../src/logging.js';
import type { DashboardRow, TaskRow } from '../src/hub/api-types.js';
import type { Hub } from '../src/hub/hub.js';
import type {
  AccountantStore,
  ConversationRecord,
  DailySummarySettings,
  Registry,
  SummaryLogEntry,
} from '../src/registry/registry.js';
import { placeName } from './cards/common.js';
import {
  dailySummaryCard,
  type DailySummaryContent,
  type SummaryChanges,
} from './cards/daily-summary-card.js';
import type { SendOutcome } from './send-queue.js';
import type { OutboundMessage } from './turn.js';

// ---------------------------------------------------------------------------------------------
// Time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar day (`YYYY-MM-DD`) and minute of the day of an instant in a time zone. */
export function localTimeIn(instant: Date, timeZone: string): { day: string; minutes: number } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const hour = Number(parts['hour']) % 24;
  return {
    day: `${parts['year']}-${parts['month']}-${parts['day']}`,
    minutes: hour * 60 + Number(parts['minute']),
  };
}

/** `HH:MM` → minutes after midnight. */
export function minutesOf(time: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  if (!m) throw new Error(`Not a time of day: ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Whether the runtime knows the zone (stored settings are checked again before use). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** "today at 08:00" or "tomorrow at 08:00" (in the accountant's zone), for the settings card. */
export function describeNextSend(
  settings: DailySummarySettings,
  now: Date,
  sentToday: boolean,
): string | null {
  if (!settings.enabled || !isKnownTimeZone(settings.timeZone)) return null;
  const local = localTimeIn(now, settings.timeZone);
  if (sentToday) return `tomorrow at ${settings.time}`;
  return local.minutes < minutesOf(settings.time)
    ? `today at ${settings.time}`
    : `within a minute (today's ${settings.time} has passed)`;
}

// ---------------------------------------------------------------------------------------------
// Content and digest

/** What a summary reported, kept with its log entry so the next one can say what changed. */
export interface SummaryDigest {
  /** Overdue tasks by a short stable key of `clientId/companyId/taskId`. */
  readonly overdueTasks: Readonly<
    Record<string, { readonly title: string; readonly place: string }>
  >;
  /** Overdue invoice amounts (minor units) by a short stable key of `clientId/companyId`. */
  readonly invoices: Readonly<
    Record<
      string,
      {
        readonly place: string;
        readonly currency: string;
        readonly sales: number;
        readonly purchase: number;
      }
    >
  >;
}

/**
 * The digest as stored: compact, because the registry keeps a month or two of summary log
 * entries per accountant in one file. Places are listed once and referred to by index.
 */
const storedDigestSchema = z.object({
  v: z.literal(1),
  p: z.array(z.string()),
  t: z.array(z.tuple([z.number().int().min(0), z.string(), z.string()])),
  i: z.array(z.tuple([z.number().int().min(0), z.string(), z.string(), z.number(), z.number()])),
});
type StoredDigest = z.infer<typeof storedDigestSchema>;

/** Bounds on what one digest stores, so the registry file stays small whatever happens. */
const DIGEST_MAX_TASKS = 300;
const DIGEST_MAX_TITLE = 80;

/** FNV-1a, 32 bits: two of them with different seeds make a short key that does not collide in practice. */
function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A short stable key for ids joined with `/` (kept short: it is stored every day). */
export function shortKey(...parts: readonly (string | number)[]): string {
  const text = parts.join('/');
  return fnv1a(text, 0x811c9dc5).toString(36) + fnv1a(text, 0x9747b28c).toString(36);
}

export function digestOf(
  overdueTasks: readonly TaskRow[],
  rows: readonly DashboardRow[],
): SummaryDigest {
  const tasks: Record<string, { title: string; place: string }> = {};
  for (const t of overdueTasks.slice(0, DIGEST_MAX_TASKS)) {
    tasks[shortKey(t.clientId, t.companyId, t.id)] = {
      title: t.title.slice(0, DIGEST_MAX_TITLE),
      place: placeName(t.clientName, t.companyName).slice(0, DIGEST_MAX_TITLE),
    };
  }
  const invoices: Record<
    string,
    { place: string; currency: string; sales: number; purchase: number }
  > = {};
  for (const r of rows) {
    if (r.overdueSalesInvoiceAmount === null && r.overduePurchaseInvoiceAmount === null) continue;
    invoices[shortKey(r.clientId, r.companyId)] = {
      place: placeName(r.clientName, r.companyName).slice(0, DIGEST_MAX_TITLE),
      currency: r.currency ?? r.overdueSalesInvoiceAmount?.currency ?? 'USD',
      sales: r.overdueSalesInvoiceAmount?.minor ?? 0,
      purchase: r.overduePurchaseInvoiceAmount?.minor ?? 0,
    };
  }
  return { overdueTasks: tasks, invoices };
}

/** The compact form stored in the summary log. */
export function encodeDigest(digest: SummaryDigest): StoredDigest {
  const places: string[] = [];
  const indexOf = new Map<string, number>();
  const place = (p: string): number => {
    let i = indexOf.get(p);
    if (i === undefined) {
      i = places.length;
      places.push(p);
      indexOf.set(p, i);
    }
    return i;
  };
  return {
    v: 1,
    t: Object.entries(digest.overdueTasks).map(
      ([key, t]) => [place(t.place), key, t.title] as [number, string, string],
    ),
    i: Object.entries(digest.invoices).map(
      ([key, v]) =>
        [place(v.place), key, v.currency, v.sales, v.purchase] as [
          number,
          string,
          string,
          number,
          number,
        ],
    ),
    p: places,
  };
}

/** A stored digest, or null when it is missing or not one this version understands. */
export function readDigest(entry: SummaryLogEntry | null): SummaryDigest | null {
  if (entry === null || entry.digest === undefined) return null;
  const parsed = storedDigestSchema.safeParse(entry.digest);
  if (!parsed.success) return null;
  const { p, t, i } = parsed.data;
  const placeAt = (n: number): string => p[n] ?? '';
  const overdueTasks: Record<string, { title: string; place: string }> = {};
  for (const [place, key, title] of t) overdueTasks[key] = { title, place: placeAt(place) };
  const invoices: Record<
    string,
    { place: string; currency: string; sales: number; purchase: number }
  > = {};
  for (const [place, key, currency, sales, purchase] of i) {
    invoices[key] = { place: placeAt(place), currency, sales, purchase };
  }
  return { overdueTasks, invoices };
}

function change(label: string, before: number, after: number, currency: string): string | null {
  if (before === after) return null;
  const from = formatAmount({ minor: before, currency });
  const to = formatAmount({ minor: after, currency });
  if (after === 0) return `${label} cleared (was ${from})`;
  return `${label} ${after > before ? 'up' : 'down'} from ${from} to ${to}`;
}

/** What changed between two summaries: tasks newly overdue, tasks cleared, invoice totals moved. */
export function diffDigests(
  previous: SummaryDigest,
  current: SummaryDigest,
): Omit<SummaryChanges, 'since'> {
  const newlyOverdue = Object.entries(current.overdueTasks)
    .filter(([k]) => !(k in previous.overdueTasks))
    .map(([, t]) => t);
  const cleared = Object.entries(previous.overdueTasks)
    .filter(([k]) => !(k in current.overdueTasks))
    .map(([, t]) => t);
  const invoiceChanges: { place: string; what: string }[] = [];
  for (const [key, now] of Object.entries(current.invoices)) {
    const before = previous.invoices[key];
    if (before === undefined || before.currency !== now.currency) continue;
    const parts = [
      change('overdue from customers', before.sales, now.sales, now.currency),
      change('overdue to vendors', before.purchase, now.purchase, now.currency),
    ].filter((p): p is string => p !== null);
    if (parts.length > 0)
      invoiceChanges.push({ place: now.place, what: capitalise(parts.join('; ')) });
  }
  return { newlyOverdue, cleared, invoiceChanges };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface BuiltSummary {
  readonly content: DailySummaryContent;
  readonly digest: SummaryDigest;
}

/** Gathers one accountant's summary from the hub (snapshots as they are now). */
export async function buildDailySummary(
  hub: Hub,
  input: {
    readonly accountantId: AccountantId;
    readonly displayName: string;
    readonly day: string;
    readonly timeZone: string;
    readonly previous: SummaryLogEntry | null;
    /** Dashboard rows read just before, when nothing has changed since. */
    readonly rows?: readonly DashboardRow[];
  },
): Promise<BuiltSummary> {
  const acc = input.accountantId;
  // "This week" includes what is overdue, so one read gives both lists.
  const [rows, week] = await Promise.all([
    input.rows ?? hub.dashboard(acc).then((d) => d.rows),
    hub.myTasks(acc, { due: 'this-week', sort: 'dueDate' }),
  ]);
  const overdue = week.filter((t) => t.isOverdue);
  const digest = digestOf(overdue, rows);
  const previousDigest = readDigest(input.previous);
  const content: DailySummaryContent = {
    accountantId: acc,
    displayName: input.displayName,
    day: input.day,
    timeZone: input.timeZone,
    overdueTasks: overdue,
    dueThisWeek: week.filter((t) => !t.isOverdue),
    overdueInvoices: rows.map((r) => ({
      place: placeName(r.clientName, r.companyName),
      sales: r.overdueSalesInvoiceAmount,
      purchase: r.overduePurchaseInvoiceAmount,
    })),
    purchaseInvoicesDueNextWeek: rows.reduce((n, r) => n + (r.purchaseInvoicesDueNextWeek ?? 0), 0),
    changes:
      previousDigest === null || input.previous === null
        ? null
        : { since: input.previous.day, ...diffDigests(previousDigest, digest) },
    failures: rows
      .filter((r) => r.status === 'failed' || r.errorReason !== null)
      .map((r) => ({
        place: placeName(r.clientName, r.companyName),
        message: r.statusReason ?? 'The refresh failed.',
      })),
  };
  return { content, digest };
}

// ---------------------------------------------------------------------------------------------
// Scheduler

export interface DailySummaryDeps {
  readonly hub: Hub;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Sends through the rate-limited queue; never throws. */
  readonly deliver: (
    reference: Readonly<Record<string, unknown>>,
    message: OutboundMessage,
    keys: { readonly conversationKey: string; readonly tenantKey: string },
  ) => Promise<SendOutcome>;
  /** This process's name in the summary log's claims; unique per instance. */
  readonly owner: string;
  /** How long a claim holds (default 10 min); longer than `refreshTimeoutMs`. */
  readonly leaseMs?: number;
  /** Snapshots younger than this are used as they are (default 1 h). */
  readonly freshWithinMs?: number;
  /** How long to wait for a refresh before summarising what there is (default 5 min). */
  readonly refreshTimeoutMs?: number;
  /** A failed day is tried again after this long (default 15 min). */
  readonly retryFailedAfterMs?: number;
  /**
   * Accountants prepared at once (default 256). Preparing one waits for registry writes (the
   * claim, the outcome) that many accountants share, so a wide pipeline keeps the rate-limited
   * send queue busy; the sends themselves are paced by the queue.
   */
  readonly concurrency?: number;
  /** How often the scheduler looks for due summaries (default 30 s). */
  readonly tickMs?: number;
  /**
   * Claims and outcomes are written to the registry in groups, at most one group per this long
   * (default 1 s; 0 writes each at once). The lowdb registry rewrites its whole file for each write,
   * which for thousands of accountants takes long enough to stall the event loop: grouping turns
   * thousands of small writes during a fan-out into a few a second.
   */
  readonly registryBatchMs?: number;
}

export type AccountantOutcome =
  | 'sent'
  | 'not-due'
  | 'already-sent'
  | 'claimed-elsewhere'
  | 'no-conversation'
  | 'gone'
  | 'failed'
  | 'lost-claim'
  | 'waiting-to-retry';

export interface TickReport {
  readonly checked: number;
  readonly outcomes: Readonly<Partial<Record<AccountantOutcome, number>>>;
}

export interface DailySummaryScheduler {
  /** Looks once for due summaries and sends them; resolves when every send has finished. */
  tick(): Promise<TickReport>;
  /** One accountant's summary, if due now. */
  runFor(acc: AccountantId): Promise<AccountantOutcome>;
  start(): void;
  /** Stops the timer and waits for a running tick. */
  stop(): Promise<void>;
}

/** The accountant's personal chat with the bot, most recently seen first. */
function personalConversation(
  conversations: readonly ConversationRecord[],
): ConversationRecord | null {
  const personal = conversations
    .filter((c) => c.active && c.kind === 'personal')
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return personal[0] ?? null;
}

function tenantOf(acc: AccountantId): string {
  const i = acc.indexOf(':');
  return i < 0 ? acc : acc.slice(0, i);
}

/**
 * Runs the registry operations handed to it in groups, at most one group per `intervalMs`
 * (the first right away): operations of one group share one write of the registry file.
 */
function registryBatcher(intervalMs: number): <T>(op: () => Promise<T>) => Promise<T> {
  if (intervalMs <= 0) return (op) => op();
  let queued: (() => void)[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastRun = Number.NEGATIVE_INFINITY;
  // A few milliseconds gather the callers of one burst (a tick's workers start together).
  const gatherMs = 10;
  return <T>(op: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queued.push(() => {
        op().then(resolve, reject);
      });
      if (timer === null) {
        const wait = Math.max(gatherMs, lastRun + intervalMs - performance.now());
        timer = setTimeout(() => {
          timer = null;
          lastRun = performance.now();
          const run = queued;
          queued = [];
          for (const start of run) start();
        }, wait);
      }
    });
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

export function createDailySummaryScheduler(deps: DailySummaryDeps): DailySummaryScheduler {
  const leaseMs = deps.leaseMs ?? 10 * 60_000;
  const freshWithinMs = deps.freshWithinMs ?? 60 * 60_000;
  const refreshTimeoutMs = Math.min(deps.refreshTimeoutMs ?? 5 * 60_000, Math.floor(leaseMs / 2));
  const retryFailedAfterMs = deps.retryFailedAfterMs ?? 15 * 60_000;
  const concurrency = Math.max(1, deps.concurrency ?? 256);
  const tickMs = deps.tickMs ?? 30_000;
  const inBatch = registryBatcher(deps.registryBatchMs ?? 1_000);
  const log = deps.logger.child({ component: 'daily-summary' });
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopped = false;
  let running: Promise<TickReport> | null = null;

  /**
   * Refreshes companies whose numbers are older than an hour (or missing), within a time limit.
   * Returns the dashboard rows when they were fresh already (so they need not be read again).
   */
  async function freshen(acc: AccountantId): Promise<readonly DashboardRow[] | null> {
    const now = deps.clock().getTime();
    const rows = (await deps.hub.dashboard(acc)).rows;
    const stale = rows.filter(
      (r) =>
        r.refreshedAt === null ||
        r.errorReason !== null ||
        now - Date.parse(r.refreshedAt) > freshWithinMs,
    );
    if (stale.length === 0) return rows;
    const scope =
      stale.length === rows.length
        ? ({ kind: 'all' } as const)
        : ({
            kind: 'companies',
            companies: stale.map((r) => ({ clientId: r.clientId, companyId: r.companyId })),
          } as const);
    const outcome = await withTimeout(deps.hub.refresh(acc, scope), refreshTimeoutMs);
    if (outcome === 'timeout')
      log.warn('refresh is slow; summarising the numbers there are', { accountantId: acc });
    return null;
  }

  async function runFor(acc: AccountantId): Promise<AccountantOutcome> {
    const store: AccountantStore = deps.registry.forAccountant(acc);
    const settings = await store.getDailySummarySettings();
    if (!settings.enabled) return 'not-due';
    const timeZone = isKnownTimeZone(settings.timeZone) ? settings.timeZone : 'UTC';
    const now = deps.clock();
    const local = localTimeIn(now, timeZone);
    if (local.minutes < minutesOf(settings.time)) return 'not-due';

    const logEntries = await store.listSummaryLog();
    // Days only move forward: after a time-zone change a day that already passed elsewhere is
    // not sent again.
    if (logEntries.some((e) => e.state === 'sent' && e.day >= local.day)) return 'already-sent';
    const today = logEntries.find((e) => e.day === local.day);
    if (
      today?.state === 'claimed' &&
      today.owner !== deps.owner &&
      Date.parse(today.leaseUntil) > now.getTime()
    ) {
      return 'claimed-elsewhere';
    }
    if (
      today?.state === 'failed' &&
      now.getTime() - Date.parse(today.updatedAt) < retryFailedAfterMs
    ) {
      return 'waiting-to-retry';
    }
    const conversation = personalConversation(await store.listConversations());
    if (conversation === null) return 'no-conversation';

    if (!(await inBatch(() => store.claimDailySummary(local.day, deps.owner, now, leaseMs))))
      return 'claimed-elsewhere';
    try {
      const freshRows = await freshen(acc);
      const [profile, previous] = await Promise.all([
        store.getProfile(),
        store.lastSentSummary(local.day),
      ]);
      const built = await buildDailySummary(deps.hub, {
        accountantId: acc,
        displayName: profile?.displayName ?? 'you',
        day: local.day,
        timeZone,
        previous,
        ...(freshRows !== null ? { rows: freshRows } : {}),
      });
      // After a slow refresh the claim may have run out and been taken over: renewing it proves
      // it is still ours. Within the first half of the lease nobody else can hold it, so the
      // renewal (a registry write) is skipped then.
      if (deps.clock().getTime() - now.getTime() >= leaseMs / 2) {
        const renewed = await inBatch(() =>
          store.claimDailySummary(local.day, deps.owner, deps.clock(), leaseMs),
        );
        if (!renewed) {
          return 'lost-claim';
        }
      }
      const outcome = await deps.deliver(
        conversation.reference,
        {
          card: dailySummaryCard(built.content),
          summary: `Daily summary: ${built.content.overdueTasks.length} overdue tasks`,
        },
        { conversationKey: conversation.conversationId, tenantKey: tenantOf(acc) },
      );
      switch (outcome.kind) {
        case 'sent': {
          const sentAt = deps.clock();
          await inBatch(() =>
            store.completeDailySummary(
              local.day,
              deps.owner,
              { state: 'sent', digest: encodeDigest(built.digest) },
              sentAt,
            ),
          );
          return 'sent';
        }
        case 'gone':
          await store.saveConversation({
            ...conversation,
            active: false,
            updatedAt: deps.clock().toISOString(),
            inactiveReason: `The bot can no longer post here (HTTP ${outcome.status}: ${outcome.message.slice(0, 200)}).`,
          });
          await store.completeDailySummary(
            local.day,
            deps.owner,
            { state: 'failed', error: `conversation gone (${outcome.status})` },
            deps.clock(),
          );
          log.info('conversation is gone; marked inactive', {
            accountantId: acc,
            status: outcome.status,
          });
          return 'gone';
        case 'failed':
          await store.completeDailySummary(
            local.day,
            deps.owner,
            {
              state: 'failed',
              error: `send failed (${outcome.status ?? 'no answer'}): ${outcome.message.slice(0, 200)}`,
            },
            deps.clock(),
          );
          log.warn('daily summary send failed', {
            accountantId: acc,
            status: outcome.status,
            attempts: outcome.attempts,
          });
          return 'failed';
      }
    } catch (e) {
      log.error('daily summary failed', { accountantId: acc, error: e });
      await store
        .completeDailySummary(
          local.day,
          deps.owner,
          { state: 'failed', error: e instanceof Error ? e.message.slice(0, 200) : 'error' },
          deps.clock(),
        )
        .catch(() => undefined);
      return 'failed';
    }
  }

  async function runTick(): Promise<TickReport> {
    const ids = await deps.registry.accountantsWithDailySummary();
    const outcomes: Partial<Record<AccountantOutcome, number>> = {};
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const acc = ids[next++];
        if (acc === undefined) break;
        let outcome: AccountantOutcome;
        try {
          outcome = await runFor(acc);
        } catch (e) {
          log.error('daily summary check failed', { accountantId: acc, error: e });
          outcome = 'failed';
        }
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    const sent = outcomes.sent ?? 0;
    if (sent > 0 || (outcomes.failed ?? 0) > 0)
      log.info('daily summaries', { checked: ids.length, ...outcomes });
    return { checked: ids.length, outcomes };
  }

  function tick(): Promise<TickReport> {
    // One tick at a time: a fan-out that outlasts the interval is not started twice.
    if (running !== null) return running;
    running = runTick().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    tick,
    runFor,
    start() {
      if (timer !== null) return;
      stopped = false;
      timer = setInterval(() => {
        tick().catch((e: unknown) => log.error('daily summary tick failed', { error: e }));
      }, tickMs);
      timer.unref?.();
      // A summary that fell due while the process was down goes out now, not at the next tick.
      setTimeout(() => {
        if (stopped) return;
        tick().catch((e: unknown) => log.error('daily summary tick failed', { error: e }));
      }, 0).unref?.();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (running !== null) await running.catch(() => undefined);
    },
  };
}
