/**
 * Serves the web console (built by `npm run build:console` from src/console/ into dist/console/)
 * at `/`, from this process: no CDN, works offline. The page and its assets are public (they
 * hold no data); every API call the console makes carries the user's credentials and is checked
 * like any other client's. Vite names assets by content hash, so /assets/* are cached for a year
 * (immutable) and index.html is revalidated on each load. Compressible files are gzipped once per
 * version of the file and kept in memory.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import type { AnyResponse, RequestContext, Route } from './routes.ts';

/** dist/console at the root of the installation (two levels above src/server). */
export const DEFAULT_CONSOLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'console');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.map']);
/** CodeMirror injects its styles at run time: inline styles are allowed, scripts only from this origin. */
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const ASSET_NAME = /^[A-Za-z0-9_.-]+$/;

interface Loaded {
  readonly mtimeMs: number;
  readonly size: number;
  readonly raw: Buffer;
  readonly gzip: Buffer | null;
}

export function consoleRoutes(dir: string = DEFAULT_CONSOLE_DIR): Route[] {
  const cache = new Map<string, Loaded>();
  const load = (file: string): Loaded | null => {
    let st;
    try {
      st = statSync(file);
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    const known = cache.get(file);
    if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return known;
    const raw = readFileSync(file);
    const ext = extOf(file);
    const loaded = { mtimeMs: st.mtimeMs, size: st.size, raw, gzip: COMPRESSIBLE.has(ext) && raw.length > 1024 ? gzipSync(raw, { level: 9 }) : null };
    cache.set(file, loaded);
    return loaded;
  };

  const index = async (ctx: RequestContext) => {
    const page = load(join(dir, 'index.html'));
    if (!page) {
      send(ctx.res, 503, 'text/plain; charset=utf-8', Buffer.from(notBuiltMessage(dir)), { 'cache-control': 'no-store' });
      return;
    }
    serve(ctx, page, '.html', { 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-frame-options': 'DENY' });
  };

  const asset = (folder: string) => async (ctx: RequestContext) => {
    const name = ctx.params.file;
    const file = ASSET_NAME.test(name) && !name.startsWith('.') ? load(join(dir, folder, name)) : null;
    if (!file) {
      send(ctx.res, 404, 'text/plain; charset=utf-8', Buffer.from(`No console asset ${ctx.path}`), {});
      return;
    }
    serve(ctx, file, extOf(name), { 'cache-control': 'public, max-age=31536000, immutable' });
  };

  return [
    { method: 'GET', path: '/', access: 'public', handler: index },
    { method: 'GET', path: '/console', access: 'public', handler: index },
    { method: 'GET', path: '/assets/:file', access: 'public', handler: asset('assets') },
  ];
}

export function notBuiltMessage(dir: string): string {
  return (
    `The Riffle web console is not built (no ${join(dir, 'index.html')}).\n` +
    `Build it in the Riffle directory with:  npm run build:console\n` +
    `(\`npm ci\` / \`npm install\` build it too.) The REST API (/ksql, /query-stream, ...) works without it.\n`
  );
}

function serve(ctx: RequestContext, file: Loaded, ext: string, headers: Record<string, string>): void {
  const accepts = String(ctx.headers['accept-encoding'] ?? '');
  const gzip = file.gzip && /\bgzip\b/.test(accepts) ? file.gzip : null;
  const all: Record<string, string> = { ...headers, 'x-content-type-options': 'nosniff', vary: 'accept-encoding' };
  if (gzip) all['content-encoding'] = 'gzip';
  send(ctx.res, 200, TYPES[ext] ?? 'application/octet-stream', gzip ?? file.raw, all, ctx.method === 'HEAD');
}

function send(res: AnyResponse, status: number, type: string, body: Buffer, headers: Record<string, string>, headOnly = false): void {
  (res as ServerResponse).writeHead(status, { 'content-type': type, 'content-length': body.length, ...headers });
  if (headOnly) res.end();
  else res.end(body);
}

function extOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}
