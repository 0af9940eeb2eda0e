/**
 * The client registry port: everything the hub remembers, behind a small interface so another
 * store can replace the lowdb file later. Every read and write goes through an
 * {@link AccountantStore} obtained for one accountant: there is no call that returns another
 * accountant's data.
 */
import type { AccountantId, ClientId, CompanyId } from '../domain/ids.js';
import type {
  AccountantProfile,
  BcEnvironmentRef,
  Client,
  Company,
  CompanySnapshot,
  ConnectionMode,
  DashboardView,
  IsoDateTime,
  TaxSettings,
} from '../domain/model.js';

export interface NewClient {
  readonly name: string;
  readonly url: string;
  readonly target: BcEnvironmentRef;
  readonly contact?: string;
  readonly notes?: string;
  readonly connection: ConnectionMode;
  readonly taxSettings?: TaxSettings;
  readonly isSample?: boolean;
}

export type ClientPatch = Partial<
  Pick<Client, 'name' | 'url' | 'target' | 'contact' | 'notes' | 'connection' | 'taxSettings'>
>;

/** A Teams conversation reference, stored as the bot framework gives it (opaque to the core). */
export interface ConversationRecord {
  readonly conversationId: string;
  readonly reference: Readonly<Record<string, unknown>>;
  readonly kind: 'personal' | 'groupChat' | 'channel';
  readonly active: boolean;
  readonly updatedAt: IsoDateTime;
  /** Why it went inactive (bot removed, 403/404 on send). */
  readonly inactiveReason?: string;
}

export interface DailySummarySettings {
  readonly enabled: boolean;
  /** Local time `HH:MM`, 24-hour. */
  readonly time: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
}

export const defaultDailySummarySettings: DailySummarySettings = {
  enabled: false,
  time: '08:00',
  timeZone: 'UTC',
};

/** One day's daily summary for one accountant: claimed under a lease, then marked sent. */
export interface SummaryLogEntry {
  /** The accountant's local calendar day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly state: 'claimed' | 'sent' | 'failed';
  readonly owner: string;
  readonly leaseUntil: IsoDateTime;
  readonly updatedAt: IsoDateTime;
  /** What the summary reported, so the next one can say what changed. */
  readonly digest?: Readonly<Record<string, unknown>>;
  readonly error?: string;
}

/** A secret (client credential, token cache) sealed with the configured key; opaque here. */
export interface SealedSecret {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

export interface AccountantStore {
  readonly accountantId: AccountantId;

  /** Creates the accountant on first sight; returns the stored profile either way. */
  ensureProfile(input: {
    entraTenantId: string;
    userObjectId: string;
    displayName: string;
  }): Promise<AccountantProfile>;
  getProfile(): Promise<AccountantProfile | null>;

  listClients(): Promise<Client[]>;
  getClient(id: ClientId): Promise<Client | null>;
  createClient(input: NewClient): Promise<Client>;
  /** Returns null when the client does not exist (for this accountant). */
  updateClient(id: ClientId, patch: ClientPatch): Promise<Client | null>;
  /** Removes the client with its companies, snapshots and secrets; false when absent. */
  removeClient(id: ClientId): Promise<boolean>;

  listCompanies(clientId?: ClientId): Promise<Company[]>;
  /** Replaces the client's company list (snapshots of companies that vanished are dropped). */
  setCompanies(
    clientId: ClientId,
    companies: readonly Omit<Company, 'clientId'>[],
  ): Promise<Company[]>;

  getView(): Promise<DashboardView>;
  saveView(view: DashboardView): Promise<DashboardView>;

  listSnapshots(): Promise<CompanySnapshot[]>;
  getSnapshot(clientId: ClientId, companyId: CompanyId): Promise<CompanySnapshot | null>;
  saveSnapshot(snapshot: CompanySnapshot): Promise<void>;

  getSecret(clientId: ClientId, name: string): Promise<SealedSecret | null>;
  saveSecret(clientId: ClientId, name: string, secret: SealedSecret | null): Promise<void>;

  listConversations(): Promise<ConversationRecord[]>;
  saveConversation(record: ConversationRecord): Promise<void>;
  removeConversation(conversationId: string): Promise<boolean>;

  getDailySummarySettings(): Promise<DailySummarySettings>;
  saveDailySummarySettings(settings: DailySummarySettings): Promise<DailySummarySettings>;

  /**
   * Claims the daily summary for `day` for `owner` until `leaseUntil`. Succeeds when there is no
   * entry for the day, or the entry is an expired claim (or a failure) — never when it is `sent`
   * or claimed by another owner whose lease has not expired.
   */
  claimDailySummary(day: string, owner: string, now: Date, leaseMs: number): Promise<boolean>;
  /** Records the outcome of a claim held by `owner`; false when the claim was lost. */
  completeDailySummary(
    day: string,
    owner: string,
    outcome:
      { state: 'sent'; digest: Record<string, unknown> } | { state: 'failed'; error: string },
    now: Date,
  ): Promise<boolean>;
  /** The most recent `sent` entry before `day`, for "what changed since the last summary". */
  lastSentSummary(beforeDay: string): Promise<SummaryLogEntry | null>;
  listSummaryLog(): Promise<SummaryLogEntry[]>;
}

export interface Registry {
  /** The store of one accountant. Creating it is cheap and does not touch the file. */
  forAccountant(id: AccountantId): AccountantStore;
  /** Ids of accountants with the daily summary on, for the scheduler (ids only, no data). */
  accountantsWithDailySummary(): Promise<AccountantId[]>;
  /** Flushes pending writes. */
  close(): Promise<void>;
}
