/**
 * Upgrades older registry files to {@link CURRENT_SCHEMA_VERSION}. Each migration is a pure
 * function from one version's shape to the next; `migrateToCurrent` runs them in order. A file
 * from a newer app is refused rather than guessed at: reading it and writing it back in our
 * older shape would silently drop whatever the newer version added.
 */
import { z } from 'zod';
import type { AccountantId, ClientId } from '../domain/ids.js';
import { AppError } from '../domain/errors.js';
import {
  allDashboardColumns,
  defaultDashboardView,
  defaultTaxSettings,
  type DashboardColumn,
} from '../domain/model.js';
import { defaultDailySummarySettings } from './registry.js';
import { CURRENT_SCHEMA_VERSION, describeIssues, type AccountantData } from './schema.js';

export interface Migration {
  readonly from: number;
  readonly to: number;
  readonly description: string;
  /** Receives a file of version `from` (unvalidated) and returns one of version `to`. */
  readonly migrate: (data: unknown) => unknown;
}

/**
 * Version 0: the first prototype's file, with no `schemaVersion`, one flat list of clients that
 * each name their owner, and dashboard columns keyed by owner.
 */
const v0ClientSchema = z.object({
  id: z.string().min(1),
  owner: z.string().min(1),
  name: z.string(),
  url: z.string(),
  tenant: z.string().min(1),
  environment: z.string().min(1).optional(),
  contact: z.string().optional(),
  notes: z.string().optional(),
  createdAt: z.string().min(1),
});
export const v0FileSchema = z.object({
  clients: z.array(v0ClientSchema),
  columns: z.record(z.string(), z.array(z.string())).optional(),
});

const v0ToV1: Migration = {
  from: 0,
  to: 1,
  description: 'group clients by accountant; add companies, snapshots, settings',
  migrate(data) {
    const parsed = v0FileSchema.safeParse(data);
    if (!parsed.success) {
      throw new Error(`version 0 file has an unexpected shape: ${describeIssues(parsed.error)}`);
    }
    const byOwner = new Map<string, AccountantData>();
    const bucket = (owner: string): AccountantData => {
      let acc = byOwner.get(owner);
      if (!acc) {
        acc = {
          id: owner as AccountantId,
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
        byOwner.set(owner, acc);
      }
      return acc;
    };
    for (const c of parsed.data.clients) {
      bucket(c.owner).clients.push({
        id: c.id as ClientId,
        name: c.name,
        url: c.url,
        target: {
          tenant: c.tenant.toLowerCase(),
          environment: (c.environment ?? 'production').toLowerCase(),
        },
        contact: c.contact ?? '',
        notes: c.notes ?? '',
        // Version 0 only knew the accountant's own (delegated) sign-in.
        connection: { kind: 'delegated' },
        taxSettings: { ...defaultTaxSettings },
        isSample: false,
        createdAt: c.createdAt,
        updatedAt: c.createdAt,
      });
    }
    for (const [owner, columns] of Object.entries(parsed.data.columns ?? {})) {
      const known = columns.filter((c): c is DashboardColumn =>
        (allDashboardColumns as readonly string[]).includes(c),
      );
      bucket(owner).view = { ...defaultDashboardView, columns: [...new Set(known)] };
    }
    return { schemaVersion: 1, accountants: [...byOwner.values()] };
  },
};

/** Every migration, oldest first; `from` of each is `to` of the one before. */
export const migrations: readonly Migration[] = [v0ToV1];

/** The version a parsed file declares: 0 when it has none, null when it is not a registry file. */
export function detectSchemaVersion(data: unknown): number | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  if (!('schemaVersion' in data)) return 'clients' in data ? 0 : null;
  const v = (data as { schemaVersion: unknown }).schemaVersion;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : null;
}

export interface MigrationOutcome {
  readonly data: unknown;
  readonly fromVersion: number;
  readonly applied: readonly string[];
}

/**
 * Brings `data` up to the current version. Throws `AppError('storage')` for a file from a newer
 * version, for a file that is not a registry file, and when a migration step fails; `file` only
 * goes into messages.
 */
export function migrateToCurrent(
  data: unknown,
  file: string,
  list: readonly Migration[] = migrations,
): MigrationOutcome {
  const version = detectSchemaVersion(data);
  if (version === null) {
    throw new AppError(
      'storage',
      `The registry file ${file} is not an Accountant Hub registry (no valid schemaVersion). It was left untouched; restore it from a backup, or move it away to start with an empty registry.`,
      { file },
    );
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new AppError(
      'storage',
      `The registry file ${file} was written by a newer version of Accountant Hub (schema ${version}; this version reads up to ${CURRENT_SCHEMA_VERSION}). It was left untouched; upgrade the app, or restore a backup made for this version.`,
      { file, schemaVersion: version },
    );
  }
  let current = data;
  const applied: string[] = [];
  for (let v = version; v < CURRENT_SCHEMA_VERSION; v++) {
    const step = list.find((m) => m.from === v);
    if (!step) {
      throw new AppError('storage', `No migration from schema ${v} for ${file}.`, { file });
    }
    try {
      current = step.migrate(current);
    } catch (e) {
      throw new AppError(
        'storage',
        `The registry file ${file} could not be upgraded from schema ${v} to ${step.to}: ${e instanceof Error ? e.message : String(e)}. It was left untouched; restore it from a backup.`,
        { file, schemaVersion: v },
        { cause: e },
      );
    }
    applied.push(`${step.from}→${step.to}: ${step.description}`);
  }
  return { data: current, fromVersion: version, applied };
}
