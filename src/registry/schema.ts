/**
 * The registry file's shape, current version, checked with zod on every load (and on every
 * entity written, so the store never writes a file it could not open again).
 *
 * Loading is strict about structure but forgiving about values that a newer or older app may
 * legitimately differ on (an unknown dashboard column is dropped, an error reason is any string),
 * because refusing the whole file over one stale column would lose the accountant everything.
 */
import { z } from 'zod';
import type { AccountantId, ClientId, CompanyId, UserTaskId } from '../domain/ids.js';
import type { ErrorReason } from '../domain/errors.js';
import {
  allDashboardColumns,
  type AccountantProfile,
  type Client,
  type Company,
  type CompanySnapshot,
  type DashboardColumn,
  type DashboardView,
} from '../domain/model.js';
import type {
  ConversationRecord,
  DailySummarySettings,
  SealedSecret,
  SummaryLogEntry,
} from './registry.js';

/** The version this code writes. Older files are migrated on open; newer ones are refused. */
export const CURRENT_SCHEMA_VERSION = 1;

const nonEmpty = z.string().min(1);
const accountantId = z.custom<AccountantId>((v) => typeof v === 'string' && v.length > 0);
const clientId = z.custom<ClientId>((v) => typeof v === 'string' && v.length > 0);
const companyId = z.custom<CompanyId>((v) => typeof v === 'string' && v.length > 0);
const userTaskId = z.custom<UserTaskId>((v) => typeof v === 'number' && Number.isInteger(v));
const errorReason = z.custom<ErrorReason>((v) => typeof v === 'string' && v.length > 0);
const isoDateTime = nonEmpty;
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const money = z.object({ minor: z.number().int(), currency: z.string() });

export const profileSchema = z.object({
  id: accountantId,
  entraTenantId: z.string(),
  userObjectId: z.string(),
  displayName: z.string(),
  createdAt: isoDateTime,
}) satisfies z.ZodType<AccountantProfile>;

const targetSchema = z.object({ tenant: nonEmpty, environment: nonEmpty });

const connectionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sample') }),
  z.object({ kind: z.literal('delegated') }),
  z.object({ kind: z.literal('app'), appClientId: nonEmpty, hasSecret: z.boolean() }),
]);

export const taxSettingsSchema = z.object({
  frequency: z.enum(['monthly', 'quarterly', 'yearly']),
  dueDaysAfterPeriodEnd: z.number().int().min(0).max(366),
});

export const clientSchema = z.object({
  id: clientId,
  name: z.string(),
  url: z.string(),
  target: targetSchema,
  contact: z.string(),
  notes: z.string(),
  connection: connectionSchema,
  taxSettings: taxSettingsSchema,
  isSample: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
}) satisfies z.ZodType<Client>;

export const companySchema = z.object({
  clientId,
  id: companyId,
  name: z.string(),
  displayName: z.string(),
}) satisfies z.ZodType<Company>;

const userTaskSchema = z.object({
  id: userTaskId,
  title: z.string(),
  dueAt: isoDateTime.nullable(),
  startAt: isoDateTime.nullable(),
  createdAt: isoDateTime.nullable(),
  createdBy: z.string(),
  percentComplete: z.number(),
  priority: z.enum(['none', 'low', 'normal', 'high']),
  link: z.string(),
});

const kpisSchema = z.object({
  currency: z.string(),
  overdueSalesInvoiceAmount: money,
  overduePurchaseInvoiceAmount: money,
  cashAccountsBalance: money,
  openSalesDocuments: z.number(),
  salesInvoicesDueNextWeek: z.number(),
  purchaseInvoicesDueNextWeek: z.number(),
  overdueSalesDocuments: z.number(),
  overduePurchaseDocuments: z.number(),
  tasksAssignedToMe: z.number(),
  overdueTasks: z.number(),
  taxesDue: z
    .object({
      amount: money,
      periodStart: isoDate,
      periodEnd: isoDate,
      dueDate: isoDate,
      isEstimate: z.literal(true),
    })
    .nullable(),
});

export const snapshotSchema = z.object({
  clientId,
  companyId,
  kpis: kpisSchema.nullable(),
  refreshedAt: isoDateTime.nullable(),
  lastAttemptAt: isoDateTime.nullable(),
  lastError: z.object({ reason: errorReason, message: z.string(), at: isoDateTime }).nullable(),
  tasks: z.array(userTaskSchema),
}) satisfies z.ZodType<CompanySnapshot>;

/*
 * A hand-written check of a snapshot, for the one write a refresh makes per company (thousands
 * per refresh). It accepts exactly what `snapshotSchema` accepts and returns the same fresh copy,
 * or `undefined` when in any doubt, leaving the verdict and the error message to the schema
 * (`tests/registry/schema.test.ts` compares the two).
 */
type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const isFilled = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const priorities: ReadonlySet<unknown> = new Set(['none', 'low', 'normal', 'high']);

function moneyCopy(v: unknown): { minor: number; currency: string } | undefined {
  if (!isFields(v) || !Number.isSafeInteger(v['minor']) || !isText(v['currency'])) return undefined;
  return { minor: v['minor'] as number, currency: v['currency'] };
}

const kpiCounts = [
  'openSalesDocuments',
  'salesInvoicesDueNextWeek',
  'purchaseInvoicesDueNextWeek',
  'overdueSalesDocuments',
  'overduePurchaseDocuments',
  'tasksAssignedToMe',
  'overdueTasks',
] as const;

function kpisCopy(v: unknown): CompanySnapshot['kpis'] | undefined {
  if (v === null) return null;
  if (!isFields(v) || !isText(v['currency'])) return undefined;
  const overdueSalesInvoiceAmount = moneyCopy(v['overdueSalesInvoiceAmount']);
  const overduePurchaseInvoiceAmount = moneyCopy(v['overduePurchaseInvoiceAmount']);
  const cashAccountsBalance = moneyCopy(v['cashAccountsBalance']);
  if (!overdueSalesInvoiceAmount || !overduePurchaseInvoiceAmount || !cashAccountsBalance) {
    return undefined;
  }
  for (const k of kpiCounts) if (!isNumber(v[k])) return undefined;
  const t = v['taxesDue'];
  let taxesDue: NonNullable<CompanySnapshot['kpis']>['taxesDue'] = null;
  if (t !== null) {
    if (!isFields(t) || t['isEstimate'] !== true) return undefined;
    const amount = moneyCopy(t['amount']);
    const { periodStart, periodEnd, dueDate } = t;
    if (!amount) return undefined;
    if (!isText(periodStart) || !isText(periodEnd) || !isText(dueDate)) return undefined;
    if (!ISO_DATE.test(periodStart) || !ISO_DATE.test(periodEnd) || !ISO_DATE.test(dueDate)) {
      return undefined;
    }
    taxesDue = { amount, periodStart, periodEnd, dueDate, isEstimate: true };
  }
  return {
    currency: v['currency'],
    overdueSalesInvoiceAmount,
    overduePurchaseInvoiceAmount,
    cashAccountsBalance,
    openSalesDocuments: v['openSalesDocuments'] as number,
    salesInvoicesDueNextWeek: v['salesInvoicesDueNextWeek'] as number,
    purchaseInvoicesDueNextWeek: v['purchaseInvoicesDueNextWeek'] as number,
    overdueSalesDocuments: v['overdueSalesDocuments'] as number,
    overduePurchaseDocuments: v['overduePurchaseDocuments'] as number,
    tasksAssignedToMe: v['tasksAssignedToMe'] as number,
    overdueTasks: v['overdueTasks'] as number,
    taxesDue,
  };
}

const isFilledOrNull = (v: unknown): v is string | null => v === null || isFilled(v);

function taskCopy(v: unknown): CompanySnapshot['tasks'][number] | undefined {
  if (!isFields(v)) return undefined;
  const { id, title, dueAt, startAt, createdAt, createdBy, percentComplete, priority, link } = v;
  if (typeof id !== 'number' || !Number.isInteger(id) || !isText(title)) return undefined;
  if (!isFilledOrNull(dueAt) || !isFilledOrNull(startAt) || !isFilledOrNull(createdAt)) {
    return undefined;
  }
  if (!isText(createdBy) || !isNumber(percentComplete) || !priorities.has(priority)) {
    return undefined;
  }
  if (!isText(link)) return undefined;
  return {
    id: id as UserTaskId,
    title,
    dueAt,
    startAt,
    createdAt,
    createdBy,
    percentComplete,
    priority: priority as CompanySnapshot['tasks'][number]['priority'],
    link,
  };
}

/** A fresh copy of a valid snapshot, or `undefined` to let `snapshotSchema` decide. */
export function fastSnapshotCopy(value: unknown): CompanySnapshot | undefined {
  if (!isFields(value)) return undefined;
  const { clientId: c, companyId: co, refreshedAt, lastAttemptAt, lastError, tasks } = value;
  if (!isFilled(c) || !isFilled(co)) return undefined;
  if (!isFilledOrNull(refreshedAt) || !isFilledOrNull(lastAttemptAt)) return undefined;
  let error: CompanySnapshot['lastError'] = null;
  if (lastError !== null) {
    if (!isFields(lastError)) return undefined;
    const { reason, message, at } = lastError;
    if (!isFilled(reason) || !isText(message) || !isFilled(at)) return undefined;
    error = { reason: reason as ErrorReason, message, at };
  }
  const kpis = kpisCopy(value['kpis']);
  if (kpis === undefined || !Array.isArray(tasks)) return undefined;
  const taskCopies: CompanySnapshot['tasks'][number][] = [];
  for (const t of tasks as unknown[]) {
    const copy = taskCopy(t);
    if (!copy) return undefined;
    taskCopies.push(copy);
  }
  return {
    clientId: c as ClientId,
    companyId: co as CompanyId,
    kpis,
    refreshedAt,
    lastAttemptAt,
    lastError: error,
    tasks: taskCopies,
  };
}

const knownColumns: ReadonlySet<string> = new Set(allDashboardColumns);
const isColumn = (c: string): c is DashboardColumn => knownColumns.has(c);

const viewFields = {
  text: z.string().max(500),
  filters: z.object({
    hasOverdueInvoices: z.boolean().optional(),
    refreshFailed: z.boolean().optional(),
    clientId: clientId.nullable().optional(),
  }),
  sort: z.object({
    column: z.string(),
    direction: z.enum(['asc', 'desc']),
  }),
};

/** What `saveView` accepts: only known columns, each once. */
export const viewInputSchema = z.object({
  columns: z
    .array(z.enum(allDashboardColumns as [DashboardColumn, ...DashboardColumn[]]))
    .max(allDashboardColumns.length)
    .refine((cs) => new Set(cs).size === cs.length, 'a column is listed twice'),
  text: viewFields.text,
  filters: viewFields.filters,
  sort: z.object({
    column: z.union([
      z.enum(allDashboardColumns as [DashboardColumn, ...DashboardColumn[]]),
      z.literal('clientName'),
      z.literal('companyName'),
    ]),
    direction: viewFields.sort.shape.direction,
  }),
}) satisfies z.ZodType<DashboardView>;

/** What loading accepts: columns this version no longer knows are dropped, not fatal. */
const storedViewSchema = z
  .object({ columns: z.array(z.string()), ...viewFields })
  .transform((v): DashboardView => ({
    columns: [...new Set(v.columns.filter(isColumn))],
    text: v.text,
    filters: v.filters,
    sort: {
      column:
        v.sort.column === 'clientName' || v.sort.column === 'companyName' || isColumn(v.sort.column)
          ? v.sort.column
          : 'clientName',
      direction: v.sort.direction,
    },
  }));

export const sealedSecretSchema = z.object({
  iv: nonEmpty,
  tag: nonEmpty,
  data: z.string(),
}) satisfies z.ZodType<SealedSecret>;

export const storedSecretSchema = z.object({
  clientId,
  name: nonEmpty,
  secret: sealedSecretSchema,
});
export type StoredSecret = z.infer<typeof storedSecretSchema>;

export const conversationSchema = z.object({
  conversationId: nonEmpty,
  reference: z.record(z.string(), z.unknown()),
  kind: z.enum(['personal', 'groupChat', 'channel']),
  active: z.boolean(),
  updatedAt: isoDateTime,
  inactiveReason: z.string().optional(),
}) satisfies z.ZodType<ConversationRecord>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const dailySummarySettingsSchema = z.object({
  enabled: z.boolean(),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (24-hour)'),
  timeZone: z.string().min(1).max(64).refine(isTimeZone, 'not a known IANA time zone'),
}) satisfies z.ZodType<DailySummarySettings>;

export const summaryLogEntrySchema = z.object({
  day: isoDate,
  state: z.enum(['claimed', 'sent', 'failed']),
  owner: z.string(),
  leaseUntil: isoDateTime,
  updatedAt: isoDateTime,
  digest: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
}) satisfies z.ZodType<SummaryLogEntry>;

export const accountantDataSchema = z.object({
  id: accountantId,
  profile: profileSchema.nullable(),
  clients: z.array(clientSchema),
  companies: z.array(companySchema),
  view: storedViewSchema.nullable(),
  snapshots: z.array(snapshotSchema),
  secrets: z.array(storedSecretSchema),
  conversations: z.array(conversationSchema),
  dailySummary: dailySummarySettingsSchema,
  summaryLog: z.array(summaryLogEntrySchema),
});

/** Everything one accountant owns. Arrays of readonly domain objects, replaced not mutated. */
export interface AccountantData {
  readonly id: AccountantId;
  profile: AccountantProfile | null;
  clients: Client[];
  companies: Company[];
  view: DashboardView | null;
  snapshots: CompanySnapshot[];
  secrets: StoredSecret[];
  conversations: ConversationRecord[];
  dailySummary: DailySummarySettings;
  summaryLog: SummaryLogEntry[];
}

/**
 * The file. Accountants are an array (not an object keyed by id) so that no id, however odd,
 * can collide with an object's built-in keys such as `__proto__`.
 */
export interface RegistryFile {
  schemaVersion: typeof CURRENT_SCHEMA_VERSION;
  accountants: AccountantData[];
}

export const registryFileSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  accountants: z.array(accountantDataSchema),
});

// Compile-time check that the schema's output is what the store works with.
const _fileShapeCheck = (f: z.infer<typeof registryFileSchema>): RegistryFile => f;
void _fileShapeCheck;

export function emptyRegistryFile(): RegistryFile {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, accountants: [] };
}

/** Turns zod issues into one short line naming where the first few problems are. */
export function describeIssues(error: z.ZodError, limit = 3): string {
  const parts = error.issues.slice(0, limit).map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : '(top level)';
    return `${where}: ${i.message}`;
  });
  const more = error.issues.length > limit ? ` (and ${error.issues.length - limit} more)` : '';
  return parts.join('; ') + more;
}
