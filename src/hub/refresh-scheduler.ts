/**
 * Orders the companies of a big refresh so it finishes as early as BC's limits allow, without
 * holding thousands of requests open at once.
 *
 * BC lets one user run 5 requests at a time per environment, so a refresh can end no sooner than
 * its busiest environment: that environment is the critical path and must be kept busy from the
 * first moment to the last. Environments are therefore served largest first (longest-processing-
 * time order), each with up to `perEnvironment` companies in flight — enough to keep the
 * connector's 5 slots full — while `maxInFlight` caps the companies in flight overall, which caps
 * the sockets, response bodies and parsed JSON held in memory at any moment.
 */

export interface SchedulerLimits {
  /** Companies refreshing at once across all environments. */
  readonly maxInFlight: number;
  /** Companies refreshing at once in one environment. */
  readonly perEnvironment: number;
}

/** 5 requests per environment (BC's limit); each company's refresh needs at least one. */
export const defaultSchedulerLimits: SchedulerLimits = { maxInFlight: 256, perEnvironment: 5 };

interface Lane<T> {
  readonly queue: T[];
  head: number;
  inFlight: number;
}

/**
 * Runs `run` for every item, at most `limits.maxInFlight` at once and `limits.perEnvironment` per
 * environment key, environments with the most items first. `run` should not reject (failures are
 * outcomes; a rejection counts as done); resolves when every item has run.
 */
export function runByEnvironment<T>(
  items: readonly T[],
  environmentOf: (item: T) => string,
  run: (item: T) => Promise<void>,
  limits: SchedulerLimits = defaultSchedulerLimits,
): Promise<void> {
  const maxInFlight = Math.max(1, Math.floor(limits.maxInFlight));
  const perEnvironment = Math.max(1, Math.floor(limits.perEnvironment));
  const byKey = new Map<string, Lane<T>>();
  for (const item of items) {
    const key = environmentOf(item);
    let lane = byKey.get(key);
    if (!lane) {
      lane = { queue: [], head: 0, inFlight: 0 };
      byKey.set(key, lane);
    }
    lane.queue.push(item);
  }
  // Largest first; the sort is stable, so equal environments keep the caller's order.
  let lanes = [...byKey.values()].sort((a, b) => b.queue.length - a.queue.length);
  let inFlight = 0;
  let remaining = items.length;

  return new Promise<void>((resolve) => {
    if (remaining === 0) {
      resolve();
      return;
    }
    const pump = (): void => {
      let exhausted = false;
      for (const lane of lanes) {
        if (inFlight >= maxInFlight) break;
        while (
          lane.head < lane.queue.length &&
          lane.inFlight < perEnvironment &&
          inFlight < maxInFlight
        ) {
          const item = lane.queue[lane.head] as T;
          lane.head += 1;
          lane.inFlight += 1;
          inFlight += 1;
          const settled = (): void => {
            lane.inFlight -= 1;
            inFlight -= 1;
            remaining -= 1;
            if (remaining === 0) resolve();
            else pump();
          };
          // A rejection is the caller's bug; it must neither stop the others nor go unhandled.
          void run(item).then(settled, settled);
        }
        if (lane.head >= lane.queue.length) exhausted = true;
      }
      if (exhausted) lanes = lanes.filter((l) => l.head < l.queue.length);
    };
    pump();
  });
}
