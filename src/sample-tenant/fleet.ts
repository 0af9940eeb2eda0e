/**
 * The shape of the sample fleet: which tenants, environments and companies exist, and each
 * company's identity (id, name, currency). This part is generated eagerly because it is small;
 * a company's books (invoices, ledger, tasks) are generated lazily in `books.ts`.
 */
import { Rng, hashOf } from './prng.js';
import {
  companyOwners,
  companySuffixes,
  companyTrades,
  quotedOwners,
  tenantNames,
} from './names.js';

/** Which tenants, environments and how many companies each holds. */
export interface SampleFleetSpec {
  tenants: {
    /** Entra tenant GUID or domain; matched case-insensitively. */
    id: string;
    displayName?: string;
    environments: { name: string; companies: number }[];
  }[];
}

/** A fixed tenant GUID for the sample client, so its Client URL is stable across runs. */
export const defaultSampleTenantId = '5a1e7c3d-9b2f-4e6a-8d41-0c7f2b9e6a13';

/** One tenant, environment `production`, three companies: what a new accountant sees first. */
export const defaultSampleFleet: SampleFleetSpec = {
  tenants: [
    {
      id: defaultSampleTenantId,
      displayName: 'Sample Client',
      environments: [{ name: 'production', companies: 3 }],
    },
  ],
};

/** BC online allows at most 300 companies per environment. */
export const maxCompaniesPerEnvironment = 300;

export type SampleCurrency = 'USD' | 'EUR' | 'GBP' | 'DKK';

export interface CurrencyProfile {
  readonly symbol: string;
  /** Country of the company's address and its customers. */
  readonly country: string;
  /** Sales tax / VAT rates a company of this currency may use. */
  readonly taxRates: readonly number[];
}

/** Symbol, country and tax rates per local currency. */
export const currencyProfiles: Readonly<Record<SampleCurrency, CurrencyProfile>> = {
  USD: { symbol: '$', country: 'US', taxRates: [0.05, 0.06, 0.0625, 0.07, 0.0825] },
  EUR: { symbol: '€', country: 'DE', taxRates: [0.19] },
  GBP: { symbol: '£', country: 'GB', taxRates: [0.2] },
  DKK: { symbol: 'kr', country: 'DK', taxRates: [0.25] },
};

/** A sample company's identity; its books are generated from `seed` on demand. */
export interface GeneratedCompany {
  readonly tenantId: string;
  readonly environment: string;
  /** Position within its environment (0-based). */
  readonly index: number;
  /** Lowercase GUID, the API v2.0 key. */
  readonly id: string;
  /** BC company `name`, the ODataV4 key (may contain `'`, `&`, `,`). */
  readonly name: string;
  readonly displayName: string;
  readonly currencyCode: SampleCurrency;
  readonly currencySymbol: string;
  readonly countryCode: string;
  /**
   * Answers the cue services as older BC versions do: without the `…Decimal` fields, so a
   * client must parse the padded text.
   */
  readonly legacyCues: boolean;
  readonly evaluationCompany: boolean;
  /** Seed of this company's books. */
  readonly seed: number;
}

export interface GeneratedEnvironment {
  readonly tenantId: string;
  /** As given in the spec; URLs match it case-insensitively. */
  readonly name: string;
  readonly companies: readonly GeneratedCompany[];
}

export interface GeneratedTenant {
  /** Lowercase tenant GUID or domain. */
  readonly id: string;
  readonly displayName: string;
  /** The user every caller is treated as (the accountant's guest account): tasks assigned to them are "mine". */
  readonly accountantUserId: string;
  readonly accountantUserName: string;
  /** Another user of the tenant; their tasks must never be returned to the accountant. */
  readonly otherUserId: string;
  readonly environments: readonly GeneratedEnvironment[];
}

const SAFE_SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Checks a fleet spec and throws a RangeError naming every problem. */
export function validateFleetSpec(spec: SampleFleetSpec): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const t of spec.tenants) {
    const id = t.id.toLowerCase();
    if (!SAFE_SEGMENT.test(t.id))
      problems.push(`tenant id ${JSON.stringify(t.id)} is not a GUID or domain`);
    if (seen.has(id)) problems.push(`tenant ${t.id} appears twice`);
    seen.add(id);
    const envs = new Set<string>();
    for (const e of t.environments) {
      const name = e.name.toLowerCase();
      if (!SAFE_SEGMENT.test(e.name))
        problems.push(`environment name ${JSON.stringify(e.name)} is not valid`);
      if (envs.has(name)) problems.push(`environment ${e.name} appears twice in tenant ${t.id}`);
      envs.add(name);
      if (
        !Number.isInteger(e.companies) ||
        e.companies < 0 ||
        e.companies > maxCompaniesPerEnvironment
      ) {
        problems.push(
          `environment ${t.id}/${e.name}: companies must be an integer from 0 to ${maxCompaniesPerEnvironment}`,
        );
      }
    }
  }
  if (problems.length > 0) throw new RangeError(`Invalid sample fleet: ${problems.join('; ')}`);
}

/** Builds the tenants, environments and company identities of a fleet. */
export function generateFleetLayout(spec: SampleFleetSpec, seed: number): GeneratedTenant[] {
  validateFleetSpec(spec);
  return spec.tenants.map((t, tenantIndex) => {
    const tenantId = t.id.toLowerCase();
    const rng = new Rng(hashOf(seed, 'tenant', tenantId));
    const accountantUserId = rng.guid();
    const otherUserId = rng.guid();
    const displayName =
      t.displayName ?? tenantNames[tenantIndex % tenantNames.length] ?? `Client ${tenantIndex + 1}`;
    const environments = t.environments.map((e) => ({
      tenantId,
      name: e.name,
      companies: generateCompanies(seed, tenantId, e.name, e.companies),
    }));
    return {
      id: tenantId,
      displayName,
      accountantUserId,
      accountantUserName: 'ACCOUNTANT',
      otherUserId,
      environments,
    };
  });
}

function generateCompanies(
  seed: number,
  tenantId: string,
  environment: string,
  count: number,
): GeneratedCompany[] {
  const taken = new Set<string>();
  const companies: GeneratedCompany[] = [];
  for (let index = 0; index < count; index++) {
    const companySeed = hashOf(seed, 'company', tenantId, environment.toLowerCase(), index);
    const rng = new Rng(companySeed);
    const id = rng.guid();
    // The second company of every environment has a quoted name and the third a foreign
    // currency with old-style cues, so even the three-company sample exercises the hard cases.
    const owners: readonly string[] = index === 1 ? quotedOwners : companyOwners;
    let base = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      base = `${rng.pick(owners)} ${rng.pick(companyTrades)}`;
      if (!taken.has(base.toLowerCase())) break;
    }
    if (taken.has(base.toLowerCase())) base = `${base} ${index + 1}`;
    taken.add(base.toLowerCase());
    const suffix = rng.pick(companySuffixes);
    const displayName = suffix.startsWith('&') ? `${base} ${suffix}` : `${base}, ${suffix}`;
    const currencyCode: SampleCurrency =
      index === 2
        ? rng.pick(['EUR', 'GBP', 'DKK'] as const)
        : rng.weighted<SampleCurrency>([
            ['USD', 85],
            ['EUR', 5],
            ['GBP', 5],
            ['DKK', 5],
          ]);
    const profile = currencyProfiles[currencyCode];
    const legacyCues = index === 2 || rng.chance(0.1);
    companies.push({
      tenantId,
      environment,
      index,
      id,
      name: base,
      displayName,
      currencyCode,
      currencySymbol: profile.symbol,
      countryCode: profile.country,
      legacyCues,
      evaluationCompany: false,
      seed: companySeed,
    });
  }
  return companies;
}

/**
 * A fleet of `companies` companies over `environments` environments for load tests: most
 * environments hold one company, some hold 20–50 (an accounting firm's big clients), and
 * tenants own one to three environments each. About one tenant in ten is named by domain
 * rather than GUID, as Client URLs may be.
 */
export function benchmarkFleet(companies: number, environments: number, seed = 1): SampleFleetSpec {
  if (!Number.isInteger(environments) || environments < 1) {
    throw new RangeError('benchmarkFleet needs at least one environment');
  }
  if (!Number.isInteger(companies) || companies < environments) {
    throw new RangeError('benchmarkFleet needs at least one company per environment');
  }
  if (companies > environments * maxCompaniesPerEnvironment) {
    throw new RangeError(
      `benchmarkFleet: more than ${maxCompaniesPerEnvironment} companies per environment`,
    );
  }
  const rng = new Rng(hashOf(seed, 'benchmark', companies, environments));
  const sizes = new Array<number>(environments).fill(1);
  let extra = companies - environments;
  const order = rng.shuffle(sizes.map((_, i) => i));
  let cursor = 0;
  while (extra > 0) {
    const i = order[cursor % environments] ?? 0;
    const room = maxCompaniesPerEnvironment - (sizes[i] ?? 0);
    const add = Math.min(extra, rng.int(19, 49), room);
    sizes[i] = (sizes[i] ?? 0) + add;
    extra -= add;
    cursor++;
  }

  const envNames = ['production', 'sandbox', 'test'];
  const tenants: SampleFleetSpec['tenants'] = [];
  let envIndex = 0;
  while (envIndex < environments) {
    const n = Math.min(rng.int(1, 3), environments - envIndex);
    const tenantNumber = tenants.length + 1;
    const id = rng.chance(0.1) ? `client${tenantNumber}.example.com` : rng.guid();
    tenants.push({
      id,
      displayName: `Benchmark Client ${tenantNumber}`,
      environments: envNames.slice(0, n).map((name, k) => ({
        name,
        companies: sizes[envIndex + k] ?? 1,
      })),
    });
    envIndex += n;
  }
  return { tenants };
}
