/**
 * "Two process instances never send it twice": three instances of the whole app, two of them in
 * their own processes, share one data folder and reach the daily summary time together. Each
 * accountant gets exactly one summary.
 */
import { afterEach, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TickReport } from '../../bot/daily-summary.js';
import {
  cardText,
  installationUpdateActivity,
  messageActivity,
  personalChat,
  postActivity,
  startBotApp,
  startFakeConnector,
  testClock,
  testUser,
  type BotTestApp,
  type FakeConnector,
  type TestUser,
} from './harness.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const instanceScript = path.join(repoRoot, 'tests/bot/fixtures/summary-instance.ts');
const DUE = '2026-03-10T08:00:00Z';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Instance {
  /** Resolves once the instance has started and waits for `go`. */
  readonly ready: Promise<void>;
  /** Starts its scheduler tick; resolves with the tick's report. */
  go(): Promise<TickReport>;
}

/** Starts another instance of the app in a child process, its tick held until `go`. */
function startInstance(dataDir: string, owner: string): Instance {
  const child = spawn(process.execPath, ['--import', 'tsx', instanceScript, dataDir, owner, DUE], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.startsWith('ready\n')) resolve();
    });
    exited.then((code) => reject(new Error(`${owner} exited with ${code}: ${err}`)), reject);
  });
  return {
    ready,
    async go() {
      child.stdin.end('go\n');
      const code = await exited;
      if (code !== 0) throw new Error(`${owner} exited with ${code}: ${err}`);
      return JSON.parse(out.trim().split('\n').pop() ?? '') as TickReport;
    },
  };
}

async function runInstance(dataDir: string, owner: string): Promise<TickReport> {
  const instance = startInstance(dataDir, owner);
  await instance.ready;
  return instance.go();
}

async function subscribe(app: BotTestApp, connector: FakeConnector, user: TestUser) {
  await postActivity(app.base, installationUpdateActivity(connector.url, user, 'add'));
  for (const text of ['daily summary at 8:00', 'time zone UTC']) {
    const activity = messageActivity(connector.url, user, text);
    await postActivity(app.base, activity);
    await connector.waitFor((a) => a.replyToId === activity['id']);
  }
}

test('three instances of the app on one data folder send each accountant one summary', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hub-summary-procs-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const connector = await startFakeConnector();
  cleanups.push(() => connector.close());
  const clock = testClock('2026-03-10T06:00:00Z');
  const app = await startBotApp({
    dataDir,
    clock,
    mount: {
      sendQueue: { baseBackoffMs: 5, maxBackoffMs: 40 },
      dailySummary: { owner: 'instance-a', registryBatchMs: 0 },
    },
  });
  cleanups.push(() => app.close({ keepData: true }));
  const users = Array.from({ length: 12 }, (_, i) => testUser(40 + i));
  for (const u of users) await subscribe(app, connector, u);

  const others = [startInstance(dataDir, 'instance-b'), startInstance(dataDir, 'instance-c')];
  await Promise.all(others.map((o) => o.ready));
  clock.set(DUE);
  const reports = await Promise.all([app.bot.scheduler.tick(), ...others.map((o) => o.go())]);
  const sent = reports.map((r) => r.outcomes.sent ?? 0);
  expect(sent.reduce((a, b) => a + b, 0)).toBe(users.length);
  for (const u of users) {
    const summaries = connector.activities.filter(
      (a) =>
        a.conversationId === personalChat(u).id &&
        a.card !== null &&
        cardText(a.card).includes('Daily summary for'),
    );
    expect(summaries).toHaveLength(1);
  }
  // Nobody sends again. An instance may still see another's claim rather than its outcome for up
  // to the registry's check interval (500 ms); one that starts now reads the outcome.
  const again = (await app.bot.scheduler.tick()).outcomes;
  expect(again.sent ?? 0).toBe(0);
  expect((again['already-sent'] ?? 0) + (again['claimed-elsewhere'] ?? 0)).toBe(users.length);
  expect((await runInstance(dataDir, 'instance-d')).outcomes).toEqual({
    'already-sent': users.length,
  });
}, 120_000);
