/**
 * The client registry on a single JSON file, through lowdb: the embedded default store.
 *
 * How it stays correct:
 * - Scoping: data lives in one bucket per accountant, and every {@link AccountantStore} method
 *   looks up only its own bucket, so there is no code path that reads another accountant's data.
 * - Serialised writes: a mutation changes the in-memory data synchronously (JavaScript runs one
 *   at a time), then waits for a file write that includes it. Writes never overlap; mutations
 *   that arrive while one runs share the next write, so a refresh of thousands of companies
 *   costs a handful of writes, not thousands.
 * - Failure: when a write fails, the in-memory data goes back to the last text that reached the
 *   disk and every caller whose change was not written is rejected, so memory never claims more
 *   than the file holds.
 * - Copies: everything returned is a deep copy; everything stored is rebuilt from its fields.
 * - Several processes: every write happens under a lock beside the file (`<file>.lock`). When
 *   the file changed since this process last read or wrote it (another instance wrote it), the
 *   write first reloads it and replays this process's unwritten changes on top, so no instance
 *   overwrites another's changes, and a change whose outcome depends on the data (claiming a
 *   daily summary) is decided on the latest file. Reads notice another instance's writes within
 *   {@link LowdbRegistryOptions.sharedCheckMs}.
 */
import { randomUUID } from 'node:crypto';
import { access, constants, copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import type { z } from 'zod';
import type { AccountantId, ClientId, CompanyId } from '../domain/ids.js';
import { AppError } from '../domain/errors.js';
import { systemClock, toIsoDateTime, type Clock } from '../domain/dates.js';
import {
  defaultDashboardView,
  defaultTaxSettings,
  type AccountantProfile,
  type Client,
  type Company,
  type CompanySnapshot,
  type DashboardView,
} from '../domain/model.js';
import { silentLogger, type Logger } from '../logging.js';
import { AtomicJsonFile } from './atomic-json-file.js';
import {
  acquireFileLock,
  removeDeadWaiterFiles,
  type FileLockOptions,
  type HeldLock,
} from './file-lock.js';
import { migrateToCurrent } from './migrations.js';
import {
  defaultDailySummarySettings,
  type AccountantStore,
  type ClientPatch,
  type ConversationRecord,
  type DailySummarySettings,
  type NewClient,
  type Registry,
  type SealedSecret,
  type SummaryLogEntry,
} from './registry.js';
import {
  clientSchema,
  companySchema,
  conversationSchema,
  dailySummarySettingsSchema,
  describeIssues,
  emptyRegistryFile,
  fastSnapshotCopy,
  profileSchema,
  registryFileSchema,
  sealedSecretSchema,
  snapshotSchema,
  summaryLogEntrySchema,
  viewInputSchema,
  type AccountantData,
  type RegistryFile,
} from './schema.js';
import { describeFsError } from './secret-box.js';

export interface LowdbRegistryOptions {
  /** The registry file; created with its parent directories when missing. */
  readonly file: string;
  readonly clock?: Clock;
  /** Client ids; default `crypto.randomUUID`. */
  readonly idGenerator?: () => string;
  readonly logger?: Logger;
  /**
   * How long snapshot changes may wait in memory before they are written (default 250 ms). A
   * large file waits longer: at least {@link DEFERRED_WRITE_COST_FACTOR} times what serialising it
   * last took, so a refresh of thousands of companies rewrites a multi-megabyte file about once a
   * second rather than four times, and writing never takes more than a few percent of the CPU.
   */
  readonly deferredWriteMs?: number;
  /**
   * How often reads look whether another process changed the file (default 500 ms). Writes
   * always look first.
   */
  readonly sharedCheckMs?: number;
  /** The lock between processes that write the file. */
  readonly lock?: FileLockOptions;
}

/**
 * Deferred (snapshot) writes are spaced at least this many times the CPU time the last write
 * spent serialising the file: about 2% of one core at most, however large the file grows.
 */
export const DEFERRED_WRITE_COST_FACTOR = 50;

/** How long deferred changes wait, given the configured delay and what the last write cost. */
export function deferredWriteDelay(deferMs: number, lastSerializeMs: number): number {
  return Math.max(deferMs, Math.round(lastSerializeMs * DEFERRED_WRITE_COST_FACTOR));
}

/** Daily summaries older than this many entries are pruned, keeping the file bounded. */
const SUMMARY_LOG_LIMIT = 62;

/**
 * Opens (or creates) the registry file. Throws `AppError('storage')` naming the file and what to
 * do when it cannot be read, is not valid JSON, has the wrong shape, or comes from a newer app;
 * in every such case the file is left byte-for-byte as it was.
 */
export async function openLowdbRegistry(options: LowdbRegistryOptions): Promise<Registry> {
  const file = path.resolve(options.file);
  const logger = (options.logger ?? silentLogger).child({ component: 'registry' });
  const dir = path.dirname(file);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new AppError(
      'storage',
      `Cannot create the folder ${dir} for the registry file: ${describeFsError(e)}. Set DATA_DIR to a folder the app can write.`,
      { file },
      { cause: e },
    );
  }

  let fromVersion: number | null = null;
  const adapter = new AtomicJsonFile<RegistryFile>(file, {
    decode: (raw) => {
      const migrated = migrateToCurrent(raw, file);
      const parsed = registryFileSchema.safeParse(migrated.data);
      if (!parsed.success) {
        throw new AppError(
          'storage',
          `The registry file ${file} does not have the expected shape (${describeIssues(parsed.error)}). It was left untouched; restore it from a backup, or move it away to start with an empty registry.`,
          { file },
        );
      }
      const seen = new Set<string>();
      for (const acc of parsed.data.accountants) {
        if (seen.has(acc.id)) {
          throw new AppError(
            'storage',
            `The registry file ${file} lists accountant ${acc.id} twice. It was left untouched; restore it from a backup.`,
            { file },
          );
        }
        seen.add(acc.id);
      }
      fromVersion = migrated.fromVersion;
      for (const step of migrated.applied) logger.info('registry migration', { file, step });
      return parsed.data;
    },
  });
  const db = new Low<RegistryFile>(adapter, emptyRegistryFile());
  const lockPath = `${file}.lock`;
  // Opening may create, upgrade or clean up the file: no other instance may write meanwhile.
  const lock = await acquireFileLock(lockPath, options.lock);
  try {
    await openUnderLock(db, adapter, file, logger, () => fromVersion);
    await removeDeadWaiterFiles(lockPath);
  } finally {
    await lock.release();
  }
  const engine = new Engine(db, adapter, {
    clock: options.clock ?? systemClock,
    logger,
    deferMs: options.deferredWriteMs ?? 250,
    lockPath,
    lock: options.lock ?? {},
    sharedCheckMs: options.sharedCheckMs ?? 500,
    signature: await fileSignature(file),
  });
  return new LowdbRegistry(engine, options.idGenerator ?? randomUUID);
}

/** Identifies one version of the file: every write renames a new file over it. */
async function fileSignature(file: string): Promise<string | null> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return null;
  }
}

async function openUnderLock(
  db: Low<RegistryFile>,
  adapter: AtomicJsonFile<RegistryFile>,
  file: string,
  logger: Logger,
  migratedFrom: () => number | null,
): Promise<void> {
  await db.read();
  const staleTemps = await adapter.removeStaleTempFiles();
  if (staleTemps > 0)
    logger.warn('registry: removed temp files of an interrupted write', {
      file,
      count: staleTemps,
    });

  if (adapter.existed) {
    await assertWritable(file);
  }
  if (!adapter.existed) {
    await adapter.write(db.data);
    logger.info('registry created', { file });
    return;
  }
  const fromVersion = migratedFrom();
  if (fromVersion !== null && fromVersion !== db.data.schemaVersion) {
    // Keep the original next to the upgraded file: a migration is the one write that changes
    // the meaning of existing data, so it must be possible to go back.
    const backup = `${file}.v${fromVersion}.bak`;
    try {
      await copyFile(file, backup, constants.COPYFILE_EXCL);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AppError(
          'storage',
          `Cannot back up ${file} before upgrading it: ${describeFsError(e)}. It was left untouched.`,
          { file },
          { cause: e },
        );
      }
    }
    await adapter.write(db.data);
    logger.info('registry upgraded', {
      file,
      from: fromVersion,
      to: db.data.schemaVersion,
      backup,
    });
  }
}

async function assertWritable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK | constants.W_OK);
    await access(path.dirname(file), constants.W_OK);
  } catch (e) {
    throw new AppError(
      'storage',
      `The registry file ${file} cannot be written: ${describeFsError(e)}. Give the app's user write access to the file and its folder.`,
      { file },
      { cause: e },
    );
  }
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * One change not yet written. `replay` applies it again on a freshly loaded file (written by
 * another process meanwhile); a durable change's caller gets the outcome of the last application.
 */
interface JournalEntry {
  readonly replay: () => { result: unknown; changed: boolean };
  result: unknown;
  waiter: Waiter | null;
}

interface EngineOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly deferMs: number;
  readonly lockPath: string;
  readonly lock: FileLockOptions;
  readonly sharedCheckMs: number;
  /** The file's signature as opened. */
  readonly signature: string | null;
}

/** The shared state behind all accountant stores: data, index, and the write queue. */
class Engine {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly #db: Low<RegistryFile>;
  readonly #adapter: AtomicJsonFile<RegistryFile>;
  readonly #options: EngineOptions;
  #index = new Map<string, AccountantData>();
  /** The text the file holds now: what memory returns to when a write fails. */
  #committed: string;
  /** Which version of the file memory is based on (see `fileSignature`). */
  #signature: string | null;
  /** Every change in memory that no write has included yet, in order. */
  #journal: JournalEntry[] = [];
  /** Durable changes whose callers wait for a write that includes them. */
  #pending: JournalEntry[] = [];
  /** Deferred changes in memory that no write has included yet. */
  #dirty = false;
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #reloading: Promise<void> | null = null;
  #lastCheck = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(
    db: Low<RegistryFile>,
    adapter: AtomicJsonFile<RegistryFile>,
    options: EngineOptions,
  ) {
    this.#db = db;
    this.#adapter = adapter;
    this.#options = options;
    this.clock = options.clock;
    this.logger = options.logger;
    this.#signature = options.signature;
    // The validated data, not the text as read: loading may have dropped unknown values.
    this.#committed = JSON.stringify(db.data);
    this.#reindex();
  }

  #reindex(): void {
    this.#index = new Map(this.#db.data.accountants.map((a) => [a.id, a]));
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('storage', 'The registry is closed.');
  }

  now(): string {
    return toIsoDateTime(this.clock());
  }

  /** All accountants' data, after taking in what other processes wrote. */
  async accountants(): Promise<readonly AccountantData[]> {
    this.#assertOpen();
    await this.#takeInOtherWrites();
    return this.#db.data.accountants;
  }

  /** Runs a read against one accountant's bucket (undefined when they have no data yet). */
  async read<T>(id: AccountantId, fn: (acc: AccountantData | undefined) => T): Promise<T> {
    this.#assertOpen();
    await this.#takeInOtherWrites();
    return fn(this.#index.get(id));
  }

  /** Applies `fn` to the accountant's bucket, creating the bucket when `fn` changed it. */
  #apply<T>(
    id: AccountantId,
    fn: (acc: AccountantData) => { result: T; changed: boolean },
  ): { result: T; changed: boolean } {
    const existing = this.#index.get(id);
    const acc = existing ?? newAccountantData(id);
    const outcome = fn(acc);
    if (outcome.changed && !existing) {
      this.#db.data.accountants.push(acc);
      this.#index.set(id, acc);
    }
    return outcome;
  }

  /**
   * Applies `fn` to the accountant's bucket (created on first write). `fn` must validate before
   * it changes anything: when it throws, nothing may have been modified. It may run again, on
   * data another process wrote meanwhile, so it must depend on nothing but its bucket and inputs.
   *
   * Durable (the default): resolves once the file holds the change, with the outcome of `fn` on
   * the data written. Deferred: resolves at once and the change is written within `deferMs`
   * (longer for a large file, see `#armTimer`), with the next durable write, or on close. Only
   * data that a refresh can fetch again (snapshots) is deferred: losing the last moments of it in
   * a crash costs a refresh, while writing a multi-megabyte file per company would make a
   * refresh of thousands of companies crawl.
   */
  async mutate<T>(
    id: AccountantId,
    fn: (acc: AccountantData) => { result: T; changed: boolean },
    mode: 'durable' | 'deferred' = 'durable',
  ): Promise<T> {
    this.#assertOpen();
    await this.#takeInOtherWrites();
    const { result, changed } = this.#apply(id, fn);
    if (!changed) return result;
    const entry: JournalEntry = { replay: () => this.#apply(id, fn), result, waiter: null };
    this.#journal.push(entry);
    if (mode === 'deferred') {
      this.#dirty = true;
      if (!this.#flushing) this.#armTimer();
      return result;
    }
    await new Promise<void>((resolve, reject) => {
      entry.waiter = { resolve, reject };
      this.#pending.push(entry);
      this.#flushing ??= this.#flush();
    });
    return entry.result as T;
  }

  /** Schedules the deferred write, spaced by what the last write cost. */
  #armTimer(): void {
    if (this.#timer) return;
    const delay = deferredWriteDelay(this.#options.deferMs, this.#adapter.lastSerializeMs);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flushing ??= this.#flush();
    }, delay);
    // A pending deferred write must not keep the process alive; close() flushes it.
    this.#timer.unref();
  }

  /**
   * Reads look at the file at most every `sharedCheckMs`; a write in progress looks itself. A
   * call that arrives while a look is under way waits for it, so changes still apply in the order
   * they were made.
   */
  async #takeInOtherWrites(): Promise<void> {
    if (this.#reloading) {
      await this.#reloading;
      return;
    }
    if (this.#flushing) return;
    const now = performance.now();
    if (now - this.#lastCheck < this.#options.sharedCheckMs) return;
    this.#lastCheck = now;
    await this.#reloadIfChanged();
  }

  /** One reload at a time; callers that arrive meanwhile share it. */
  #reloadIfChanged(): Promise<void> {
    this.#reloading ??= this.#reload().finally(() => {
      this.#reloading = null;
    });
    return this.#reloading;
  }

  /**
   * When another process wrote the file, loads it and applies this process's unwritten changes
   * on top. A change that no longer applies (its client was removed elsewhere) fails its caller;
   * a deferred one is dropped with a warning (a refresh fetches it again).
   */
  async #reload(): Promise<void> {
    const signature = await fileSignature(this.#adapter.file);
    if (signature === this.#signature || signature === null) return;
    const fresh = await this.#adapter.read();
    if (fresh === null) return;
    // From here on no await: changes made while the file was read are in the journal.
    this.#db.data = fresh;
    this.#committed = this.#adapter.lastText ?? JSON.stringify(fresh);
    this.#signature = signature;
    this.#reindex();
    const kept: JournalEntry[] = [];
    for (const entry of this.#journal) {
      try {
        entry.result = entry.replay().result;
        kept.push(entry);
      } catch (e) {
        if (entry.waiter) {
          this.#pending = this.#pending.filter((p) => p !== entry);
          entry.waiter.reject(e);
        } else {
          this.logger.warn('registry: dropped a change that another instance made obsolete', {
            error: e,
          });
        }
      }
    }
    this.#journal = kept;
    this.logger.debug('registry: took in changes written by another instance', {
      file: this.#adapter.file,
      replayed: kept.length,
    });
  }

  /**
   * Writes until no durable caller is waiting. Each write carries everything in memory, so
   * changes that arrive while one runs share the next one.
   */
  async #flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    do {
      let lock: HeldLock | null = null;
      let batch: JournalEntry[] = [];
      let failure: { error: unknown; unwritten: JournalEntry[] } | null = null;
      try {
        lock = await acquireFileLock(this.#options.lockPath, this.#options.lock);
        await this.#reloadIfChanged();
        await lock.assertHeld();
        // No await between taking the batch and serialising it (at the start of `write`).
        batch = this.#pending;
        this.#pending = [];
        this.#journal = [];
        this.#dirty = false;
        await this.#db.write();
        this.#committed = this.#adapter.lastText ?? this.#committed;
        this.#signature = await fileSignature(this.#adapter.file);
      } catch (e) {
        // Changes applied after this write started were never written either: undo them all.
        failure = { error: e, unwritten: [...batch, ...this.#pending] };
        this.#pending = [];
        this.#journal = [];
        this.#dirty = false;
        this.#db.data = JSON.parse(this.#committed) as RegistryFile;
        this.#reindex();
        this.logger.error('registry write failed', { error: e });
      }
      // Callers hear back once the lock is free, so what they do next never waits for it.
      await lock?.release().catch(() => undefined);
      if (failure) for (const entry of failure.unwritten) entry.waiter?.reject(failure.error);
      else for (const entry of batch) entry.waiter?.resolve();
    } while (this.#pending.length > 0);
    this.#flushing = null;
    if (this.#dirty && !this.#closed) this.#armTimer();
  }

  /** Refuses new calls, then writes whatever is still only in memory. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    if (this.#dirty) {
      await new Promise<void>((resolve, reject) => {
        const entry: JournalEntry = {
          replay: () => ({ result: undefined, changed: false }),
          result: undefined,
          waiter: { resolve, reject },
        };
        this.#pending.push(entry);
        this.#flushing ??= this.#flush();
      });
    }
  }
}

function newAccountantData(id: AccountantId): AccountantData {
  return {
    id,
    profile: null,
    clients: [],
    companies: [],
    view: null,
    snapshots: [],
    secrets: [],
    conversations: [],
    dailySummary: { ...defaultDailySummarySettings },
    summaryLog: [],
  };
}

/**
 * Deep copy for everything handed out, so callers can never change the store by mutation. The
 * store holds plain JSON data only, and a dashboard reads thousands of snapshots per request, so
 * this plain recursive copy is used instead of `structuredClone` (several times slower here).
 */
function copy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => copy(v)) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = copy((value as Record<string, unknown>)[key]);
    // A `__proto__` key from stored JSON must stay data, not become the copy's prototype.
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = v;
    }
  }
  return out as T;
}

/*
 * Lookups for saving snapshots. A refresh saves thousands of snapshots one at a time, and finding
 * each by scanning the client and snapshot lists made it quadratic. Each index belongs to one
 * array object and is trusted only while its size matches the array's length: every change that
 * replaces a list (a removed client, a failed write rolled back) or adds to it elsewhere simply
 * gets a fresh index.
 */
const clientIdIndexes = new WeakMap<readonly Client[], Set<string>>();
const snapshotIndexes = new WeakMap<readonly CompanySnapshot[], Map<string, number>>();

function snapshotKey(clientId: ClientId, companyId: CompanyId): string {
  return `${clientId}\u0000${companyId}`;
}

function clientIdsOf(clients: readonly Client[]): ReadonlySet<string> {
  let ids = clientIdIndexes.get(clients);
  if (ids?.size !== clients.length) {
    ids = new Set(clients.map((c) => c.id));
    clientIdIndexes.set(clients, ids);
  }
  return ids;
}

/** Position of each snapshot by client and company; the caller keeps it in step on push. */
function snapshotPositionsOf(snapshots: readonly CompanySnapshot[]): Map<string, number> {
  let positions = snapshotIndexes.get(snapshots);
  if (positions?.size !== snapshots.length) {
    positions = new Map(snapshots.map((s, i) => [snapshotKey(s.clientId, s.companyId), i]));
    snapshotIndexes.set(snapshots, positions);
  }
  return positions;
}

/** Validates an entity before it is stored; a bad one is the caller's `validation` error. */
function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('validation', `Invalid ${what}: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** Plain JSON data only (Teams conversation references, digests): drops functions, undefined. */
function jsonCopy(value: Readonly<Record<string, unknown>>, what: string): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch (e) {
    throw new AppError('validation', `Invalid ${what}: not plain JSON data.`, {}, { cause: e });
  }
}

class LowdbRegistry implements Registry {
  readonly #engine: Engine;
  readonly #newId: () => string;

  constructor(engine: Engine, newId: () => string) {
    this.#engine = engine;
    this.#newId = newId;
  }

  forAccountant(id: AccountantId): AccountantStore {
    if (typeof id !== 'string' || id.trim() === '') {
      throw new AppError('validation', 'An accountant id is required.');
    }
    return new LowdbAccountantStore(id, this.#engine, this.#newId);
  }

  async accountantsWithDailySummary(): Promise<AccountantId[]> {
    return (await this.#engine.accountants())
      .filter((a) => a.dailySummary.enabled)
      .map((a) => a.id);
  }

  close(): Promise<void> {
    return this.#engine.close();
  }
}

class LowdbAccountantStore implements AccountantStore {
  readonly accountantId: AccountantId;
  readonly #engine: Engine;
  readonly #newId: () => string;

  constructor(id: AccountantId, engine: Engine, newId: () => string) {
    this.accountantId = id;
    this.#engine = engine;
    this.#newId = newId;
  }

  #read<T>(fn: (acc: AccountantData | undefined) => T): Promise<T> {
    return this.#engine.read(this.accountantId, fn);
  }

  #mutate<T>(
    fn: (acc: AccountantData) => { result: T; changed: boolean },
    mode: 'durable' | 'deferred' = 'durable',
  ): Promise<T> {
    return this.#engine.mutate(this.accountantId, fn, mode);
  }

  // Profile

  ensureProfile(input: {
    entraTenantId: string;
    userObjectId: string;
    displayName: string;
  }): Promise<AccountantProfile> {
    return this.#mutate((acc) => {
      if (acc.profile) {
        if (acc.profile.displayName === input.displayName || input.displayName === '') {
          return { result: copy(acc.profile), changed: false };
        }
        // People rename themselves; keep the name the sign-in reports.
        acc.profile = { ...acc.profile, displayName: input.displayName };
        return { result: copy(acc.profile), changed: true };
      }
      const profile = check(
        profileSchema,
        {
          id: this.accountantId,
          entraTenantId: input.entraTenantId,
          userObjectId: input.userObjectId,
          displayName: input.displayName,
          createdAt: this.#engine.now(),
        },
        'profile',
      );
      acc.profile = profile;
      return { result: copy(profile), changed: true };
    });
  }

  getProfile(): Promise<AccountantProfile | null> {
    return this.#read((acc) => (acc?.profile ? copy(acc.profile) : null));
  }

  // Clients

  listClients(): Promise<Client[]> {
    return this.#read((acc) => copy(acc?.clients ?? []));
  }

  getClient(id: ClientId): Promise<Client | null> {
    return this.#read((acc) => {
      const c = acc?.clients.find((x) => x.id === id);
      return c ? copy(c) : null;
    });
  }

  createClient(input: NewClient): Promise<Client> {
    return this.#mutate((acc) => {
      const now = this.#engine.now();
      const id = this.#uniqueClientId(acc);
      const client = check(
        clientSchema,
        {
          id,
          name: input.name,
          url: input.url,
          target: { tenant: input.target.tenant, environment: input.target.environment },
          contact: input.contact ?? '',
          notes: input.notes ?? '',
          connection: input.connection,
          taxSettings: input.taxSettings ?? defaultTaxSettings,
          isSample: input.isSample ?? false,
          createdAt: now,
          updatedAt: now,
        },
        'client',
      );
      acc.clients.push(client);
      return { result: copy(client), changed: true };
    });
  }

  #uniqueClientId(acc: AccountantData): ClientId {
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = this.#newId();
      if (typeof id === 'string' && id !== '' && !acc.clients.some((c) => c.id === id)) {
        return id as ClientId;
      }
    }
    throw new AppError('internal', 'The id generator keeps returning ids already in use.');
  }

  updateClient(id: ClientId, patch: ClientPatch): Promise<Client | null> {
    return this.#mutate((acc) => {
      const i = acc.clients.findIndex((c) => c.id === id);
      const old = acc.clients[i];
      if (!old) return { result: null, changed: false };
      const updated = check(
        clientSchema,
        {
          ...old,
          name: patch.name ?? old.name,
          url: patch.url ?? old.url,
          target: patch.target
            ? { tenant: patch.target.tenant, environment: patch.target.environment }
            : old.target,
          contact: patch.contact ?? old.contact,
          notes: patch.notes ?? old.notes,
          connection: patch.connection ?? old.connection,
          taxSettings: patch.taxSettings ?? old.taxSettings,
          updatedAt: this.#engine.now(),
        },
        'client',
      );
      acc.clients[i] = updated;
      const movedEnvironment =
        updated.target.tenant !== old.target.tenant ||
        updated.target.environment !== old.target.environment;
      if (movedEnvironment) {
        // The companies (and their numbers) belonged to the old environment.
        acc.companies = acc.companies.filter((c) => c.clientId !== id);
        acc.snapshots = acc.snapshots.filter((s) => s.clientId !== id);
      }
      if (updated.connection.kind !== 'app') {
        // A secret that no connection uses any more is a liability, not a convenience.
        acc.secrets = acc.secrets.filter((s) => s.clientId !== id);
      }
      return { result: copy(updated), changed: true };
    });
  }

  removeClient(id: ClientId): Promise<boolean> {
    return this.#mutate((acc) => {
      if (!acc.clients.some((c) => c.id === id)) return { result: false, changed: false };
      acc.clients = acc.clients.filter((c) => c.id !== id);
      acc.companies = acc.companies.filter((c) => c.clientId !== id);
      acc.snapshots = acc.snapshots.filter((s) => s.clientId !== id);
      acc.secrets = acc.secrets.filter((s) => s.clientId !== id);
      if (acc.view?.filters.clientId === id) {
        acc.view = { ...acc.view, filters: { ...acc.view.filters, clientId: null } };
      }
      return { result: true, changed: true };
    });
  }

  // Companies

  listCompanies(clientId?: ClientId): Promise<Company[]> {
    return this.#read((acc) =>
      copy((acc?.companies ?? []).filter((c) => clientId === undefined || c.clientId === clientId)),
    );
  }

  setCompanies(
    clientId: ClientId,
    companies: readonly Omit<Company, 'clientId'>[],
  ): Promise<Company[]> {
    return this.#mutate((acc) => {
      if (!acc.clients.some((c) => c.id === clientId)) {
        throw new AppError('not-found', `No client ${clientId}.`);
      }
      const next = companies.map((c) =>
        check(
          companySchema,
          { clientId, id: c.id, name: c.name, displayName: c.displayName },
          'company',
        ),
      );
      const ids = new Set(next.map((c) => c.id));
      if (ids.size !== next.length) {
        throw new AppError('validation', 'Invalid company list: a company id appears twice.');
      }
      acc.companies = [...acc.companies.filter((c) => c.clientId !== clientId), ...next];
      acc.snapshots = acc.snapshots.filter((s) => s.clientId !== clientId || ids.has(s.companyId));
      return { result: copy(next), changed: true };
    });
  }

  // View

  getView(): Promise<DashboardView> {
    return this.#read((acc) => copy(acc?.view ?? defaultDashboardView));
  }

  saveView(view: DashboardView): Promise<DashboardView> {
    return this.#mutate((acc) => {
      const checked = check(viewInputSchema, view, 'dashboard view');
      acc.view = checked;
      return { result: copy(checked), changed: true };
    });
  }

  // Snapshots

  listSnapshots(): Promise<CompanySnapshot[]> {
    return this.#read((acc) => copy(acc?.snapshots ?? []));
  }

  getSnapshot(clientId: ClientId, companyId: CompanyId): Promise<CompanySnapshot | null> {
    return this.#read((acc) => {
      const s = acc?.snapshots.find((x) => x.clientId === clientId && x.companyId === companyId);
      return s ? copy(s) : null;
    });
  }

  /**
   * Stores the company's snapshot; it is visible at once and written shortly after (see
   * `Engine.mutate`). A snapshot for a client removed meanwhile (a refresh that finished after
   * the accountant deleted the client) is dropped, not resurrected.
   */
  saveSnapshot(snapshot: CompanySnapshot): Promise<void> {
    return this.#mutate((acc) => {
      const checked = fastSnapshotCopy(snapshot) ?? check(snapshotSchema, snapshot, 'snapshot');
      if (!clientIdsOf(acc.clients).has(checked.clientId)) {
        return { result: undefined, changed: false };
      }
      const positions = snapshotPositionsOf(acc.snapshots);
      const key = snapshotKey(checked.clientId, checked.companyId);
      const i = positions.get(key);
      if (i !== undefined) acc.snapshots[i] = checked;
      else {
        positions.set(key, acc.snapshots.length);
        acc.snapshots.push(checked);
      }
      return { result: undefined, changed: true };
    }, 'deferred');
  }

  // Secrets

  getSecret(clientId: ClientId, name: string): Promise<SealedSecret | null> {
    return this.#read((acc) => {
      const s = acc?.secrets.find((x) => x.clientId === clientId && x.name === name);
      return s ? copy(s.secret) : null;
    });
  }

  saveSecret(clientId: ClientId, name: string, secret: SealedSecret | null): Promise<void> {
    return this.#mutate((acc) => {
      const i = acc.secrets.findIndex((x) => x.clientId === clientId && x.name === name);
      if (secret === null) {
        if (i < 0) return { result: undefined, changed: false };
        acc.secrets.splice(i, 1);
        return { result: undefined, changed: true };
      }
      if (!acc.clients.some((c) => c.id === clientId)) {
        throw new AppError('not-found', `No client ${clientId}.`);
      }
      if (typeof name !== 'string' || name === '') {
        throw new AppError('validation', 'Invalid secret: a name is required.');
      }
      const sealed = check(
        sealedSecretSchema,
        { iv: secret.iv, tag: secret.tag, data: secret.data },
        'sealed secret',
      );
      const entry = { clientId, name, secret: sealed };
      if (i >= 0) acc.secrets[i] = entry;
      else acc.secrets.push(entry);
      return { result: undefined, changed: true };
    });
  }

  // Conversations

  listConversations(): Promise<ConversationRecord[]> {
    return this.#read((acc) => copy(acc?.conversations ?? []));
  }

  saveConversation(record: ConversationRecord): Promise<void> {
    return this.#mutate((acc) => {
      const checked = check(
        conversationSchema,
        { ...record, reference: jsonCopy(record.reference, 'conversation reference') },
        'conversation',
      );
      const i = acc.conversations.findIndex((c) => c.conversationId === checked.conversationId);
      if (i >= 0) acc.conversations[i] = checked;
      else acc.conversations.push(checked);
      return { result: undefined, changed: true };
    });
  }

  removeConversation(conversationId: string): Promise<boolean> {
    return this.#mutate((acc) => {
      const before = acc.conversations.length;
      acc.conversations = acc.conversations.filter((c) => c.conversationId !== conversationId);
      const removed = acc.conversations.length !== before;
      return { result: removed, changed: removed };
    });
  }

  // Daily summary

  getDailySummarySettings(): Promise<DailySummarySettings> {
    return this.#read((acc) => copy(acc?.dailySummary ?? defaultDailySummarySettings));
  }

  saveDailySummarySettings(settings: DailySummarySettings): Promise<DailySummarySettings> {
    return this.#mutate((acc) => {
      const checked = check(
        dailySummarySettingsSchema,
        { enabled: settings.enabled, time: settings.time, timeZone: settings.timeZone },
        'daily summary settings',
      );
      acc.dailySummary = checked;
      return { result: copy(checked), changed: true };
    });
  }

  claimDailySummary(day: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    return this.#mutate((acc) => {
      if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
        throw new AppError('validation', 'The lease must be a positive number of milliseconds.');
      }
      const i = acc.summaryLog.findIndex((e) => e.day === day);
      const entry = acc.summaryLog[i];
      if (entry) {
        if (entry.state === 'sent') return { result: false, changed: false };
        const leaseLive = Date.parse(entry.leaseUntil) > now.getTime();
        if (entry.state === 'claimed' && entry.owner !== owner && leaseLive) {
          return { result: false, changed: false };
        }
      }
      const claimed = check(
        summaryLogEntrySchema,
        {
          day,
          state: 'claimed',
          owner,
          leaseUntil: toIsoDateTime(new Date(now.getTime() + leaseMs)),
          updatedAt: toIsoDateTime(now),
        },
        'daily summary claim',
      );
      if (entry) acc.summaryLog[i] = claimed;
      else acc.summaryLog.push(claimed);
      acc.summaryLog.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
      if (acc.summaryLog.length > SUMMARY_LOG_LIMIT) {
        acc.summaryLog = acc.summaryLog.slice(-SUMMARY_LOG_LIMIT);
      }
      return { result: true, changed: true };
    });
  }

  completeDailySummary(
    day: string,
    owner: string,
    outcome:
      { state: 'sent'; digest: Record<string, unknown> } | { state: 'failed'; error: string },
    now: Date,
  ): Promise<boolean> {
    return this.#mutate((acc) => {
      const i = acc.summaryLog.findIndex((e) => e.day === day);
      const entry = acc.summaryLog[i];
      // The claim is lost when someone else took the day over, or it already ended.
      if (!entry || entry.state !== 'claimed' || entry.owner !== owner) {
        return { result: false, changed: false };
      }
      const done = check(
        summaryLogEntrySchema,
        outcome.state === 'sent'
          ? {
              day,
              state: 'sent',
              owner,
              leaseUntil: entry.leaseUntil,
              updatedAt: toIsoDateTime(now),
              digest: jsonCopy(outcome.digest, 'digest'),
            }
          : {
              day,
              state: 'failed',
              owner,
              leaseUntil: entry.leaseUntil,
              updatedAt: toIsoDateTime(now),
              error: outcome.error,
            },
        'daily summary outcome',
      );
      acc.summaryLog[i] = done;
      return { result: true, changed: true };
    });
  }

  lastSentSummary(beforeDay: string): Promise<SummaryLogEntry | null> {
    return this.#read((acc) => {
      const sent = (acc?.summaryLog ?? []).filter((e) => e.state === 'sent' && e.day < beforeDay);
      const last = sent.reduce<SummaryLogEntry | null>(
        (best, e) => (best === null || e.day > best.day ? e : best),
        null,
      );
      return last ? copy(last) : null;
    });
  }

  listSummaryLog(): Promise<SummaryLogEntry[]> {
    return this.#read((acc) => copy(acc?.summaryLog ?? []));
  }
}
