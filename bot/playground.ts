/**
 * `npm run playground`: starts the app with the bot (sample mode, no bot app id) and the
 * Microsoft 365 Agents Playground pointed at its `/api/messages`, so anyone can chat with the bot
 * locally as in Teams, cards and buttons included. Works offline: the playground's mock Bot
 * Connector runs on loopback and its telemetry is turned off.
 *
 * Options: `--playground-port 56150` (the chat UI; the playground falls back to a free port when
 * it is taken), `--open` to let the playground open a browser. The app itself is configured as
 * for `npm start` (PORT, DATA_DIR, …).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { isAppError } from '../src/domain/errors.js';
import { createApp } from '../server/app.js';
import { mountBot } from './index.js';

export interface PlaygroundOptions {
  /** The app's bot endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  readonly endpoint: string;
  /** The playground's UI port (default 56150). */
  readonly port?: number;
  /** Let the playground open the system browser (default false). */
  readonly openBrowser?: boolean;
  /** Extra environment for the child (tests pass a temporary HOME). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunningPlayground {
  readonly child: ChildProcess;
  /** Resolves with the chat UI's URL once the playground says it listens. */
  readonly ready: Promise<string>;
  stop(): Promise<void>;
}

const playgroundBin = fileURLToPath(
  new URL('../node_modules/.bin/agentsplayground', import.meta.url),
);

/** Starts the Agents Playground as a child process, chatting to `endpoint` as Microsoft Teams. */
export function startPlayground(options: PlaygroundOptions): RunningPlayground {
  const port = options.port ?? 56150;
  const child = spawn(
    playgroundBin,
    ['-e', options.endpoint, '-c', 'msteams', '-p', String(port), '--disable-telemetry'],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        ...options.env,
        TEAMSAPPTESTER_PORT: String(port),
        ...(options.openBrowser ? {} : { TEAMSAPPTESTER_BROWSER: 'none' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const ready = new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      // The playground prints "Listening on {port}" once its UI and mock connector listen.
      const m = /Listening on (\d+)/.exec(output);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(
        new Error(`The Agents Playground exited (${code ?? 'signal'}): ${output.slice(-2000)}`),
      ),
    );
    child.once('error', reject);
  });
  return {
    child,
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (config.botAppId !== null) {
    process.stderr.write(
      'The playground talks to the bot without authentication: unset BOT_APP_ID to use it.\n',
    );
    process.exit(1);
  }
  const app = await createApp(config, { mountEdges: mountBot });
  const { port } = await app.listen();
  const playground = startPlayground({
    endpoint: `http://127.0.0.1:${port}/api/messages`,
    port: Number(argValue('--playground-port') ?? 56150),
    openBrowser: process.argv.includes('--open'),
  });
  playground.child.stdout?.pipe(process.stdout);
  playground.child.stderr?.pipe(process.stderr);
  const url = await playground.ready;
  process.stdout.write(
    `\nAccountant Hub is running on http://localhost:${port}\nChat with the bot in the Agents Playground: ${url}\nTry: show overdue tasks\n\n`,
  );
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await playground.stop();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  playground.child.once('exit', () => void stop());
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(
      `The playground could not start: ${isAppError(e) || e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(1);
  });
}
