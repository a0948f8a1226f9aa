/**
 * Where the studio's own page lives. The window loads the built renderer from a custom,
 * privileged scheme (`app://tessera/index.html`) rather than `file://`, so the page's origin is
 * its own (a file:// page may read any other file://), `'self'` in its CSP means exactly the
 * app, and images come from the separate `tessera-asset://<sha256>` scheme.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'tessera';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;
export const ASSET_SCHEME = 'tessera-asset';

/**
 * The one Content-Security-Policy of every page the app shows
 * (docs/architecture.md §Desktop shell and security).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `img-src 'self' data: blob: ${ASSET_SCHEME}:`,
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * `scheme://host` of a URL, parsed (not string-compared: `app://tessera.evil` is not the app);
 * null when it does not parse. Node's URL reports the origin of custom schemes as "null", so
 * this is built from the protocol and host.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/** The app's own page: its origin, and only its index (or the origin's root). */
export function isAppPage(url: string, appOrigin: string = APP_ORIGIN): boolean {
  if (originOf(url) !== appOrigin) return false;
  const { pathname } = new URL(url);
  return pathname === '/' || pathname === '/index.html';
}
