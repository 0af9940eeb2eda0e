/**
 * Reads the Toolkit's environment files: `env/.env.{name}` (committed, no secrets) and the
 * optional `env/.env.{name}.user` beside it (git-ignored, holds `SECRET_*` values and local
 * overrides). The syntax is the dotenv subset the Toolkit writes: `KEY=value`, `# comments`,
 * blank lines, optional `export`, single- or double-quoted values.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, err, ok, type Result } from '../src/domain/errors.js';

export type EnvValues = Readonly<Record<string, string>>;

const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** Parses one env file's text; `source` names the file in error messages. */
export function parseEnvFile(text: string, source: string): Result<EnvValues> {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = LINE.exec(line);
    const key = match?.[1];
    const rest = match?.[2];
    if (key === undefined || rest === undefined) {
      problems.push(`${source}:${index + 1}: expected KEY=value`);
      return;
    }
    const value = parseValue(rest);
    if (value === null) {
      problems.push(`${source}:${index + 1}: unterminated quote in the value of ${key}`);
      return;
    }
    // Assigning these on a plain object would reach Object.prototype: no env file needs them.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      problems.push(`${source}:${index + 1}: ${key} is not a usable variable name`);
      return;
    }
    values[key] = value;
  });
  if (problems.length > 0) {
    return err(new AppError('validation', `Cannot read ${source}:\n  ${problems.join('\n  ')}`));
  }
  return ok(values);
}

function parseValue(rest: string): string | null {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const close = rest.indexOf(quote, 1);
    if (close < 0) return null;
    const after = rest.slice(close + 1).trim();
    if (after !== '' && !after.startsWith('#')) return null;
    const inner = rest.slice(1, close);
    return quote === '"' ? inner.replace(/\\n/g, '\n') : inner;
  }
  // Unquoted: a ` #` starts a comment, as in dotenv.
  const hash = rest.search(/\s#/);
  return (hash >= 0 ? rest.slice(0, hash) : rest).trim();
}

/**
 * Loads `.env.{envName}` from `envDir` and lays `.env.{envName}.user` over it when present.
 * A missing main file is an error that lists what to create.
 */
export async function loadEnvironment(
  envDir: string,
  envName: string,
): Promise<Result<{ values: EnvValues; files: string[] }>> {
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/i.test(envName)) {
    return err(
      new AppError(
        'validation',
        `Bad environment name ${JSON.stringify(envName)}: use letters, digits and dashes.`,
      ),
    );
  }
  const mainPath = join(envDir, `.env.${envName}`);
  const userPath = `${mainPath}.user`;
  const main = await readIfExists(mainPath);
  if (main === null) {
    return err(
      new AppError(
        'validation',
        `No environment file ${mainPath}. Create it (see env/.env.local) or pick another --env.`,
      ),
    );
  }
  const parsedMain = parseEnvFile(main, mainPath);
  if (!parsedMain.ok) return parsedMain;
  const files = [mainPath];
  let values: Record<string, string> = { ...parsedMain.value };
  const user = await readIfExists(userPath);
  if (user !== null) {
    const parsedUser = parseEnvFile(user, userPath);
    if (!parsedUser.ok) return parsedUser;
    values = { ...values, ...parsedUser.value };
    files.push(userPath);
  }
  return ok({ values, files });
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
