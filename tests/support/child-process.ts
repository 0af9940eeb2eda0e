/**
 * Crash tests: a TypeScript script runs in a child process and prints one JSON line per thing it
 * wants the test to know (an acknowledged write, progress); the test kills it with SIGKILL at a
 * chosen moment and reads back what was printed before the kill.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: children run there, so `--import tsx` and relative paths resolve. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What to run and when to kill it. */
export interface KillRound {
  /** The script, relative to the repository root. */
  readonly script: string;
  readonly args: readonly string[];
  /** Text on the child's stdout after which the kill is timed. */
  readonly startMarker: string;
  /** How long after `startMarker` the child is killed. */
  readonly killAfterMs: number;
  /** Names the child in the error when it ends on its own (`writer`, `the app`). */
  readonly name: string;
}

/**
 * Runs `round.script` with tsx, kills it with SIGKILL `killAfterMs` after it printed
 * `startMarker`, and resolves to every complete line it printed, parsed as JSON. Rejects when the
 * child ends on its own: the tests rely on it dying in the middle of its work.
 */
export function runUntilKilled<Line>(round: KillRound): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, round.script), ...round.args],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | null = null;
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (killTimer === null && out.includes(round.startMarker)) {
        killTimer = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, round.killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    // 'close' comes after stdout has been read to its end: every printed line is in `out`.
    child.on('close', (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      if (!killed || signal !== 'SIGKILL') {
        reject(
          new Error(`${round.name} ended on its own (code ${code}, signal ${signal}): ${stderr}`),
        );
        return;
      }
      // A line cut off by the kill is not an acknowledgement.
      const complete = out.slice(0, out.lastIndexOf('\n') + 1);
      resolve(
        complete
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Line),
      );
    });
  });
}
