/**
 * Builds the Teams app package (the zip you upload to Teams) from `appPackage/manifest.json`,
 * the icons beside it and one environment's values, entirely offline:
 * 1. read `env/.env.{env}` and the optional `.user` file over it;
 * 2. replace every `${{VAR}}` placeholder, failing with the list of those without a value;
 * 3. put the bot's command list (`bot/manifest-commands.ts`) into `bots[].commandLists`;
 * 4. validate against the official JSON schema shipped inside `@microsoft/app-manifest`, with
 *    the validator set up exactly as its `AppManifestUtils.validateAgainstSchema`, plus the rules
 *    Teams enforces at upload that a schema cannot express;
 * 5. check the icons' sizes and the outline icon's white-on-transparent pixels;
 * 6. write `appPackage.{env}.zip` and `manifest.{env}.json` into the output folder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, err, ok, type Result } from '../src/domain/errors.js';
import { manifestCommands, type ManifestCommand } from '../bot/manifest-commands.js';
import { loadEnvironment, type EnvValues } from './env-file.js';
import { decodePng, readPngHeader } from './png.js';
import { createZip } from './zip.js';

/** Placeholders that may legitimately be empty (the production name has no suffix). */
export const OPTIONAL_PLACEHOLDERS: ReadonlySet<string> = new Set(['APP_NAME_SUFFIX']);

/** Icon sizes Teams requires. */
export const ICON_SIZES = { color: 192, outline: 32 } as const;

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

const appPackageDir = dirname(fileURLToPath(import.meta.url));

export interface PackageOptions {
  /** Environment name: reads `env/.env.{envName}`. */
  readonly envName: string;
  /** Folder of the env files. Default: `env/` at the project root. */
  readonly envDir?: string;
  /** Folder holding `manifest.json` and the icons. Default: this folder. */
  readonly sourceDir?: string;
  /** Where the zip goes. Default: `appPackage/build/`. */
  readonly outDir?: string;
  /** The bot's commands. Default: `bot/manifest-commands.ts`. */
  readonly commands?: readonly ManifestCommand[];
}

export interface BuiltPackage {
  readonly zipPath: string;
  readonly manifestPath: string;
  readonly manifest: Readonly<Record<string, unknown>>;
  /** The env files that were read, main file first. */
  readonly envFiles: readonly string[];
  readonly entries: readonly string[];
  readonly bytes: number;
}

/**
 * Replaces `${{VAR}}` in the manifest text with JSON-escaped values. Every placeholder without a
 * value (absent, or empty and not in `optional`) is reported at once.
 */
export function substitutePlaceholders(
  template: string,
  values: EnvValues,
  optional: ReadonlySet<string> = OPTIONAL_PLACEHOLDERS,
): Result<string> {
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
    if (value === undefined || (value === '' && !optional.has(name))) {
      missing.add(name);
      return '';
    }
    // Placeholders sit inside JSON strings: escape quotes, backslashes and control characters.
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.size > 0) {
    return err(
      new AppError(
        'validation',
        `These placeholders have no value: ${[...missing].sort().join(', ')}.`,
        { missing: [...missing].sort() },
      ),
    );
  }
  const leftover = /\$\{\{[^}]*\}\}?/.exec(text);
  if (leftover) {
    return err(new AppError('validation', `Malformed placeholder ${leftover[0]} in the manifest.`));
  }
  return ok(text);
}

/** Every placeholder name a template uses, sorted. */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))].sort();
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Puts the bot's commands into every command list of every bot (one list per scope). */
export function withBotCommands(manifest: Json, commands: readonly ManifestCommand[]): Json {
  const bots = asArray(manifest.bots).map((bot) => {
    if (!isObject(bot)) return bot;
    const lists = asArray(bot.commandLists).map((list) =>
      isObject(list)
        ? {
            ...list,
            commands: commands.map((c) => ({ title: c.title, description: c.description })),
          }
        : list,
    );
    return { ...bot, commandLists: lists };
  });
  return { ...manifest, bots };
}

/** The slice of Ajv's API used here (Ajv itself is reached through `@microsoft/app-manifest`). */
interface SchemaCheck {
  (data: unknown): boolean;
  errors?: Array<{ instancePath: string; message?: string; params?: unknown }> | null;
}
type AjvConstructor = new (options: { allErrors: boolean; strictTypes: boolean }) => {
  compile(schema: object): SchemaCheck;
};
type AddFormats = (ajv: unknown, formats: string[]) => unknown;

/**
 * `@microsoft/app-manifest` ships every Teams manifest schema, and validates with Ajv (draft-04,
 * or 2020-12 for newer schemas) plus ajv-formats. Its entry module cannot be loaded by jest
 * (it `require`s an ES module), so this module loads the same schemas and the same validator
 * packages from where that package resolves them, and configures them as it does; a test runs
 * `AppManifestUtils.validateAgainstSchema` itself in a child process and compares the answers.
 */
const fromAppManifest = createRequire(
  createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json'),
);

const compiled = new Map<string, SchemaCheck>();

/** The compiled validator for a manifest version, or null when the package has no such schema. */
async function schemaCheckFor(manifestVersion: string): Promise<SchemaCheck | null> {
  const cached = compiled.get(manifestVersion);
  if (cached) return cached;
  let path: string;
  try {
    path = fromAppManifest.resolve(
      `@microsoft/app-manifest/build/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`,
    );
  } catch {
    return null;
  }
  // The published schemas contain `\a` and `\v` escapes that JSON does not allow; the package
  // rewrites them the same way before parsing.
  const raw = await readFile(path, 'utf8');
  const schema = JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as Json;
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  const Ajv = (
    draft.includes('2020-12') ? fromAppManifest('ajv/dist/2020') : fromAppManifest('ajv-draft-04')
  ) as { default: AjvConstructor };
  const addFormats = (fromAppManifest('ajv-formats') as { default: AddFormats }).default;
  const ajv = new Ajv.default({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const check = ajv.compile(schema);
  compiled.set(manifestVersion, check);
  return check;
}

/** Schema errors in the words `AppManifestUtils.validateAgainstSchema` uses. */
export async function schemaErrors(
  manifest: Json,
  manifestVersion: string,
): Promise<string[] | null> {
  const check = await schemaCheckFor(manifestVersion);
  if (!check) return null;
  if (check(JSON.parse(JSON.stringify(manifest)))) return [];
  return (check.errors ?? []).map(
    (e) =>
      `${e.instancePath} ${e.message || ''}. Details: ${e.params ? JSON.stringify(e.params) : ''}`,
  );
}

/**
 * Checks a substituted manifest: the official JSON schema for its `manifestVersion` (read from
 * disk, never fetched), then the upload rules of Teams the schema leaves out. Returns the list of
 * problems, empty when the manifest is good.
 */
export async function validateManifest(manifest: unknown): Promise<string[]> {
  if (!isObject(manifest)) return ['the manifest is not a JSON object'];
  const version = manifest.manifestVersion;
  if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version)) {
    return ['manifestVersion is missing or not like "1.30"'];
  }
  const expectedSchema = `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;
  const problems: string[] = [];
  if (manifest.$schema !== expectedSchema) problems.push(`$schema must be ${expectedSchema}`);

  const errors = await schemaErrors(manifest, version);
  if (!errors)
    return [
      ...problems,
      `no offline schema for manifest version ${version} in @microsoft/app-manifest`,
    ];
  problems.push(...errors.map((e) => `schema: ${e.trim()}`));
  problems.push(...teamsRules(manifest));
  return problems;
}

/** Rules Teams applies at upload that the JSON schema does not express. */
function teamsRules(manifest: Json): string[] {
  const problems: string[] = [];
  const domains = asArray(manifest.validDomains).filter((d): d is string => typeof d === 'string');
  const allowed = (host: string): boolean =>
    domains.some((d) =>
      d.startsWith('*.') ? host.endsWith(d.slice(1)) : host === d.toLowerCase(),
    );

  const tabUrls: Array<[string, unknown]> = [];
  asArray(manifest.staticTabs).forEach((tab, i) => {
    if (!isObject(tab)) return;
    if (tab.contentUrl !== undefined) tabUrls.push([`staticTabs[${i}].contentUrl`, tab.contentUrl]);
    if (tab.websiteUrl !== undefined) tabUrls.push([`staticTabs[${i}].websiteUrl`, tab.websiteUrl]);
  });
  asArray(manifest.configurableTabs).forEach((tab, i) => {
    if (isObject(tab))
      tabUrls.push([`configurableTabs[${i}].configurationUrl`, tab.configurationUrl]);
  });
  for (const [where, value] of tabUrls) {
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      problems.push(`${where} is not a URL: ${String(value)}`);
      continue;
    }
    if (url.protocol !== 'https:')
      problems.push(`${where} must be https (Teams loads tabs over HTTPS only)`);
    if (!allowed(url.host.toLowerCase()))
      problems.push(`${where}: ${url.host} is not in validDomains`);
  }

  const web = manifest.webApplicationInfo;
  if (isObject(web)) {
    const resource = typeof web.resource === 'string' ? web.resource : '';
    const match = /^api:\/\/([^/]+)\/(.+)$/.exec(resource);
    if (!match) {
      problems.push('webApplicationInfo.resource must be api://{domain}/{client id}');
    } else {
      if (!allowed((match[1] ?? '').toLowerCase())) {
        problems.push(`webApplicationInfo.resource: ${match[1]} is not in validDomains`);
      }
      if (match[2] !== web.id)
        problems.push('webApplicationInfo.resource must end with webApplicationInfo.id');
    }
  }

  asArray(manifest.bots).forEach((bot, b) => {
    if (!isObject(bot)) return;
    asArray(bot.commandLists).forEach((list, l) => {
      if (!isObject(list)) return;
      asArray(list.commands).forEach((command, c) => {
        if (!isObject(command)) return;
        const where = `bots[${b}].commandLists[${l}].commands[${c}]`;
        // Teams' upload check is stricter than the schema's 128/4000 characters.
        if (typeof command.title === 'string' && command.title.length > 32) {
          problems.push(`${where}.title is longer than 32 characters`);
        }
        if (typeof command.description === 'string' && command.description.length > 128) {
          problems.push(`${where}.description is longer than 128 characters`);
        }
      });
    });
  });
  return problems;
}

/** Checks the icons Teams requires: sizes, and white on transparent for the outline. */
export function checkIcons(color: Uint8Array, outline: Uint8Array): string[] {
  const problems: string[] = [];
  try {
    const header = readPngHeader(color);
    if (header.width !== ICON_SIZES.color || header.height !== ICON_SIZES.color) {
      problems.push(
        `color icon is ${header.width}×${header.height}, Teams needs ${ICON_SIZES.color}×${ICON_SIZES.color}`,
      );
    }
  } catch (e) {
    problems.push(`color icon: ${(e as Error).message}`);
  }
  try {
    const header = readPngHeader(outline);
    if (header.width !== ICON_SIZES.outline || header.height !== ICON_SIZES.outline) {
      problems.push(
        `outline icon is ${header.width}×${header.height}, Teams needs ${ICON_SIZES.outline}×${ICON_SIZES.outline}`,
      );
    } else if (header.colorType !== 6 && header.colorType !== 4) {
      problems.push('outline icon must have an alpha channel (transparent background)');
    } else {
      const { pixels } = decodePng(outline);
      let opaque = 0;
      let transparent = 0;
      let coloured = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const alpha = pixels[i + 3] ?? 0;
        if (alpha === 0) transparent++;
        else {
          opaque++;
          if (pixels[i] !== 255 || pixels[i + 1] !== 255 || pixels[i + 2] !== 255) coloured++;
        }
      }
      if (transparent === 0) problems.push('outline icon must have a transparent background');
      if (opaque === 0) problems.push('outline icon is fully transparent');
      if (coloured > 0)
        problems.push(`outline icon must be white only; ${coloured} pixels have colour`);
    }
  } catch (e) {
    problems.push(`outline icon: ${(e as Error).message}`);
  }
  return problems;
}

/** A file name beside the manifest: no folders, no way out of the package folder. */
const isPlainFileName = (name: unknown): name is string =>
  typeof name === 'string' && /^[A-Za-z0-9._-]+$/.test(name) && !name.startsWith('.');

export async function buildAppPackage(options: PackageOptions): Promise<Result<BuiltPackage>> {
  const sourceDir = options.sourceDir ?? appPackageDir;
  const envDir = options.envDir ?? join(appPackageDir, '..', 'env');
  const outDir = options.outDir ?? join(appPackageDir, 'build');
  const env = await loadEnvironment(envDir, options.envName);
  if (!env.ok) return env;
  const values: EnvValues = { TEAMSFX_ENV: options.envName, ...env.value.values };

  const template = await readFile(join(sourceDir, 'manifest.json'), 'utf8');
  const substituted = substitutePlaceholders(template, values);
  if (!substituted.ok) {
    return err(
      new AppError(
        'validation',
        `${substituted.error.message}\nSet them in ${env.value.files.join(' or ')} ` +
          '(the Toolkit writes them on provision; README.md ("Run it in Teams") lists each one).',
        substituted.error.details,
      ),
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(substituted.value);
  } catch (e) {
    return err(
      new AppError('validation', `manifest.json is not valid JSON: ${(e as Error).message}`),
    );
  }
  if (!isObject(parsed))
    return err(new AppError('validation', 'manifest.json must hold a JSON object.'));
  const manifest = withBotCommands(parsed, options.commands ?? manifestCommands);

  const problems = await validateManifest(manifest);
  const icons = isObject(manifest.icons) ? manifest.icons : {};
  const iconNames = [icons.color, icons.outline];
  const iconFiles: Array<{ name: string; data: Buffer }> = [];
  for (const name of iconNames) {
    if (!isPlainFileName(name)) {
      problems.push(`icon ${JSON.stringify(name)} must be a file name beside manifest.json`);
      continue;
    }
    try {
      iconFiles.push({ name, data: await readFile(join(sourceDir, name)) });
    } catch {
      problems.push(`icon ${name} is missing from ${sourceDir}`);
    }
  }
  const [color, outline] = iconFiles;
  if (iconFiles.length === 2 && color && outline)
    problems.push(...checkIcons(color.data, outline.data));
  if (problems.length > 0) {
    return err(
      new AppError('validation', `The app manifest is not valid:\n  ${problems.join('\n  ')}`, {
        problems,
      }),
    );
  }

  const manifestText = JSON.stringify(manifest, null, 2) + '\n';
  const entries = [
    { name: 'manifest.json', data: Buffer.from(manifestText, 'utf8') },
    ...iconFiles,
  ];
  const zip = createZip(entries);
  await mkdir(outDir, { recursive: true });
  const zipPath = join(outDir, `appPackage.${options.envName}.zip`);
  const manifestPath = join(outDir, `manifest.${options.envName}.json`);
  await writeFile(zipPath, zip);
  await writeFile(manifestPath, manifestText);
  return ok({
    zipPath,
    manifestPath,
    manifest,
    envFiles: env.value.files,
    entries: entries.map((e) => e.name),
    bytes: zip.length,
  });
}
