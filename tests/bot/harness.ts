/**
 * The bot's test bench: the real app (lowdb on a temp folder, the real sample tenant, connector
 * and hub) with the bot mounted, a small local server playing the Bot Connector that records
 * every reply, builders of Teams-shaped activities, and an Adaptive Card checker that uses the
 * real `adaptivecards` parser.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../server/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logging.js';
import { createBotMount, type BotMountOptions, type MountedBot } from '../../bot/index.js';
import { parseCardAction } from '../../bot/cards/actions.js';
import type { AdaptiveCard } from '../../bot/cards/elements.js';

// ---------------------------------------------------------------------------------------------
// A clock tests move by hand

export interface TestClock {
  (): Date;
  set(iso: string): void;
  advance(ms: number): void;
}

export function testClock(iso: string): TestClock {
  let now = new Date(iso);
  const clock = (() => new Date(now.getTime())) as TestClock;
  clock.set = (next) => {
    now = new Date(next);
  };
  clock.advance = (ms) => {
    now = new Date(now.getTime() + ms);
  };
  return clock;
}

// ---------------------------------------------------------------------------------------------
// The app with the bot

export interface BotTestApp {
  readonly app: App;
  readonly base: string;
  readonly dataDir: string;
  readonly bot: MountedBot;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export async function startBotApp(
  options: {
    dataDir?: string;
    env?: Record<string, string>;
    clock?: () => Date;
    mount?: BotMountOptions;
  } = {},
): Promise<BotTestApp> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'hub-bot-')));
  let bot: MountedBot | null = null;
  const mount = createBotMount({ startScheduler: false, ...options.mount });
  const app = await createApp(
    loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      SAMPLE_TENANT_PORT: '0',
      LOG_LEVEL: 'error',
      ...options.env,
    }),
    {
      logger: silentLogger,
      staticDir: join(dataDir, 'no-tab-here'),
      ...(options.clock ? { clock: options.clock } : {}),
      mountEdges: async (server, core) => {
        bot = await mount(server, core);
        return bot;
      },
    },
  );
  const { url } = await app.listen();
  if (bot === null) throw new Error('the bot was not mounted');
  const mounted: MountedBot = bot;
  return {
    app,
    base: url,
    dataDir,
    bot: mounted,
    async close({ keepData = false } = {}) {
      await app.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A Bot Connector on loopback

export interface RecordedActivity {
  readonly conversationId: string;
  readonly replyToId: string | null;
  readonly activity: Record<string, unknown>;
  /** The Adaptive Card of the activity, if it carries one. */
  readonly card: AdaptiveCard | null;
  /** The request's Authorization header: the bot's token when it has a bot app id. */
  readonly authorization: string | null;
}

export type ConnectorAnswer = { status: number; headers?: Record<string, string> } | null;

export interface FakeConnector {
  /** The `serviceUrl` to put in activities. */
  readonly url: string;
  readonly activities: RecordedActivity[];
  /** Requests received, including refused ones. */
  readonly requests: { conversationId: string; status: number }[];
  /** Decides the answer to a send; null (or no rule) = 201 and recorded. */
  answerWith(rule: ((conversationId: string, attempt: number) => ConnectorAnswer) | null): void;
  /** Resolves with the first recorded activity (now or later) that matches. */
  waitFor(match: (a: RecordedActivity) => boolean): Promise<RecordedActivity>;
  close(): Promise<void>;
}

function cardOf(activity: Record<string, unknown>): AdaptiveCard | null {
  const attachments = activity['attachments'];
  if (!Array.isArray(attachments)) return null;
  const first: unknown = attachments[0];
  if (typeof first !== 'object' || first === null) return null;
  const a = first as { contentType?: unknown; content?: unknown };
  return a.contentType === 'application/vnd.microsoft.card.adaptive'
    ? (a.content as AdaptiveCard)
    : null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const activities: RecordedActivity[] = [];
  const requests: { conversationId: string; status: number }[] = [];
  const attempts = new Map<string, number>();
  const waiters: {
    match: (a: RecordedActivity) => boolean;
    resolve: (a: RecordedActivity) => void;
  }[] = [];
  let rule: ((conversationId: string, attempt: number) => ConnectorAnswer) | null = null;
  let sequence = 0;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readBody(req);
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"NotFound","message":"no such route"}}');
        return;
      }
      const conversationId = decodeURIComponent(m[1] ?? '');
      const attempt = (attempts.get(conversationId) ?? 0) + 1;
      attempts.set(conversationId, attempt);
      const answer = rule?.(conversationId, attempt) ?? null;
      if (answer !== null && answer.status >= 300) {
        requests.push({ conversationId, status: answer.status });
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify({ error: { code: 'Refused', message: `status ${answer.status}` } }));
        return;
      }
      requests.push({ conversationId, status: 201 });
      const activity = JSON.parse(body) as Record<string, unknown>;
      const recorded: RecordedActivity = {
        conversationId,
        replyToId: m[2] === undefined ? null : decodeURIComponent(m[2]),
        activity,
        card: cardOf(activity),
        authorization: req.headers.authorization ?? null,
      };
      activities.push(recorded);
      for (const w of [...waiters]) {
        if (w.match(recorded)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(recorded);
        }
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${++sequence}` }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    activities,
    requests,
    answerWith(next) {
      rule = next;
      attempts.clear();
    },
    waitFor(match) {
      const found = activities.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Teams-shaped activities

export const TENANT = '7b2c4e7a-1f3d-4e5a-9b6c-0d1e2f3a4b5c';
export const BOT = { id: '28:accountant-hub-bot', name: 'Accountant Hub' };

export interface TestUser {
  readonly id: string;
  readonly aadObjectId: string;
  readonly name: string;
}

export function testUser(n: number, name = `Accountant ${n}`): TestUser {
  const hex = n.toString(16).padStart(12, '0');
  return { id: `29:user-${n}`, aadObjectId: `00000000-0000-4000-8000-${hex}`, name };
}

export interface ConversationSpec {
  readonly id: string;
  readonly conversationType: 'personal' | 'groupChat' | 'channel';
}

export const personalChat = (user: TestUser): ConversationSpec => ({
  id: `a:personal-${user.aadObjectId}`,
  conversationType: 'personal',
});

let activitySequence = 0;

function base(
  serviceUrl: string,
  user: TestUser,
  conversation: ConversationSpec,
): Record<string, unknown> {
  return {
    id: `activity-${++activitySequence}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    conversation: {
      id: conversation.id,
      conversationType: conversation.conversationType,
      tenantId: TENANT,
    },
    recipient: { id: BOT.id, name: BOT.name },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-US',
  };
}

export function messageActivity(
  serviceUrl: string,
  user: TestUser,
  text: string,
  options: { conversation?: ConversationSpec; mention?: boolean } = {},
): Record<string, unknown> {
  const conversation = options.conversation ?? personalChat(user);
  const mention = options.mention ?? false;
  const mentionText = `<at>${BOT.name}</at>`;
  return {
    ...base(serviceUrl, user, conversation),
    type: 'message',
    text: mention ? `${mentionText} ${text}` : text,
    textFormat: 'plain',
    entities: mention
      ? [{ type: 'mention', text: mentionText, mentioned: { id: BOT.id, name: BOT.name } }]
      : [],
  };
}

export function conversationUpdateActivity(
  serviceUrl: string,
  user: TestUser,
  change: { membersAdded?: { id: string }[]; membersRemoved?: { id: string }[] },
  conversation: ConversationSpec = personalChat(user),
): Record<string, unknown> {
  return { ...base(serviceUrl, user, conversation), type: 'conversationUpdate', ...change };
}

export function installationUpdateActivity(
  serviceUrl: string,
  user: TestUser,
  action: 'add' | 'remove',
  conversation: ConversationSpec = personalChat(user),
): Record<string, unknown> {
  return { ...base(serviceUrl, user, conversation), type: 'installationUpdate', action };
}

export function cardActionActivity(
  serviceUrl: string,
  user: TestUser,
  verb: unknown,
  data: unknown,
  conversation: ConversationSpec = personalChat(user),
): Record<string, unknown> {
  return {
    ...base(serviceUrl, user, conversation),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export interface PostResult {
  readonly status: number;
  readonly body: unknown;
}

/** POSTs an activity to the bot over HTTP, as the Bot Connector does. */
export async function postActivity(
  base: string,
  activity: unknown,
  headers: Record<string, string> = {},
): Promise<PostResult> {
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof activity === 'string' ? activity : JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** The card an `adaptiveCard/action` invoke answered with (throws when it is not a card). */
export function invokeCard(result: PostResult): AdaptiveCard {
  const body = result.body as { statusCode?: number; type?: string; value?: unknown };
  if (body?.type !== 'application/vnd.microsoft.card.adaptive') {
    throw new Error(`expected a card, got ${JSON.stringify(result.body)}`);
  }
  return body.value as AdaptiveCard;
}

// ---------------------------------------------------------------------------------------------
// Cards

/** Everything in a card, depth first, for tests that look for texts and actions. */
export function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
  } else if (typeof value === 'object' && value !== null) {
    visit(value as Record<string, unknown>);
    for (const v of Object.values(value)) walk(v, visit);
  }
}

/** All visible text of a card (TextBlocks, TextRuns, facts), joined with newlines. */
export function cardText(card: AdaptiveCard | null): string {
  const out: string[] = [];
  walk(card, (node) => {
    if (node['type'] === 'TextBlock' && typeof node['text'] === 'string') {
      out.push(node['text']);
    }
    if (node['type'] === 'RichTextBlock' && Array.isArray(node['inlines'])) {
      out.push((node['inlines'] as { text?: string }[]).map((i) => i.text ?? '').join(''));
    }
    if (
      typeof node['title'] === 'string' &&
      typeof node['value'] === 'string' &&
      node['type'] === undefined
    ) {
      out.push(`${node['title']}: ${node['value']}`);
    }
  });
  return out.join('\n');
}

export interface FoundAction {
  readonly type: string;
  readonly title: string;
  readonly verb?: string;
  readonly data?: unknown;
  readonly url?: string;
}

export function cardActions(card: AdaptiveCard | null): FoundAction[] {
  const out: FoundAction[] = [];
  walk(card, (node) => {
    if (
      typeof node['type'] === 'string' &&
      node['type'].startsWith('Action.') &&
      typeof node['title'] === 'string'
    ) {
      out.push(node as unknown as FoundAction);
    }
  });
  return out;
}

interface AcEvent {
  readonly message: string;
}
interface AcSerializationContext {
  readonly eventCount: number;
  getEventAt(i: number): AcEvent;
}
interface AcCard {
  parse(json: unknown, context: AcSerializationContext): void;
  validateProperties(): { readonly validationEvents: readonly AcEvent[] };
}
interface AdaptiveCardsModule {
  readonly AdaptiveCard: new () => AcCard;
  readonly SerializationContext: new () => AcSerializationContext;
}

// adaptivecards 3's `main` entry does not load in plain Node; its minified bundle does.
const adaptiveCards = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.min.js',
) as AdaptiveCardsModule;

/** The most a message (card included) may weigh to render in every Teams client. */
export const TEAMS_SAFE_MESSAGE_BYTES = 28_000;

/**
 * What is wrong with a card, according to the `adaptivecards` parser (unknown element or action
 * types, duplicate ids), the version Teams renders (1.5), its size, and whether every
 * `Action.Execute` carries data this bot accepts. Empty when the card is fine.
 */
export function cardProblems(card: AdaptiveCard): string[] {
  const problems: string[] = [];
  if (card.type !== 'AdaptiveCard') problems.push(`type is ${String(card.type)}`);
  if (card.version !== '1.5') problems.push(`version is ${card.version}, Teams renders 1.5`);
  const context = new adaptiveCards.SerializationContext();
  const parsed = new adaptiveCards.AdaptiveCard();
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i++)
    problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents)
    problems.push(`validate: ${e.message}`);
  const bytes = new TextEncoder().encode(JSON.stringify(card)).length;
  if (bytes > TEAMS_SAFE_MESSAGE_BYTES) problems.push(`card is ${bytes} bytes`);
  for (const action of cardActions(card)) {
    if (action.type === 'Action.Execute') {
      const data = { ...(action.data as Record<string, unknown>) };
      if (parseCardAction(action.verb, data) === null) {
        problems.push(`Action.Execute "${action.title}" carries data the bot would refuse`);
      }
    }
  }
  return problems;
}
