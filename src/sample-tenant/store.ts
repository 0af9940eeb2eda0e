/**
 * The sample tenant's data: the fleet layout, each company's books generated on first use and
 * kept in a cache, and the one piece of mutable state, the tasks completed through
 * `NAV.SetComplete`.
 *
 * The cache holds the whole fleet (at least {@link MIN_BOOKS_CACHE} companies, at most
 * {@link MAX_BOOKS_CACHE}): about 200 KB of books, cues and rendered rows per company, so 200 MB
 * of heap for the 1,000-company benchmark fleet. Generating a company's books costs milliseconds
 * of CPU, which Business Central never spends per request; a cache smaller than the fleet would
 * regenerate every company on every refresh. Books are per (company, day), so yesterday's give
 * way to today's as the least recently used.
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
import {
  cueRows,
  isMyPendingTask,
  jsonOfRow,
  userTaskRows,
  withEtag,
  type RenderContext,
} from './entities.js';
import type { WireRow } from './odata-query.js';
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

const DAY_MS = 86_400_000;

/** The books cache holds at least this many companies, and the whole fleet when it is larger… */
export const MIN_BOOKS_CACHE = 256;
/** …up to this many (about 400 MB of heap): a bigger fleet is regenerated as it is used. */
export const MAX_BOOKS_CACHE = 2_000;

/** A company's pending-task rows as last rendered, and the completions they reflect. */
interface TaskRowsEntry {
  readonly webClientBase: string;
  /** Completions only ever grow, so their count identifies the state the rows show. */
  readonly completions: number;
  readonly rows: WireRow[];
}

/** The generated fleet plus its books cache and task completions; the server's only state. */
export class SampleStore implements GeneratedFleet {
  readonly tenants: readonly GeneratedTenant[];
  readonly companyCount: number;
  private readonly tenantsById: Map<string, GeneratedTenant>;
  private readonly cache = new Map<string, CompanyBooks>();
  private readonly cacheLimit: number;
  private readonly completed = new Map<string, Map<number, string>>();
  /** Per books, so rows go when their books leave the cache. */
  private readonly taskRows = new WeakMap<CompanyBooks, TaskRowsEntry>();
  private day: { readonly startMs: number; readonly today: IsoDate } | null = null;

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
    this.cacheLimit = Math.min(MAX_BOOKS_CACHE, Math.max(MIN_BOOKS_CACHE, this.companyCount));
  }

  today(): IsoDate {
    // Asked several times per request: the day's text is kept until the clock leaves that day.
    const ms = this.clock().getTime();
    if (this.day === null || ms < this.day.startMs || ms >= this.day.startMs + DAY_MS) {
      const startMs = Math.floor(ms / DAY_MS) * DAY_MS;
      this.day = { startMs, today: toIsoDate(new Date(startMs)) };
    }
    return this.day.today;
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
    if (this.cache.size > this.cacheLimit) {
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

  /**
   * `AccountantPortalUserTasks` rows with their etags: rendered once per books, and again once a
   * task of the company has been completed.
   */
  userTaskRows(company: GeneratedCompany, webClientBase: string): WireRow[] {
    const ctx = this.renderContext(company, webClientBase);
    const completions = ctx.completedTasks.size;
    const cached = this.taskRows.get(ctx.books);
    if (cached?.webClientBase === webClientBase && cached.completions === completions) {
      return cached.rows;
    }
    const rows = userTaskRows(ctx).map(withEtag);
    this.taskRows.set(ctx.books, { webClientBase, completions, rows });
    return rows;
  }

  /**
   * Generates today's books, cues and task rows (and their JSON) of every company ahead of use,
   * `webClientBaseOf` giving the task links' web client as the server serves it. It yields to the
   * event loop every few companies, so a running server stays responsive. What a benchmark
   * measures is then the request path, not the making up of sample data.
   */
  async warm(webClientBaseOf: (company: GeneratedCompany) => string): Promise<number> {
    const companies = this.companies().slice(0, this.cacheLimit);
    for (const [i, company] of companies.entries()) {
      const cues = cueRows(this.books(company));
      jsonOfRow(cues.activity);
      jsonOfRow(cues.finance);
      for (const row of this.userTaskRows(company, webClientBaseOf(company))) jsonOfRow(row);
      if (i % 50 === 49) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return companies.length;
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
