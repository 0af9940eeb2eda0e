/**
 * `npm start`: reads the configuration from the environment (the only `process.env` read in the
 * app), builds the app, listens, and shuts down in order on SIGINT/SIGTERM.
 */
import { describeConfig, loadConfig, type AppConfig } from '../src/config.js';
import { isAppError } from '../src/domain/errors.js';
import { defaultSampleTenantId } from '../src/sample-tenant/index.js';
import { createApp, extraSampleEnvironment, type App } from './app.js';
import { mountBot } from '../bot/index.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const reasonOf = (e: unknown): string =>
  isAppError(e) || e instanceof Error ? e.message : String(e);

/** Text lines of the configuration with secrets masked, for the start-up banner. */
function configLines(config: AppConfig): string[] {
  return Object.entries(describeConfig(config)).map(
    ([key, value]) => `  ${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`,
  );
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    fail(reasonOf(e));
  }

  let app: App;
  try {
    app = await createApp(config, { mountEdges: mountBot });
  } catch (e) {
    fail(`Accountant Hub could not start: ${reasonOf(e)}`);
  }

  let port: number;
  try {
    ({ port } = await app.listen());
  } catch (e) {
    await app.close();
    fail(`Accountant Hub could not start: ${reasonOf(e)}`);
  }

  process.stdout.write(
    [
      `Accountant Hub is running: open http://localhost:${port}`,
      ...(app.core.sampleTenant
        ? [
            `Sample tenant: ${app.core.sampleTenant.url} (another sample client you can add: ${app.core.sampleTenant.clientUrl(defaultSampleTenantId, extraSampleEnvironment)})`,
          ]
        : []),
      'Configuration:',
      ...configLines(config),
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`${signal}: stopping (finishing requests and writes)…\n`);
    app.close().then(
      () => process.exit(0),
      (e: unknown) => fail(`Shutdown failed: ${reasonOf(e)}`),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
