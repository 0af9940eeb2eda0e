/**
 * Refresh-all benchmark: one accountant with 1,000 companies over 500 environments (most with one
 * company, some with 20–50) on the sample tenant, with 100 ms of latency per request and BC's
 * per-user limits on. Times `refresh({ kind: 'all' })` through the real hub, lowdb registry and
 * Business Central connector over loopback HTTP.
 *
 * The sample tenant stands in for Business Central online, which runs on Microsoft's servers: it
 * runs in a child process of its own (this file, started with `--sample-tenant`), so its work of
 * generating 1,000 companies' books neither counts in the hub's memory nor steals the hub's event
 * loop. Its statistics come back over IPC.
 *
 * The lower bound: BC runs at most 5 requests at once per user and environment, so an environment
 * that needed R requests needs at least ceil(R / 5) waves of `latency`; environments run side by
 * side, so the slowest one bounds the whole refresh. The ratio wall ÷ bound says how close the
 * hub comes to what BC allows (target ≤ 1.3).
 *
 * Run: `tsx bench/refresh-all.ts [companies] [environments]` (default 1000 500).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createBusinessCentralConnector } from '../src/connector/business-central-connector.js';
import { noTokenProvider } from '../src/connector/token-providers.js';
import { accountantIdOf } from '../src/domain/ids.js';
import { createHub } from '../src/hub/create-hub.js';
import { openLowdbRegistry } from '../src/registry/lowdb-registry.js';
import { benchmarkFleet, startSampleTenant } from '../src/sample-tenant/index.js';
import type { SampleTenantStats } from '../src/sample-tenant/index.js';

const latencyMs = 100;
const maxConcurrentPerEnvironment = 5;
/** Clients are registered this many at a time (setup, not timed). */
const setupConcurrency = 25;

type ToTenant = { type: 'stats' } | { type: 'reset' } | { type: 'close' };
type FromTenant =
  | { type: 'ready'; url: string }
  | { type: 'stats'; stats: SampleTenantStats; cpuMs: number }
  | { type: 'done' };

/** CPU time (user + system) used by this process since `start`. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1000);
}

/** The child: serves the fleet until told to close. */
async function runTenant(companies: number, environments: number): Promise<void> {
  const tenant = await startSampleTenant({
    fleet: benchmarkFleet(companies, environments),
    latencyMs,
    limits: true,
  });
  const send = (m: FromTenant): void => {
    process.send?.(m);
  };
  let cpuAtReset = process.cpuUsage();
  process.on('message', (m: ToTenant) => {
    switch (m.type) {
      case 'stats':
        send({ type: 'stats', stats: tenant.stats(), cpuMs: cpuMsSince(cpuAtReset) });
        break;
      case 'reset':
        tenant.resetStats();
        cpuAtReset = process.cpuUsage();
        send({ type: 'done' });
        break;
      case 'close':
        void tenant.close().then(() => {
          send({ type: 'done' });
          process.disconnect();
        });
        break;
    }
  });
  send({ type: 'ready', url: tenant.url });
}

/** The parent's handle on the child tenant: one request at a time, answered in order. */
function tenantClient(child: ChildProcess) {
  const waiting: ((m: FromTenant) => void)[] = [];
  child.on('message', (m: FromTenant) => waiting.shift()?.(m));
  const ask = (m: ToTenant): Promise<FromTenant> =>
    new Promise((resolve) => {
      waiting.push(resolve);
      child.send(m);
    });
  return {
    ready: () => new Promise<FromTenant>((resolve) => waiting.push(resolve)),
    async stats(): Promise<{ stats: SampleTenantStats; cpuMs: number }> {
      const m = await ask({ type: 'stats' });
      if (m.type !== 'stats') throw new Error('sample tenant: unexpected answer');
      return { stats: m.stats, cpuMs: m.cpuMs };
    },
    reset: () => ask({ type: 'reset' }),
    close: () => ask({ type: 'close' }),
  };
}

async function inPool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

async function runBenchmark(companies: number, environments: number): Promise<void> {
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--sample-tenant', String(companies), String(environments)],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const tenant = tenantClient(child);
  const ready = await tenant.ready();
  if (ready.type !== 'ready') throw new Error('sample tenant did not start');
  const tenantUrl = ready.url;

  const dir = await mkdtemp(path.join(tmpdir(), 'bench-refresh-all-'));
  const registry = await openLowdbRegistry({ file: path.join(dir, 'registry.json') });
  const connector = createBusinessCentralConnector({
    apiBaseUrl: tenantUrl,
    sampleApiBaseUrl: tenantUrl,
    webClientBaseUrl: tenantUrl,
    tokenProvider: noTokenProvider,
  });
  const hub = createHub({
    registry,
    connector,
    sampleMode: { sampleOrigin: tenantUrl, defaultClientUrl: '' },
    webClientBaseUrl: tenantUrl,
  });

  try {
    const acc = accountantIdOf('bench', 'accountant');
    await registry.forAccountant(acc).ensureProfile({
      entraTenantId: 'bench',
      userObjectId: 'accountant',
      displayName: 'Benchmark accountant',
    });

    const envs = benchmarkFleet(companies, environments).tenants.flatMap((t) =>
      t.environments.map((e) => ({ tenant: t.id.toLowerCase(), environment: e.name })),
    );
    const setupStarted = performance.now();
    await inPool(envs, setupConcurrency, async ({ tenant: t, environment }) => {
      const added = await hub.addClient(acc, {
        name: `${t} ${environment}`,
        // The sample tenant's Client URL shape: `${url}/${tenant}/${environment}`.
        url: `${tenantUrl}/${t}/${environment}`,
      });
      if (!added.ok) throw new Error(`setup: ${added.error.reason}: ${added.error.message}`);
    });
    const registered = (await registry.forAccountant(acc).listCompanies()).length;
    console.log(
      `setup: ${envs.length} clients, ${registered} companies registered in ${Math.round(
        performance.now() - setupStarted,
      )} ms`,
    );

    // Setup sent its own requests: the counts start afresh for the refresh.
    await tenant.reset();
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);

    const cpuAtStart = process.cpuUsage();
    const started = performance.now();
    const result = await hub.refresh(acc, { kind: 'all' });
    const wallMs = Math.round(performance.now() - started);
    const hubCpuMs = cpuMsSince(cpuAtStart);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (!result.ok) throw new Error(`refresh: ${result.error.reason}: ${result.error.message}`);
    const progress = result.value;

    const { stats, cpuMs: tenantCpuMs } = await tenant.stats();
    let boundMs = 0;
    let slowest = '';
    for (const [env, requests] of Object.entries(stats.requestsByEnvironment)) {
      const envBound = Math.ceil(requests / maxConcurrentPerEnvironment) * latencyMs;
      if (envBound > boundMs) {
        boundMs = envBound;
        slowest = `${env} (${requests} requests)`;
      }
    }
    const ratio = boundMs > 0 ? Math.round((wallMs / boundMs) * 100) / 100 : 0;
    const rssMb = Math.round(peakRss / (1024 * 1024));

    console.log(`companies refreshed: ${progress.succeeded}/${progress.total}`);
    console.log(`wall time:           ${wallMs} ms`);
    console.log(`requests sent:       ${stats.requests}`);
    console.log(`429s received:       ${stats.throttled}`);
    console.log(`failed companies:    ${progress.failed}`);
    for (const f of progress.failures.slice(0, 5)) {
      console.log(`  ${f.clientName} / ${f.companyName}: ${f.reason}: ${f.message}`);
    }
    console.log(`peak RSS (hub):      ${rssMb} MB`);
    // Where the time went: a process whose CPU time is close to the wall time was the limit.
    console.log(`CPU during refresh:  hub ${hubCpuMs} ms, sample tenant ${tenantCpuMs} ms`);
    console.log(`lower bound:         ${boundMs} ms (slowest environment: ${slowest})`);
    console.log(`ratio:               ${ratio} (target ≤ 1.3, 0 failed, RSS < 300 MB)`);
    console.log(
      JSON.stringify({
        bench: 'refresh-all',
        companies: progress.total,
        wallMs,
        boundMs,
        ratio,
        failed: progress.failed,
        rssMb,
      }),
    );
    if (progress.failed > 0) process.exitCode = 1;
  } finally {
    await hub.idle();
    await registry.close();
    await tenant.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--sample-tenant') {
  await runTenant(Number(rest[0]), Number(rest[1]));
} else {
  await runBenchmark(Number(mode ?? 1000), Number(rest[0] ?? 500));
}
