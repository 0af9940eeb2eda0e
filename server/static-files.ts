/**
 * Serves the built tab (tab/dist) as a single-page app: real files by path, `index.html` for any
 * other page path so client-side routes survive a reload, and plain 404s for missing assets (an
 * HTML page answered for a missing `.js` file would be run as script, or fail confusingly).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

/** Hosts allowed to frame the tab: Teams, Microsoft 365 and Outlook, old and `cloud.microsoft` domains. */
export const tabFrameAncestors = [
  "'self'",
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.cloud.microsoft',
  'https://*.skype.com',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
  'https://outlook.live.com',
];

/**
 * The tab's Content-Security-Policy. Styles allow inline because Fluent UI (Griffel) injects its
 * CSS as `<style>` elements; TeamsJS fetches its list of valid host origins from Microsoft's CDN.
 */
export const tabContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' https://res.cdn.office.net",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  `frame-ancestors ${tabFrameAncestors.join(' ')}`,
].join('; ');

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** The Content-Type for a file name; unknown kinds are served as opaque bytes. */
export function contentTypeOf(fileName: string): string {
  return contentTypes[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

function setPageHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', tabContentSecurityPolicy);
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
}

function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  setPageHeaders(res);
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}

const notBuiltPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Accountant Hub</title>
<body style="font-family:sans-serif;margin:3rem"><h1>Accountant Hub</h1>
<p>The tab has not been built. Run <code>npm run build:tab</code> (or <code>npm start</code>, which builds it) and reload.</p>
<p>The REST API is available under <code>/api</code>.</p></body></html>`;

/** Maps a URL path to a file path inside `root`, or null when it could escape it. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const base = resolve(root);
  const full = resolve(base, ...segments);
  return full === base || full.startsWith(base + sep) ? full : null;
}

async function fileStat(path: string): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : null;
  } catch {
    return null;
  }
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  info: { size: number; mtimeMs: number },
): Promise<void> {
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  setPageHeaders(res);
  res.setHeader('ETag', etag);
  // Revalidate every time: the build does not hash file names, and the check is a cheap 304.
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Type', contentTypeOf(path));
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Length', info.size);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(path), res);
}

/**
 * Answers a GET or HEAD for a non-API path from `staticDir`. Without a built tab it answers a
 * short page that says how to build it.
 */
export async function serveStatic(
  staticDir: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // The raw path: URL parsing would resolve `..` and hide an escape attempt from the check below.
  const pathname = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
  const indexPath = staticDir ? join(staticDir, 'index.html') : null;
  const index = indexPath ? await fileStat(indexPath) : null;
  if (!staticDir || !indexPath || !index) {
    sendText(req, res, 404, notBuiltPage, 'text/html; charset=utf-8');
    return;
  }
  const filePath = resolveStaticPath(staticDir, pathname);
  if (filePath === null) {
    sendText(req, res, 400, 'Bad path.');
    return;
  }
  const file = await fileStat(filePath);
  if (file) {
    await sendFile(req, res, filePath, file);
    return;
  }
  if (extname(pathname) !== '') {
    sendText(req, res, 404, 'Not found.');
    return;
  }
  await sendFile(req, res, indexPath, index);
}
