/**
 * Builds the tab into static files that the one server serves: `tab/dist/index.html`,
 * `tab/dist/app.js` and its lazily loaded chunks, plus the pages the Teams manifest and the
 * sign-in pop-up point at (`config.html`, `auth-start.html`, `auth-end.html`, `privacy.html`,
 * `terms.html`, copied from `tab/static/` beside their scripts). Run with `tsx tab/build.ts`
 * (`npm start` does).
 *
 * No page has an inline script, so a strict `script-src 'self'` Content-Security-Policy holds.
 * Output is written to a private temporary folder and then renamed into place file by file:
 * two builds running at once (parallel test files) produce identical files and never leave a
 * half-written bundle for the server to serve.
 */
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const tabDir = dirname(fileURLToPath(import.meta.url));

/** The plain pages and their stylesheet, copied as they are. */
const staticDir = join(tabDir, 'static');

/** Where the server finds the built tab. */
export const tabDistDir = join(tabDir, 'dist');

export interface BuildTabOptions {
  /** Output folder; `tab/dist` by default. */
  readonly outDir?: string;
  /** Minify (default true); turn off only to debug a bundle by hand. */
  readonly minify?: boolean;
}

export interface BuildTabResult {
  readonly outDir: string;
  /** Files written, relative to `outDir`. */
  readonly files: readonly string[];
  readonly ms: number;
}

/** The page; `preloads` are the chunks `app.js` imports statically, fetched alongside it. */
const indexHtml = (preloads: readonly string[]): string => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>Accountant Hub</title>
    <link rel="icon" href="data:," />
    <script type="module" src="./app.js"></script>
${preloads.map((f) => `    <link rel="modulepreload" href="./${f}" />\n`).join('')}  </head>
  <body>
    <div id="root"></div>
    <noscript>Accountant Hub needs JavaScript. Turn it on for this site and reload.</noscript>
  </body>
</html>
`;

/** Bundles `tab/src/main.tsx` and writes `index.html`; resolves when the files are in place. */
export async function buildTab(options: BuildTabOptions = {}): Promise<BuildTabResult> {
  const started = performance.now();
  const outDir = resolve(options.outDir ?? tabDistDir);
  await mkdir(dirname(outDir), { recursive: true });
  const staging = await mkdtemp(`${outDir}.tmp-`);
  try {
    const result = await build({
      entryPoints: {
        app: join(tabDir, 'src', 'main.tsx'),
        config: join(tabDir, 'src', 'config-page.ts'),
        'auth-start': join(tabDir, 'src', 'auth-start-page.ts'),
        'auth-end': join(tabDir, 'src', 'auth-end-page.ts'),
      },
      outdir: staging,
      bundle: true,
      // ESM with splitting lets teams-js load only when the page may be inside Teams.
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      minify: options.minify ?? true,
      sourcemap: false,
      target: 'es2020',
      platform: 'browser',
      jsx: 'automatic',
      legalComments: 'none',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
      metafile: true,
    });
    // Without preload hints the browser would find each chunk only after parsing the one that
    // imports it: hint every chunk app.js needs to start, including the app it loads at once.
    const preloads = startupChunks(result.metafile, staging);
    await writeFile(join(staging, 'index.html'), indexHtml(preloads), 'utf8');
    for (const file of await readdir(staticDir)) {
      await copyFile(join(staticDir, file), join(staging, file));
    }
    // Chunks first, index.html last: a page loaded mid-build never asks for a missing file.
    const files = (await listFiles(staging)).sort((a, b) => rank(a) - rank(b));
    for (const file of files) {
      const target = join(outDir, file);
      await mkdir(dirname(target), { recursive: true });
      await rename(join(staging, file), target);
    }
    await removeStaleChunks(outDir, files);
    return { outDir, files, ms: Math.round(performance.now() - started) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Chunks loaded at start-up: app.js's static imports and `render-app`'s, transitively. */
function startupChunks(metafile: Metafile, staging: string): string[] {
  const outputs = metafile.outputs;
  const rel = (p: string): string => relative(staging, resolve(p)).split('\\').join('/');
  const roots = Object.keys(outputs).filter((file) => {
    const out = outputs[file];
    return rel(file) === 'app.js' || (out?.entryPoint ?? '').endsWith('render-app.tsx');
  });
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? []) {
      if (i.kind === 'import-statement') visit(i.path);
    }
  };
  roots.forEach(visit);
  return [...seen]
    .map(rel)
    .filter((f) => f !== 'app.js')
    .sort();
}

function rank(file: string): number {
  if (file.startsWith('chunks/')) return 0;
  // Pages last: a page loaded mid-build finds its script already in place.
  return file.endsWith('.html') ? 2 : 1;
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else out.push(relative(base, full).split('\\').join('/'));
  }
  return out;
}

/** Chunk names are content hashes, so an old chunk is never the one a fresh `app.js` asks for. */
async function removeStaleChunks(outDir: string, keep: readonly string[]): Promise<void> {
  const chunksDir = join(outDir, 'chunks');
  const current = new Set(keep.filter((f) => f.startsWith('chunks/')).map((f) => f.slice(7)));
  const existing = await readdir(chunksDir).catch(() => [] as string[]);
  await Promise.all(
    existing.filter((f) => !current.has(f)).map((f) => rm(join(chunksDir, f), { force: true })),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildTab().then(
    (r) => console.log(`tab built in ${r.ms} ms: ${r.files.length} files in ${r.outDir}`),
    (e: unknown) => {
      console.error('tab build failed:', e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
