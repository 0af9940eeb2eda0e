import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/domain/errors.js';
import { rejection } from '../support/rejection.js';
import { accountantIdOf, asClientId, asCompanyId, asUserTaskId } from '../../src/domain/ids.js';
import type { ClientId, CompanyId } from '../../src/domain/ids.js';
import {
  defaultDashboardView,
  defaultTaxSettings,
  type CompanySnapshot,
  type DashboardView,
} from '../../src/domain/model.js';
import { deferredWriteDelay, openLowdbRegistry } from '../../src/registry/lowdb-registry.js';
import type { NewClient, Registry } from '../../src/registry/registry.js';
import { sealSecret } from '../../src/registry/secret-box.js';

const ALICE = accountantIdOf(
  'aaaaaaaa-0000-4000-8000-000000000001',
  'a11ce000-0000-4000-8000-000000000001',
);
const BOB = accountantIdOf(
  'bbbbbbbb-0000-4000-8000-000000000002',
  'b0b00000-0000-4000-8000-000000000002',
);
const TENANT = '1a23b456-789c-0123-45de-678910fa12bc';
const KEY = Buffer.alloc(32, 9);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let dir: string;
let file: string;
let now: Date;
let registry: Registry | null;

const clock = () => now;
function sequentialIds(prefix = 'client'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

async function open(options: { idGenerator?: () => string } = {}): Promise<Registry> {
  registry = await openLowdbRegistry({
    file,
    clock,
    idGenerator: options.idGenerator ?? sequentialIds(),
  });
  return registry;
}

async function reopen(): Promise<Registry> {
  await registry?.close();
  return open({ idGenerator: sequentialIds('reopened') });
}

function newClient(over: Partial<NewClient> = {}): NewClient {
  return {
    name: 'Contoso',
    url: `https://businesscentral.dynamics.com/${TENANT}/production`,
    target: { tenant: TENANT, environment: 'production' },
    connection: { kind: 'delegated' },
    ...over,
  };
}

function snapshot(
  clientId: ClientId,
  companyId: CompanyId,
  over: Partial<CompanySnapshot> = {},
): CompanySnapshot {
  return {
    clientId,
    companyId,
    kpis: null,
    refreshedAt: null,
    lastAttemptAt: now.toISOString(),
    lastError: { reason: 'bc-unavailable', message: 'BC answered 503', at: now.toISOString() },
    tasks: [
      {
        id: asUserTaskId(7),
        title: 'Reconcile bank',
        dueAt: '2025-01-31T00:00:00Z',
        startAt: null,
        createdAt: null,
        createdBy: 'ADMIN',
        percentComplete: 0,
        priority: 'high',
        link: 'https://businesscentral.dynamics.com/x',
      },
    ],
    ...over,
  };
}

const companyA = {
  id: asCompanyId('c0000000-0000-4000-8000-00000000000a'),
  name: 'CRONUS A',
  displayName: 'Cronus A',
};
const companyB = {
  id: asCompanyId('c0000000-0000-4000-8000-00000000000b'),
  name: 'CRONUS B',
  displayName: 'Cronus B',
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hub-registry-'));
  file = path.join(dir, 'data', 'registry.json');
  now = new Date('2025-03-10T09:00:00.000Z');
  registry = null;
});

afterEach(async () => {
  await registry?.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('opening the registry file', () => {
  it('creates a missing file, and its folders, with an empty versioned registry', async () => {
    await open();
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toEqual({ schemaVersion: 1, accountants: [] });
  });

  it('writes the file readable by its owner only, since it holds client data and sealed secrets', async () => {
    const r = await open();
    await r.forAccountant(ALICE).createClient(newClient());
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps what was written across a reopen', async () => {
    const r = await open();
    const c = await r
      .forAccountant(ALICE)
      .createClient(newClient({ contact: 'Ann', notes: 'VAT monthly' }));
    const again = await reopen();
    expect(await again.forAccountant(ALICE).listClients()).toEqual([c]);
  });

  it('opens a file saved with a byte-order mark, and rolls back to it after a failed write', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '\uFEFF{"schemaVersion": 1, "accountants": []}');
    const r = await open();
    const store = r.forAccountant(ALICE);
    await rm(path.dirname(file), { recursive: true });
    expect((await rejection(store.createClient(newClient()))).reason).toBe('storage');
    expect(await store.listClients()).toEqual([]);
  });

  it('getting a store for an accountant does not touch the file', async () => {
    const r = await open();
    const before = await readFile(file, 'utf8');
    const store = r.forAccountant(BOB);
    expect(await store.listClients()).toEqual([]);
    expect(await store.getView()).toEqual(defaultDashboardView);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('refuses a blank accountant id', async () => {
    const r = await open();
    expect(() => r.forAccountant('' as never)).toThrow(AppError);
  });
});

describe('refusing a file it cannot trust, and leaving it untouched', () => {
  const cases: readonly (readonly [string, string, RegExp])[] = [
    ['bad JSON', '{"schemaVersion": 1, "accountants": [', /not valid JSON/],
    ['an empty file', '', /not valid JSON \(the file is empty\)/],
    ['a JSON array', '[1, 2, 3]', /not an Accountant Hub registry/],
    ['a JSON string', '"registry"', /not an Accountant Hub registry/],
    [
      'an object with no version or clients',
      '{"hello": "world"}',
      /not an Accountant Hub registry/,
    ],
    [
      'a version that is not a number',
      '{"schemaVersion": "1", "accountants": []}',
      /not an Accountant Hub registry/,
    ],
    [
      'accountants that are not a list',
      '{"schemaVersion": 1, "accountants": {}}',
      /expected shape \(accountants/,
    ],
    [
      'a client missing its target',
      JSON.stringify({
        schemaVersion: 1,
        accountants: [
          {
            id: ALICE,
            profile: null,
            clients: [{ id: 'x', name: 'n', url: 'u' }],
            companies: [],
            view: null,
            snapshots: [],
            secrets: [],
            conversations: [],
            dailySummary: { enabled: false, time: '08:00', timeZone: 'UTC' },
            summaryLog: [],
          },
        ],
      }),
      /expected shape \(accountants\.0\.clients\.0/,
    ],
    [
      'an accountant listed twice',
      JSON.stringify({
        schemaVersion: 1,
        accountants: [1, 2].map(() => ({
          id: ALICE,
          profile: null,
          clients: [],
          companies: [],
          view: null,
          snapshots: [],
          secrets: [],
          conversations: [],
          dailySummary: { enabled: false, time: '08:00', timeZone: 'UTC' },
          summaryLog: [],
        })),
      }),
      /twice/,
    ],
    [
      'a version 0 file of the wrong shape',
      '{"clients": [{"id": 1}]}',
      /could not be upgraded from schema 0/,
    ],
    [
      'a file from a newer version',
      '{"schemaVersion": 7, "accountants": [], "tags": []}',
      /newer version of Accountant Hub \(schema 7/,
    ],
  ];

  it.each(cases)('refuses %s', async (_name, text, message) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    const e = await rejection(open());
    expect(e.reason).toBe('storage');
    expect(e.message).toMatch(message);
    expect(e.message).toContain(file);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(path.dirname(file))).toEqual(['registry.json']);
  });

  it('refuses a path that is a directory', async () => {
    await mkdir(file, { recursive: true });
    const e = await rejection(open());
    expect(e.reason).toBe('storage');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/directory/);
    expect((await stat(file)).isDirectory()).toBe(true);
  });

  it('refuses a folder it cannot create', async () => {
    await writeFile(path.join(dir, 'data'), 'a file where the folder should be');
    const e = await rejection(open());
    expect(e.reason).toBe('storage');
    expect(e.message).toMatch(/DATA_DIR/);
  });

  it('refuses a file it has no permission to read, naming the file', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    const text = '{"schemaVersion": 1, "accountants": []}';
    await writeFile(file, text);
    await chmod(file, 0o000);
    const outcome = await openAsUnprivilegedUser(file);
    expect(outcome.reason).toBe('storage');
    expect(outcome.message).toContain(file);
    expect(outcome.message).toMatch(/permission denied/);
    await chmod(file, 0o600);
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});

/**
 * Opens the registry as a user the file's permissions apply to. Root ignores file modes, so
 * when the tests run as root the open happens in a child process running as `nobody`.
 */
async function openAsUnprivilegedUser(
  target: string,
): Promise<{ reason: string; message: string }> {
  if (process.getuid?.() !== 0) {
    const e = await rejection(openLowdbRegistry({ file: target }));
    return { reason: e.reason, message: e.message };
  }
  for (
    let p = path.dirname(target);
    p !== path.dirname(p) && p.startsWith(dir);
    p = path.dirname(p)
  ) {
    await chmod(p, 0o755);
  }
  await chmod(dir, 0o755);
  const moduleUrl = new URL('src/registry/lowdb-registry.ts', `file://${repoRoot}/`).href;
  const script = `
    const { openLowdbRegistry } = await import(${JSON.stringify(moduleUrl)});
    try {
      await openLowdbRegistry({ file: ${JSON.stringify(target)} });
      console.log(JSON.stringify({ reason: 'opened', message: '' }));
    } catch (e) {
      console.log(JSON.stringify({ reason: e.reason, message: e.message }));
    }`;
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: repoRoot,
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '' },
    },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`child failed: ${child.stderr}`);
  return JSON.parse(line) as { reason: string; message: string };
}

describe('migrations', () => {
  const v0 = {
    clients: [
      {
        id: 'old-1',
        owner: ALICE,
        name: 'Fabrikam',
        url: `https://businesscentral.dynamics.com/${TENANT}`,
        tenant: TENANT.toUpperCase(),
        createdAt: '2024-01-01T00:00:00.000Z',
      },
      {
        id: 'old-2',
        owner: ALICE,
        name: 'Northwind',
        url: `https://businesscentral.dynamics.com/${TENANT}/Sandbox`,
        tenant: TENANT,
        environment: 'Sandbox',
        contact: 'Nina',
        notes: 'monthly VAT',
        createdAt: '2024-02-01T00:00:00.000Z',
      },
      {
        id: 'old-3',
        owner: BOB,
        name: 'Tailspin',
        url: `https://businesscentral.dynamics.com/tailspin.com`,
        tenant: 'tailspin.com',
        createdAt: '2024-03-01T00:00:00.000Z',
      },
    ],
    columns: { [ALICE]: ['cashAccountsBalance', 'retiredColumn', 'overdueTasks'] },
  };

  it('upgrades a version 0 file to version 1, keeping every client with its owner', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(v0));
    const r = await open();
    const alice = await r.forAccountant(ALICE).listClients();
    expect(alice.map((c) => [c.id, c.name, c.target])).toEqual([
      ['old-1', 'Fabrikam', { tenant: TENANT, environment: 'production' }],
      ['old-2', 'Northwind', { tenant: TENANT, environment: 'sandbox' }],
    ]);
    expect(alice[1]).toMatchObject({
      contact: 'Nina',
      notes: 'monthly VAT',
      connection: { kind: 'delegated' },
      taxSettings: defaultTaxSettings,
      isSample: false,
      createdAt: '2024-02-01T00:00:00.000Z',
      updatedAt: '2024-02-01T00:00:00.000Z',
    });
    expect((await r.forAccountant(BOB).listClients()).map((c) => c.id)).toEqual(['old-3']);
    expect((await r.forAccountant(ALICE).getView()).columns).toEqual([
      'cashAccountsBalance',
      'overdueTasks',
    ]);
  });

  it('writes the upgraded file and keeps the original as a backup', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    const original = JSON.stringify(v0);
    await writeFile(file, original);
    await open();
    expect(JSON.parse(await readFile(file, 'utf8')).schemaVersion).toBe(1);
    expect(await readFile(`${file}.v0.bak`, 'utf8')).toBe(original);
    const again = await reopen();
    expect(await again.forAccountant(BOB).listClients()).toHaveLength(1);
  });
});

describe('serialised, atomic writes', () => {
  it('keeps all 200 clients created concurrently, after reopening', async () => {
    const r = await open({ idGenerator: sequentialIds('c') });
    const store = r.forAccountant(ALICE);
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.createClient(newClient({ name: `Client ${i}` }))),
    );
    expect(new Set(created.map((c) => c.id)).size).toBe(200);
    const again = await reopen();
    const listed = await again.forAccountant(ALICE).listClients();
    expect(listed).toHaveLength(200);
    expect(new Set(listed.map((c) => c.name))).toEqual(new Set(created.map((c) => c.name)));
  });

  it('never lets a reader see a half-written file', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    let writing = true;
    const writes = (async () => {
      for (let i = 0; i < 60; i++) await store.createClient(newClient({ notes: 'n'.repeat(2000) }));
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const parsed = JSON.parse(await readFile(file, 'utf8'));
      expect(parsed.schemaVersion).toBe(1);
      reads++;
    }
    await writes;
    expect(reads).toBeGreaterThan(0);
  });

  it('makes a snapshot visible at once and writes it with the next durable change', async () => {
    const r = await open({ idGenerator: sequentialIds('c') });
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    await store.saveSnapshot(snapshot(c.id, companyA.id));
    expect(await store.getSnapshot(c.id, companyA.id)).not.toBeNull();
    await store.createClient(newClient({ name: 'Second' }));
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    expect(onDisk.accountants[0].snapshots).toHaveLength(1);
  });

  it('writes snapshots still in memory when the registry closes', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.saveSnapshot(
          snapshot(c.id, asCompanyId(`c0000000-0000-4000-8000-${String(i).padStart(12, '0')}`)),
        ),
      ),
    );
    const again = await reopen();
    expect(await again.forAccountant(ALICE).listSnapshots()).toHaveLength(50);
  });

  it('leaves no temporary files behind', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    await Promise.all(Array.from({ length: 20 }, () => store.createClient(newClient())));
    expect(await readdir(path.dirname(file))).toEqual(['registry.json']);
  });

  it('rejects a change it could not save and forgets it, then saves the next one', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const kept = await store.createClient(newClient({ name: 'Kept' }));
    await rm(path.dirname(file), { recursive: true });
    const e = await rejection(store.createClient(newClient({ name: 'Lost' })));
    expect(e.reason).toBe('storage');
    expect(e.message).toContain(file);
    expect((await store.listClients()).map((c) => c.name)).toEqual(['Kept']);
    await mkdir(path.dirname(file), { recursive: true });
    await store.createClient(newClient({ name: 'Saved' }));
    const again = await reopen();
    expect((await again.forAccountant(ALICE).listClients()).map((c) => c.id)).toEqual([
      kept.id,
      expect.any(String),
    ]);
  });

  it('refuses calls after close, once pending writes are flushed', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const pending = store.createClient(newClient());
    await r.close();
    await pending;
    expect((await rejection(store.listClients())).reason).toBe('storage');
    registry = null;
    const again = await open();
    expect(await again.forAccountant(ALICE).listClients()).toHaveLength(1);
  });

  it('does not store an entity that would make the file unreadable', async () => {
    const r = await open();
    const e = await rejection(
      r.forAccountant(ALICE).createClient(
        newClient({
          taxSettings: { frequency: 'weekly' as never, dueDaysAfterPeriodEnd: Number.NaN },
        }),
      ),
    );
    expect(e.reason).toBe('validation');
    const again = await reopen();
    expect(await again.forAccountant(ALICE).listClients()).toEqual([]);
  });

  it('gives up with an internal error when the id generator keeps repeating itself', async () => {
    const r = await open({ idGenerator: () => 'same' });
    const store = r.forAccountant(ALICE);
    await store.createClient(newClient());
    expect((await rejection(store.createClient(newClient()))).reason).toBe('internal');
  });
});

describe('one accountant never sees another accountant’s data', () => {
  it('scopes every read and write to the accountant', async () => {
    const r = await open();
    const alice = r.forAccountant(ALICE);
    const bob = r.forAccountant(BOB);
    const bobs = await bob.createClient(newClient({ name: 'Bob’s client' }));
    await bob.setCompanies(bobs.id, [companyA]);
    await bob.saveSnapshot(snapshot(bobs.id, companyA.id));
    await bob.saveSecret(bobs.id, 'appSecret', sealSecret('s3cret', KEY));
    await alice.createClient(newClient({ name: 'Alice’s client' }));

    expect((await alice.listClients()).map((c) => c.name)).toEqual(['Alice’s client']);
    expect(await alice.getClient(bobs.id)).toBeNull();
    expect(await alice.updateClient(bobs.id, { name: 'hijacked' })).toBeNull();
    expect(await alice.removeClient(bobs.id)).toBe(false);
    expect((await rejection(alice.setCompanies(bobs.id, []))).reason).toBe('not-found');
    expect(await alice.listCompanies()).toEqual([]);
    expect(await alice.listCompanies(bobs.id)).toEqual([]);
    expect(await alice.getSnapshot(bobs.id, companyA.id)).toBeNull();
    expect(await alice.listSnapshots()).toEqual([]);
    expect(await alice.getSecret(bobs.id, 'appSecret')).toBeNull();
    expect(
      (await rejection(alice.saveSecret(bobs.id, 'appSecret', sealSecret('x', KEY)))).reason,
    ).toBe('not-found');
    await alice.saveSecret(bobs.id, 'appSecret', null);
    await alice.saveSnapshot(snapshot(bobs.id, companyA.id, { kpis: null, lastError: null }));

    expect((await bob.getClient(bobs.id))?.name).toBe('Bob’s client');
    expect(await bob.listCompanies()).toHaveLength(1);
    expect((await bob.getSnapshot(bobs.id, companyA.id))?.lastError?.reason).toBe('bc-unavailable');
    expect(await bob.getSecret(bobs.id, 'appSecret')).not.toBeNull();
  });

  it('keeps profiles, views, conversations and summaries apart', async () => {
    const r = await open();
    const alice = r.forAccountant(ALICE);
    const bob = r.forAccountant(BOB);
    await bob.ensureProfile({ entraTenantId: 't', userObjectId: 'o', displayName: 'Bob' });
    await bob.saveView({ ...defaultDashboardView, text: 'bob only' });
    await bob.saveConversation({
      conversationId: 'conv-bob',
      reference: { serviceUrl: 'https://smba.example' },
      kind: 'personal',
      active: true,
      updatedAt: now.toISOString(),
    });
    await bob.claimDailySummary('2025-03-10', 'worker', now, 60_000);
    expect(await alice.getProfile()).toBeNull();
    expect((await alice.getView()).text).toBe('');
    expect(await alice.listConversations()).toEqual([]);
    expect(await alice.removeConversation('conv-bob')).toBe(false);
    expect(await alice.listSummaryLog()).toEqual([]);
    expect(
      await alice.completeDailySummary(
        '2025-03-10',
        'worker',
        { state: 'failed', error: 'x' },
        now,
      ),
    ).toBe(false);
    expect((await bob.listSummaryLog())[0]?.state).toBe('claimed');
  });
});

describe('copies in and out', () => {
  it('returns copies that cannot change the store', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const created = await store.createClient(newClient());
    (created as { name: string }).name = 'changed';
    (created.target as { tenant: string }).tenant = 'evil.com';
    const listed = await store.listClients();
    (listed[0] as { notes: string }).notes = 'changed';
    const fresh = await store.getClient(created.id);
    expect(fresh?.name).toBe('Contoso');
    expect(fresh?.target.tenant).toBe(TENANT);
    expect(fresh?.notes).toBe('');
  });

  it('stores a copy of what it is given', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const target = { tenant: TENANT, environment: 'production' };
    const c = await store.createClient(newClient({ target }));
    target.tenant = 'evil.com';
    const view: DashboardView = { ...defaultDashboardView, columns: ['status'] };
    await store.saveView(view);
    (view.columns as string[]).push('taxesDue');
    expect((await store.getClient(c.id))?.target.tenant).toBe(TENANT);
    expect((await store.getView()).columns).toEqual(['status']);
  });
});

describe('clients, companies and snapshots', () => {
  it('creates a client with defaults, the clock and generated ids', async () => {
    const r = await open({ idGenerator: sequentialIds('id') });
    const c = await r.forAccountant(ALICE).createClient(newClient());
    expect(c).toEqual({
      id: 'id-1',
      name: 'Contoso',
      url: `https://businesscentral.dynamics.com/${TENANT}/production`,
      target: { tenant: TENANT, environment: 'production' },
      contact: '',
      notes: '',
      connection: { kind: 'delegated' },
      taxSettings: defaultTaxSettings,
      isSample: false,
      createdAt: '2025-03-10T09:00:00.000Z',
      updatedAt: '2025-03-10T09:00:00.000Z',
    });
  });

  it('patches only the given fields and moves updatedAt', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient({ contact: 'Ann' }));
    now = new Date('2025-03-11T10:00:00.000Z');
    const u = await store.updateClient(c.id, { name: 'Contoso Ltd', contact: undefined });
    expect(u).toMatchObject({ name: 'Contoso Ltd', contact: 'Ann', createdAt: c.createdAt });
    expect(u?.updatedAt).toBe('2025-03-11T10:00:00.000Z');
    expect(await store.updateClient(asClientId('missing'), { name: 'x' })).toBeNull();
  });

  it('forgets companies and numbers when the client moves to another environment', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    await store.setCompanies(c.id, [companyA]);
    await store.saveSnapshot(snapshot(c.id, companyA.id));
    await store.updateClient(c.id, { notes: 'same environment' });
    expect(await store.listSnapshots()).toHaveLength(1);
    await store.updateClient(c.id, { target: { tenant: TENANT, environment: 'sandbox' } });
    expect(await store.listCompanies(c.id)).toEqual([]);
    expect(await store.listSnapshots()).toEqual([]);
  });

  it('drops the stored secret when the client stops using app credentials', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(
      newClient({ connection: { kind: 'app', appClientId: 'app-1', hasSecret: true } }),
    );
    await store.saveSecret(c.id, 'appSecret', sealSecret('s', KEY));
    await store.updateClient(c.id, { name: 'renamed' });
    expect(await store.getSecret(c.id, 'appSecret')).not.toBeNull();
    await store.updateClient(c.id, { connection: { kind: 'delegated' } });
    expect(await store.getSecret(c.id, 'appSecret')).toBeNull();
  });

  it('removes a client with its companies, snapshots, secrets and view filter', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const gone = await store.createClient(newClient({ name: 'Gone' }));
    const stays = await store.createClient(newClient({ name: 'Stays' }));
    for (const c of [gone, stays]) {
      await store.setCompanies(c.id, [companyA]);
      await store.saveSnapshot(snapshot(c.id, companyA.id));
      await store.saveSecret(c.id, 'appSecret', sealSecret('s', KEY));
    }
    await store.saveView({ ...defaultDashboardView, filters: { clientId: gone.id } });
    expect(await store.removeClient(gone.id)).toBe(true);
    expect(await store.removeClient(gone.id)).toBe(false);
    expect((await store.listClients()).map((c) => c.name)).toEqual(['Stays']);
    expect((await store.listCompanies()).map((c) => c.clientId)).toEqual([stays.id]);
    expect((await store.listSnapshots()).map((s) => s.clientId)).toEqual([stays.id]);
    expect(await store.getSecret(gone.id, 'appSecret')).toBeNull();
    expect(await store.getSecret(stays.id, 'appSecret')).not.toBeNull();
    expect((await store.getView()).filters.clientId).toBeNull();
  });

  it('replaces a client’s companies and drops the snapshots of companies that vanished', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    const other = await store.createClient(newClient());
    expect(await store.setCompanies(c.id, [companyA, companyB])).toEqual([
      { clientId: c.id, ...companyA },
      { clientId: c.id, ...companyB },
    ]);
    await store.setCompanies(other.id, [companyA]);
    await store.saveSnapshot(snapshot(c.id, companyA.id));
    await store.saveSnapshot(snapshot(c.id, companyB.id));
    await store.saveSnapshot(snapshot(other.id, companyA.id));
    await store.setCompanies(c.id, [companyB]);
    expect((await store.listCompanies(c.id)).map((x) => x.id)).toEqual([companyB.id]);
    expect((await store.listSnapshots()).map((s) => [s.clientId, s.companyId])).toEqual([
      [c.id, companyB.id],
      [other.id, companyA.id],
    ]);
  });

  it('refuses a company list that names a company twice', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    expect((await rejection(store.setCompanies(c.id, [companyA, companyA]))).reason).toBe(
      'validation',
    );
  });

  it('replaces a snapshot in place and drops one for a client removed meanwhile', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    await store.saveSnapshot(snapshot(c.id, companyA.id));
    const fresh = snapshot(c.id, companyA.id, { lastError: null, refreshedAt: now.toISOString() });
    await store.saveSnapshot(fresh);
    expect(await store.listSnapshots()).toEqual([fresh]);
    await store.removeClient(c.id);
    await store.saveSnapshot(fresh);
    expect(await store.listSnapshots()).toEqual([]);
  });

  it('keeps one snapshot per company through many saves, removals and re-additions', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const a = await store.createClient(newClient({ name: 'A' }));
    const b = await store.createClient(newClient({ name: 'B' }));
    const company = (n: number): CompanyId =>
      asCompanyId(`c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
    for (let round = 0; round < 3; round++) {
      for (let n = 0; n < 40; n++) {
        await store.saveSnapshot(snapshot(n % 2 === 0 ? a.id : b.id, company(n)));
      }
    }
    expect(await store.listSnapshots()).toHaveLength(40);
    await store.removeClient(a.id);
    expect(await store.listSnapshots()).toHaveLength(20);
    // Saving after the list was replaced finds the right places again.
    const fresh = snapshot(b.id, company(1), { lastError: null, refreshedAt: now.toISOString() });
    await store.saveSnapshot(fresh);
    await store.saveSnapshot(snapshot(a.id, company(0)));
    const c = await store.createClient(newClient({ name: 'C' }));
    await store.saveSnapshot(snapshot(c.id, company(99)));
    const all = await store.listSnapshots();
    expect(all).toHaveLength(21);
    expect(all.filter((s) => s.companyId === company(1))).toEqual([fresh]);
    expect(all.some((s) => s.clientId === a.id)).toBe(false);
    const again = await reopen();
    expect(await again.forAccountant(ALICE).listSnapshots()).toEqual(all);
  });

  it.each([
    [250, 0, 250],
    [250, 2, 250],
    [250, 14, 700],
    [250, 150, 7_500],
  ])(
    'defers snapshot writes by %i ms, or longer for a file that took %i ms to serialise: %i ms',
    (deferMs, serializeMs, expected) => {
      expect(deferredWriteDelay(deferMs, serializeMs)).toBe(expected);
    },
  );

  it('refuses a malformed snapshot', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    const bad = snapshot(c.id, companyA.id, { tasks: [{ id: 1.5 } as never] });
    expect((await rejection(store.saveSnapshot(bad))).reason).toBe('validation');
  });
});

describe('dashboard view', () => {
  it('returns the default view until one is saved', async () => {
    const r = await open();
    expect(await r.forAccountant(ALICE).getView()).toEqual(defaultDashboardView);
  });

  it('saves and returns a valid view', async () => {
    const r = await open();
    const view: DashboardView = {
      columns: ['taxesDue', 'status'],
      text: 'contoso',
      filters: { hasOverdueInvoices: true },
      sort: { column: 'taxesDue', direction: 'desc' },
    };
    expect(await r.forAccountant(ALICE).saveView(view)).toEqual(view);
    const again = await reopen();
    expect(await again.forAccountant(ALICE).getView()).toEqual(view);
  });

  it.each([
    ['an unknown column', { columns: ['secretColumn'] }],
    ['a column twice', { columns: ['status', 'status'] }],
    ['an unknown sort column', { sort: { column: 'x', direction: 'asc' } }],
    ['a bad direction', { sort: { column: 'clientName', direction: 'up' } }],
    ['over-long text', { text: 'x'.repeat(501) }],
  ])('refuses a view with %s', async (_name, over) => {
    const r = await open();
    const e = await rejection(
      r.forAccountant(ALICE).saveView({ ...defaultDashboardView, ...over } as never),
    );
    expect(e.reason).toBe('validation');
  });
});

describe('secrets and conversations', () => {
  it('saves, replaces and deletes a sealed secret', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    const first = sealSecret('one', KEY);
    const second = sealSecret('two', KEY);
    await store.saveSecret(c.id, 'appSecret', first);
    await store.saveSecret(c.id, 'appSecret', second);
    expect(await store.getSecret(c.id, 'appSecret')).toEqual(second);
    await store.saveSecret(c.id, 'appSecret', null);
    expect(await store.getSecret(c.id, 'appSecret')).toBeNull();
  });

  it('never writes a plaintext secret to the file', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    await store.saveSecret(c.id, 'appSecret', sealSecret('plain-text-secret-value', KEY));
    expect(await readFile(file, 'utf8')).not.toContain('plain-text-secret-value');
  });

  it('refuses a malformed sealed secret', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const c = await store.createClient(newClient());
    const e = await rejection(store.saveSecret(c.id, 'appSecret', { iv: '', tag: '', data: 'x' }));
    expect(e.reason).toBe('validation');
  });

  it('upserts and removes conversation references as plain JSON', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const record = {
      conversationId: 'a:1',
      reference: { serviceUrl: 'https://smba.example', user: { id: 'u' }, dropped: undefined },
      kind: 'personal' as const,
      active: true,
      updatedAt: now.toISOString(),
    };
    await store.saveConversation(record);
    await store.saveConversation({ ...record, active: false, inactiveReason: 'bot removed' });
    expect(await store.listConversations()).toEqual([
      {
        conversationId: 'a:1',
        reference: { serviceUrl: 'https://smba.example', user: { id: 'u' } },
        kind: 'personal',
        active: false,
        updatedAt: now.toISOString(),
        inactiveReason: 'bot removed',
      },
    ]);
    expect(await store.removeConversation('a:1')).toBe(true);
    expect(await store.listConversations()).toEqual([]);
  });

  it('stores a hostile __proto__ key in a reference as data without polluting objects', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const reference = JSON.parse(
      '{"__proto__": {"polluted": true}, "serviceUrl": "https://smba.example"}',
    );
    await store.saveConversation({
      conversationId: 'a:1',
      reference,
      kind: 'personal',
      active: true,
      updatedAt: now.toISOString(),
    });
    const [listed] = await store.listConversations();
    expect(listed?.reference['serviceUrl']).toBe('https://smba.example');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(listed?.reference)).toBe(Object.prototype);
    expect((listed?.reference as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a conversation reference that is not plain JSON', async () => {
    const r = await open();
    const e = await rejection(
      r.forAccountant(ALICE).saveConversation({
        conversationId: 'a:1',
        reference: { n: BigInt(1) },
        kind: 'personal',
        active: true,
        updatedAt: now.toISOString(),
      }),
    );
    expect(e.reason).toBe('validation');
  });
});

describe('profile', () => {
  it('creates the profile once and keeps the display name current', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const input = {
      entraTenantId: 'aaaaaaaa-0000-4000-8000-000000000001',
      userObjectId: 'o',
      displayName: 'Alice',
    };
    const first = await store.ensureProfile(input);
    expect(first).toEqual({ id: ALICE, ...input, createdAt: now.toISOString() });
    now = new Date('2025-04-01T00:00:00.000Z');
    expect(await store.ensureProfile(input)).toEqual(first);
    const renamed = await store.ensureProfile({ ...input, displayName: 'Alice B.' });
    expect(renamed).toEqual({ ...first, displayName: 'Alice B.' });
    expect(await store.getProfile()).toEqual(renamed);
  });
});

describe('daily summary', () => {
  const DAY = '2025-03-10';

  it('starts disabled at 08:00 UTC and lists only accountants who turned it on, by id', async () => {
    const r = await open();
    expect(await r.forAccountant(ALICE).getDailySummarySettings()).toEqual({
      enabled: false,
      time: '08:00',
      timeZone: 'UTC',
    });
    await r
      .forAccountant(ALICE)
      .saveDailySummarySettings({ enabled: true, time: '07:30', timeZone: 'Europe/Berlin' });
    await r
      .forAccountant(BOB)
      .saveDailySummarySettings({ enabled: false, time: '09:00', timeZone: 'UTC' });
    expect(await r.accountantsWithDailySummary()).toEqual([ALICE]);
  });

  it.each([
    ['a time without minutes', { time: '8' }],
    ['an hour past 23', { time: '24:00' }],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }],
  ])('refuses settings with %s', async (_name, over) => {
    const r = await open();
    const e = await rejection(
      r
        .forAccountant(ALICE)
        .saveDailySummarySettings({ enabled: true, time: '08:00', timeZone: 'UTC', ...over }),
    );
    expect(e.reason).toBe('validation');
  });

  it('lets one owner claim a day and keeps others out while the lease lasts', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    expect(await store.claimDailySummary(DAY, 'worker-1', now, 60_000)).toBe(true);
    expect(
      await store.claimDailySummary(DAY, 'worker-2', new Date(now.getTime() + 59_999), 60_000),
    ).toBe(false);
    expect(
      await store.claimDailySummary(DAY, 'worker-1', new Date(now.getTime() + 1_000), 60_000),
    ).toBe(true);
    expect(await store.listSummaryLog()).toEqual([
      {
        day: DAY,
        state: 'claimed',
        owner: 'worker-1',
        leaseUntil: '2025-03-10T09:01:01.000Z',
        updatedAt: '2025-03-10T09:00:01.000Z',
      },
    ]);
  });

  it('lets another owner take over an expired claim, and the old owner then loses it', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    await store.claimDailySummary(DAY, 'worker-1', now, 60_000);
    const later = new Date(now.getTime() + 60_000);
    expect(await store.claimDailySummary(DAY, 'worker-2', later, 60_000)).toBe(true);
    expect(
      await store.completeDailySummary(DAY, 'worker-1', { state: 'sent', digest: {} }, later),
    ).toBe(false);
    expect(
      await store.completeDailySummary(
        DAY,
        'worker-2',
        { state: 'sent', digest: { overdue: 3 } },
        later,
      ),
    ).toBe(true);
    expect((await store.listSummaryLog())[0]).toMatchObject({
      state: 'sent',
      owner: 'worker-2',
      digest: { overdue: 3 },
    });
  });

  it('never claims a day already sent', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    await store.claimDailySummary(DAY, 'w', now, 1_000);
    await store.completeDailySummary(DAY, 'w', { state: 'sent', digest: {} }, now);
    const muchLater = new Date(now.getTime() + 86_400_000);
    expect(await store.claimDailySummary(DAY, 'w', muchLater, 1_000)).toBe(false);
    expect(await store.claimDailySummary(DAY, 'other', muchLater, 1_000)).toBe(false);
    expect(
      await store.completeDailySummary(DAY, 'w', { state: 'failed', error: 'x' }, muchLater),
    ).toBe(false);
  });

  it('lets a failed day be claimed again', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    await store.claimDailySummary(DAY, 'w', now, 60_000);
    expect(
      await store.completeDailySummary(
        DAY,
        'w',
        { state: 'failed', error: 'Teams answered 502' },
        now,
      ),
    ).toBe(true);
    expect((await store.listSummaryLog())[0]).toMatchObject({
      state: 'failed',
      error: 'Teams answered 502',
    });
    expect(await store.claimDailySummary(DAY, 'other', now, 60_000)).toBe(true);
  });

  it('refuses to complete a day that was never claimed', async () => {
    const r = await open();
    expect(
      await r
        .forAccountant(ALICE)
        .completeDailySummary(DAY, 'w', { state: 'sent', digest: {} }, now),
    ).toBe(false);
  });

  it('finds the last sent summary before a day', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    for (const [day, state] of [
      ['2025-03-07', 'sent'],
      ['2025-03-08', 'failed'],
      ['2025-03-09', 'sent'],
      ['2025-03-10', 'sent'],
    ] as const) {
      await store.claimDailySummary(day, 'w', now, 1_000);
      await store.completeDailySummary(
        day,
        'w',
        state === 'sent' ? { state, digest: { day } } : { state, error: 'x' },
        now,
      );
    }
    expect((await store.lastSentSummary('2025-03-10'))?.digest).toEqual({ day: '2025-03-09' });
    expect((await store.lastSentSummary('2025-03-09'))?.day).toBe('2025-03-07');
    expect(await store.lastSentSummary('2025-03-07')).toBeNull();
  });

  it('keeps the summary log bounded to the most recent days', async () => {
    const r = await open();
    const store = r.forAccountant(ALICE);
    const start = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 0; i < 70; i++) {
      const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
      await store.claimDailySummary(day, 'w', now, 1_000);
    }
    const log = await store.listSummaryLog();
    expect(log).toHaveLength(62);
    expect(log[0]?.day).toBe('2025-01-09');
    expect(log[61]?.day).toBe('2025-03-11');
  });

  it('refuses a lease that is not a positive duration', async () => {
    const r = await open();
    const e = await rejection(r.forAccountant(ALICE).claimDailySummary(DAY, 'w', now, 0));
    expect(e.reason).toBe('validation');
  });
});
