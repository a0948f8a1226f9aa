/**
 * `tessera-asset://<sha256>`: the page's only way to images in the library
 * (docs/architecture.md §Desktop shell and security: never bytes over JSON IPC). The name must be a
 * SHA-256 in lowercase hex and nothing else, and it is looked up in the object store, so no URL can
 * name a path: there is nothing to traverse. `?size=thumb` serves the 256 px thumbnail when one was
 * made, else the original.
 *
 * Also registers the app's schemes as privileged: Electron honours only one
 * registerSchemesAsPrivileged call, before the app is ready, so both schemes are listed here.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CustomScheme, Protocol } from 'electron';
import { APP_ORIGIN, APP_SCHEME, ASSET_SCHEME } from './app-origin.ts';

const SHA256 = /^[0-9a-f]{64}$/;
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  avif: 'image/avif',
};

export const PRIVILEGED_SCHEMES: CustomScheme[] = [
  // The page: a standard, secure origin of its own, so 'self', fetch and ES modules work.
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
  },
  // Images: loadable by <img> (and by canvas when the page asks with crossorigin).
  {
    scheme: ASSET_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
  },
];

/** Call once, before `app` is ready. */
export function registerPrivilegedSchemes(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>) {
  protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES);
}

/** What the handler needs of the library (a Gallery). */
export interface AssetLibrary {
  dir: string;
  objectPath(sha256: string): string | null;
}

export interface ResolvedAsset {
  path: string;
  contentType: string;
}

/**
 * The file a `tessera-asset:` URL names, or null: not this scheme, not exactly a SHA-256 (any
 * path, dot, slash or percent-escape is refused), or not in the library.
 */
export function resolveAsset(url: string, library: AssetLibrary): ResolvedAsset | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${ASSET_SCHEME}:`) return null;
  if (parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return null;
  // Chromium writes a standard scheme's empty path as "/"; Node leaves it empty.
  if (parsed.pathname !== '' && parsed.pathname !== '/') return null;
  const sha = parsed.hostname;
  if (!SHA256.test(sha)) return null;
  const thumb = join(library.dir, 'thumbs', `${sha}-256.webp`);
  const path =
    parsed.searchParams.get('size') === 'thumb' && existsSync(thumb)
      ? thumb
      : library.objectPath(sha);
  if (path === null) return null;
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return { path, contentType: IMAGE_TYPES[ext] ?? 'application/octet-stream' };
}

function refuse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}

/** The handler for `protocol.handle(ASSET_SCHEME, ...)`. */
export function createAssetHandler(
  library: AssetLibrary,
  appOrigin: string = APP_ORIGIN,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return refuse(405, 'images are read-only');
    const asset = resolveAsset(request.url, library);
    if (asset === null) return refuse(404, 'no such image');
    const headers = {
      'content-type': asset.contentType,
      'content-length': String(statSync(asset.path).size),
      // Content-addressed: a name never changes what it serves.
      'cache-control': 'private, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': appOrigin,
    };
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    const body = Readable.toWeb(createReadStream(asset.path)) as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers });
  };
}
