/**
 * The security tests' bench: the real app (lowdb on a temp folder, the real sample tenant,
 * connector, hub and bot) on port 0, with an authenticator that takes the accountant from a
 * request header so one test can act as two different accountants over real HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../server/app.js';
import type { Authenticator } from '../../server/authenticator.js';
import { AppError, err, ok } from '../../src/domain/errors.js';
import { accountantIdOf } from '../../src/domain/ids.js';
import type { AccountantIdentity } from '../../src/hub/hub.js';
import { silentLogger } from '../../src/logging.js';
import { createBotMount, type MountedBot } from '../../bot/index.js';
import { testConfig } from '../server/app-harness.js';

/** The header naming who is calling; anything else than a known name is unauthenticated. */
export const ACCOUNTANT_HEADER = 'x-test-accountant';

export function identityOf(tenant: string, user: string, displayName: string): AccountantIdentity {
  return {
    id: accountantIdOf(tenant, user),
    entraTenantId: tenant,
    userObjectId: user,
    displayName,
  };
}

/** An authenticator that maps `x-test-accountant: <name>` to one of `people`. */
export function headerAuthenticator(
  people: Readonly<Record<string, AccountantIdentity>>,
): Authenticator {
  return {
    async authenticate(req) {
      const raw = req.headers[ACCOUNTANT_HEADER];
      const name = Array.isArray(raw) ? raw[0] : raw;
      const person = name !== undefined && Object.hasOwn(people, name) ? people[name] : undefined;
      return person
        ? ok(person)
        : err(new AppError('unauthenticated', 'Say who you are in x-test-accountant.'));
    },
  };
}

export interface SecurityApp {
  readonly app: App;
  readonly base: string;
  readonly bot: MountedBot;
  close(): Promise<void>;
}

export async function startSecurityApp(authenticator: Authenticator): Promise<SecurityApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hub-security-'));
  let bot: MountedBot | null = null;
  const mount = createBotMount({ startScheduler: false });
  const app = await createApp(testConfig(dataDir), {
    logger: silentLogger,
    staticDir: join(dataDir, 'no-tab-here'),
    authenticator,
    // Rate limiting is tested elsewhere; here a 429 would only hide what a probe is answered.
    rateLimiter: null,
    mountEdges: async (server, core) => {
      bot = await mount(server, core);
      return bot;
    },
  });
  const { url } = await app.listen();
  if (bot === null) throw new Error('the bot was not mounted');
  const mounted: MountedBot = bot;
  return {
    app,
    base: url,
    bot: mounted,
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** One request as `who`; `body` is sent as given when a string, else as JSON. */
export async function send(
  base: string,
  who: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = { [ACCOUNTANT_HEADER]: who };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const contentType = res.headers.get('content-type') ?? '';
  // Reports are binary workbooks: their bytes are read as latin1 so names inside still show up.
  const text = contentType.includes('spreadsheetml')
    ? Buffer.from(await res.arrayBuffer()).toString('latin1')
    : await res.text();
  return { status: res.status, contentType, text };
}
