import { describe, expect, it } from '@jest/globals';
import { pacedMaxInFlight, runByEnvironment } from '../../src/hub/refresh-scheduler.js';

interface Item {
  readonly env: string;
  readonly n: number;
}

/** Items whose runs finish only when the test says so, recording what ran when. */
function controlled(items: readonly Item[]) {
  const started: Item[] = [];
  const running = new Map<Item, () => void>();
  const run = (item: Item): Promise<void> =>
    new Promise<void>((resolve) => {
      started.push(item);
      running.set(item, () => {
        running.delete(item);
        resolve();
      });
    });
  const finish = async (item: Item): Promise<void> => {
    running.get(item)?.();
    // Let the scheduler's `finally` and its pump run.
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  const inFlight = (): Item[] => [...running.keys()];
  return { items, started, run, finish, inFlight };
}

const items = (env: string, count: number): Item[] =>
  Array.from({ length: count }, (_, n) => ({ env, n }));

describe('runByEnvironment', () => {
  it('starts the busiest environment first, up to its own limit, within the overall cap', async () => {
    const c = controlled([...items('small', 2), ...items('big', 10), ...items('mid', 4)]);
    const done = runByEnvironment(c.items, (i) => i.env, c.run, {
      maxInFlight: 7,
      perEnvironment: 3,
    });
    expect(c.started.map((i) => i.env)).toEqual([
      'big',
      'big',
      'big',
      'mid',
      'mid',
      'mid',
      'small',
    ]);
    // A finished big-environment item is replaced by the next big one: the critical path stays busy.
    await c.finish(c.started[0]!);
    expect(c.started.at(-1)).toEqual({ env: 'big', n: 3 });
    while (c.inFlight().length > 0) {
      const counts = new Map<string, number>();
      for (const i of c.inFlight()) counts.set(i.env, (counts.get(i.env) ?? 0) + 1);
      expect(c.inFlight().length).toBeLessThanOrEqual(7);
      expect(Math.max(...counts.values())).toBeLessThanOrEqual(3);
      await c.finish(c.inFlight()[0]!);
    }
    await done;
    expect(c.started).toHaveLength(16);
    expect(new Set(c.started).size).toBe(16);
  });

  it('runs the items of one environment in the order given', async () => {
    const c = controlled(items('only', 5));
    const done = runByEnvironment(c.items, (i) => i.env, c.run, {
      maxInFlight: 10,
      perEnvironment: 2,
    });
    while (c.inFlight().length > 0) await c.finish(c.inFlight()[0]!);
    await done;
    expect(c.started.map((i) => i.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('resolves at once when there is nothing to run', async () => {
    await expect(
      runByEnvironment(
        [],
        () => 'x',
        async () => undefined,
      ),
    ).resolves.toBeUndefined();
  });

  it('treats nonsensical limits as one at a time', async () => {
    const c = controlled(items('e', 3));
    const done = runByEnvironment(c.items, (i) => i.env, c.run, {
      maxInFlight: 0,
      perEnvironment: -1,
    });
    expect(c.inFlight()).toHaveLength(1);
    while (c.inFlight().length > 0) await c.finish(c.inFlight()[0]!);
    await done;
    expect(c.started).toHaveLength(3);
  });

  it('counts a run that rejects as done and carries on with the rest', async () => {
    const ran: number[] = [];
    await runByEnvironment(
      items('e', 4),
      (i) => i.env,
      async (i) => {
        ran.push(i.n);
        if (i.n === 1) throw new Error('bug in a run');
      },
      { maxInFlight: 1, perEnvironment: 1 },
    );
    expect(ran).toEqual([0, 1, 2, 3]);
  });
});

describe('pacing to the busiest environment', () => {
  it('keeps only as many in flight as it takes the others to finish with the busiest', async () => {
    // One environment of 40 and 60 of one company each, one request per company, five at a time:
    // the big one takes 8 waves with 5 in flight (40 company-waves), the small ones 1 wave each
    // (60): 100 company-waves in 8 waves is 13 companies in flight.
    const c = controlled([
      ...items('big', 40),
      ...Array.from({ length: 60 }, (_, n) => ({ env: `one-${n}`, n })),
    ]);
    const done = runByEnvironment(c.items, (i) => i.env, c.run, {
      maxInFlight: 256,
      perEnvironment: 5,
      paceToBusiest: true,
    });
    expect(c.inFlight()).toHaveLength(13);
    expect(c.started.slice(0, 5).every((i) => i.env === 'big')).toBe(true);
    let most = 0;
    while (c.inFlight().length > 0) {
      const inFlight = c.inFlight();
      most = Math.max(most, inFlight.length);
      const bigWaiting = 40 - c.started.filter((i) => i.env === 'big').length;
      // The critical path never waits: while big companies remain, five of them run.
      if (bigWaiting > 0) expect(inFlight.filter((i) => i.env === 'big')).toHaveLength(5);
      await c.finish(inFlight[0]!);
    }
    await done;
    expect(most).toBe(13);
    expect(c.started).toHaveLength(100);
  });

  const bc = { maxInFlight: 256, perEnvironment: 5, requestsPerItem: 2, requestsPerEnvironment: 5 };
  it.each([
    // The benchmark's shape: one environment of 49, sixteen more of 20–50, the rest of one.
    [
      'one of 49, 16 of 30, 468 of 1: 77 in flight',
      [49, ...Array<number>(16).fill(30), ...Array<number>(468).fill(1)],
      77,
    ],
    ['1,000 environments of one: the cap', Array<number>(1000).fill(1), 256],
    ['one environment of 1,000: its own five', [1000], 5],
    ['three companies: five', [3], 5],
    ['nothing: the cap', [], 256],
  ])('%s', (_name, sizes, expected) => {
    expect(pacedMaxInFlight(sizes, bc)).toBe(expected);
  });

  it('never goes past the overall cap', () => {
    expect(pacedMaxInFlight(Array<number>(1000).fill(1), { ...bc, maxInFlight: 64 })).toBe(64);
  });
});
