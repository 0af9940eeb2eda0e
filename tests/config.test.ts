import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { describeConfig, isTenantAllowed, loadConfig, type AppConfig } from '../src/config.js';
import { AppError } from '../src/domain/errors.js';

const KEY_HEX = 'ab'.repeat(32);
const KEY_B64 = Buffer.alloc(32, 7).toString('base64');
const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const TENANT_A = 'aaaaaaaa-2222-4333-8444-555555555555';
const TENANT_B = 'bbbbbbbb-2222-4333-8444-555555555555';

/** A production-like environment that passes every rule. */
const production = (over: Record<string, string | undefined> = {}) => ({
  SAMPLE_MODE: 'false',
  HOST: '0.0.0.0',
  ENTRA_CLIENT_ID: CLIENT_ID,
  ENTRA_CLIENT_SECRET: 'entra-secret-value',
  SECRETS_KEY: KEY_B64,
  ...over,
});

function configError(env: Record<string, string | undefined>): AppError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig', () => {
  it('runs out of the box in sample mode with local sign-in and documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3978,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3978',
      dataDir: path.resolve('./data'),
      registryFile: path.join(path.resolve('./data'), 'registry.json'),
      secretsKeyFile: path.join(path.resolve('./data'), 'secrets.key'),
      sampleMode: true,
      sampleTenantPort: 3979,
      sampleTenantLatencyMs: 0,
      bcApiBaseUrl: 'https://api.businesscentral.dynamics.com',
      bcWebClientUrl: 'https://businesscentral.dynamics.com',
      entraAuthorityHost: 'https://login.microsoftonline.com',
      authMode: 'local',
      entraClientId: null,
      entraClientSecret: null,
      entraAllowedTenants: '*',
      secretsKey: null,
      botAppId: null,
      botAppPassword: null,
      botTenantId: null,
      bcTimeoutMs: 30000,
      staleAfterMinutes: 60,
      logLevel: 'info',
    });
  });

  it('derives the public URL from PORT', () => {
    expect(loadConfig({ PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
  });

  it('defaults to Entra sign-in outside sample mode', () => {
    expect(loadConfig(production()).authMode).toBe('entra');
  });

  it('reads every key', () => {
    const c = loadConfig(
      production({
        PORT: '0',
        PUBLIC_URL: 'https://hub.example.com/',
        DATA_DIR: '/var/lib/hub',
        SAMPLE_TENANT_PORT: '0',
        SAMPLE_TENANT_LATENCY_MS: '25',
        BC_API_BASE_URL: 'https://api.businesscentral.dynamics.com/',
        BC_WEB_CLIENT_URL: 'https://businesscentral.dynamics.com',
        ENTRA_AUTHORITY_HOST: 'https://login.microsoftonline.us',
        ENTRA_ALLOWED_TENANTS: ` ${TENANT_A.toUpperCase()}, ${TENANT_B},,`,
        SECRETS_KEY: KEY_HEX,
        BOT_APP_ID: CLIENT_ID,
        BOT_APP_PASSWORD: 'bot-password',
        BOT_TENANT_ID: TENANT_A,
        BC_TIMEOUT_MS: '5000',
        STALE_AFTER_MINUTES: '15',
        LOG_LEVEL: 'debug',
      }),
    );
    expect(c.port).toBe(0);
    expect(c.publicUrl).toBe('https://hub.example.com');
    expect(c.registryFile).toBe('/var/lib/hub/registry.json');
    expect(c.sampleTenantLatencyMs).toBe(25);
    expect(c.bcApiBaseUrl).toBe('https://api.businesscentral.dynamics.com');
    expect(c.entraAuthorityHost).toBe('https://login.microsoftonline.us');
    expect(c.entraAllowedTenants).toEqual([TENANT_A, TENANT_B]);
    expect(c.secretsKey?.equals(Buffer.from(KEY_HEX, 'hex'))).toBe(true);
    expect(c.botTenantId).toBe(TENANT_A);
    expect(c.bcTimeoutMs).toBe(5000);
    expect(c.staleAfterMinutes).toBe(15);
    expect(c.logLevel).toBe('debug');
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '  ', LOG_LEVEL: '' }).port).toBe(3978);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['No', false],
  ])('reads SAMPLE_MODE=%s as %s', (text, expected) => {
    const env = expected ? { SAMPLE_MODE: text } : production({ SAMPLE_MODE: text });
    expect(loadConfig(env).sampleMode).toBe(expected);
  });

  it.each([
    ['SAMPLE_MODE', 'maybe'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', 'http'],
    ['SAMPLE_TENANT_PORT', '99999'],
    ['SAMPLE_TENANT_LATENCY_MS', '-5'],
    ['BC_TIMEOUT_MS', '0'],
    ['STALE_AFTER_MINUTES', 'soon'],
    ['LOG_LEVEL', 'verbose'],
    ['AUTH_MODE', 'anonymous'],
    ['PUBLIC_URL', 'not a url'],
    ['PUBLIC_URL', 'ftp://hub.example.com'],
    ['BC_API_BASE_URL', 'https://user:pw@api.businesscentral.dynamics.com'],
    ['BC_WEB_CLIENT_URL', 'https://businesscentral.dynamics.com/?x=1'],
    ['SECRETS_KEY', 'too-short'],
    ['SECRETS_KEY', 'ab'.repeat(31)],
    ['ENTRA_CLIENT_ID', 'my-app'],
    ['ENTRA_ALLOWED_TENANTS', 'contoso.com'],
    ['ENTRA_ALLOWED_TENANTS', ','],
    ['BOT_TENANT_ID', 'contoso'],
    ['HOST', 'http://0.0.0.0'],
    ['HOST', 'my host'],
  ])('rejects %s=%s naming the key', (key, value) => {
    const e = configError(production({ [key]: value }));
    expect(e.reason).toBe('config');
    expect(e.message).toContain(key);
  });

  it('requires https for BC and Entra URLs outside sample mode', () => {
    const e = configError(
      production({
        BC_API_BASE_URL: 'http://127.0.0.1:3979',
        BC_WEB_CLIENT_URL: 'http://127.0.0.1:3979',
        ENTRA_AUTHORITY_HOST: 'http://login.example',
      }),
    );
    expect(e.details['problems']).toHaveLength(3);
    expect(e.message).toMatch(/BC_API_BASE_URL.*https/);
  });

  it('allows http BC URLs in sample mode', () => {
    const c = loadConfig({
      BC_API_BASE_URL: 'http://127.0.0.1:3979',
      BC_WEB_CLIENT_URL: 'http://127.0.0.1:3979',
    });
    expect(c.bcApiBaseUrl).toBe('http://127.0.0.1:3979');
  });

  it('requires SECRETS_KEY outside sample mode', () => {
    expect(configError(production({ SECRETS_KEY: undefined })).message).toMatch(
      /SECRETS_KEY: required when SAMPLE_MODE=false/,
    );
  });

  it('accepts SECRETS_KEY in sample mode too', () => {
    expect(loadConfig({ SECRETS_KEY: KEY_HEX }).secretsKey?.length).toBe(32);
  });

  it('refuses local sign-in outside sample mode', () => {
    const e = configError(production({ AUTH_MODE: 'local', HOST: '127.0.0.1' }));
    expect(e.message).toMatch(/AUTH_MODE=local: allowed only with SAMPLE_MODE=true/);
  });

  it('refuses local sign-in on a non-loopback host, even in sample mode', () => {
    const e = configError({ HOST: '0.0.0.0' });
    expect(e.message).toMatch(/AUTH_MODE=local: allowed only when HOST is a loopback address/);
  });

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])(
    'allows local sign-in on loopback host %s',
    (host) => {
      expect(loadConfig({ HOST: host }).authMode).toBe('local');
    },
  );

  it('lets sample mode on a public host use Entra sign-in', () => {
    const c = loadConfig({ HOST: '0.0.0.0', AUTH_MODE: 'entra', ENTRA_CLIENT_ID: CLIENT_ID });
    expect(c.authMode).toBe('entra');
  });

  it('requires ENTRA_CLIENT_ID for Entra sign-in', () => {
    expect(configError(production({ ENTRA_CLIENT_ID: undefined })).message).toMatch(
      /ENTRA_CLIENT_ID: required when AUTH_MODE=entra/,
    );
  });

  it('requires BOT_APP_PASSWORD with BOT_APP_ID', () => {
    expect(configError(production({ BOT_APP_ID: CLIENT_ID })).message).toMatch(/BOT_APP_PASSWORD/);
  });

  it('lists every problem in one error', () => {
    const e = configError({
      SAMPLE_MODE: 'false',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      HOST: '0.0.0.0',
      ENTRA_ALLOWED_TENANTS: 'x',
    });
    const problems = e.details['problems'] as string[];
    expect(problems.map((p) => p.split(/[=:]/)[0])).toEqual([
      'PORT',
      'LOG_LEVEL',
      'ENTRA_ALLOWED_TENANTS',
      'SECRETS_KEY',
      'ENTRA_CLIENT_ID',
    ]);
    expect(e.message).toMatch(/^Configuration is not valid \(5 problems\):/);
    for (const p of problems) expect(e.message).toContain(p);
  });

  it('never puts a malformed secret key value in the message', () => {
    const e = configError(production({ SECRETS_KEY: 'my-secret-but-wrong' }));
    expect(e.message).not.toContain('my-secret-but-wrong');
  });

  it('returns a deeply frozen object', () => {
    const c = loadConfig(production({ ENTRA_ALLOWED_TENANTS: TENANT_A }));
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.entraAllowedTenants)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (c.entraAllowedTenants as string[]).push(TENANT_B);
    }).toThrow(TypeError);
  });

  it('does not read process.env by itself', () => {
    process.env['LOG_LEVEL'] = 'error';
    try {
      expect(loadConfig({}).logLevel).toBe('info');
    } finally {
      delete process.env['LOG_LEVEL'];
    }
  });
});

describe('isTenantAllowed', () => {
  it('allows any tenant with *', () => {
    expect(isTenantAllowed(loadConfig(production()), TENANT_A)).toBe(true);
  });

  it('allows only listed tenants, case-insensitively', () => {
    const c = loadConfig(production({ ENTRA_ALLOWED_TENANTS: TENANT_A }));
    expect(isTenantAllowed(c, TENANT_A.toUpperCase())).toBe(true);
    expect(isTenantAllowed(c, TENANT_B)).toBe(false);
  });
});

describe('describeConfig', () => {
  it('masks secrets and keeps everything else', () => {
    const c: AppConfig = loadConfig(
      production({ BOT_APP_ID: CLIENT_ID, BOT_APP_PASSWORD: 'bot-password' }),
    );
    const d = describeConfig(c);
    const text = JSON.stringify(d);
    expect(text).not.toContain('entra-secret-value');
    expect(text).not.toContain('bot-password');
    expect(text).not.toContain(KEY_B64);
    expect(d).toMatchObject({
      entraClientSecret: '***',
      botAppPassword: '***',
      secretsKey: '***',
      entraClientId: CLIENT_ID,
      port: 3978,
    });
  });

  it('shows unset secrets as null', () => {
    expect(describeConfig(loadConfig({}))).toMatchObject({
      entraClientSecret: null,
      botAppPassword: null,
      secretsKey: null,
    });
  });
});
