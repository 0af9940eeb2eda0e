/**
 * The lowdb registry must never lose an acknowledged write, whenever the process dies. A child
 * process writes in a loop and prints a line after each write's promise resolves; the test kills
 * it with SIGKILL at seeded random moments, then opens the file with the real registry and holds
 * it to every acknowledgement.
 *
 * What "acknowledged" promises, from `Engine.mutate` in src/registry/lowdb-registry.ts:
 * - durable writes (createClient, updateClient, saveView) resolve only once the file holds them;
 * - `saveSnapshot` is deferred: it resolves at once and is written within the deferred delay,
 *   with the next durable write, or on close. The timer part cannot be tested without timing,
 *   so the test checks the part that holds regardless: a snapshot issued before a durable write
 *   that was acknowledged is in the file.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AccountantId } from '../../src/domain/ids.js';
import { openLowdbRegistry } from '../../src/registry/lowdb-registry.js';
import { seededRandom } from '../security/hostile-inputs.js';
import { runUntilKilled } from '../support/child-process.js';
import {
  clientNameOf,
  notesOf,
  seqIn,
  viewTextOf,
  type WriterLine,
} from './fixtures/writer-protocol.js';

const writerScript = 'tests/registry/fixtures/registry-writer.ts';

/**
 * Runs the writer until `killAfterMs` after it reported ready, kills it with SIGKILL and returns
 * every complete line it printed. Fails when the writer dies on its own.
 */
function runWriter(
  file: string,
  mode: 'sequential' | 'burst',
  accountant: string,
  firstSeq: number,
  killAfterMs: number,
): Promise<WriterLine[]> {
  return runUntilKilled<WriterLine>({
    script: writerScript,
    args: [file, mode, accountant, String(firstSeq)],
    startMarker: '{"t":"ready"}\n',
    killAfterMs,
    name: 'writer',
  });
}

/** Everything the writers acknowledged for one accountant, across rounds. */
interface Expected {
  /** Client id → name, for every acknowledged createClient. */
  readonly clients: Map<string, string>;
  /** Client id → highest acknowledged notes sequence number. */
  readonly notes: Map<string, number>;
  /** Highest acknowledged view sequence number. */
  view: number;
  /** `clientId|companyId` → highest snapshot sequence number the file must hold. */
  readonly snapshots: Map<string, number>;
}

const newExpected = (): Expected => ({
  clients: new Map(),
  notes: new Map(),
  view: -1,
  snapshots: new Map(),
});

const raise = (map: Map<string, number>, key: string, seq: number): void => {
  map.set(key, Math.max(map.get(key) ?? -1, seq));
};

/** Folds one round's acknowledgements into what the file must hold; returns how many there were. */
function record(expected: Expected, acks: readonly WriterLine[]): number {
  // Sequence numbers are taken in call order and mutations apply in call order, so a durable
  // write that was acknowledged carries every snapshot issued before it.
  let lastDurable = -1;
  for (const a of acks) {
    if (a.t === 'create' || a.t === 'update' || a.t === 'view') {
      lastDurable = Math.max(lastDurable, a.seq);
    }
  }
  let count = 0;
  for (const a of acks) {
    switch (a.t) {
      case 'ready':
        continue;
      case 'create':
        expect(a.name).toBe(clientNameOf(a.seq));
        expected.clients.set(a.id, a.name);
        break;
      case 'update':
        raise(expected.notes, a.id, a.seq);
        break;
      case 'view':
        expected.view = Math.max(expected.view, a.seq);
        break;
      case 'snapshot':
        if (a.seq < lastDurable) raise(expected.snapshots, `${a.clientId}|${a.companyId}`, a.seq);
        break;
    }
    count++;
  }
  return count;
}

/** Opens the file with the real registry and checks it holds everything acknowledged. */
async function verify(file: string, expectations: Map<string, Expected>): Promise<void> {
  const registry = await openLowdbRegistry({ file });
  try {
    for (const [accountant, expected] of expectations) {
      const store = registry.forAccountant(accountant as AccountantId);
      const clients = new Map((await store.listClients()).map((c) => [c.id as string, c]));
      const missing = [...expected.clients.keys()].filter((id) => !clients.has(id));
      expect({ accountant, missing }).toEqual({ accountant, missing: [] });
      for (const [id, name] of expected.clients) {
        expect(clients.get(id)?.name).toBe(name);
      }
      for (const [id, seq] of expected.notes) {
        const notes = clients.get(id)?.notes ?? '';
        // The acknowledged notes, or notes written after them.
        expect({ id, seq: seqIn(notes) >= seq }).toEqual({ id, seq: true });
      }
      if (expected.view >= 0) {
        const view = await store.getView();
        expect(seqIn(view.text)).toBeGreaterThanOrEqual(expected.view);
        expect(view.text).toBe(viewTextOf(seqIn(view.text)));
      }
      const snapshots = new Map(
        (await store.listSnapshots()).map((s) => [
          `${s.clientId}|${s.companyId}`,
          s.kpis?.openSalesDocuments ?? -1,
        ]),
      );
      for (const [key, seq] of expected.snapshots) {
        expect({ key, held: (snapshots.get(key) ?? -1) >= seq }).toEqual({ key, held: true });
      }
    }
  } finally {
    await registry.close();
  }
}

/**
 * After the kills the file opens and takes new writes; the only debris a kill may leave is the
 * temp files of writes that were cut off, and opening the registry clears them away.
 */
async function expectUsable(file: string): Promise<void> {
  const stray = (await readdir(path.dirname(file))).filter((n) => n !== 'registry.json');
  // A write's temp file, the lock between processes, a waiter's file for taking the lock.
  for (const name of stray) {
    expect(name).toMatch(
      /^(\.registry\.json\.\d+\.[0-9a-f]{8}\.tmp|registry\.json\.lock|\.~registry\.json\.lock\.[^.]+\.\d+\.[0-9a-f]{24}\.tmp)$/,
    );
  }
  const registry = await openLowdbRegistry({ file });
  // Opening takes over the dead writer's lock and removes what it left.
  expect((await readdir(path.dirname(file))).filter((n) => n !== 'registry.json')).toEqual([]);
  const store = registry.forAccountant('local:after' as AccountantId);
  const c = await store.createClient({
    name: 'After the crash',
    url: 'https://businesscentral.dynamics.com/contoso.com/production',
    target: { tenant: 'contoso.com', environment: 'production' },
    connection: { kind: 'delegated' },
  });
  await store.updateClient(c.id, { notes: notesOf(1) });
  await registry.close();
  const again = await openLowdbRegistry({ file });
  try {
    const found = await again.forAccountant('local:after' as AccountantId).getClient(c.id);
    expect(found?.notes).toBe(notesOf(1));
  } finally {
    await again.close();
  }
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hub-crash-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the lowdb registry under SIGKILL', () => {
  it('keeps every acknowledged write when killed at random moments in a loop of writes', async () => {
    const file = path.join(dir, 'sequential', 'registry.json');
    const random = seededRandom(0x5eed);
    const expectations = new Map<string, Expected>();
    let totalAcks = 0;
    for (let round = 0; round < 7; round++) {
      // Some rounds reuse an accountant's bucket, others add one while writes go on.
      const accountant = `local:accountant-${round % 3}`;
      const expected = expectations.get(accountant) ?? newExpected();
      expectations.set(accountant, expected);
      const killAfterMs = Math.floor(random() * 400);
      const acks = await runWriter(
        file,
        'sequential',
        accountant,
        (round + 1) * 1_000_000,
        killAfterMs,
      );
      totalAcks += record(expected, acks);
      await verify(file, expectations);
    }
    // The rounds did write (a test of nothing would pass the checks above too).
    expect(totalAcks).toBeGreaterThan(7);
    await expectUsable(file);
  }, 60_000);

  it('keeps every acknowledged write when killed during bursts of 200 concurrent writes', async () => {
    const file = path.join(dir, 'burst', 'registry.json');
    const random = seededRandom(200);
    const expectations = new Map<string, Expected>();
    let totalAcks = 0;
    for (let round = 0; round < 4; round++) {
      const accountant = `local:burst-${round % 2}`;
      const expected = expectations.get(accountant) ?? newExpected();
      expectations.set(accountant, expected);
      const killAfterMs = 30 + Math.floor(random() * 450);
      const acks = await runWriter(
        file,
        'burst',
        accountant,
        (round + 1) * 10_000_000,
        killAfterMs,
      );
      totalAcks += record(expected, acks);
      await verify(file, expectations);
    }
    expect(totalAcks).toBeGreaterThan(200);
    await expectUsable(file);
  }, 60_000);
});
