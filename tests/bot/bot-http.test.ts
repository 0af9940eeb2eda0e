/**
 * The bot over real HTTP: Teams-shaped activities POSTed to /api/messages of the real app (real
 * registry, sample tenant, connector and hub), with a loopback server playing the Bot Connector.
 * Authentication with a bot app id is in `bot-auth.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { accountantIdOf } from '../../src/domain/ids.js';
import { defaultSampleTenantId } from '../../src/sample-tenant/index.js';
import { parseCardAction } from '../../bot/cards/actions.js';
import { installDnsGuard, type DnsGuard } from './dns-guard.js';
import {
  BOT,
  TENANT,
  cardActionActivity,
  cardActions,
  cardProblems,
  cardText,
  conversationUpdateActivity,
  installationUpdateActivity,
  invokeCard,
  messageActivity,
  personalChat,
  postActivity,
  startBotApp,
  startFakeConnector,
  testUser,
  type BotTestApp,
  type FakeConnector,
  type RecordedActivity,
  type TestUser,
} from './harness.js';

let app: BotTestApp;
let connector: FakeConnector;
let guard: DnsGuard;

beforeAll(async () => {
  guard = installDnsGuard();
  connector = await startFakeConnector();
  app = await startBotApp();
});

afterAll(async () => {
  await app.close();
  await connector.close();
  guard.uninstall();
});

const storeOf = (user: TestUser) =>
  app.app.core.registry.forAccountant(accountantIdOf(TENANT, user.aadObjectId));

/** Sends a message and returns the bot's reply to it. */
async function ask(
  user: TestUser,
  text: string,
  options: Parameters<typeof messageActivity>[3] = {},
): Promise<RecordedActivity> {
  const activity = messageActivity(connector.url, user, text, options);
  const result = await postActivity(app.base, activity);
  expect(result.status).toBe(200);
  return connector.waitFor(
    (a) => a.replyToId === activity['id'] && a.activity['type'] === 'message',
  );
}

describe('conversation', () => {
  test('a personal message gets the overdue tasks card, threaded to the message', async () => {
    const user = testUser(1, 'Alice Accountant');
    const reply = await ask(user, 'Show overdue tasks!');
    expect(reply.conversationId).toBe(personalChat(user).id);
    expect(reply.card).not.toBeNull();
    if (reply.card === null) return;
    expect(cardProblems(reply.card)).toEqual([]);
    const text = cardText(reply.card);
    expect(text).toContain('Overdue tasks');
    expect(text).toMatch(/\d+ tasks? overdue across 1 client/);
    expect(text).not.toContain('for Alice Accountant');
    const tasks = await app.app.core.hub.myTasks(accountantIdOf(TENANT, user.aadObjectId), {
      due: 'overdue',
    });
    expect(tasks.length).toBeGreaterThan(0);
    for (const t of tasks.slice(0, 3)) expect(text).toContain(t.title);
  });

  test('the first message stores the conversation for proactive messages', async () => {
    const user = testUser(2);
    await ask(user, 'help');
    const conversations = await storeOf(user).listConversations();
    expect(conversations).toEqual([
      expect.objectContaining({
        conversationId: personalChat(user).id,
        kind: 'personal',
        active: true,
      }),
    ]);
    expect(conversations[0]?.reference).toMatchObject({
      serviceUrl: connector.url,
      conversation: { id: personalChat(user).id },
    });
  });

  test('in a group chat the bot answers an @mention and names whose clients the card shows', async () => {
    const user = testUser(3, 'Bob Bookkeeper');
    const group = { id: '19:group-chat-1@thread.v2', conversationType: 'groupChat' as const };
    const reply = await ask(user, 'summary', { conversation: group, mention: true });
    expect(reply.conversationId).toBe(group.id);
    expect(reply.card && cardText(reply.card)).toContain('Summary for Bob Bookkeeper');
    expect(reply.card && cardText(reply.card)).toContain(
      "Only Bob Bookkeeper's clients are shown.",
    );
  });

  test('in a group chat a message without a mention is ignored', async () => {
    const user = testUser(4);
    const group = { id: '19:group-chat-2@thread.v2', conversationType: 'groupChat' as const };
    const result = await postActivity(
      app.base,
      messageActivity(connector.url, user, 'summary', { conversation: group }),
    );
    expect(result.status).toBe(200);
    // A turn's replies are sent before the HTTP answer, so nothing can arrive later.
    expect(connector.activities.filter((a) => a.conversationId === group.id)).toEqual([]);
  });

  test('anything else gets a short help card with the closest commands', async () => {
    const reply = await ask(testUser(5), 'overdue stuff plz?');
    expect(reply.card).not.toBeNull();
    if (reply.card === null) return;
    expect(cardProblems(reply.card)).toEqual([]);
    expect(cardText(reply.card)).toContain("I didn't understand");
    expect(cardActions(reply.card).map((a) => a.title)).toEqual(
      expect.arrayContaining(['show overdue tasks', 'show overdue invoices']),
    );
  });

  test('overdue invoices of one client are found by a misspelt name', async () => {
    const user = testUser(6);
    const reply = await ask(user, 'show overdue invoices smaple client');
    expect(reply.card).not.toBeNull();
    if (reply.card === null) return;
    expect(cardProblems(reply.card)).toEqual([]);
    const text = cardText(reply.card);
    expect(text).toContain('Overdue invoices');
    expect(text).toMatch(/Client: Sample client/i);
    expect(text).toMatch(/overdue sales invoice/);
  });

  test('a client name that matches nothing gets a "which client" card', async () => {
    const reply = await ask(testUser(7), 'show overdue invoices Northwind Traders');
    expect(reply.card && cardText(reply.card)).toContain(
      'I found no client called “Northwind Traders”.',
    );
  });

  test('daily summary and time zone commands save the settings and show them', async () => {
    const user = testUser(8);
    const on = await ask(user, 'daily summary at 7:30');
    expect(on.card && cardText(on.card)).toContain('Daily summary on: every day at 07:30 (UTC).');
    const zone = await ask(user, 'time zone europe/berlin');
    expect(zone.card && cardText(zone.card)).toContain('Time zone set to Europe/Berlin.');
    expect(await storeOf(user).getDailySummarySettings()).toEqual({
      enabled: true,
      time: '07:30',
      timeZone: 'Europe/Berlin',
    });
    const off = await ask(user, 'daily summary off');
    expect(off.card && cardText(off.card)).toContain('Status: Off');
    expect((await storeOf(user).getDailySummarySettings()).enabled).toBe(false);
    const bad = await ask(user, 'daily summary at 26:99');
    expect(bad.card && cardText(bad.card)).toContain('is not a time of day');
  });

  test('refresh from chat answers at once and posts the result when it is done', async () => {
    const user = testUser(9);
    const first = await ask(user, 'refresh all');
    expect(first.activity['text']).toBe(
      "Refreshing all your clients. I'll post the result here when it's done.",
    );
    const result = await connector.waitFor(
      (a) =>
        a.conversationId === personalChat(user).id &&
        a.card !== null &&
        cardText(a.card).includes('Refreshed'),
    );
    expect(result.card && cardText(result.card)).toMatch(/Refreshed 3 companies\./);
  });

  test('an activity without Entra ids is known by its channel id when no bot app id is configured', async () => {
    const activity = messageActivity(connector.url, testUser(10), 'clients');
    const from = activity['from'] as Record<string, unknown>;
    delete from['aadObjectId'];
    await postActivity(app.base, activity);
    const reply = await connector.waitFor((a) => a.replyToId === activity['id']);
    expect(reply.card && cardText(reply.card)).toContain('Clients');
    const local = app.app.core.registry.forAccountant(accountantIdOf('local', 'bot-29-user-10'));
    expect(await local.getProfile()).not.toBeNull();
  });
});

describe('install and uninstall', () => {
  test('installing welcomes the user once and stores the conversation', async () => {
    const user = testUser(20, 'Carol Controller');
    const botAdded = conversationUpdateActivity(connector.url, user, {
      membersAdded: [{ id: BOT.id }],
    });
    const installed = installationUpdateActivity(connector.url, user, 'add');
    const results = await Promise.all([
      postActivity(app.base, botAdded),
      postActivity(app.base, installed),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const welcomes = connector.activities.filter(
      (a) =>
        a.conversationId === personalChat(user).id &&
        a.card !== null &&
        cardText(a.card).includes('Welcome to Accountant Hub'),
    );
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]?.card && cardText(welcomes[0].card)).toContain(
      'Welcome to Accountant Hub, Carol',
    );
    expect(await storeOf(user).listConversations()).toEqual([
      expect.objectContaining({ conversationId: personalChat(user).id, active: true }),
    ]);
  });

  test('other members joining a chat do not trigger a welcome', async () => {
    const user = testUser(21);
    const group = { id: '19:group-chat-3@thread.v2', conversationType: 'groupChat' as const };
    await postActivity(
      app.base,
      conversationUpdateActivity(
        connector.url,
        user,
        { membersAdded: [{ id: '29:someone' }] },
        group,
      ),
    );
    expect(connector.activities.filter((a) => a.conversationId === group.id)).toEqual([]);
    expect(await storeOf(user).listConversations()).toEqual([]);
  });

  test('uninstalling drops the conversation reference', async () => {
    const user = testUser(22);
    await postActivity(app.base, installationUpdateActivity(connector.url, user, 'add'));
    expect(await storeOf(user).listConversations()).toHaveLength(1);
    await postActivity(app.base, installationUpdateActivity(connector.url, user, 'remove'));
    expect(await storeOf(user).listConversations()).toEqual([]);
  });

  test('a conversation update of a known conversation refreshes its reference', async () => {
    const user = testUser(23);
    const team = { id: '19:team-general@thread.skype', conversationType: 'channel' as const };
    await postActivity(
      app.base,
      conversationUpdateActivity(connector.url, user, { membersAdded: [{ id: BOT.id }] }, team),
    );
    // The same connector reached by another loopback name: the stored reference must follow.
    const movedUrl = connector.url.replace('127.0.0.1', 'localhost');
    const renamed = conversationUpdateActivity(movedUrl, user, {}, team);
    renamed['channelData'] = {
      tenant: { id: TENANT },
      eventType: 'teamRenamed',
      team: { id: team.id, name: 'Finance' },
    };
    await postActivity(app.base, renamed);
    const after = await storeOf(user).listConversations();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      kind: 'channel',
      active: true,
      reference: { serviceUrl: movedUrl },
    });
  });
});

describe('card actions (Action.Execute)', () => {
  test('Mark complete completes the task in BC and updates the card in place', async () => {
    const user = testUser(30);
    const reply = await ask(user, 'show overdue tasks');
    const complete = cardActions(reply.card).find((a) => a.title === 'Mark complete');
    expect(complete).toBeDefined();
    if (complete === undefined) return;
    const action = parseCardAction(complete.verb, complete.data);
    if (action === null || action.verb !== 'complete-task')
      throw new Error('not a complete-task action');
    const acc = accountantIdOf(TENANT, user.aadObjectId);
    const before = await app.app.core.hub.myTasks(acc, { due: 'overdue' });
    const done = before.find((t) => t.id === action.taskId && t.companyId === action.companyId);
    expect(done).toBeDefined();

    const result = await postActivity(
      app.base,
      cardActionActivity(connector.url, user, complete.verb, complete.data),
    );
    expect(result.status).toBe(200);
    const card = invokeCard(result);
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain('Task marked complete in Business Central.');
    const after = await app.app.core.hub.myTasks(acc, { due: 'overdue' });
    expect(after).toHaveLength(before.length - 1);
    expect(after.some((t) => t.id === action.taskId && t.companyId === action.companyId)).toBe(
      false,
    );
  });

  test('Show more and Refresh answer with the card for that view', async () => {
    const user = testUser(31);
    const acc = accountantIdOf(TENANT, user.aadObjectId);
    await ask(user, 'help');
    const show = await postActivity(
      app.base,
      cardActionActivity(connector.url, user, 'show', {
        owner: acc,
        view: { card: 'my-tasks', range: 'all', offset: 0 },
      }),
    );
    expect(cardText(invokeCard(show))).toContain('My tasks');
    const refresh = await postActivity(
      app.base,
      cardActionActivity(connector.url, user, 'refresh', {
        owner: acc,
        view: { card: 'clients', offset: 0 },
        clientId: null,
      }),
    );
    const card = invokeCard(refresh);
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain('Refreshed 3 companies.');
  });

  test('a refresh that fails says which companies failed and why', async () => {
    const user = testUser(32);
    const acc = accountantIdOf(TENANT, user.aadObjectId);
    await ask(user, 'clients');
    app.app.core.sampleTenant?.setFault(defaultSampleTenantId, { kind: 'status', status: 403 });
    try {
      const result = await postActivity(
        app.base,
        cardActionActivity(connector.url, user, 'refresh', {
          owner: acc,
          view: { card: 'summary', offset: 0 },
          clientId: null,
        }),
      );
      const text = cardText(invokeCard(result));
      expect(text).toMatch(/Refreshed 0, 3 failed/);
      expect(text).toContain('no permission');
      expect(text).not.toContain('The others are up to date');
    } finally {
      app.app.core.sampleTenant?.setFault(defaultSampleTenantId, null);
    }
  });

  test('a button on someone else’s card is refused without showing their data', async () => {
    const owner = testUser(33);
    const other = testUser(34);
    await ask(owner, 'help');
    const ownerId = accountantIdOf(TENANT, owner.aadObjectId);
    const result = await postActivity(
      app.base,
      cardActionActivity(connector.url, other, 'show', {
        owner: ownerId,
        view: { card: 'summary', offset: 0 },
      }),
    );
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(JSON.stringify(result.body)).not.toContain('Summary');
  });

  test('forged ids in card data reach only the presser’s own clients', async () => {
    const user = testUser(35);
    const acc = accountantIdOf(TENANT, user.aadObjectId);
    await ask(user, 'help');
    const result = await postActivity(
      app.base,
      cardActionActivity(connector.url, user, 'complete-task', {
        owner: acc,
        view: { card: 'overdue-tasks', offset: 0 },
        clientId: 'someone-elses-client',
        companyId: 'company',
        taskId: 1,
      }),
    );
    const text = cardText(invokeCard(result));
    expect(text).toContain('Marking the task complete did not work');
  });

  test.each([
    ['no data', 'show', undefined],
    ['an unknown verb', 'delete-everything', { owner: 'x', view: { card: 'summary', offset: 0 } }],
    ['a wrong view', 'show', { owner: 'x', view: { card: '../../etc', offset: 0 } }],
    ['a negative offset', 'show', { owner: 'x', view: { card: 'summary', offset: -5 } }],
    [
      'a string task id',
      'complete-task',
      {
        owner: 'x',
        view: { card: 'summary', offset: 0 },
        clientId: 'c',
        companyId: 'd',
        taskId: '1; drop',
      },
    ],
    ['an array', 'show', [1, 2, 3]],
  ])('an action with %s is refused with a 400 error response', async (_label, verb, data) => {
    const result = await postActivity(
      app.base,
      cardActionActivity(connector.url, testUser(36), verb, data),
    );
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
  });

  test('an invoke that is not an Action.Execute, or has no value, is refused', async () => {
    const activity = cardActionActivity(connector.url, testUser(37), 'show', {});
    activity['value'] = { action: { type: 'Action.Submit' } };
    expect((await postActivity(app.base, activity)).status).toBe(400);
    delete activity['value'];
    expect((await postActivity(app.base, activity)).status).toBe(400);
  });
});

describe('the HTTP edge', () => {
  test('malformed, non-object, oversized and non-JSON bodies get clear 4xx answers', async () => {
    expect((await postActivity(app.base, '{"type": "message",')).status).toBe(400);
    expect((await postActivity(app.base, '[1,2,3]')).status).toBe(400);
    expect((await postActivity(app.base, '"just a string"')).status).toBe(400);
    const huge = JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) });
    expect((await postActivity(app.base, huge)).status).toBe(413);
    const res = await fetch(`${app.base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(res.status).toBe(415);
    expect(
      (await postActivity(app.base, '{"__proto__": {"polluted": true}, "type": "message"}')).status,
    ).toBe(400);
  });

  test('an activity with no type is refused', async () => {
    expect((await postActivity(app.base, { text: 'hello' })).status).toBe(400);
  });

  test('without a bot app id, traffic that came through a proxy is refused', async () => {
    const result = await postActivity(
      app.base,
      messageActivity(connector.url, testUser(40), 'help'),
      {
        'x-forwarded-for': '203.0.113.7',
      },
    );
    expect(result.status).toBe(403);
    expect(await storeOf(testUser(40)).getProfile()).toBeNull();
  });

  test('without a bot app id, an activity whose replies would go to another host is ignored', async () => {
    const user = testUser(41);
    const result = await postActivity(
      app.base,
      messageActivity('https://attacker.example/', user, 'summary'),
    );
    expect(result.status).toBe(200);
    expect(await storeOf(user).getProfile()).toBeNull();
  });
});

test('a user of a tenant the hub does not serve gets an error card and no data', async () => {
  const limited = await startBotApp({
    env: { ENTRA_ALLOWED_TENANTS: '11111111-2222-4333-8444-555555555555' },
  });
  try {
    const user = testUser(60);
    const activity = messageActivity(connector.url, user, 'summary');
    expect((await postActivity(limited.base, activity)).status).toBe(200);
    const reply = await connector.waitFor((a) => a.replyToId === activity['id']);
    expect(reply.card && cardText(reply.card)).toContain('does not serve their organization');
    const store = limited.app.core.registry.forAccountant(accountantIdOf(TENANT, user.aadObjectId));
    expect(await store.getProfile()).toBeNull();
  } finally {
    await limited.close();
  }
});

test('overdue invoices, read live from BC, are preceded by a typing indicator', async () => {
  const user = testUser(61);
  const activity = messageActivity(connector.url, user, 'show overdue invoices');
  await postActivity(app.base, activity);
  const replies = connector.activities.filter((a) => a.replyToId === activity['id']);
  expect(replies.map((a) => a.activity['type'])).toEqual(['typing', 'message']);
});

// Last on purpose: replies go to the loopback connector, and an activity naming another host is
// ignored, so nothing above may look up a public name (on this closed network that would hang).
test('nothing in this suite looked up a name other than loopback', () => {
  expect(guard.refused).toEqual([]);
});
