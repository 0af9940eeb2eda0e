/**
 * End to end: the real app with the bot, the Microsoft 365 Agents Playground (a Teams-like chat
 * client with its own mock Bot Connector, offline) pointed at it, driven in headless Chromium.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startPlayground, type RunningPlayground } from '../../bot/playground.js';
import { startBotApp, type BotTestApp } from './harness.js';

let app: BotTestApp;
let playground: RunningPlayground;
let browser: Browser;
let home: string;
let playgroundUrl: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  app = await startBotApp();
  home = await mkdtemp(join(tmpdir(), 'hub-playground-home-'));
  playground = startPlayground({
    endpoint: `${app.base}/api/messages`,
    port: await freePort(),
    env: { HOME: home },
  });
  playgroundUrl = await playground.ready;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await playground?.stop();
  await app?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

async function send(page: Page, text: string): Promise<void> {
  // The playground's compose box is a Lexical rich-text editor, not an <input>.
  await page.locator('[data-lexical-editor="true"][role="textbox"]').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

test('a chat in the Agents Playground sends "show overdue tasks" and shows the card', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  await page.goto(playgroundUrl, { waitUntil: 'load' });

  // Opening the chat installs the bot: the welcome card arrives first.
  await page
    .locator('.ac-adaptiveCard', { hasText: 'Welcome to Accountant Hub' })
    .first()
    .waitFor();

  await send(page, 'show overdue tasks');
  const card = page.locator('.ac-adaptiveCard', { hasText: /tasks? overdue across/ }).first();
  await card.waitFor();
  const text = (await card.textContent()) ?? '';
  expect(text).toMatch(/\d+ tasks? overdue across 1 client/);
  expect(await card.locator('button', { hasText: 'Mark complete' }).count()).toBeGreaterThan(0);
  expect(await card.locator('button', { hasText: 'Open in BC' }).count()).toBeGreaterThan(0);

  // Universal Actions work there too: the card is replaced in place.
  await card.locator('button', { hasText: 'Mark complete' }).first().click();
  await page.getByText('Task marked complete in Business Central.').first().waitFor();
  await page.close();
}, 90_000);
