/**
 * `npm run bench`: runs every benchmark in its own process (so one's memory and timers do not
 * colour another's figures) and passes their output through. Each benchmark prints its figures
 * with a JSON last line; this runner repeats those JSON lines at the end, one per figure.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchmarks = ['refresh-all.ts', 'tab.ts', 'bot.ts'];
const only = process.argv.slice(2);

async function run(file: string): Promise<{ code: number; jsonLines: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, file)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const jsonLines: string[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{"bench"')) jsonLines.push(line);
    });
    child.on('close', (code) => {
      if (buffer.startsWith('{"bench"')) jsonLines.push(buffer);
      resolve({ code: code ?? 1, jsonLines });
    });
  });
}

const figures: string[] = [];
let failed = 0;
for (const file of benchmarks) {
  if (only.length > 0 && !only.some((name) => file.startsWith(name))) continue;
  if (!existsSync(path.join(here, file))) continue;
  console.log(`\n=== bench/${file} ===`);
  const result = await run(file);
  if (result.code !== 0) failed += 1;
  figures.push(...result.jsonLines);
}
console.log('\n=== figures ===');
for (const line of figures) console.log(line);
process.exitCode = failed > 0 ? 1 : 0;
