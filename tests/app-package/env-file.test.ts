import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment, parseEnvFile } from '../../appPackage/env-file.js';

describe('env file parser', () => {
  it('reads keys, skips comments and blank lines, and keeps empty values', () => {
    const text = [
      '# a comment',
      '',
      'TEAMS_APP_ID=0a6b2c3d-4e5f-4a1b-8c9d-0e1f2a3b4c5d',
      '  BOT_ID =  abc  ',
      'TAB_DOMAIN=',
      'export TAB_ENDPOINT=https://hub.example.test',
    ].join('\n');
    expect(parseEnvFile(text, '.env.t')).toEqual({
      ok: true,
      value: {
        TEAMS_APP_ID: '0a6b2c3d-4e5f-4a1b-8c9d-0e1f2a3b4c5d',
        BOT_ID: 'abc',
        TAB_DOMAIN: '',
        TAB_ENDPOINT: 'https://hub.example.test',
      },
    });
  });

  it('keeps quoted values as written, spaces and # included', () => {
    const text = [
      'A=" (local)"',
      "B='single # not a comment'",
      'C="two\\nlines" # trailing comment',
      'D=plain # comment',
      'E=a=b=c',
    ].join('\r\n');
    const parsed = parseEnvFile(text, '.env.t');
    expect(parsed.ok && parsed.value).toEqual({
      A: ' (local)',
      B: 'single # not a comment',
      C: 'two\nlines',
      D: 'plain',
      E: 'a=b=c',
    });
  });

  it('ignores a byte-order mark', () => {
    const parsed = parseEnvFile('\uFEFFA=1', '.env.t');
    expect(parsed.ok && parsed.value).toEqual({ A: '1' });
  });

  it('reports every malformed line with its file and line number', () => {
    const text = ['GOOD=1', 'no equals sign', '1BAD=x', 'Q="unterminated', 'R="x" junk'].join('\n');
    const parsed = parseEnvFile(text, 'env/.env.bad');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.reason).toBe('validation');
    expect(parsed.error.message).toContain('env/.env.bad:2: expected KEY=value');
    expect(parsed.error.message).toContain('env/.env.bad:3: expected KEY=value');
    expect(parsed.error.message).toContain('env/.env.bad:4: unterminated quote in the value of Q');
    expect(parsed.error.message).toContain('env/.env.bad:5: unterminated quote in the value of R');
  });

  it('refuses keys that would reach Object.prototype', () => {
    const parsed = parseEnvFile('__proto__=x\nconstructor=y', '.env.t');
    expect(!parsed.ok && parsed.error.message).toContain(
      '.env.t:1: __proto__ is not a usable variable name',
    );
    expect(!parsed.ok && parsed.error.message).toContain(
      '.env.t:2: constructor is not a usable variable name',
    );
  });
});

describe('loading an environment', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'env-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lays the .user file over the main file', async () => {
    await writeFile(join(dir, '.env.local'), 'A=main\nB=main\n');
    await writeFile(join(dir, '.env.local.user'), 'B=user\nSECRET_X=s\n');
    const env = await loadEnvironment(dir, 'local');
    expect(env.ok && env.value.values).toEqual({ A: 'main', B: 'user', SECRET_X: 's' });
    expect(env.ok && env.value.files).toEqual([
      join(dir, '.env.local'),
      join(dir, '.env.local.user'),
    ]);
  });

  it('works without a .user file', async () => {
    await writeFile(join(dir, '.env.dev'), 'A=1\n');
    const env = await loadEnvironment(dir, 'dev');
    expect(env.ok && env.value.files).toEqual([join(dir, '.env.dev')]);
  });

  it('says which file is missing', async () => {
    const env = await loadEnvironment(dir, 'staging');
    expect(!env.ok && env.error.message).toContain(
      `No environment file ${join(dir, '.env.staging')}`,
    );
  });

  it('refuses environment names that would point at other files', async () => {
    for (const name of ['../secrets', 'a/b', '', '.hidden']) {
      const env = await loadEnvironment(dir, name);
      expect(!env.ok && env.error.message).toMatch(/Bad environment name/);
    }
  });
});
