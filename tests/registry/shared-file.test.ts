/**
 * Several instances of the app on one registry file (a rolling restart, two replicas on a shared
 * volume): none overwrites another's changes, a claim is won by one instance only, and each sees
 * what the others wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { rejection } from '../support/rejection.js';
import { accountantIdOf, type AccountantId } from '../../src/domain/ids.js';
import { defaultDashboardView } from '../../src/domain/model.js';
import { acquireFileLock } from '../../src/registry/file-lock.js';
import { openLowdbRegistry } from '../../src/registry/lowdb-registry.js';
import type { NewClient, Registry } from '../../src/registry/registry.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const writerScript = path.join(repoRoot, 'tests/registry/fixtures/shared-writer.ts');
const TENANT = '1a23b456-789c-0123-45de-678910fa12bc';
const ALICE = accountantIdOf(TENANT, 'a11ce000-0000-4000-8000-000000000001');
const DAY = '2026-03-10';
const NOW = new Date('2026-03-10T08:00:00Z');

let dir: string;
let file: string;
const opened: Registry[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hub-shared-'));
  file = path.join(dir, 'registry.json');
});

afterEach(async () => {
  for (const r of opened.splice(0)) await r.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function instance(): Promise<Registry> {
  const r = await openLowdbRegistry({ file, sharedCheckMs: 0 });
  opened.push(r);
  return r;
}

function newClient(name: string): NewClient {
  return {
    name,
    url: `https://businesscentral.dynamics.com/${TENANT}/production`,
    target: { tenant: TENANT, environment: 'production' },
    connection: { kind: 'delegated' },
  };
}

function accountant(n: number): AccountantId {
  return accountantIdOf(TENANT, `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
}

describe('two instances in one process', () => {
  it('keeps the clients both instances add at the same time', async () => {
    const a = await instance();
    const b = await instance();
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) =>
        a.forAccountant(ALICE).createClient(newClient(`A ${i}`)),
      ),
      ...Array.from({ length: 30 }, (_, i) =>
        b.forAccountant(ALICE).createClient(newClient(`B ${i}`)),
      ),
    ]);
    const names = (await (await instance()).forAccountant(ALICE).listClients()).map((c) => c.name);
    expect(names).toHaveLength(60);
    expect(new Set(names).size).toBe(60);
  });

  it('lets exactly one instance claim a day, however their claims interleave', async () => {
    const a = await instance();
    const b = await instance();
    const ids = Array.from({ length: 40 }, (_, i) => accountant(i));
    const results = await Promise.all(
      ids.flatMap((id) => [
        a.forAccountant(id).claimDailySummary(DAY, 'instance-a', NOW, 600_000),
        b.forAccountant(id).claimDailySummary(DAY, 'instance-b', NOW, 600_000),
      ]),
    );
    for (let i = 0; i < ids.length; i++) {
      expect([results[2 * i], results[2 * i + 1]].filter(Boolean)).toHaveLength(1);
    }
    // The log agrees with who was told they won.
    const fresh = await instance();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as AccountantId;
      const [entry] = await fresh.forAccountant(id).listSummaryLog();
      expect(entry?.owner).toBe(results[2 * i] ? 'instance-a' : 'instance-b');
    }
  });

  it('shows one instance what another wrote', async () => {
    const a = await instance();
    const b = await instance();
    expect(await b.forAccountant(ALICE).listClients()).toEqual([]);
    const created = await a.forAccountant(ALICE).createClient(newClient('Written by A'));
    expect(await b.forAccountant(ALICE).getClient(created.id)).toEqual(created);
    expect(await b.accountantsWithDailySummary()).toEqual([]);
    await a.forAccountant(ALICE).saveDailySummarySettings({
      enabled: true,
      time: '08:00',
      timeZone: 'UTC',
    });
    expect(await b.accountantsWithDailySummary()).toEqual([ALICE]);
  });

  it('fails a change that another instance made impossible, and keeps the file whole', async () => {
    const a = await instance();
    const b = await instance();
    const client = await a.forAccountant(ALICE).createClient(newClient('Soon gone'));
    // B learns of the client, then A removes it before B's update is written.
    expect(await b.forAccountant(ALICE).getClient(client.id)).not.toBeNull();
    await a.forAccountant(ALICE).removeClient(client.id);
    const updated = await b.forAccountant(ALICE).updateClient(client.id, { notes: 'late' });
    expect(updated).toBeNull();
    expect(await (await instance()).forAccountant(ALICE).listClients()).toEqual([]);
  });
});

describe('one instance', () => {
  it('applies changes in the order they were made while it looks for other instances’ writes', async () => {
    // The first call looks at the file (a slow stat); the second comes within the check interval.
    const a = await openLowdbRegistry({ file, sharedCheckMs: 60_000 });
    opened.push(a);
    const store = a.forAccountant(ALICE);
    const first = store.saveView({ ...defaultDashboardView, text: 'first' });
    const second = store.saveView({ ...defaultDashboardView, text: 'second' });
    await Promise.all([first, second]);
    expect((await store.getView()).text).toBe('second');
    expect((await (await instance()).forAccountant(ALICE).getView()).text).toBe('second');
  });
});

describe('instances in separate processes', () => {
  function runWriter(owner: string, accountants: number, clients: number) {
    return new Promise<{ owner: string; won: string[] }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', writerScript, file, owner, String(accountants), String(clients)],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`${owner} exited with ${code}: ${err}`));
        else resolve(JSON.parse(out.trim()) as { owner: string; won: string[] });
      });
    });
  }

  it('three processes claiming 100 accountants each win disjoint days and lose no client', async () => {
    // Create the file first, so the three do not race to create it.
    await (await openLowdbRegistry({ file })).close();
    const results = await Promise.all(['p1', 'p2', 'p3'].map((o) => runWriter(o, 100, 20)));
    const winners = results.flatMap((r) => r.won);
    expect(winners).toHaveLength(100);
    expect(new Set(winners).size).toBe(100);
    const registry = await instance();
    const shared = accountantIdOf(TENANT, 'shared-0000-4000-8000-000000000000');
    expect(await registry.forAccountant(shared).listClients()).toHaveLength(60);
    for (const r of results) {
      for (const id of r.won) {
        const [entry] = await registry.forAccountant(id as AccountantId).listSummaryLog();
        expect(entry?.owner).toBe(r.owner);
      }
    }
    expect((await readdir(dir)).sort()).toEqual(['registry.json']);
  }, 120_000);
});

describe('the lock between processes', () => {
  it('makes a second holder wait until the first releases it', async () => {
    const lockPath = path.join(dir, 'x.lock');
    const first = await acquireFileLock(lockPath);
    let secondHeld = false;
    const second = acquireFileLock(lockPath).then((l) => {
      secondHeld = true;
      return l;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(secondHeld).toBe(false);
    await first.release();
    await (await second).release();
    expect(secondHeld).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over at once a lock whose holder on this machine has died', async () => {
    const lockPath = path.join(dir, 'x.lock');
    // A pid that is surely not running: a child that has exited.
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid ?? 0));
    });
    await writeFile(lockPath, JSON.stringify({ token: 'gone', pid: dead, host: hostname() }));
    const lock = await acquireFileLock(lockPath, { staleMs: 3_600_000, timeoutMs: 5_000 });
    await lock.assertHeld();
    await lock.release();
  });

  it('breaks a lock from another machine once nobody has touched it for the stale age', async () => {
    const lockPath = path.join(dir, 'x.lock');
    await writeFile(lockPath, JSON.stringify({ token: 't', pid: 1, host: 'another-host' }));
    const old = new Date(Date.now() - 120_000);
    await utimes(lockPath, old, old);
    const lock = await acquireFileLock(lockPath, { staleMs: 60_000, timeoutMs: 5_000 });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives up on a live holder with a message naming it and the lock to delete', async () => {
    const lockPath = path.join(dir, 'x.lock');
    await writeFile(lockPath, JSON.stringify({ token: 't', pid: 4242, host: 'another-host' }));
    const e = await rejection(acquireFileLock(lockPath, { staleMs: 60_000, timeoutMs: 100 }));
    expect(e.reason).toBe('storage');
    expect(e.message).toContain('process 4242 on another-host');
    expect(e.message).toContain(lockPath);
  });

  it('tells a holder whose lock was taken over, and leaves the new holder alone', async () => {
    const lockPath = path.join(dir, 'x.lock');
    const first = await acquireFileLock(lockPath);
    await writeFile(lockPath, JSON.stringify({ token: 'other', pid: 1, host: 'another-host' }));
    expect((await rejection(first.assertHeld())).message).toContain('taken over');
    await first.release();
    expect(await readdir(dir)).toEqual(['x.lock']);
  });

  it('names the folder when the lock cannot be created there', async () => {
    const e = await rejection(acquireFileLock(path.join(dir, 'missing', 'x.lock')));
    expect(e.reason).toBe('storage');
    expect(e.message).toContain('Cannot lock');
  });
});
