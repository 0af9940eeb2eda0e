/** Proactive sends through botbuilder's CloudAdapter to a loopback Bot Connector. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createBotFramework, isLoopbackUrl, type BotFramework } from '../../bot/bot-framework.js';
import { DeliveryError } from '../../bot/send-queue.js';
import type { BotLogic } from '../../bot/turn.js';
import { silentLogger } from '../../src/logging.js';
import { BOT, TENANT, startFakeConnector, type FakeConnector } from './harness.js';

let connector: FakeConnector;
let framework: BotFramework;

const noLogic: BotLogic = {
  onMessage: async () => {},
  onInstalled: async () => {},
  onUninstalled: async () => {},
  onConversationChanged: async () => {},
  onCardAction: async () => ({ kind: 'message', text: '' }),
};

const reference = (conversationId: string, serviceUrl = connector.url) => ({
  serviceUrl,
  channelId: 'msteams',
  bot: BOT,
  user: { id: '29:user', name: 'User' },
  conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
});

beforeAll(async () => {
  connector = await startFakeConnector();
  framework = createBotFramework(
    { appId: null, appPassword: null, tenantId: null, logger: silentLogger },
    noLogic,
  );
});

afterAll(async () => {
  await connector.close();
});

describe('sendProactive', () => {
  test('nothing reaches the connector before the gate opens', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let gateCalled!: () => void;
    const called = new Promise<void>((resolve) => {
      gateCalled = resolve;
    });
    const sending = framework.sendProactive(reference('a:gated'), { text: 'hello' }, async () => {
      gateCalled();
      await gate;
    });
    await called;
    expect(connector.requests.filter((r) => r.conversationId === 'a:gated')).toEqual([]);
    open();
    await sending;
    const sent = await connector.waitFor((a) => a.conversationId === 'a:gated');
    expect(sent.activity['text']).toBe('hello');
  });

  test.each([429, 403, 404, 412, 502])(
    'a %p answer comes back as a DeliveryError with that status, sent once',
    async (status) => {
      const id = `a:status-${status}`;
      connector.answerWith((conversationId) =>
        conversationId === id ? { status, headers: { 'retry-after': '2' } } : null,
      );
      try {
        const error = await framework.sendProactive(reference(id), { text: 'x' }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(DeliveryError);
        expect(error).toMatchObject({ status, retryAfterMs: 2_000 });
        // The connector client's own retries are off: the send queue decides about retrying.
        expect(connector.requests.filter((r) => r.conversationId === id)).toHaveLength(1);
      } finally {
        connector.answerWith(null);
      }
    },
  );

  test('a connector that does not answer is a DeliveryError without a status', async () => {
    const error = await framework
      .sendProactive(reference('a:nowhere', 'http://127.0.0.1:1/'), { text: 'x' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ name: 'DeliveryError', status: null });
  });

  test('an incomplete stored reference is reported as gone (404)', async () => {
    await expect(
      framework.sendProactive({ channelId: 'msteams' }, { text: 'x' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  test('without a bot app id, messages go to loopback connectors only', async () => {
    await expect(
      framework.sendProactive(reference('a:far', 'https://smba.example.net/teams/'), { text: 'x' }),
    ).rejects.toMatchObject({ status: 403 });
  });
});

test('isLoopbackUrl accepts only this computer', () => {
  expect(isLoopbackUrl('http://127.0.0.1:56150/_connector')).toBe(true);
  expect(isLoopbackUrl('http://localhost:3978/')).toBe(true);
  expect(isLoopbackUrl('http://[::1]:80/')).toBe(true);
  expect(isLoopbackUrl('http://127.0.0.1.attacker.example/')).toBe(false);
  expect(isLoopbackUrl('https://smba.trafficmanager.net/amer/')).toBe(false);
  expect(isLoopbackUrl('not a url')).toBe(false);
});
