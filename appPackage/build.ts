/**
 * `npm run package [-- --env local|dev]`: builds `appPackage/build/appPackage.{env}.zip`, the
 * file to upload to Teams (Apps → Manage your apps → Upload an app). Offline; see
 * `package-app.ts` for the steps and `README.md ("Run it in Teams")` for the values each env needs.
 */
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildAppPackage } from './package-app.js';

const USAGE = `Usage: npm run package -- [--env <name>]

Builds the Teams app package from appPackage/manifest.json and env/.env.<name>
(plus env/.env.<name>.user when present). Default env: local.`;

/** Reads `--env name`, `--env=name` and `--help`; anything else is a usage error. */
export function parseArgs(
  argv: readonly string[],
): { envName: string } | { help: true } | { error: string } {
  let envName = 'local';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--env') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) return { error: '--env needs a name' };
      envName = next;
      i++;
    } else if (arg.startsWith('--env=')) {
      envName = arg.slice('--env='.length);
    } else {
      return { error: `Unknown argument ${arg}` };
    }
  }
  return { envName };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if ('help' in args) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('error' in args) {
    process.stderr.write(`${args.error}\n\n${USAGE}\n`);
    return 2;
  }
  const built = await buildAppPackage({ envName: args.envName });
  if (!built.ok) {
    process.stderr.write(
      `Could not build the Teams app package (env ${args.envName}).\n${built.error.message}\n`,
    );
    return 1;
  }
  const { zipPath, envFiles, entries, bytes } = built.value;
  const rel = (p: string): string => relative(process.cwd(), p) || p;
  process.stdout.write(
    `Built ${rel(zipPath)} (${entries.join(', ')}; ${bytes} bytes) from ${envFiles.map(rel).join(' + ')}.\n` +
      'Upload it in Teams: Apps → Manage your apps → Upload an app.\n',
  );
  return 0;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = await main();
}
