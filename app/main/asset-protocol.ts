/**
 * `tessera-asset://<sha256>`: the page's only way to images in the library
 * (docs/architecture.md §Desktop shell and security: never bytes over JSON IPC). The name must be a
 * SHA-256 in lowercase hex and nothing else, and the library says which file holds it (its object,
 * or a captioned photo's own file while unchanged: app/gallery/asset-file.ts), so no URL can name a
 * path: there is nothing to traverse. `?size=thumb` serves the 256 px thumbnail when one was made,
 * else the original. A photo that moved or changed is a JSON 409 saying so.
 *
 * Also registers the app's schemes as privileged: Electron honours only one
 * registerSchemesAsPrivileged call, before the app is ready, so both schemes are listed here.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { CustomScheme, Protocol } from 'electron';
import { changedPhotoMessage, type Gallery } from '../gallery/index.ts';
import { APP_ORIGIN, APP_SCHEME, ASSET_SCHEME } from './app-origin.ts';

const SHA256 = /^[0-9a-f]{64}$/;

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
export type AssetLibrary = Pick<Gallery, 'assetFile'>;

export interface AssetName {
  sha256: string;
  size: 'thumb' | 'full';
}

/**
 * The image a `tessera-asset:` URL names, or null: not this scheme, or not exactly a SHA-256
 * (any path, dot, slash or percent-escape is refused).
 */
export function parseAssetUrl(url: string): AssetName | null {
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
  const sha256 = parsed.hostname;
  if (!SHA256.test(sha256)) return null;
  return { sha256, size: parsed.searchParams.get('size') === 'thumb' ? 'thumb' : 'full' };
}

/** Errors in the same JSON shape as web mode's, so the page shows the same sentence. */
function refuse(status: number, code: string, message: string, appOrigin: string): Response {
  return new Response(JSON.stringify({ ok: false, error: { code, message } }), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': appOrigin,
    },
  });
}

/** The handler for `protocol.handle(ASSET_SCHEME, ...)`. */
export function createAssetHandler(
  library: AssetLibrary,
  appOrigin: string = APP_ORIGIN,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return refuse(405, 'invalid', 'images are read-only', appOrigin);
    const name = parseAssetUrl(request.url);
    if (name === null) return refuse(404, 'not-found', 'no such image', appOrigin);
    const asset = await library.assetFile(name.sha256, name.size);
    if (asset.status === 'missing') return refuse(404, 'not-found', 'no such image', appOrigin);
    if (asset.status === 'changed')
      return refuse(409, 'file-changed', changedPhotoMessage(asset.path), appOrigin);
    const info = await stat(asset.path).catch(() => null);
    if (info === null || !info.isFile())
      return refuse(404, 'not-found', 'no such image', appOrigin);
    const headers = {
      'content-type': asset.contentType,
      'content-length': String(info.size),
      // A hash names the same bytes for ever, wherever they are read from.
      'cache-control': 'private, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': appOrigin,
    };
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    const body = Readable.toWeb(createReadStream(asset.path)) as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers });
  };
}
