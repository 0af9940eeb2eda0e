/**
 * The proactive daily summary with an injected clock: across local times, days, time zones,
 * restarts, two instances, lost leases, and a Bot Connector that throttles or refuses.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountantIdOf } from '../../src/domain/ids.js';
import {
  createDailySummaryScheduler,
  diffDigests,
  digestOf,
  encodeDigest,
  localTimeIn,
  minutesOf,
  readDigest,
} from '../../bot/daily-summary.js';
import { dashboardRow, taskRow } from './builders.js';
import {
  cardText,
  cardProblems,
  installationUpdateActivity,
  messageActivity,
  personalChat,
  postActivity,
  startBotApp,
  startFakeConnector,
  testClock,
  testUser,
  TENANT,
  type BotTestApp,
  type FakeConnector,
  type RecordedActivity,
  type TestClock,
  type TestUser,
} from './harness.js';

describe('local time in a time zone', () => {
  test('Berlin, New York and Tokyo see different local days and minutes of one instant', () => {
    const instant = new Date('2026-03-10T23:30:00Z');
    expect(localTimeIn(instant, 'Europe/Berlin')).toEqual({ day: '2026-03-11', minutes: 30 });
    expect(localTimeIn(instant, 'America/New_York')).toEqual({
      day: '2026-03-10',
      minutes: 19 * 60 + 30,
    });
    expect(localTimeIn(instant, 'Asia/Tokyo')).toEqual({ day: '2026-03-11', minutes: 8 * 60 + 30 });
    expect(localTimeIn(instant, 'UTC')).toEqual({ day: '2026-03-10', minutes: 23 * 60 + 30 });
  });

  test('a time skipped by the spring-forward change counts as passed right after the jump', () => {
    // Berlin jumps from 02:00 to 03:00 at 01:00 UTC on 29 March 2026.
    expect(localTimeIn(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toEqual({
      day: '2026-03-29',
      minutes: 119,
    });
    const after = localTimeIn(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin');
    expect(after).toEqual({ day: '2026-03-29', minutes: 180 });
    expect(after.minutes >= minutesOf('02:30')).toBe(true);
  });

  test('the repeated hour of the fall-back change is the same local day', () => {
    // Berlin goes from 03:00 back to 02:00 at 01:00 UTC on 25 October 2026.
    const first = localTimeIn(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin');
    const second = localTimeIn(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin');
    expect(first).toEqual({ day: '2026-10-25', minutes: 150 });
    expect(second).toEqual({ day: '2026-10-25', minutes: 150 });
  });
});

describe('digest', () => {
  test('says which tasks became overdue, which cleared, and how overdue invoice totals moved', () => {
    const yesterday = digestOf([taskRow(1), taskRow(2)], [dashboardRow(1)]);
    const today = digestOf(
      [taskRow(2), taskRow(3, { title: 'New one' })],
      [
        dashboardRow(1, {
          overdueSalesInvoiceAmount: { minor: 1_500_00, currency: 'USD' },
          overduePurchaseInvoiceAmount: { minor: 0, currency: 'USD' },
        }),
      ],
    );
    const changes = diffDigests(yesterday, today);
    expect(changes.newlyOverdue).toEqual([{ title: 'New one', place: 'Client 0 — Company 0' }]);
    expect(changes.cleared).toEqual([{ title: 'Task number 1', place: 'Client 1 — Company 1' }]);
    expect(changes.invoiceChanges).toEqual([
      {
        place: 'Client 1 — Company 1',
        what: 'Overdue from customers up from $1,000.00 to $1,500.00; overdue to vendors cleared (was $250.00)',
      },
    ]);
  });

  test('a stored digest of another shape is ignored rather than trusted', () => {
    const entry = (digest: Record<string, unknown>) => ({
      day: '2026-03-09',
      state: 'sent' as const,
      owner: 'x',
      leaseUntil: '2026-03-09T08:00:00Z',
      updatedAt: '2026-03-09T08:00:00Z',
      digest,
    });
    expect(readDigest(entry({ v: 2 }))).toBeNull();
    expect(readDigest(entry({ v: 1, p: [], t: 'nope', i: [] }))).toBeNull();
    expect(readDigest(entry({ v: 1, p: [], t: [[-1, 'k', 'x']], i: [] }))).toBeNull();
    expect(readDigest(null)).toBeNull();
  });

  test('is stored compactly and read back unchanged', () => {
    const digest = digestOf(
      [taskRow(1), taskRow(2), taskRow(4)],
      [dashboardRow(1), dashboardRow(2)],
    );
    const stored = encodeDigest(digest);
    expect(stored.p.length).toBeLessThan(
      Object.keys(digest.overdueTasks).length + Object.keys(digest.invoices).length,
    );
    expect(
      readDigest({
        day: '2026-03-09',
        state: 'sent',
        owner: 'x',
        leaseUntil: '',
        updatedAt: '',
        digest: stored,
      }),
    ).toEqual(digest);
    // A day's digest stays small: keys are short hashes, titles are cut.
    const big = digestOf(
      Array.from({ length: 1_000 }, (_, n) => taskRow(n, { title: 't'.repeat(500) })),
      [],
    );
    expect(JSON.stringify(encodeDigest(big)).length).toBeLessThan(40_000);
  });
});

// ---------------------------------------------------------------------------------------------

let apps: BotTestApp[] = [];
let connectors: FakeConnector[] = [];
const dataDirs: string[] = [];

afterEach(async () => {
  for (const a of apps) await a.close({ keepData: true });
  for (const c of connectors) await c.close();
  for (const d of dataDirs.splice(0)) await rm(d, { recursive: true, force: true });
  apps = [];
  connectors = [];
});

async function setUp(options: { dataDir?: string; clock?: TestClock; owner?: string } = {}) {
  const clock = options.clock ?? testClock('2026-03-10T06:00:00Z');
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'hub-summary-')));
  if (options.dataDir === undefined) dataDirs.push(dataDir);
  const connector = connectors[0] ?? (await startFakeConnector());
  if (connectors.length === 0) connectors.push(connector);
  const app = await startBotApp({
    dataDir,
    clock,
    mount: {
      sendQueue: { baseBackoffMs: 5, maxBackoffMs: 40 },
      dailySummary: { owner: options.owner ?? 'instance-a' },
    },
  });
  apps.push(app);
  return { app, clock, connector, dataDir };
}

async function say(
  app: BotTestApp,
  connector: FakeConnector,
  user: TestUser,
  text: string,
): Promise<RecordedActivity> {
  const activity = messageActivity(connector.url, user, text);
  await postActivity(app.base, activity);
  return connector.waitFor(
    (a) => a.replyToId === activity['id'] && a.activity['type'] === 'message',
  );
}

/** Installs the bot for `user` and turns the summary on at `time` in `timeZone`. */
async function subscribe(
  app: BotTestApp,
  connector: FakeConnector,
  user: TestUser,
  time: string,
  timeZone: string,
) {
  await postActivity(app.base, installationUpdateActivity(connector.url, user, 'add'));
  await say(app, connector, user, `daily summary at ${time}`);
  await say(app, connector, user, `time zone ${timeZone}`);
}

function summariesTo(connector: FakeConnector, user: TestUser): RecordedActivity[] {
  return connector.activities.filter(
    (a) =>
      a.conversationId === personalChat(user).id &&
      a.card !== null &&
      cardText(a.card).includes('Daily summary for'),
  );
}

const storeOf = (app: BotTestApp, user: TestUser) =>
  app.app.core.registry.forAccountant(accountantIdOf(TENANT, user.aadObjectId));

describe('the daily summary', () => {
  test('goes out at the chosen local time, not before, and once that day', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(1, 'Alice Accountant');
    await subscribe(app, connector, user, '8:00', 'Europe/Berlin');

    clock.set('2026-03-10T06:59:00Z'); // 07:59 in Berlin
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ 'not-due': 1 });
    expect(summariesTo(connector, user)).toEqual([]);

    clock.set('2026-03-10T07:00:00Z'); // 08:00 in Berlin
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ sent: 1 });
    const [summary] = summariesTo(connector, user);
    expect(summary?.card && cardProblems(summary.card)).toEqual([]);
    const text = cardText(summary?.card ?? null);
    expect(text).toContain('Daily summary for Alice Accountant');
    expect(text).toContain('10 Mar 2026 · Europe/Berlin');
    expect(text).toContain('Overdue now');
    expect(text).toContain('Due this week');
    expect(text).toContain('This is your first daily summary');

    clock.set('2026-03-10T15:00:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ 'already-sent': 1 });
    expect(summariesTo(connector, user)).toHaveLength(1);
    const log = await storeOf(app, user).listSummaryLog();
    expect(log).toEqual([
      expect.objectContaining({ day: '2026-03-10', state: 'sent', owner: 'instance-a' }),
    ]);
  });

  test('each accountant gets it at their own time zone’s 8:00', async () => {
    const { app, clock, connector } = await setUp();
    const berlin = testUser(2);
    const newYork = testUser(3);
    await subscribe(app, connector, berlin, '8:00', 'Europe/Berlin');
    await subscribe(app, connector, newYork, '8:00', 'America/New_York');

    clock.set('2026-03-10T07:00:00Z'); // 08:00 CET, 03:00 EDT
    await app.bot.scheduler.tick();
    expect(summariesTo(connector, berlin)).toHaveLength(1);
    expect(summariesTo(connector, newYork)).toHaveLength(0);

    clock.set('2026-03-10T11:59:00Z'); // 07:59 EDT (New York moved to summer time on 8 March)
    await app.bot.scheduler.tick();
    expect(summariesTo(connector, newYork)).toHaveLength(0);

    clock.set('2026-03-10T12:00:00Z');
    await app.bot.scheduler.tick();
    expect(summariesTo(connector, newYork)).toHaveLength(1);
    expect(summariesTo(connector, berlin)).toHaveLength(1);
  });

  test('a restart neither repeats today’s summary nor skips one that fell due while it was down', async () => {
    const first = await setUp();
    const user = testUser(4);
    const other = testUser(5);
    await subscribe(first.app, first.connector, user, '8:00', 'UTC');
    await subscribe(first.app, first.connector, other, '9:00', 'UTC');
    first.clock.set('2026-03-10T08:00:00Z');
    await first.app.bot.scheduler.tick();
    expect(summariesTo(first.connector, user)).toHaveLength(1);
    await first.app.close({ keepData: true });
    apps = apps.filter((a) => a !== first.app);

    // Down from 08:00 to 10:30: the 09:00 summary is sent on the first tick after the restart.
    const second = await setUp({
      dataDir: first.dataDir,
      clock: testClock('2026-03-10T10:30:00Z'),
      owner: 'instance-b',
    });
    const report = await second.app.bot.scheduler.tick();
    expect(report.outcomes).toEqual({ 'already-sent': 1, sent: 1 });
    expect(summariesTo(second.connector, user)).toHaveLength(1);
    expect(summariesTo(second.connector, other)).toHaveLength(1);
  });

  test('two instances sharing the registry send it once', async () => {
    const { app, clock, connector } = await setUp();
    const users = [testUser(6), testUser(7), testUser(8)];
    for (const u of users) await subscribe(app, connector, u, '8:00', 'UTC');
    const core = app.app.core;
    const twin = createDailySummaryScheduler({
      hub: core.hub,
      registry: core.registry,
      clock,
      logger: core.logger,
      owner: 'instance-twin',
      deliver: (reference, message, keys) =>
        app.bot.queue.enqueue({
          ...keys,
          send: (gate) => app.bot.framework.sendProactive(reference, message, gate),
        }),
    });
    clock.set('2026-03-10T08:00:00Z');
    const [a, b] = await Promise.all([app.bot.scheduler.tick(), twin.tick()]);
    expect((a.outcomes.sent ?? 0) + (b.outcomes.sent ?? 0)).toBe(3);
    for (const u of users) expect(summariesTo(connector, u)).toHaveLength(1);
    await Promise.all([app.bot.scheduler.tick(), twin.tick()]);
    for (const u of users) expect(summariesTo(connector, u)).toHaveLength(1);
  });

  test('a day claimed by an instance that then died is sent once its lease runs out', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(9);
    await subscribe(app, connector, user, '8:00', 'UTC');
    clock.set('2026-03-10T08:00:00Z');
    expect(
      await storeOf(app, user).claimDailySummary(
        '2026-03-10',
        'crashed-instance',
        clock(),
        10 * 60_000,
      ),
    ).toBe(true);

    clock.set('2026-03-10T08:05:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ 'claimed-elsewhere': 1 });
    expect(summariesTo(connector, user)).toHaveLength(0);

    clock.set('2026-03-10T08:11:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ sent: 1 });
    expect(summariesTo(connector, user)).toHaveLength(1);
  });

  test('an instance whose claim was taken over while it worked does not send', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(10);
    await subscribe(app, connector, user, '8:00', 'UTC');
    clock.set('2026-03-10T08:00:00Z');
    const core = app.app.core;
    const store = storeOf(app, user);
    // A slow instance: while it gathers the summary, its lease runs out and another takes the day.
    const slowHub = {
      ...core.hub,
      myTasks: async (...args: Parameters<typeof core.hub.myTasks>) => {
        clock.advance(11 * 60_000);
        await store.claimDailySummary('2026-03-10', 'faster-instance', clock(), 10 * 60_000);
        return core.hub.myTasks(...args);
      },
    };
    const slow = createDailySummaryScheduler({
      hub: slowHub,
      registry: core.registry,
      clock,
      logger: core.logger,
      owner: 'slow-instance',
      deliver: (reference, message, keys) =>
        app.bot.queue.enqueue({
          ...keys,
          send: (gate) => app.bot.framework.sendProactive(reference, message, gate),
        }),
    });
    expect(await slow.runFor(accountantIdOf(TENANT, user.aadObjectId))).toBe('lost-claim');
    expect(summariesTo(connector, user)).toHaveLength(0);
  });

  test('the next day says what changed: a task completed since is listed as cleared', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(11);
    const acc = accountantIdOf(TENANT, user.aadObjectId);
    await subscribe(app, connector, user, '8:00', 'UTC');
    clock.set('2026-03-10T08:00:00Z');
    await app.bot.scheduler.tick();
    const overdue = await app.app.core.hub.myTasks(acc, { due: 'overdue' });
    const done = overdue[0];
    expect(done).toBeDefined();
    if (done === undefined) return;
    expect(
      (await app.app.core.hub.completeTask(acc, done.clientId, done.companyId, done.id)).ok,
    ).toBe(true);

    clock.set('2026-03-11T08:00:00Z');
    await app.bot.scheduler.tick();
    const summaries = summariesTo(connector, user);
    expect(summaries).toHaveLength(2);
    const text = cardText(summaries[1]?.card ?? null);
    expect(text).toContain('What changed since 10 Mar 2026');
    expect(text).toContain('Cleared (1):');
    expect(text).toContain(done.title);
    expect((await storeOf(app, user).listSummaryLog()).map((e) => [e.day, e.state])).toEqual([
      ['2026-03-10', 'sent'],
      ['2026-03-11', 'sent'],
    ]);
  });

  test('snapshots younger than an hour are used as they are; older ones are refreshed first', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(12);
    await subscribe(app, connector, user, '8:00', 'UTC');
    const sample = app.app.core.sampleTenant;
    if (sample === null) throw new Error('sample mode');
    clock.set('2026-03-10T07:30:00Z');
    await app.app.core.hub.refresh(accountantIdOf(TENANT, user.aadObjectId), { kind: 'all' });
    sample.resetStats();
    clock.set('2026-03-10T08:00:00Z');
    await app.bot.scheduler.tick();
    expect(sample.stats().requests).toBe(0);

    clock.set('2026-03-11T09:00:00Z');
    await app.bot.scheduler.tick();
    expect(sample.stats().requests).toBeGreaterThan(0);
    expect(summariesTo(connector, user)).toHaveLength(2);
  });

  test('a chat the bot was removed from (403) is marked inactive and the others still get theirs', async () => {
    const { app, clock, connector } = await setUp();
    const removed = testUser(13);
    const others = [testUser(14), testUser(15)];
    for (const u of [removed, ...others]) await subscribe(app, connector, u, '8:00', 'UTC');
    const seen = connector.requests.length;
    connector.answerWith((conversationId) =>
      conversationId === personalChat(removed).id ? { status: 403 } : null,
    );
    clock.set('2026-03-10T08:00:00Z');
    const report = await app.bot.scheduler.tick();
    expect(report.outcomes).toEqual({ sent: 2, gone: 1 });
    for (const u of others) expect(summariesTo(connector, u)).toHaveLength(1);
    const [conversation] = await storeOf(app, removed).listConversations();
    expect(conversation).toMatchObject({ active: false });
    expect(conversation?.inactiveReason).toContain('403');
    expect(
      connector.requests.slice(seen).filter((r) => r.conversationId === personalChat(removed).id),
    ).toEqual([{ conversationId: personalChat(removed).id, status: 403 }]);

    clock.set('2026-03-10T09:00:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toMatchObject({ 'no-conversation': 1 });
    connector.answerWith(null);
  });

  test('throttling (429) is retried and the card arrives exactly once', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(16);
    await subscribe(app, connector, user, '8:00', 'UTC');
    const seen = connector.requests.length;
    connector.answerWith((conversationId, attempt) =>
      conversationId === personalChat(user).id && attempt <= 2
        ? { status: 429, headers: { 'retry-after': '0' } }
        : null,
    );
    clock.set('2026-03-10T08:00:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ sent: 1 });
    expect(summariesTo(connector, user)).toHaveLength(1);
    expect(
      connector.requests
        .slice(seen)
        .filter((r) => r.conversationId === personalChat(user).id)
        .map((r) => r.status),
    ).toEqual([429, 429, 201]);
    connector.answerWith(null);
  });

  test('a send that fails is recorded as failed and tried again later, not lost', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(17);
    await subscribe(app, connector, user, '8:00', 'UTC');
    connector.answerWith(() => ({ status: 400 }));
    clock.set('2026-03-10T08:00:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ failed: 1 });
    expect((await storeOf(app, user).listSummaryLog())[0]).toMatchObject({ state: 'failed' });
    connector.answerWith(null);

    clock.set('2026-03-10T08:05:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ 'waiting-to-retry': 1 });
    clock.set('2026-03-10T08:20:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ sent: 1 });
    expect(summariesTo(connector, user)).toHaveLength(1);
  });

  test('moving to a time zone where today has not begun does not send the same day again', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(18);
    await subscribe(app, connector, user, '8:00', 'Asia/Tokyo');
    clock.set('2026-03-10T23:00:00Z'); // 08:00 on 11 March in Tokyo
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ sent: 1 });
    await say(app, connector, user, 'time zone America/Los_Angeles');
    clock.set('2026-03-11T16:00:00Z'); // 09:00 on 11 March in Los Angeles: that day was already sent
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ 'already-sent': 1 });
    clock.set('2026-03-12T16:00:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ sent: 1 });
    expect(summariesTo(connector, user)).toHaveLength(2);
  });

  test('an accountant with no personal chat is skipped without claiming the day', async () => {
    const { app, clock, connector } = await setUp();
    const user = testUser(19);
    const group = { id: '19:group@thread.v2', conversationType: 'groupChat' as const };
    await postActivity(
      app.base,
      messageActivity(connector.url, user, 'daily summary at 8:00', {
        conversation: group,
        mention: true,
      }),
    );
    clock.set('2026-03-10T08:00:00Z');
    expect((await app.bot.scheduler.tick()).outcomes).toEqual({ 'no-conversation': 1 });
    expect(await storeOf(app, user).listSummaryLog()).toEqual([]);
    expect(
      connector.activities.filter(
        (a) => a.card !== null && cardText(a.card).includes('Daily summary for'),
      ),
    ).toEqual([]);
  });
});
