/**
 * Bot benchmarks, over loopback HTTP through the real app (lowdb registry, hub, sample tenant,
 * botbuilder's CloudAdapter):
 *
 * 1. bot-reply — 50 chats at once, each sending commands one after another (overdue tasks,
 *    summary, clients, my tasks this week) with fresh snapshots, as people do: reading each
 *    answer for a moment (a think time of 0.5–1.5 s) before the next. The latency of a command is
 *    the time from the POST to /api/messages to the reply reaching the Bot Connector. Target: p95
 *    under 100 ms. (`--think 0` drops the pause and measures a closed loop of back-to-back
 *    commands instead, where latency is simply 50 ÷ throughput.)
 * 2. daily-summary-fanout — 2,000 accountants of one Entra tenant whose daily summary is due,
 *    with fresh snapshots, sent by one scheduler tick through a local Bot Connector that enforces
 *    Teams' per-bot limits (per conversation 7/1 s, 8/2 s, 60/30 s, 1,800/h; per tenant 50/s,
 *    answering 429 beyond them). The bound those limits allow for N messages to one tenant is
 *    (ceil(N / 50) − 1) seconds; target: wall time within 1.2× of it, nothing sent twice,
 *    nothing lost. A second tick afterwards must send nothing.
 * 3. bot-parser (run first, in process, no server) — the CPU the command parser costs one chat
 *    message: a mixed set of realistic messages (plain commands, typos, mention markup, unknown
 *    text, and commands naming one of 2,000 clients, matched as the handler does), in µs per
 *    message. Every reply pays it on the event loop, so it bounds back-to-back throughput.
 *
 * The Bot Connector stands in for Microsoft's service, so it runs in a child process (this file
 * with `--connector`): its arrival times, which it checks the limits against, are not delayed by
 * the bot's own work.
 *
 * Run: `tsx bench/bot.ts [--accountants 2000] [--tenants 1] [--chats 50] [--messages 15] [--think 1000]
 * [--margin ms] [--parser-only] [--parser-clients 2000] [--parser-rounds 20]` (margin: the send
 * queue's safety margin per rate window, default the queue's own; parser-only: just bot-parser).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createApp, type App } from '../server/app.js';
import { loadConfig } from '../src/config.js';
import { accountantIdOf, type AccountantId } from '../src/domain/ids.js';
import { silentLogger } from '../src/logging.js';
import { createBotMount, type MountedBot } from '../bot/index.js';
import { matchClient, parseCommand, type NamedClient } from '../bot/commands.js';
import { teamsConversationLimits, teamsTenantLimits, type RateWindow } from '../bot/send-queue.js';

const BOT = { id: '28:accountant-hub-bench', name: 'Accountant Hub' };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function tenantId(n: number): string {
  return `b0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function userOf(n: number) {
  const hex = n.toString(16).padStart(12, '0');
  return {
    id: `29:bench-${n}`,
    aadObjectId: `a0000000-0000-4000-8000-${hex}`,
    name: `Accountant ${n}`,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// The Bot Connector (child process)

type ToConnector =
  | { type: 'stats' }
  /** Clears the counts; `enforce` turns Teams' rate limits on or off. */
  | { type: 'reset'; enforce: boolean }
  | { type: 'origin' }
  | { type: 'close' };
interface ConnectorStats {
  /** Activities accepted, per conversation. */
  readonly accepted: Record<string, number>;
  /** When each activity was accepted (ms, performance clock of the connector), per reply-to id. */
  readonly acceptedAt: Record<string, number>;
  readonly throttled: number;
  /** When each 429 was answered (connector clock). */
  readonly throttledAt: readonly number[];
  readonly firstAt: number | null;
  readonly lastAt: number | null;
}
type FromConnector =
  | { type: 'ready'; url: string }
  | { type: 'stats'; stats: ConnectorStats }
  | { type: 'origin'; origin: number };

/** Counts of arrivals in a sliding window, per key. */
class WindowCounter {
  readonly #arrivals = new Map<string, number[]>();
  constructor(private readonly windows: readonly RateWindow[]) {}

  /** Accepts an arrival at `now` if every window has room. */
  tryAccept(key: string, now: number): boolean {
    const list = this.#arrivals.get(key) ?? [];
    for (const w of this.windows) {
      let count = 0;
      for (let i = list.length - 1; i >= 0 && now - (list[i] ?? 0) < w.ms; i--) count++;
      if (count >= w.limit) return false;
    }
    list.push(now);
    if (list.length > 4_000) list.splice(0, list.length - 2_000);
    this.#arrivals.set(key, list);
    return true;
  }
}

async function runConnector(): Promise<void> {
  let conversations = new WindowCounter(teamsConversationLimits);
  let tenants = new WindowCounter(teamsTenantLimits);
  let accepted: Record<string, number> = {};
  let acceptedAt: Record<string, number> = {};
  let throttled = 0;
  let throttledAt: number[] = [];
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let enforce = true;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        res.writeHead(404).end();
        return;
      }
      const conversationId = decodeURIComponent(m[1] ?? '');
      let tenant = 'unknown';
      try {
        const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          conversation?: { tenantId?: string };
          channelData?: { tenant?: { id?: string } };
        };
        tenant = activity.conversation?.tenantId ?? activity.channelData?.tenant?.id ?? 'unknown';
      } catch {
        res.writeHead(400).end();
        return;
      }
      // The per-app, per-tenant limit is checked first: a refused request does not count.
      if (
        enforce &&
        (!tenants.tryAccept(tenant, now) || !conversations.tryAccept(conversationId, now))
      ) {
        throttled++;
        throttledAt.push(now);
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end('{"error":{"code":"Throttled","message":"Too many requests"}}');
        return;
      }
      accepted[conversationId] = (accepted[conversationId] ?? 0) + 1;
      if (m[2] !== undefined) acceptedAt[decodeURIComponent(m[2])] = now;
      firstAt ??= now;
      lastAt = now;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"id":"1"}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const send = (m: FromConnector): void => {
    process.send?.(m);
  };
  process.on('message', (m: ToConnector) => {
    if (m.type === 'stats') {
      send({
        type: 'stats',
        stats: { accepted, acceptedAt, throttled, throttledAt, firstAt, lastAt },
      });
    } else if (m.type === 'origin') {
      send({ type: 'origin', origin: performance.timeOrigin });
    } else if (m.type === 'reset') {
      enforce = m.enforce;
      conversations = new WindowCounter(teamsConversationLimits);
      tenants = new WindowCounter(teamsTenantLimits);
      accepted = {};
      acceptedAt = {};
      throttled = 0;
      throttledAt = [];
      firstAt = null;
      lastAt = null;
      send({
        type: 'stats',
        stats: { accepted, acceptedAt, throttled, throttledAt, firstAt, lastAt },
      });
    } else {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
}

function connectorClient(child: ChildProcess) {
  const ask = (m: ToConnector): Promise<ConnectorStats> =>
    new Promise((resolve) => {
      const onMessage = (reply: FromConnector): void => {
        if (reply.type === 'stats') {
          child.off('message', onMessage);
          resolve(reply.stats);
        }
      };
      child.on('message', onMessage);
      child.send(m);
    });
  return {
    stats: () => ask({ type: 'stats' }),
    reset: (enforce: boolean) => ask({ type: 'reset', enforce }),
  };
}

// ---------------------------------------------------------------------------------------------
// The app

async function startApp(
  dataDir: string,
  marginMs: number | undefined,
): Promise<{ app: App; bot: MountedBot; base: string }> {
  let bot: MountedBot | null = null;
  const batchMs = arg('batch', -1);
  const mount = createBotMount({
    startScheduler: false,
    ...(marginMs !== undefined ? { sendQueue: { marginMs } } : {}),
    ...(batchMs >= 0 ? { dailySummary: { registryBatchMs: batchMs } } : {}),
  });
  const app = await createApp(
    loadConfig({ DATA_DIR: dataDir, PORT: '0', SAMPLE_TENANT_PORT: '0', LOG_LEVEL: 'error' }),
    {
      logger: silentLogger,
      staticDir: path.join(dataDir, 'no-tab'),
      mountEdges: async (server, core) => {
        bot = await mount(server, core);
        return bot;
      },
    },
  );
  const { url } = await app.listen();
  if (bot === null) throw new Error('bot not mounted');
  return { app, bot, base: url };
}

function messageActivity(serviceUrl: string, n: number, text: string, id: string, tenant: string) {
  const user = userOf(n);
  return {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { id: `a:bench-${n}`, conversationType: 'personal', tenantId: tenant },
    recipient: BOT,
    channelData: { tenant: { id: tenant } },
    text,
    entities: [],
  };
}

async function post(base: string, activity: unknown): Promise<number> {
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  await res.arrayBuffer();
  return res.status;
}

// ---------------------------------------------------------------------------------------------
// 3. The command parser

/** 2,000 client names as an accountant's list has them: accents, punctuation, legal forms. */
function benchClients(count: number): NamedClient[] {
  const owners = [
    'Müller',
    'Schmidt',
    'Dubois',
    "O'Brien",
    'García',
    'Nowak',
    'Rossi',
    'Jansen',
    'Andersson',
    'Kowalski',
    'Martin',
    'Novák',
    'Smith',
    'Fernández',
    'Bauer',
    'Lefèvre',
    'Hansen',
    'Costa',
    'Wagner',
    'Horváth',
    'Fischer',
    'Moreau',
    'Nielsen',
    'Silva',
    'Becker',
    'Lambert',
    'Virtanen',
    'Ricci',
    'Weber',
    'Petit',
    'Larsen',
    'Jović',
    'Schulz',
    'Roux',
    'Berg',
    'Ferrari',
    'Hoffmann',
    'Fontaine',
    'Lindqvist',
    'Marino',
  ];
  const trades = [
    'Bäckerei',
    'Consulting',
    'Logistics',
    'Dental Practice',
    'Garage',
    'Architects',
    'Farms',
    'Electrical',
    'Café & Bistro',
    'Print Shop',
  ];
  const forms = ['GmbH', 'Ltd.', 'S.A.R.L.', 'B.V.', '& Sons'];
  return Array.from({ length: count }, (_, i) => {
    const owner = owners[i % owners.length] ?? '';
    const trade = trades[Math.floor(i / owners.length) % trades.length] ?? '';
    const form = forms[Math.floor(i / (owners.length * trades.length)) % forms.length] ?? '';
    const name = `${owner} ${trade} ${form}`;
    return {
      id: `client-${i}`,
      name,
      companyNames: i % 3 === 0 ? [name, `${owner} ${trade} Holding`] : [name],
    };
  });
}

/** What accountants type: mostly plain commands, some naming a client, some typos and junk. */
function benchMessages(clients: readonly NamedClient[]): string[] {
  const name = (i: number): string => clients[i % clients.length]?.name ?? '';
  return [
    'show overdue tasks',
    'summary',
    'clients',
    'show my tasks this week',
    '<at>Accountant Hub</at> show overdue tasks',
    'help',
    'Show my tasks today please',
    'shwo ovredue taks',
    'hey bot, what can you do?',
    'daily summary at 7:30',
    'time zone Europe/Berlin',
    'what is the weather in Paris',
    'overdue',
    `show overdue invoices for ${name(17)}`,
    `<at>Accountant Hub</at> overdue invoices ${name(1234)}`,
    'show overdue invoices muller backerei',
    'overdue invoices Fischr Garage',
    'show overdue invoices Northwind Traders',
    'refresh all',
    `refresh ${name(999)}`,
    'refresh Lindqvist Farms',
    'refersh hansen dental',
    'show overdue invoices',
    'sumary',
  ];
}

/** Microseconds per message for parsing plus, when the command names a client, matching it. */
function benchParser(clientCount: number, rounds: number): void {
  const clients = benchClients(clientCount);
  const messages = benchMessages(clients);
  const handle = (text: string): void => {
    const command = parseCommand(text);
    if (command.kind === 'overdue-invoices' && command.client !== null) {
      matchClient(command.client, clients);
    } else if (command.kind === 'refresh' && command.target.kind === 'client') {
      matchClient(command.target.name, clients);
    }
  };
  for (const text of messages) handle(text);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const text of messages) {
      const started = performance.now();
      handle(text);
      samples.push((performance.now() - started) * 1_000);
    }
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((sum, s) => sum + s, 0) / Math.max(1, samples.length);
  const result = {
    bench: 'bot-parser',
    clients: clientCount,
    messages: samples.length,
    usPerMessageMean: round(mean),
    usPerMessageP50: round(percentile(samples, 50)),
    usPerMessageP95: round(percentile(samples, 95)),
    usPerMessageMax: round(samples[samples.length - 1] ?? 0),
  };
  console.log(
    `bot-parser: ${messages.length} kinds of message × ${rounds} rounds with ${clientCount} clients, ` +
      `mean ${result.usPerMessageMean} µs, p50 ${result.usPerMessageP50} µs, p95 ${result.usPerMessageP95} µs`,
  );
  console.log(JSON.stringify(result));
}

// ---------------------------------------------------------------------------------------------
// 1. Command replies

async function benchReplies(
  base: string,
  app: App,
  connectorUrl: string,
  connector: ReturnType<typeof connectorClient>,
  chats: number,
  perChat: number,
  thinkMs: number,
): Promise<void> {
  const tenant = tenantId(1);
  // Warm-up (not timed): each chat signs in, gets the sample client and its first numbers.
  await Promise.all(
    Array.from({ length: chats }, (_, n) =>
      post(base, messageActivity(connectorUrl, n, 'help', `warm-${n}`, tenant)),
    ),
  );
  await app.core.hub.idle();
  await Promise.all(
    Array.from({ length: chats }, (_, n) =>
      post(base, messageActivity(connectorUrl, n, 'summary', `warm2-${n}`, tenant)),
    ),
  );
  // Latency, not Teams' throttling, is measured here: 50 chats typing as fast as a loop can
  // would exceed the per-conversation limits no person reaches.
  await connector.reset(false);

  const commands = ['show overdue tasks', 'summary', 'clients', 'show my tasks this week'];
  const sentAt = new Map<string, number>();
  const origin = performance.timeOrigin;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: chats }, async (_, n) => {
      // Chats start spread over one think time, as people do not all press Enter at once.
      await pause(Math.random() * thinkMs);
      for (let i = 0; i < perChat; i++) {
        if (i > 0 && thinkMs > 0) await pause(thinkMs * (0.5 + Math.random()));
        const id = `m-${n}-${i}`;
        sentAt.set(id, origin + performance.now());
        const status = await post(
          base,
          messageActivity(
            connectorUrl,
            n,
            commands[(n + i) % commands.length] ?? 'help',
            id,
            tenant,
          ),
        );
        if (status !== 200) failures++;
      }
    }),
  );
  const wallMs = performance.now() - started;
  const stats = await connector.stats();
  // The connector's clock is another process's performance clock: both count from their own
  // time origin, so convert through the wall-clock origins (sub-millisecond agreement).
  const connectorOrigin = await connectorTimeOrigin;
  const latencies: number[] = [];
  for (const [id, at] of sentAt) {
    const received = stats.acceptedAt[id];
    if (received === undefined) {
      failures++;
      continue;
    }
    latencies.push(connectorOrigin + received - at);
  }
  latencies.sort((a, b) => a - b);
  const result = {
    bench: 'bot-reply',
    chats,
    messages: sentAt.size,
    thinkMs,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    maxMs: round(latencies[latencies.length - 1] ?? 0),
    throughputPerS: round((sentAt.size / wallMs) * 1000),
    failures,
    targetP95Ms: 100,
  };
  console.log(
    `bot-reply: ${chats} chats × ${perChat} commands, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms, ${failures} failures`,
  );
  console.log(JSON.stringify(result));
}

// ---------------------------------------------------------------------------------------------
// 2. Daily summary fan-out

async function seedAccountants(
  app: App,
  base: string,
  connectorUrl: string,
  accountants: number,
  tenants: number,
): Promise<AccountantId[]> {
  const core = app.core;
  // One real accountant, signed in and refreshed through the hub, is the template.
  const templateTenant = tenantId(999);
  await post(base, messageActivity(connectorUrl, 999_999, 'summary', 'template', templateTenant));
  await core.hub.idle();
  const template = core.registry.forAccountant(
    accountantIdOf(templateTenant, userOf(999_999).aadObjectId),
  );
  const [client] = await template.listClients();
  if (client === undefined) throw new Error('the template accountant has no client');
  const companies = await template.listCompanies(client.id);
  const snapshots = await template.listSnapshots();
  const nowIso = new Date().toISOString();

  const ids: AccountantId[] = [];
  const seedOne = async (n: number): Promise<void> => {
    const tenant = tenantId(n % tenants);
    const user = userOf(n);
    const acc = accountantIdOf(tenant, user.aadObjectId);
    ids.push(acc);
    const store = core.registry.forAccountant(acc);
    await store.ensureProfile({
      entraTenantId: tenant,
      userObjectId: user.aadObjectId,
      displayName: user.name,
    });
    const mine = await store.createClient({
      name: client.name,
      url: client.url,
      target: client.target,
      connection: client.connection,
      isSample: true,
    });
    await store.setCompanies(
      mine.id,
      companies.map((c) => ({ id: c.id, name: c.name, displayName: c.displayName })),
    );
    for (const s of snapshots) {
      await store.saveSnapshot({
        ...s,
        clientId: mine.id,
        refreshedAt: nowIso,
        lastAttemptAt: nowIso,
      });
    }
    await store.saveConversation({
      conversationId: `a:summary-${n}`,
      kind: 'personal',
      active: true,
      updatedAt: nowIso,
      reference: {
        bot: BOT,
        user: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
        conversation: { id: `a:summary-${n}`, conversationType: 'personal', tenantId: tenant },
        channelId: 'msteams',
        locale: 'en-US',
        serviceUrl: connectorUrl,
      },
    });
    // Due since midnight UTC: the tick finds every one of them due.
    await store.saveDailySummarySettings({ enabled: true, time: '00:00', timeZone: 'UTC' });
  };
  const batch = 50;
  for (let i = 0; i < accountants; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, accountants - i) }, (_, k) => seedOne(i + k)),
    );
  }
  return ids;
}

async function benchFanOut(
  app: App,
  bot: MountedBot,
  base: string,
  connectorUrl: string,
  connector: ReturnType<typeof connectorClient>,
  accountants: number,
  tenants: number,
): Promise<void> {
  console.log(
    `daily-summary-fanout: seeding ${accountants} accountants over ${tenants} tenant(s)…`,
  );
  await seedAccountants(app, base, connectorUrl, accountants, tenants);
  await connector.reset(true);

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  const report = await bot.scheduler.tick();
  const wallMs = performance.now() - started;
  loopDelay.disable();
  const afterFirst = await connector.stats();
  const again = await bot.scheduler.tick();
  const afterSecond = await connector.stats();

  const perConversation = Object.entries(afterSecond.accepted).filter(([id]) =>
    id.startsWith('a:summary-'),
  );
  const delivered = new Set(perConversation.map(([id]) => id));
  const duplicates = perConversation.reduce((n, [, count]) => n + Math.max(0, count - 1), 0);
  let lost = 0;
  for (let n = 0; n < accountants; n++) if (!delivered.has(`a:summary-${n}`)) lost++;
  const perTenant = Math.ceil(accountants / tenants);
  const limit = teamsTenantLimits[0]?.limit ?? 50;
  const boundMs = Math.max(0, Math.ceil(perTenant / limit) - 1) * 1_000;
  const result = {
    bench: 'daily-summary-fanout',
    accountants,
    tenants,
    wallMs: Math.round(wallMs),
    boundMs,
    ratio: boundMs > 0 ? round(wallMs / boundMs, 3) : null,
    duplicates,
    lost,
    throttled: afterFirst.throttled,
    secondTickSent: again.outcomes.sent ?? 0,
    registryMB: round((await stat(app.core.config.registryFile)).size / 1e6),
    /** The longest the event loop was blocked during the fan-out. */
    maxLoopStallMs: Math.round(loopDelay.max / 1e6),
    sent: report.outcomes.sent ?? 0,
    targetRatio: 1.2,
  };
  console.log(
    `daily-summary-fanout: ${result.sent} sent in ${result.wallMs} ms (bound ${boundMs} ms, ratio ${result.ratio}), ` +
      `${duplicates} duplicates, ${lost} lost, ${result.throttled} answered 429, second tick sent ${result.secondTickSent}`,
  );
  if (afterFirst.firstAt !== null && afterFirst.lastAt !== null) {
    const origin = await connectorTimeOrigin;
    const tickStart = performance.timeOrigin + started - origin;
    const perSecond = new Map<number, number>();
    for (const [id, at] of Object.entries(afterFirst.acceptedAt)) {
      if (id.startsWith('m-') || id.startsWith('warm')) continue;
      const second = Math.floor((at - tickStart) / 1_000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    console.log(
      `  first send ${Math.round(afterFirst.firstAt - tickStart)} ms after the tick began, last ${Math.round(afterFirst.lastAt - tickStart)} ms`,
    );
    console.log(
      `  sends per second: ${JSON.stringify([...perSecond.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n))}`,
    );
  }
  if (afterFirst.throttled > 0 && afterFirst.firstAt !== null) {
    const first = afterFirst.firstAt;
    const seconds = afterFirst.throttledAt.map((t) => Math.floor((t - first) / 1_000));
    console.log(`  429s by second of the fan-out: ${JSON.stringify(seconds)}`);
  }
  console.log(JSON.stringify(result));
}

// ---------------------------------------------------------------------------------------------

let connectorTimeOrigin: Promise<number> = Promise.resolve(0);

async function main(): Promise<void> {
  const accountants = arg('accountants', 2_000);
  const tenants = arg('tenants', 1);
  const chats = arg('chats', 50);
  const perChat = arg('messages', 15);
  const thinkMs = arg('think', 1_000);
  const margin = arg('margin', -1);

  benchParser(arg('parser-clients', 2_000), arg('parser-rounds', 20));
  if (process.argv.includes('--parser-only')) return;

  const child = fork(fileURLToPath(import.meta.url), ['--connector'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const connectorUrl = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: FromConnector) => {
      if (m.type === 'ready') resolve(m.url);
    });
  });
  connectorTimeOrigin = new Promise<number>((resolve) => {
    child.on('message', (m: FromConnector) => {
      if (m.type === 'origin') resolve(m.origin);
    });
  });
  child.send({ type: 'origin' } satisfies ToConnector);
  const connector = connectorClient(child);

  const dataDir = await mkdtemp(path.join(tmpdir(), 'hub-bench-bot-'));
  const { app, bot, base } = await startApp(dataDir, margin >= 0 ? margin : undefined);
  try {
    await benchReplies(base, app, connectorUrl, connector, chats, perChat, thinkMs);
    await benchFanOut(app, bot, base, connectorUrl, connector, accountants, tenants);
  } finally {
    await app.close();
    child.send({ type: 'close' });
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--connector')) {
  void runConnector();
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
