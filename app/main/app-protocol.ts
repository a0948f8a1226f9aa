/**
 * `app://tessera/`: the built renderer (out/renderer), served by name, the desktop twin of web
 * mode's static files. Only `/` or `/index.html` and `/assets/<name>` exist; a name is letters,
 * digits, `_`, `-` and `.` without `..`, so no URL climbs out of the folder. Every response
 * carries the app's CSP (a custom scheme's responses do not pass through webRequest reliably).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './app-origin.ts';

const STATIC_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
};

/** The file an `app:` URL names inside `rendererDir`, or null. */
export function resolveAppFile(url: string, rendererDir: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  const { pathname } = parsed;
  if (pathname === '/' || pathname === '' || pathname === '/index.html')
    return join(rendererDir, 'index.html');
  const name = /^\/assets\/([\w.-]+)$/.exec(pathname)?.[1];
  if (name === undefined || name.includes('..')) return null;
  return join(rendererDir, 'assets', name);
}

/** The handler for `protocol.handle(APP_SCHEME, ...)`. */
export function createAppHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers = {
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    };
    const path = request.method === 'GET' ? resolveAppFile(request.url, rendererDir) : null;
    if (path === null || !existsSync(path) || !statSync(path).isFile()) {
      const missingUi = path !== null && path.endsWith('index.html');
      return new Response(
        missingUi
          ? 'The studio UI is not built: run `npm run build` (node --import tsx electron.config.ts).'
          : 'not found',
        { status: 404, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } },
      );
    }
    const ext = path.slice(path.lastIndexOf('.') + 1);
    const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
    return new Response(body, {
      status: 200,
      headers: { ...headers, 'content-type': STATIC_TYPES[ext] ?? 'application/octet-stream' },
    });
  };
}
