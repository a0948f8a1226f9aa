/**
 * Web mode: the studio's contract served over HTTP on 127.0.0.1 only, on a random port, behind
 * a token made fresh at every launch. Every request must carry the token (a header, or the
 * `?token=` of the first page load, which is then kept in a same-site, HTTP-only cookie), and
 * must name this server as its Host, so neither another local user's page nor a DNS-rebinding
 * site can drive it. Calls: POST /api/invoke/<channel>; events: GET /api/events (server-sent
 * events); images: GET /asset/<sha256> (a name that is only a hash, never a path).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_OPEN_FILE_BYTES, type EventName } from '../common/contract.ts';
import { openGallery, type Gallery } from '../gallery/index.ts';
import { InferenceClient } from '../inference/client.ts';
import { recoverOrphanedJobs } from '../jobs/runner.ts';
import { dispatch } from '../server/router.ts';
import { StudioService } from '../server/studio-service.ts';

const MAX_BODY = 1 << 20;
/** Calls that carry a file's bytes (an image opened for infill or dropped onto the Library,
 * base64) may be this large. */
const MAX_UPLOAD_BODY = Math.ceil(MAX_OPEN_FILE_BYTES / 3) * 4 + 4096;
const UPLOAD_CHANNELS: ReadonlySet<string> = new Set(['infill:openFile', 'gallery:importUpload']);
const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  tif: 'image/tiff',
  avif: 'image/avif',
};

/** The built renderer (`node --import tsx electron.config.ts --only renderer`). */
export const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));
const STATIC_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};
/** The same policy the desktop window enforces. */
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** index.html for `/`, and files under assets/ by name only (no path can climb out). */
function serveRenderer(pathname: string, res: ServerResponse): boolean {
  const name =
    pathname === '/' || pathname === '/index.html'
      ? 'index.html'
      : /^\/assets\/([\w.-]+)$/.exec(pathname)?.[1];
  if (name === undefined || name.includes('..')) return false;
  const path =
    name === 'index.html' ? join(RENDERER_DIR, name) : join(RENDERER_DIR, 'assets', name);
  if (!existsSync(path)) {
    if (name !== 'index.html') return false;
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      'The studio UI is not built: run `npm start` (or `node --import tsx electron.config.ts --only renderer`).',
    );
    return true;
  }
  res.writeHead(200, {
    'content-type':
      STATIC_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  createReadStream(path).pipe(res);
  return true;
}

export interface WebServer {
  url: string;
  token: string;
  port: number;
  service: StudioService;
  gallery: Gallery;
  close(): Promise<void>;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? '';
  return /(?:^|;\s*)tessera_token=([0-9a-f]+)/.exec(cookie)?.[1];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`the request is over ${Math.floor(limit / 2 ** 20)} MiB`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

export async function startWebServer(options: {
  home: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<WebServer> {
  const log = options.log ?? (() => {});
  const token = randomBytes(24).toString('hex');
  const gallery = openGallery(join(options.home, 'library'));
  recoverOrphanedJobs(gallery);
  const client = new InferenceClient();
  const streams = new Set<ServerResponse>();
  const broadcast = (event: EventName, payload: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  const service = new StudioService(options.home, gallery, client, broadcast);
  let port = 0;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // A page on another origin that resolves its name to 127.0.0.1 still sends its own Host.
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) {
      send(res, 403, { ok: false, error: { code: 'forbidden', message: 'wrong Host header' } });
      return;
    }
    const given =
      req.headers['x-tessera-token']?.toString() ??
      url.searchParams.get('token') ??
      cookieToken(req);
    if (!sameToken(given, token)) {
      send(res, 401, {
        ok: false,
        error: {
          code: 'unauthorized',
          message: "open the address Tessera printed: it carries this launch's token",
        },
      });
      return;
    }
    if (url.searchParams.has('token'))
      res.setHeader('set-cookie', `tessera_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
    void route(req, res, url).catch((err: unknown) => {
      send(res, 500, { ok: false, error: { code: 'internal', message: String(err) } });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const invoke = /^\/api\/invoke\/([a-zA-Z]+:[a-zA-Z]+)$/.exec(url.pathname);
    if (invoke !== null && req.method === 'POST') {
      let payload: unknown;
      try {
        payload = await readBody(req, UPLOAD_CHANNELS.has(invoke[1]!) ? MAX_UPLOAD_BODY : MAX_BODY);
      } catch (err) {
        send(res, 400, {
          ok: false,
          error: { code: 'bad-request', message: err instanceof Error ? err.message : String(err) },
        });
        return;
      }
      send(res, 200, await dispatch(service.handlers, invoke[1]!, payload, log));
      return;
    }
    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const asset = /^\/asset\/([0-9a-f]{64})$/.exec(url.pathname);
    if (asset !== null && req.method === 'GET') {
      const thumb = join(gallery.dir, 'thumbs', `${asset[1]}-256.webp`);
      const path =
        url.searchParams.get('size') === 'thumb' && existsSync(thumb)
          ? thumb
          : gallery.objectPath(asset[1]!);
      if (path === null) {
        send(res, 404, { ok: false, error: { code: 'not-found', message: 'no such image' } });
        return;
      }
      const ext = path.slice(path.lastIndexOf('.') + 1);
      res.writeHead(200, {
        'content-type': MIME[ext] ?? 'application/octet-stream',
        'cache-control': 'private, max-age=31536000, immutable',
      });
      createReadStream(path).pipe(res);
      return;
    }
    if (req.method === 'GET' && serveRenderer(url.pathname, res)) return;
    send(res, 404, {
      ok: false,
      error: { code: 'not-found', message: `nothing at ${url.pathname}` },
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    service,
    gallery,
    close: async () => {
      for (const res of streams) res.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Running jobs pause with their state saved; the next launch resumes them.
      service.runner.pauseRunning();
      await service.idle();
      await client.close();
      gallery.close();
    },
  };
}
