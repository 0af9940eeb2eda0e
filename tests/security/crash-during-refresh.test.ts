/**
 * Killing the server in the middle of "refresh all" must not lose or corrupt anything the
 * accountant was told was saved. A child process runs the real app (lowdb registry, sample
 * tenant with 60 companies and 20 ms latency, REST API) and, as the accountant, adds clients,
 * edits notes and saves the dashboard view while a refresh of every company writes snapshots;
 * it prints a line only after each write was answered with success. The test kills it with
 * SIGKILL at seeded moments during the refresh, several rounds on the same data folder, and after
 * each round opens the file with the real registry and holds it to every acknowledgement.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { localAccountant } from '../../server/authenticator.js';
import { loadConfig } from '../../src/config.js';
import { openLowdbRegistry } from '../../src/registry/lowdb-registry.js';
import { runUntilKilled } from '../support/child-process.js';
import { seededRandom } from './hostile-inputs.js';
import {
  crashClientNameOf,
  crashSeqIn,
  crashViewTextOf,
  type CrashLine,
} from './fixtures/crash-protocol.js';

const crasherScript = 'tests/security/fixtures/refresh-crasher.ts';

/** A port free now, so every round's sample tenant has the same origin as the clients saved. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Runs the crasher until `killAfterMs` after it said the refresh started, kills it with SIGKILL
 * and returns every complete line it printed. Fails when it dies on its own.
 */
function runRound(
  dataDir: string,
  port: number,
  firstSeq: number,
  newClients: number,
  killAfterMs: number,
): Promise<CrashLine[]> {
  return runUntilKilled<CrashLine>({
    script: crasherScript,
    args: [dataDir, String(port), String(firstSeq), String(newClients)],
    startMarker: '"t":"refresh"',
    killAfterMs,
    name: 'the app',
  });
}

interface Expected {
  /** Client id → name, for every acknowledged create. */
  readonly clients: Map<string, string>;
  /** Client id → highest acknowledged notes sequence number. */
  readonly notes: Map<string, number>;
  view: number;
}

function record(expected: Expected, lines: readonly CrashLine[]): void {
  for (const line of lines) {
    switch (line.t) {
      case 'create':
        expect(line.name).toBe(crashClientNameOf(line.seq));
        expected.clients.set(line.id, line.name);
        break;
      case 'update':
        expected.notes.set(line.id, Math.max(expected.notes.get(line.id) ?? -1, line.seq));
        break;
      case 'view':
        expected.view = Math.max(expected.view, line.seq);
        break;
      case 'ready':
      case 'refresh':
      case 'progress':
        break;
    }
  }
}

/** Opens the file with the real registry: it must load and hold every acknowledged write. */
async function verify(file: string, expected: Expected): Promise<{ snapshots: number }> {
  const registry = await openLowdbRegistry({ file });
  try {
    const store = registry.forAccountant(localAccountant.id);
    const clients = new Map((await store.listClients()).map((c) => [c.id as string, c]));
    const missing = [...expected.clients.keys()].filter((id) => !clients.has(id));
    expect(missing).toEqual([]);
    for (const [id, name] of expected.clients) expect(clients.get(id)?.name).toBe(name);
    for (const [id, seq] of expected.notes) {
      // The acknowledged notes, or notes written after them.
      expect({ id, held: crashSeqIn(clients.get(id)?.notes) >= seq }).toEqual({ id, held: true });
    }
    const view = await store.getView();
    expect(crashSeqIn(view.text)).toBeGreaterThanOrEqual(expected.view);
    expect(view.text).toBe(crashViewTextOf(crashSeqIn(view.text)));
    return { snapshots: (await store.listSnapshots()).length };
  } finally {
    await registry.close();
  }
}

describe('a crash during refresh-all', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hub-crash-refresh-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged client, note and view, and the registry still loads', async () => {
    const file = loadConfig({ DATA_DIR: dataDir }).registryFile;
    const port = await freePort();
    const random = seededRandom(13);
    const expected: Expected = { clients: new Map(), notes: new Map(), view: -1 };
    const newClientsPerRound = [10, 4, 4];
    let nextSeq = 0;
    let midRefreshKills = 0;
    let acknowledged = 0;

    for (const newClients of newClientsPerRound) {
      const killAfterMs = Math.round(100 + random() * 900);
      const lines = await runRound(dataDir, port, nextSeq, newClients, killAfterMs);
      record(expected, lines);
      const writes = lines.filter((l) => l.t === 'create' || l.t === 'update' || l.t === 'view');
      acknowledged += writes.length;
      nextSeq = Math.max(nextSeq, ...writes.map((l) => ('seq' in l ? l.seq + 1 : 0)));
      const progress = lines.filter((l) => l.t === 'progress');
      const last = progress.at(-1);
      if (last === undefined || last.done < last.total) midRefreshKills++;
      await verify(file, expected);
    }

    // The rounds really did race writes against a running refresh.
    expect(midRefreshKills).toBeGreaterThan(0);
    expect(acknowledged).toBeGreaterThan(newClientsPerRound.length * 3);
    expect(expected.clients.size).toBeGreaterThanOrEqual(8);
    const { snapshots } = await verify(file, expected);
    expect(snapshots).toBeGreaterThan(0);
  }, 60_000);
});
