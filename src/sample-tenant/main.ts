/**
 * Runs the sample tenant on its own: `npm run sample-tenant -- [--port N] [--host H]
 * [--latency MS] [--seed N] [--companies N [--environments M]] [--no-limits]`.
 * Prints the server URL and the Client URLs to register in Accountant Hub.
 */
import { startFromArgs } from './cli.js';

async function main(): Promise<void> {
  let started: Awaited<ReturnType<typeof startFromArgs>>;
  try {
    started = await startFromArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${started.banner}\n`);
  const stop = (): void => {
    void started.tenant.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
