/**
 * Command-line options of the stand-alone sample tenant (`src/sample-tenant/main.ts`).
 */
import {
  benchmarkFleet,
  defaultSampleFleet,
  defaultSampleTenantId,
  type SampleFleetSpec,
} from './fleet.js';
import { startSampleTenant, type SampleTenant } from './server.js';

/** Parsed command-line options. */
export interface CliOptions {
  port: number;
  host: string;
  latencyMs: number;
  seed: number;
  companies: number | null;
  environments: number | null;
  limits: boolean;
}

const usage =
  'Usage: sample-tenant [--port N] [--host H] [--latency MS] [--seed N] [--companies N [--environments M]] [--no-limits]';

/** Parses the command line; throws with a usage message on anything unknown or malformed. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {
    port: 0,
    host: '127.0.0.1',
    latencyMs: 0,
    seed: 1,
    companies: null,
    environments: null,
    limits: true,
  };
  const integer = (flag: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (value === undefined || !/^\d+$/.test(value) || n < min || n > max) {
      throw new Error(`${flag} needs an integer from ${min} to ${max}.\n${usage}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        options.port = integer(flag, value(), 0, 65535);
        break;
      case '--host':
        options.host = value() ?? options.host;
        break;
      case '--latency':
        options.latencyMs = integer(flag, value(), 0, 60_000);
        break;
      case '--seed':
        options.seed = integer(flag, value(), 0, 2 ** 31);
        break;
      case '--companies':
        options.companies = integer(flag, value(), 0, 100_000);
        break;
      case '--environments':
        options.environments = integer(flag, value(), 1, 50_000);
        break;
      case '--no-limits':
        options.limits = false;
        break;
      case '--help':
      case '-h':
        throw new Error(usage);
      default:
        throw new Error(`Unknown option ${arg}.\n${usage}`);
    }
  }
  return options;
}

/** The fleet the options describe: the default sample, one environment of N, or a benchmark fleet. */
export function fleetFor(options: CliOptions): SampleFleetSpec {
  if (options.companies === null) return defaultSampleFleet;
  if (options.environments !== null)
    return benchmarkFleet(options.companies, options.environments, options.seed);
  return {
    tenants: [
      {
        id: defaultSampleTenantId,
        displayName: 'Sample Client',
        environments: [{ name: 'production', companies: options.companies }],
      },
    ],
  };
}

/** Starts the sample tenant the command line describes and returns it with its banner text. */
export async function startFromArgs(
  argv: readonly string[],
): Promise<{ tenant: SampleTenant; banner: string }> {
  const options = parseArgs(argv);
  const tenant = await startSampleTenant({
    fleet: fleetFor(options),
    seed: options.seed,
    latencyMs: options.latencyMs,
    limits: options.limits,
    host: options.host,
    port: options.port,
  });
  const lines = [`Sample Business Central tenant listening on ${tenant.url}`, 'Client URLs:'];
  const envs = tenant.fleet.tenants.flatMap((t) => t.environments.map((e) => ({ t, e })));
  for (const { t, e } of envs.slice(0, 20)) {
    lines.push(
      `  ${tenant.clientUrl(t.id, e.name)}  (${t.displayName}, ${e.companies.length} companies)`,
    );
  }
  if (envs.length > 20)
    lines.push(`  … and ${envs.length - 20} more environments (see ${tenant.url}/)`);
  return { tenant, banner: lines.join('\n') };
}
