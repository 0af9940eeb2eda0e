import { describe, expect, it } from '@jest/globals';
import { runByEnvironment } from '../../src/hub/refresh-scheduler.js';

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
