/**
 * Web mode: the studio's contract served over HTTP on 127.0.0.1 only, on a random port, to the
 * studio's own page and to scripts that hold this launch's token, and to nothing else on this
 * machine (app/web/request-guard.ts says who may ask for what). Calls: POST
 * /api/invoke/<channel> (token in the x-tessera-token header); events: GET /api/events
 * (server-sent events, same header); exports: POST /api/export (a zip download); images: GET
 * /asset/<sha256> (a name that is only a hash, never a path). Paths a page names are used only
 * inside the folders allowed on the command line (app/web/folder-allow-list.ts).
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_OPEN_FILE_BYTES, type EventName } from '../common/contract.ts';
import { changedPhotoMessage, openGallery, type Gallery } from '../gallery/index.ts';
import { InferenceClient } from '../inference/client.ts';
import { recoverOrphanedJobs } from '../jobs/runner.ts';
import { CONTENT_SECURITY_POLICY } from '../main/app-origin.ts';
import { dispatch } from '../server/router.ts';
import { StudioService } from '../server/studio-service.ts';
import { sendExportZip } from './export-download.ts';
import { refusePaths, resolveAllowedFolders } from './folder-allow-list.ts';
import { readJsonBody } from './read-body.ts';
import { createRequestGuard, type RequestGuard, type RequestKind } from './request-guard.ts';
import { sendFile } from './send-file.ts';
import { sendJson } from './send-json.ts';

export const MAX_BODY = 1 << 20;
/** Calls that carry a file's bytes (an image opened for infill or dropped onto the Library,
 * base64) may be this large. */
export const MAX_UPLOAD_BODY = Math.ceil(MAX_OPEN_FILE_BYTES / 3) * 4 + 4096;
const UPLOAD_CHANNELS: ReadonlySet<string> = new Set(['infill:openFile', 'gallery:importUpload']);

/** The built renderer (`node --import tsx electron.config.ts --only renderer`). */
export const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url));
const STATIC_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};
/** The desktop window's policy, word for word. */
export const WEB_CSP = CONTENT_SECURITY_POLICY;

/** Sent with every answer: nothing here may be framed, sniffed or loaded by another origin. */
const EVERY_RESPONSE: Record<string, string> = {
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT =
  'The studio UI is not built: run `npm start` (or `node --import tsx electron.config.ts --only renderer`).';

/**
 * index.html for `/`, and files under assets/ by name only (no path can climb out). Source
 * maps are never served. False when there is no such file.
 */
async function serveRenderer(
  dir: string,
  pathname: string,
  res: ServerResponse,
  log: (line: string) => void,
): Promise<boolean> {
  const name =
    pathname === '/' || pathname === '/index.html'
      ? 'index.html'
      : /^\/assets\/([\w.-]+)$/.exec(pathname)?.[1];
  if (name === undefined || name.includes('..') || name.endsWith('.map')) return false;
  const path = name === 'index.html' ? join(dir, name) : join(dir, 'assets', name);
  if (name === 'index.html' && !existsSync(path)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(NOT_BUILT);
    return true;
  }
  await sendFile(
    res,
    path,
    {
      'content-type':
        STATIC_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
      'content-security-policy': WEB_CSP,
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-cache',
    },
    log,
  );
  return true;
}

function kindOf(pathname: string): RequestKind {
  if (pathname.startsWith('/api/')) return 'api';
  if (pathname === '/' || pathname === '/index.html') return 'page';
  return 'subresource';
}

export interface WebServer {
  url: string;
  token: string;
  port: number;
  service: StudioService;
  gallery: Gallery;
  /** the real paths of the folders the page may name */
  allowedFolders: readonly string[];
  close(): Promise<void>;
}

export interface WebServerOptions {
  home: string;
  port?: number;
  log?: (line: string) => void;
  /** folders whose paths the page may name (`tessera serve --allow-folder DIR`) */
  allowFolders?: readonly string[];
  /** the built renderer to serve (tests) */
  rendererDir?: string;
}

const UNEXPECTED = {
  ok: false,
  error: {
    code: 'internal',
    message:
      'the studio hit an unexpected error: the terminal running `tessera serve` has the details',
  },
} as const;

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const log = options.log ?? (() => {});
  const rendererDir = options.rendererDir ?? RENDERER_DIR;
  const allowedFolders = await resolveAllowedFolders(options.allowFolders ?? []);
  const gallery = openGallery(join(options.home, 'library'));
  recoverOrphanedJobs(gallery);
  const client = new InferenceClient();
  const streams = new Set<ServerResponse>();
  const broadcast = (event: EventName, payload: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  const service = new StudioService(options.home, gallery, client, broadcast);
  // Made once the port is known: the guard checks it.
  let guard: RequestGuard | null = null;

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(EVERY_RESPONSE)) res.setHeader(name, value);
    void handle(req, res).catch((err: unknown) => {
      // The details go to the terminal, never to whoever sent the request.
      log(
        `${req.method ?? '?'} ${req.url ?? '?'} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      sendJson(res, 500, UNEXPECTED);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    if (!raw.startsWith('/') || guard === null) {
      sendJson(res, 400, {
        ok: false,
        error: { code: 'bad-request', message: 'bad request line' },
      });
      return;
    }
    const url = new URL(`http://studio${raw}`);
    const kind = kindOf(url.pathname);
    const verdict = guard.check(req, url, kind);
    if (!verdict.ok) {
      sendJson(res, verdict.status, {
        ok: false,
        error: { code: verdict.code, message: verdict.message },
      });
      return;
    }
    if (verdict.setCookie !== null) res.setHeader('set-cookie', verdict.setCookie);
    await route(req, res, url);
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const invoke = /^\/api\/invoke\/([a-zA-Z]+:[a-zA-Z]+)$/.exec(url.pathname);
    if (invoke !== null && req.method === 'POST') {
      const channel = invoke[1]!;
      const body = await readJsonBody(
        req,
        res,
        UPLOAD_CHANNELS.has(channel) ? MAX_UPLOAD_BODY : MAX_BODY,
      );
      if (body === undefined) return;
      const refusal = await refusePaths(channel, body.value, allowedFolders);
      if (refusal !== null) {
        sendJson(res, 200, { ok: false, error: { code: 'path-not-allowed', message: refusal } });
        return;
      }
      sendJson(res, 200, await dispatch(service.handlers, channel, body.value, log));
      return;
    }
    if (url.pathname === '/api/export' && req.method === 'POST') {
      const body = await readJsonBody(req, res, MAX_BODY);
      if (body !== undefined) await sendExportZip(gallery, body.value, res, log);
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
      const file = await gallery.assetFile(
        asset[1]!,
        url.searchParams.get('size') === 'thumb' ? 'thumb' : 'full',
      );
      if (file.status === 'missing') {
        sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'no such image' } });
        return;
      }
      if (file.status === 'changed') {
        sendJson(res, 409, {
          ok: false,
          error: { code: 'file-changed', message: changedPhotoMessage(file.path) },
        });
        return;
      }
      await sendFile(
        res,
        file.path,
        {
          'content-type': file.contentType,
          // A hash names the same bytes for ever, wherever they are read from.
          'cache-control': 'private, max-age=31536000, immutable',
        },
        log,
      );
      return;
    }
    if (req.method === 'GET' && (await serveRenderer(rendererDir, url.pathname, res, log))) return;
    sendJson(res, 404, {
      ok: false,
      error: { code: 'not-found', message: `nothing at ${url.pathname}` },
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard = createRequestGuard(port);
  const token = guard.token;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    service,
    gallery,
    allowedFolders,
    close: async () => {
      service.pulls.cancelAll();
      for (const res of streams) res.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      // Running jobs pause with their state saved; the next launch resumes them.
      service.runner.pauseRunning();
      await service.idle();
      await client.close();
      gallery.close();
    },
  };
}
