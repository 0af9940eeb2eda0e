import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { manifestCommands } from '../../bot/manifest-commands.js';
import { renderColorIcon, renderOutlineIcon } from '../../appPackage/icons.js';
import {
  buildAppPackage,
  checkIcons,
  placeholdersIn,
  schemaErrors,
  substitutePlaceholders,
  validateManifest,
} from '../../appPackage/package-app.js';
import { encodePng } from '../../appPackage/png.js';

const root = process.cwd();
const CLIENT_ID = '0a6b2c3d-4e5f-4a1b-8c9d-0e1f2a3b4c5d';
const APP_ID = '11111111-2222-4333-8444-555555555555';
const BOT_ID = '66666666-7777-4888-8999-000000000000';

const goodEnv: Record<string, string> = {
  TEAMS_APP_ID: APP_ID,
  APP_NAME_SUFFIX: '" (test)"',
  TAB_ENDPOINT: 'https://hub.example.test',
  TAB_DOMAIN: 'hub.example.test',
  AAD_APP_CLIENT_ID: CLIENT_ID,
  BOT_ID,
};

let work: string;
let envDir: string;
let outDir: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'app-package-'));
  envDir = join(work, 'env');
  outDir = join(work, 'out');
  await mkdir(envDir);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeEnv(name: string, values: Record<string, string>): Promise<void> {
  const text = Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  await writeFile(join(envDir, `.env.${name}`), `${text}\n`);
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Runs `fn` with every outbound HTTP(S) path made to throw, proving it needs no network. */
async function offline<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { httpRequest: http.request, httpsRequest: https.request, fetch: globalThis.fetch };
  const refuse = (): never => {
    throw new Error('network used while packaging');
  };
  http.request = refuse as unknown as typeof http.request;
  https.request = refuse as unknown as typeof https.request;
  globalThis.fetch = refuse as unknown as typeof fetch;
  try {
    return await fn();
  } finally {
    http.request = saved.httpRequest;
    https.request = saved.httpsRequest;
    globalThis.fetch = saved.fetch;
  }
}

describe('building the Teams app package', () => {
  it('writes a zip with the manifest and both icons at its root, offline', async () => {
    await writeEnv('test', goodEnv);
    const built = await offline(() => buildAppPackage({ envName: 'test', envDir, outDir }));
    if (!built.ok) throw built.error;
    expect(built.value.zipPath).toBe(join(outDir, 'appPackage.test.zip'));
    expect(built.value.envFiles).toEqual([join(envDir, '.env.test')]);

    const zip = await JSZip.loadAsync(await readFile(built.value.zipPath), { checkCRC32: true });
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const color = await zip.file('color.png')?.async('nodebuffer');
    expect(color?.equals(await readFile(join(root, 'appPackage/color.png')))).toBe(true);

    const manifestText = (await zip.file('manifest.json')?.async('string')) ?? '';
    expect(manifestText).not.toContain('${{');
    const manifest = JSON.parse(manifestText);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.name.short).toBe('Accountant Hub (test)');
    expect(manifest.bots[0].botId).toBe(BOT_ID);
    expect(manifest.webApplicationInfo).toEqual({
      id: CLIENT_ID,
      resource: `api://hub.example.test/${CLIENT_ID}`,
    });
    expect(manifest.staticTabs[0].contentUrl).toBe(
      `https://hub.example.test/?view=dashboard&appClientId=${CLIENT_ID}`,
    );
    expect(manifest.validDomains).toContain('hub.example.test');
    expect(JSON.parse(await readFile(built.value.manifestPath, 'utf8'))).toEqual(manifest);
  });

  it('the packaged manifest passes the official v1.30 schema without the network', async () => {
    await writeEnv('test', goodEnv);
    const built = await buildAppPackage({ envName: 'test', envDir, outDir });
    if (!built.ok) throw built.error;
    expect(await offline(() => validateManifest(built.value.manifest))).toEqual([]);
  });

  it('lays the .user file over the env file', async () => {
    await writeEnv('test', { ...goodEnv, BOT_ID: '' });
    await writeFile(join(envDir, '.env.test.user'), `BOT_ID=${BOT_ID}\n`);
    const built = await buildAppPackage({ envName: 'test', envDir, outDir });
    expect(built.ok && built.value.envFiles).toHaveLength(2);
  });

  it('lists every placeholder without a value, names the env files, and writes nothing', async () => {
    await writeEnv('test', { ...goodEnv, BOT_ID: '', TAB_DOMAIN: '' });
    await writeFile(
      join(envDir, '.env.test'),
      (await readFile(join(envDir, '.env.test'), 'utf8')).replace(/^TEAMS_APP_ID=.*$/m, ''),
    );
    const built = await buildAppPackage({ envName: 'test', envDir, outDir });
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.error.reason).toBe('validation');
    expect(built.error.message).toContain(
      'These placeholders have no value: BOT_ID, TAB_DOMAIN, TEAMS_APP_ID.',
    );
    expect(built.error.message).toContain(join(envDir, '.env.test'));
    expect(await exists(outDir)).toBe(false);
  });

  it('the committed env/.env.local needs provisioning before it can be packaged', async () => {
    await copyFile(join(root, 'env/.env.local'), join(envDir, '.env.local'));
    const built = await buildAppPackage({ envName: 'local', envDir, outDir });
    expect(!built.ok && built.error.details).toEqual({
      missing: ['AAD_APP_CLIENT_ID', 'BOT_ID', 'TAB_DOMAIN', 'TAB_ENDPOINT', 'TEAMS_APP_ID'],
    });
  });

  it('escapes values so quotes in a value cannot break the JSON', async () => {
    await writeEnv('test', { ...goodEnv, APP_NAME_SUFFIX: `' "q\\'` });
    const built = await buildAppPackage({ envName: 'test', envDir, outDir });
    expect(built.ok && (built.value.manifest.name as { short: string }).short).toBe(
      'Accountant Hub "q\\',
    );
  });

  it('refuses a tab address that is not https', async () => {
    await writeEnv('test', { ...goodEnv, TAB_ENDPOINT: 'http://hub.example.test' });
    const built = await buildAppPackage({ envName: 'test', envDir, outDir });
    expect(!built.ok && built.error.message).toContain(
      'staticTabs[0].contentUrl must be https (Teams loads tabs over HTTPS only)',
    );
  });

  it('refuses a tab address on a domain the manifest does not list', async () => {
    await writeEnv('test', { ...goodEnv, TAB_ENDPOINT: 'https://elsewhere.example.test' });
    const built = await buildAppPackage({ envName: 'test', envDir, outDir });
    expect(!built.ok && built.error.message).toContain(
      'configurableTabs[0].configurationUrl: elsewhere.example.test is not in validDomains',
    );
  });

  it('reports schema errors: an app id that is not a GUID, a name too long for Teams', async () => {
    await writeEnv('test', {
      ...goodEnv,
      TEAMS_APP_ID: 'my-app',
      APP_NAME_SUFFIX: '" for the whole accounting firm"',
    });
    const built = await buildAppPackage({ envName: 'test', envDir, outDir });
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.error.message).toMatch(/schema: \/id must match pattern/);
    expect(built.error.message).toMatch(
      /schema: \/name\/short must NOT have more than 30 characters/,
    );
  });

  it("puts the bot's commands in every command list", async () => {
    await writeEnv('test', goodEnv);
    const commands = [{ title: 'help', description: 'What I can do.' }];
    const built = await buildAppPackage({ envName: 'test', envDir, outDir, commands });
    if (!built.ok) throw built.error;
    const [bot] = built.value.manifest.bots as Array<{
      commandLists: Array<{ commands: unknown }>;
    }>;
    expect(bot?.commandLists.map((l) => l.commands)).toEqual([commands, commands, commands]);
  });

  it('refuses an unknown environment with a clear message', async () => {
    const built = await buildAppPackage({ envName: 'nosuch', envDir, outDir });
    expect(!built.ok && built.error.message).toContain('No environment file');
  });
});

describe('the manifest template', () => {
  const readTemplate = async (): Promise<string> =>
    readFile(join(root, 'appPackage/manifest.json'), 'utf8');

  it('uses schema v1.30 and only placeholders both committed env files declare', async () => {
    const template = await readTemplate();
    const manifest = JSON.parse(template);
    expect(manifest.manifestVersion).toBe('1.30');
    const used = placeholdersIn(template);
    expect(used).toEqual([
      'AAD_APP_CLIENT_ID',
      'APP_NAME_SUFFIX',
      'BOT_ID',
      'TAB_DOMAIN',
      'TAB_ENDPOINT',
      'TEAMS_APP_ID',
    ]);
    for (const env of ['local', 'dev']) {
      const text = await readFile(join(root, `env/.env.${env}`), 'utf8');
      for (const name of used) expect(text).toMatch(new RegExp(`^${name}=`, 'm'));
    }
  });

  it('has the Dashboard and My Tasks personal tabs, a channel tab and the bot chat', async () => {
    const manifest = JSON.parse(await readTemplate());
    const tabs = manifest.staticTabs as Array<Record<string, unknown>>;
    expect(tabs.map((t) => [t.entityId, t.name, t.contentUrl])).toEqual([
      [
        'dashboard',
        'Dashboard',
        '${{TAB_ENDPOINT}}/?view=dashboard&appClientId=${{AAD_APP_CLIENT_ID}}',
      ],
      ['tasks', 'My Tasks', '${{TAB_ENDPOINT}}/?view=tasks&appClientId=${{AAD_APP_CLIENT_ID}}'],
      ['conversations', undefined, undefined],
      ['about', undefined, undefined],
    ]);
    expect(manifest.configurableTabs).toEqual([
      expect.objectContaining({
        configurationUrl: '${{TAB_ENDPOINT}}/config.html?appClientId=${{AAD_APP_CLIENT_ID}}',
        scopes: ['team', 'groupChat'],
      }),
    ]);
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest.webApplicationInfo).toEqual({
      id: '${{AAD_APP_CLIENT_ID}}',
      resource: 'api://${{TAB_DOMAIN}}/${{AAD_APP_CLIENT_ID}}',
    });
  });

  it("lists exactly bot/manifest-commands.ts, once per scope, within Teams' limits", async () => {
    const manifest = JSON.parse(await readTemplate());
    const lists = manifest.bots[0].commandLists as Array<{ scopes: string[]; commands: unknown[] }>;
    expect(lists.map((l) => l.scopes)).toEqual([['personal'], ['team'], ['groupChat']]);
    for (const list of lists) {
      expect(list.commands).toEqual(
        manifestCommands.map(({ title, description }) => ({ title, description })),
      );
      expect(list.commands.length).toBeLessThanOrEqual(12);
    }
  });
});

describe('manifest rules beyond the schema', () => {
  async function validManifest(): Promise<Record<string, unknown>> {
    const template = await readFile(join(root, 'appPackage/manifest.json'), 'utf8');
    const values = { ...goodEnv, APP_NAME_SUFFIX: '' };
    const text = substitutePlaceholders(template, values);
    if (!text.ok) throw text.error;
    return JSON.parse(text.value);
  }

  it('the substituted template is valid', async () => {
    expect(await validateManifest(await validManifest())).toEqual([]);
  });

  it('gives the same schema verdicts as AppManifestUtils.validateAgainstSchema itself', async () => {
    const good = await validManifest();
    const broken = {
      ...good,
      id: 'not-a-guid',
      accentColor: 'teal',
      name: { short: 'x'.repeat(31) },
      staticTabs: [{ entityId: 'dashboard', scopes: ['team'], surprise: true }],
    };
    // The package's entry point requires an ES module, which Node 20.19+ allows but jest does
    // not: run it in a plain Node child process, offline (the schema is passed in).
    const script = `
      const { AppManifestUtils } = require('@microsoft/app-manifest');
      const fs = require('node:fs');
      const path = require.resolve('@microsoft/app-manifest/build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json');
      const schema = JSON.parse(fs.readFileSync(path, 'utf8').replace(/\\\\a/g, '\\\\u0007').replace(/\\\\v/g, '\\\\u000b'));
      const manifests = JSON.parse(fs.readFileSync(0, 'utf8'));
      Promise.all(manifests.map((m) => AppManifestUtils.validateAgainstSchema(m, schema)))
        .then((r) => process.stdout.write(JSON.stringify(r)));`;
    const child = spawnSync(process.execPath, ['--no-warnings', '-e', script], {
      cwd: root,
      input: JSON.stringify([good, broken]),
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    const theirs = JSON.parse(child.stdout) as string[][];
    expect(theirs[0]).toEqual([]);
    expect(theirs[1]?.length).toBeGreaterThan(3);
    expect(await schemaErrors(good, '1.30')).toEqual(theirs[0]);
    expect(await schemaErrors(broken, '1.30')).toEqual(theirs[1]);
  });

  it('requires the SSO resource on a valid domain and ending with the client id', async () => {
    const manifest = await validManifest();
    manifest.webApplicationInfo = { id: CLIENT_ID, resource: `api://other.example.test/${BOT_ID}` };
    expect(await validateManifest(manifest)).toEqual([
      'webApplicationInfo.resource: other.example.test is not in validDomains',
      'webApplicationInfo.resource must end with webApplicationInfo.id',
    ]);
  });

  it("enforces Teams' 32/128-character limits on bot commands", async () => {
    const manifest = await validManifest();
    const bots = manifest.bots as Array<{ commandLists: Array<{ commands: unknown[] }> }>;
    const list = bots[0]?.commandLists[0];
    if (list) list.commands = [{ title: 'x'.repeat(33), description: 'y'.repeat(129) }];
    const problems = await validateManifest(manifest);
    expect(problems).toContain(
      'bots[0].commandLists[0].commands[0].title is longer than 32 characters',
    );
    expect(problems).toContain(
      'bots[0].commandLists[0].commands[0].description is longer than 128 characters',
    );
  });

  it('requires the $schema URL to match manifestVersion', async () => {
    const manifest = await validManifest();
    manifest.$schema = 'https://example.test/schema.json';
    expect(await validateManifest(manifest)).toContain(
      '$schema must be https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json',
    );
  });

  it('says when the package has no offline schema for a manifest version', async () => {
    const manifest = await validManifest();
    manifest.manifestVersion = '1.99';
    manifest.$schema =
      'https://developer.microsoft.com/json-schemas/teams/v1.99/MicrosoftTeams.schema.json';
    expect(await offline(() => validateManifest(manifest))).toEqual([
      'no offline schema for manifest version 1.99 in @microsoft/app-manifest',
    ]);
  });

  it('refuses what is not a manifest at all', async () => {
    expect(await validateManifest([1, 2])).toEqual(['the manifest is not a JSON object']);
    expect(await validateManifest({ manifestVersion: '../../x' })).toEqual([
      'manifestVersion is missing or not like "1.30"',
    ]);
  });
});

describe('placeholder substitution', () => {
  it('reports each missing name once, sorted, and accepts spaces inside the braces', () => {
    const result = substitutePlaceholders('"${{B}}${{A}}${{ B }}${{ C }}"', { C: 'c' });
    expect(!result.ok && result.error.message).toBe('These placeholders have no value: A, B.');
  });

  it('lets APP_NAME_SUFFIX be empty but no other placeholder', () => {
    expect(substitutePlaceholders('"${{APP_NAME_SUFFIX}}"', { APP_NAME_SUFFIX: '' })).toEqual({
      ok: true,
      value: '""',
    });
    expect(substitutePlaceholders('"${{BOT_ID}}"', { BOT_ID: '' }).ok).toBe(false);
  });

  it('never resolves a name through the object prototype', () => {
    expect(substitutePlaceholders('"${{constructor}}"', {}).ok).toBe(false);
  });

  it('refuses a malformed placeholder', () => {
    const result = substitutePlaceholders('"${{BOT ID}}"', { BOT_ID: 'x' });
    expect(!result.ok && result.error.message).toContain('Malformed placeholder ${{BOT ID}}');
  });
});

describe('icon checks', () => {
  const color = encodePng(renderColorIcon());
  const outline = encodePng(renderOutlineIcon());

  it('accepts the generated icons', () => {
    expect(checkIcons(color, outline)).toEqual([]);
  });

  it('refuses icons of the wrong size', () => {
    expect(checkIcons(outline, color)).toEqual([
      'color icon is 32×32, Teams needs 192×192',
      'outline icon is 192×192, Teams needs 32×32',
    ]);
  });

  it('refuses an outline icon with colour or without transparency', () => {
    const coloured = renderOutlineIcon();
    const tinted = new Uint8Array(coloured.pixels);
    for (let i = 0; i < tinted.length; i += 4) if ((tinted[i + 3] ?? 0) > 0) tinted[i] = 200;
    expect(checkIcons(color, encodePng({ ...coloured, pixels: tinted }))[0]).toMatch(
      /outline icon must be white only; \d+ pixels have colour/,
    );
    const opaque = new Uint8Array(32 * 32 * 4).fill(255);
    expect(checkIcons(color, encodePng({ width: 32, height: 32, pixels: opaque }))).toEqual([
      'outline icon must have a transparent background',
    ]);
    const empty = new Uint8Array(32 * 32 * 4);
    expect(checkIcons(color, encodePng({ width: 32, height: 32, pixels: empty }))).toEqual([
      'outline icon is fully transparent',
    ]);
  });

  it('refuses files that are not PNGs', () => {
    expect(checkIcons(Buffer.from('not an image'), outline)).toEqual([
      'color icon: not a PNG file (bad signature)',
    ]);
  });
});
