/**
 * Configuration: the only module that looks at environment variables, and only at the record the
 * caller passes in (`loadConfig(process.env)` in the composition root). Every key is checked at
 * once and every problem is reported in one error, so a misconfigured deployment is fixed in one
 * round rather than one key per restart. The result is deeply frozen.
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './domain/errors.js';
import type { LogLevel } from './logging.js';
import { parseSecretsKey } from './registry/secret-box.js';

export type AuthMode = 'local' | 'entra';

export interface AppConfig {
  /** `PORT` (3978): the port the app (tab, REST API, bot endpoint) listens on; 0 picks a free one. */
  readonly port: number;
  /** `HOST` (127.0.0.1): the interface to listen on. `0.0.0.0` exposes the app to the network. */
  readonly host: string;
  /** `PUBLIC_URL` (`http://localhost:{PORT}`): the address people and Teams reach the app at; no trailing slash. */
  readonly publicUrl: string;
  /** `DATA_DIR` (./data), resolved to an absolute path: where the registry and key files live. */
  readonly dataDir: string;
  /** `{DATA_DIR}/registry.json`: the client registry file. */
  readonly registryFile: string;
  /** `{DATA_DIR}/secrets.key`: the generated secrets key used in sample mode when `SECRETS_KEY` is unset. */
  readonly secretsKeyFile: string;
  /** `SAMPLE_MODE` (true): start the embedded sample tenant and give new accountants the sample client. */
  readonly sampleMode: boolean;
  /** `SAMPLE_TENANT_PORT` (3979): the sample tenant's loopback port; 0 picks a free one. */
  readonly sampleTenantPort: number;
  /** `SAMPLE_TENANT_LATENCY_MS` (0): delay the sample tenant adds to each answer, to feel like a real one. */
  readonly sampleTenantLatencyMs: number;
  /** `BC_API_BASE_URL` (https://api.businesscentral.dynamics.com): the BC API host; https unless sample mode. */
  readonly bcApiBaseUrl: string;
  /** `BC_WEB_CLIENT_URL` (https://businesscentral.dynamics.com): where "Go to client" links point; https unless sample mode. */
  readonly bcWebClientUrl: string;
  /** `ENTRA_AUTHORITY_HOST` (https://login.microsoftonline.com): the Microsoft Entra sign-in host; https unless sample mode. */
  readonly entraAuthorityHost: string;
  /**
   * `AUTH_MODE` (`local` in sample mode, else `entra`). `local` signs everyone in as a local
   * accountant with no password: allowed only in sample mode on a loopback `HOST`.
   */
  readonly authMode: AuthMode;
  /** `ENTRA_CLIENT_ID`: the app registration's client id (required when `AUTH_MODE=entra`). */
  readonly entraClientId: string | null;
  /** `ENTRA_CLIENT_SECRET`: the app registration's secret, for on-behalf-of and app-only tokens. Masked in logs. */
  readonly entraClientSecret: string | null;
  /**
   * `ENTRA_ALLOWED_TENANTS` (`*`): Entra tenant ids (GUIDs, comma-separated) whose users may sign
   * in, or `*` for any tenant.
   */
  readonly entraAllowedTenants: '*' | readonly string[];
  /**
   * `SECRETS_KEY`: 32 bytes as base64 or hex; seals stored client secrets. Required outside
   * sample mode; in sample mode null when unset (the composition root then uses
   * {@link AppConfig.secretsKeyFile}). Masked in logs.
   */
  readonly secretsKey: Buffer | null;
  /** `BOT_APP_ID`: the bot's Microsoft app id; unset lets local tools talk to the bot unauthenticated. */
  readonly botAppId: string | null;
  /** `BOT_APP_PASSWORD`: the bot's app secret (required with `BOT_APP_ID`). Masked in logs. */
  readonly botAppPassword: string | null;
  /** `BOT_TENANT_ID`: the bot's home tenant, for a single-tenant bot registration. */
  readonly botTenantId: string | null;
  /** `BC_TIMEOUT_MS` (30000): how long one request to BC may take before it counts as timed out. */
  readonly bcTimeoutMs: number;
  /** `STALE_AFTER_MINUTES` (60): after this, a company's numbers are shown as stale. */
  readonly staleAfterMinutes: number;
  /** `LOG_LEVEL` (info): debug, info, warn or error. */
  readonly logLevel: LogLevel;
}

type Env = Record<string, string | undefined>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads one key; blank values count as unset (as `.env` files often leave them). */
function read(env: Env, key: string): string | undefined {
  const v = env[key];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

const booleanText = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((s) => s === 'true' || s === '1' || s === 'yes');

const integerText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const logLevel = z.enum(['debug', 'info', 'warn', 'error']);
const authMode = z.enum(['local', 'entra']);

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Loads and checks the configuration from `env` (pass `process.env`). Throws one
 * `AppError('config')` whose message lists every missing or malformed key.
 */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];

  function parse<T>(key: string, schema: z.ZodType<T>, fallback: T): T {
    const raw = read(env, key);
    if (raw === undefined) return fallback;
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    const why = result.error.issues[0]?.message ?? 'is invalid';
    problems.push(
      `${key}=${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)}: ${why}`,
    );
    return fallback;
  }

  const sampleMode = parse('SAMPLE_MODE', booleanText, true);
  const port = parse('PORT', integerText(0, 65535), 3978);
  const host = read(env, 'HOST') ?? '127.0.0.1';
  if (!/^(?:[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?)$/.test(host)) {
    problems.push(
      `HOST=${JSON.stringify(host)}: must be a host name or IP address, such as 127.0.0.1`,
    );
  }
  const sampleTenantPort = parse('SAMPLE_TENANT_PORT', integerText(0, 65535), 3979);
  const sampleTenantLatencyMs = parse('SAMPLE_TENANT_LATENCY_MS', integerText(0, 60_000), 0);
  const bcTimeoutMs = parse('BC_TIMEOUT_MS', integerText(1, 600_000), 30_000);
  const staleAfterMinutes = parse('STALE_AFTER_MINUTES', integerText(1, 10_080), 60);
  const level = parse('LOG_LEVEL', logLevel, 'info');
  const mode = parse('AUTH_MODE', authMode, sampleMode ? 'local' : 'entra');

  function url(key: string, fallback: string, requireHttps: boolean): string {
    const raw = read(env, key) ?? fallback;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      problems.push(`${key}=${JSON.stringify(raw)}: is not a URL`);
      return fallback;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') {
      problems.push(`${key}=${JSON.stringify(raw)}: must be an http(s) URL`);
    } else if (requireHttps && u.protocol !== 'https:') {
      problems.push(
        `${key}=${JSON.stringify(raw)}: must use https (http is allowed only in sample mode)`,
      );
    } else if (u.username || u.password) {
      problems.push(`${key}: must not contain a user name or password`);
    } else if (u.search || u.hash) {
      problems.push(`${key}=${JSON.stringify(raw)}: must not contain ? or #`);
    }
    return raw.replace(/\/+$/, '');
  }

  const publicUrl = url('PUBLIC_URL', `http://localhost:${port}`, false);
  const bcApiBaseUrl = url(
    'BC_API_BASE_URL',
    'https://api.businesscentral.dynamics.com',
    !sampleMode,
  );
  const bcWebClientUrl = url(
    'BC_WEB_CLIENT_URL',
    'https://businesscentral.dynamics.com',
    !sampleMode,
  );
  const entraAuthorityHost = url(
    'ENTRA_AUTHORITY_HOST',
    'https://login.microsoftonline.com',
    !sampleMode,
  );

  const entraClientId = read(env, 'ENTRA_CLIENT_ID') ?? null;
  const entraClientSecret = read(env, 'ENTRA_CLIENT_SECRET') ?? null;
  if (entraClientId !== null && !GUID.test(entraClientId)) {
    problems.push(
      `ENTRA_CLIENT_ID=${JSON.stringify(entraClientId)}: must be the app's client id (a GUID)`,
    );
  }

  let entraAllowedTenants: '*' | string[] = '*';
  const tenantsRaw = read(env, 'ENTRA_ALLOWED_TENANTS');
  if (tenantsRaw !== undefined && tenantsRaw !== '*') {
    const list = tenantsRaw
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== '');
    const bad = list.filter((t) => !GUID.test(t));
    if (bad.length > 0 || list.length === 0) {
      problems.push(
        `ENTRA_ALLOWED_TENANTS: must be * or a comma-separated list of tenant ids (GUIDs); not valid: ${bad.join(', ') || '(empty)'}`,
      );
    }
    entraAllowedTenants = [...new Set(list)];
  }

  let secretsKey: Buffer | null = null;
  const keyRaw = read(env, 'SECRETS_KEY');
  if (keyRaw !== undefined) {
    const parsed = parseSecretsKey(keyRaw);
    if (parsed.ok) secretsKey = parsed.value;
    else
      problems.push(
        'SECRETS_KEY: must be 32 bytes written as base64 (44 characters) or hex (64 digits)',
      );
  } else if (!sampleMode) {
    problems.push(
      'SECRETS_KEY: required when SAMPLE_MODE=false (32 random bytes as base64 or hex; it encrypts stored client secrets)',
    );
  }

  const botAppId = read(env, 'BOT_APP_ID') ?? null;
  const botAppPassword = read(env, 'BOT_APP_PASSWORD') ?? null;
  const botTenantId = read(env, 'BOT_TENANT_ID') ?? null;
  if (botAppId !== null && botAppPassword === null) {
    problems.push('BOT_APP_PASSWORD: required when BOT_APP_ID is set');
  }
  if (botTenantId !== null && !GUID.test(botTenantId)) {
    problems.push(`BOT_TENANT_ID=${JSON.stringify(botTenantId)}: must be a tenant id (a GUID)`);
  }

  if (mode === 'local') {
    if (!sampleMode) {
      problems.push(
        'AUTH_MODE=local: allowed only with SAMPLE_MODE=true (it signs anyone in without a password)',
      );
    }
    if (!isLoopbackHost(host)) {
      problems.push(
        `AUTH_MODE=local: allowed only when HOST is a loopback address (127.0.0.1, ::1 or localhost), not ${host}`,
      );
    }
  } else if (entraClientId === null) {
    problems.push('ENTRA_CLIENT_ID: required when AUTH_MODE=entra');
  }

  if (problems.length > 0) {
    throw new AppError(
      'config',
      `Configuration is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.join('\n- ')}`,
      { problems },
    );
  }

  const dataDir = path.resolve(read(env, 'DATA_DIR') ?? './data');
  return deepFreeze({
    port,
    host,
    publicUrl,
    dataDir,
    registryFile: path.join(dataDir, 'registry.json'),
    secretsKeyFile: path.join(dataDir, 'secrets.key'),
    sampleMode,
    sampleTenantPort,
    sampleTenantLatencyMs,
    bcApiBaseUrl,
    bcWebClientUrl,
    entraAuthorityHost,
    authMode: mode,
    entraClientId,
    entraClientSecret,
    entraAllowedTenants,
    secretsKey,
    botAppId,
    botAppPassword,
    botTenantId,
    bcTimeoutMs,
    staleAfterMinutes,
    logLevel: level,
  });
}

/** Whether a user from `tenantId` may sign in under this configuration. */
export function isTenantAllowed(config: AppConfig, tenantId: string): boolean {
  return (
    config.entraAllowedTenants === '*' ||
    config.entraAllowedTenants.includes(tenantId.toLowerCase())
  );
}

/** A copy safe to log: secrets show as `***` when set (null when unset). */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  const mask = (v: unknown): string | null => (v === null || v === undefined ? null : '***');
  return {
    ...config,
    entraClientSecret: mask(config.entraClientSecret),
    botAppPassword: mask(config.botAppPassword),
    secretsKey: mask(config.secretsKey),
    entraAllowedTenants: config.entraAllowedTenants === '*' ? '*' : [...config.entraAllowedTenants],
  };
}

/**
 * Freezes objects and arrays all the way down. Buffers are left as they are: a typed array
 * with elements cannot be frozen, and the key buffer is only ever read.
 */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
