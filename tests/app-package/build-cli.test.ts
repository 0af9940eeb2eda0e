import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from '../../appPackage/build.js';

const root = process.cwd();

function runCli(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'appPackage/build.ts'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
}

describe('npm run package (appPackage/build.ts)', () => {
  it('reads --env in both spellings and defaults to local', () => {
    expect(parseArgs([])).toEqual({ envName: 'local' });
    expect(parseArgs(['--env', 'dev'])).toEqual({ envName: 'dev' });
    expect(parseArgs(['--env=dev'])).toEqual({ envName: 'dev' });
    expect(parseArgs(['--help'])).toEqual({ help: true });
  });

  it('refuses unknown arguments and a missing env name', () => {
    expect(parseArgs(['--zip'])).toEqual({ error: 'Unknown argument --zip' });
    expect(parseArgs(['--env'])).toEqual({ error: '--env needs a name' });
    expect(parseArgs(['--env', '--help'])).toEqual({ error: '--env needs a name' });
  });

  it('exits 1 with a readable message when the environment does not exist', () => {
    const run = runCli(['--env', 'no-such-env']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Could not build the Teams app package (env no-such-env).');
    expect(run.stderr).toContain(`No environment file ${join(root, 'env', '.env.no-such-env')}`);
    expect(run.stdout).toBe('');
  });

  it('prints usage and exits 2 on a bad argument', () => {
    const run = runCli(['--frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown argument --frobnicate');
    expect(run.stderr).toContain('Usage: npm run package');
  });
});
