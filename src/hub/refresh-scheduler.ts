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
 *
 * With `paceToBusiest`, the overall cap is also no higher than it takes for the other
 * environments to finish with the busiest one (see {@link pacedMaxInFlight}). Starting every
 * small environment at once would only pile their answers up in the first moments, where they
 * compete with the busiest environment's for the CPU and delay the critical path; spread over
 * the time the busiest environment needs anyway, they cost the refresh nothing.
 */

export interface SchedulerLimits {
  /** Companies refreshing at once across all environments. */
  readonly maxInFlight: number;
  /** Companies refreshing at once in one environment. */
  readonly perEnvironment: number;
  /** Keep no more companies in flight than the busiest environment needs (default false). */
  readonly paceToBusiest?: boolean;
  /** For pacing: requests one company's refresh sends (default 1). */
  readonly requestsPerItem?: number;
  /** For pacing: requests an environment runs at once (default `perEnvironment`). */
  readonly requestsPerEnvironment?: number;
}

/**
 * BC runs 5 requests at a time per user and environment; a company's refresh is two `$batch`
 * requests (the ODataV4 cues and tasks, the API v2.0 currency and tax). Five companies in flight
 * per environment keep its five slots full.
 */
export const defaultSchedulerLimits: SchedulerLimits = {
  maxInFlight: 256,
  perEnvironment: 5,
  paceToBusiest: true,
  requestsPerItem: 2,
  requestsPerEnvironment: 5,
};

/**
 * The overall cap that lets every environment finish with the busiest one, from the number of
 * companies in each. Counting time in waves (one request's round trip), an environment of `n`
 * companies needs `ceil(n × requestsPerItem / requestsPerEnvironment)` waves and keeps
 * `min(n, perEnvironment)` companies in flight meanwhile. The busiest environment's waves are the
 * whole refresh's duration, so the companies in flight, on average over that time, need be no
 * more than the sum of every environment's (companies in flight × waves) divided by it. Never
 * more than `maxInFlight`, nor fewer than one environment's worth.
 */
export function pacedMaxInFlight(
  environmentSizes: readonly number[],
  limits: SchedulerLimits,
): number {
  const perEnvironment = Math.max(1, Math.floor(limits.perEnvironment));
  const maxInFlight = Math.max(1, Math.floor(limits.maxInFlight));
  const perItem = Math.max(1, limits.requestsPerItem ?? 1);
  const perWave = Math.max(1, limits.requestsPerEnvironment ?? perEnvironment);
  let longest = 0;
  let work = 0;
  for (const n of environmentSizes) {
    if (n <= 0) continue;
    const waves = Math.ceil((n * perItem) / perWave);
    longest = Math.max(longest, waves);
    work += Math.min(n, perEnvironment) * waves;
  }
  if (longest === 0) return maxInFlight;
  return Math.min(maxInFlight, Math.max(perEnvironment, Math.ceil(work / longest)));
}

interface Lane<T> {
  readonly queue: T[];
  head: number;
  inFlight: number;
}

/**
 * Runs `run` for every item, at most `limits.maxInFlight` at once (fewer when paced to the busiest
 * environment) and `limits.perEnvironment` per environment key, environments with the most items
 * first. `run` should not reject (failures are outcomes; a rejection counts as done); resolves
 * when every item has run.
 */
export function runByEnvironment<T>(
  items: readonly T[],
  environmentOf: (item: T) => string,
  run: (item: T) => Promise<void>,
  limits: SchedulerLimits = defaultSchedulerLimits,
): Promise<void> {
  let maxInFlight = Math.max(1, Math.floor(limits.maxInFlight));
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
  if (limits.paceToBusiest === true) {
    maxInFlight = pacedMaxInFlight(
      lanes.map((l) => l.queue.length),
      limits,
    );
  }
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
