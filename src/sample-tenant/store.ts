/**
 * The sample tenant's data: the fleet layout, each company's books generated on first use and
 * kept in a bounded cache (a 1,000-company benchmark must not hold every ledger in memory; an
 * evicted company is regenerated identically), and the one piece of mutable state, the tasks
 * completed through `NAV.SetComplete`.
 */
import { toIsoDate, type Clock } from '../domain/dates.js';
import type { IsoDate } from '../domain/model.js';
import { generateBooks, type CompanyBooks, type UserTaskRecord } from './books.js';
import {
  generateFleetLayout,
  type GeneratedCompany,
  type GeneratedEnvironment,
  type GeneratedTenant,
  type SampleFleetSpec,
} from './fleet.js';
import { isMyPendingTask, type RenderContext } from './entities.js';
import { computeCues, type SampleCues } from './reports.js';

/** The generated fleet, for tests to compare responses against. */
export interface GeneratedFleet {
  readonly seed: number;
  readonly tenants: readonly GeneratedTenant[];
  readonly companyCount: number;
  /** "Today" of the sample tenant's clock (UTC). */
  today(): IsoDate;
  /** Case-insensitive lookup by tenant GUID or domain. */
  tenant(id: string): GeneratedTenant | undefined;
  environment(tenant: string, environment: string): GeneratedEnvironment | undefined;
  /** A company by id (GUID) or exact `name`. */
  company(tenant: string, environment: string, idOrName: string): GeneratedCompany | undefined;
  companies(): GeneratedCompany[];
  /** The company's books as of `today` (default: the clock's today). */
  books(company: GeneratedCompany, today?: IsoDate): CompanyBooks;
  /** The cue values (amounts in cents) the ODataV4 cue services answer with. */
  cues(company: GeneratedCompany, today?: IsoDate): SampleCues;
  /** The accountant's pending tasks, as `AccountantPortalUserTasks` lists them now. */
  myPendingTasks(company: GeneratedCompany): UserTaskRecord[];
  /** Tasks completed through the API: task ID → completion time. */
  completedTasks(company: GeneratedCompany): ReadonlyMap<number, string>;
}

const CACHE_LIMIT = 256;

/** The generated fleet plus its books cache and task completions; the server's only state. */
export class SampleStore implements GeneratedFleet {
  readonly tenants: readonly GeneratedTenant[];
  readonly companyCount: number;
  private readonly tenantsById: Map<string, GeneratedTenant>;
  private readonly cache = new Map<string, CompanyBooks>();
  private readonly completed = new Map<string, Map<number, string>>();

  constructor(
    spec: SampleFleetSpec,
    readonly seed: number,
    private readonly clock: Clock,
  ) {
    this.tenants = generateFleetLayout(spec, seed);
    this.tenantsById = new Map(this.tenants.map((t) => [t.id, t]));
    this.companyCount = this.tenants.reduce(
      (n, t) => n + t.environments.reduce((m, e) => m + e.companies.length, 0),
      0,
    );
  }

  today(): IsoDate {
    return toIsoDate(this.clock());
  }

  now(): Date {
    return this.clock();
  }

  tenant(id: string): GeneratedTenant | undefined {
    return this.tenantsById.get(id.toLowerCase());
  }

  environment(tenant: string, environment: string): GeneratedEnvironment | undefined {
    const name = environment.toLowerCase();
    return this.tenant(tenant)?.environments.find((e) => e.name.toLowerCase() === name);
  }

  company(tenant: string, environment: string, idOrName: string): GeneratedCompany | undefined {
    const env = this.environment(tenant, environment);
    const lower = idOrName.toLowerCase();
    return (
      env?.companies.find((c) => c.id === lower) ?? env?.companies.find((c) => c.name === idOrName)
    );
  }

  companies(): GeneratedCompany[] {
    return this.tenants.flatMap((t) => t.environments.flatMap((e) => e.companies));
  }

  books(company: GeneratedCompany, today: IsoDate = this.today()): CompanyBooks {
    const key = `${company.tenantId}/${company.environment.toLowerCase()}/${company.id}@${today}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const tenant = this.tenant(company.tenantId);
    if (!tenant) throw new Error(`company ${company.id} belongs to no tenant of this fleet`);
    const books = generateBooks(company, tenant, today);
    this.cache.set(key, books);
    if (this.cache.size > CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return books;
  }

  cues(company: GeneratedCompany, today?: IsoDate): SampleCues {
    return computeCues(this.books(company, today));
  }

  completedTasks(company: GeneratedCompany): ReadonlyMap<number, string> {
    return this.completed.get(this.companyKey(company)) ?? new Map<number, string>();
  }

  /** Marks a task complete (page 1170's `SetComplete`); false when no such task exists. */
  completeTask(company: GeneratedCompany, taskId: number): boolean {
    const books = this.books(company);
    if (!books.tasks.some((t) => t.id === taskId)) return false;
    const key = this.companyKey(company);
    const done = this.completed.get(key) ?? new Map<number, string>();
    if (!done.has(taskId)) done.set(taskId, this.clock().toISOString());
    this.completed.set(key, done);
    return true;
  }

  myPendingTasks(company: GeneratedCompany): UserTaskRecord[] {
    const ctx = this.renderContext(company, '');
    return ctx.books.tasks.filter((t) => isMyPendingTask(t, ctx));
  }

  renderContext(company: GeneratedCompany, webClientBase: string): RenderContext {
    const tenant = this.tenant(company.tenantId);
    if (!tenant) throw new Error(`company ${company.id} belongs to no tenant of this fleet`);
    return {
      books: this.books(company),
      tenant,
      webClientBase,
      completedTasks: this.completedTasks(company),
    };
  }

  private companyKey(company: GeneratedCompany): string {
    return `${company.tenantId}/${company.environment.toLowerCase()}/${company.id}`;
  }
}
