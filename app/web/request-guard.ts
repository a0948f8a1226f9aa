/**
 * Who may ask web mode for what. Another page on this machine is the threat: a page on another
 * port of 127.0.0.1 is the same *site* as the studio (cookies are not port-scoped and
 * `SameSite` lets them through), and `localhost` resolves here too. So the studio's own
 * *origin* (scheme, host and port) is what is checked, never the site:
 *
 * - API calls (`/api/...`) need the launch token in the `x-tessera-token` header. A cross-origin
 *   page cannot set that header without a CORS preflight, which this server never grants; and
 *   a browser's `Origin` / `Sec-Fetch-Site` must name this very origin when sent. A cookie or a
 *   `?token=` in the address never authorises one.
 * - The page (`/`) needs `?token=`: the address `tessera serve` printed. Only a navigation the
 *   user made (typed, clicked in the terminal, reloaded) or one from the studio itself may use
 *   it; a link or a frame on another page is refused even if it knows the token. It sets the
 *   cookie that lets the page load its own scripts and images.
 * - Subresources (the page's scripts, library images) need that cookie and a browser's word
 *   that the request comes from this origin (`Sec-Fetch-Site: same-origin`), or the header.
 *   Their responses also carry `Cross-Origin-Resource-Policy: same-origin`, so another origin's
 *   `<img>` or `<script>` cannot load them even from the browser's cache.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-tessera-token';

export type RequestKind = 'api' | 'page' | 'subresource';

export type Verdict =
  | { ok: true; setCookie: string | null }
  | { ok: false; status: 401 | 403; code: 'unauthorized' | 'forbidden'; message: string };

const OPEN_PRINTED_ADDRESS =
  "open the address `tessera serve` printed (it carries this launch's token) by typing or pasting it into the address bar";

export function sameSecret(given: string | undefined | null, secret: string): boolean {
  if (given === undefined || given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function refuse(message: string): Verdict {
  return { ok: false, status: 403, code: 'forbidden', message };
}

function unauthorized(message: string): Verdict {
  return { ok: false, status: 401, code: 'unauthorized', message };
}

export interface RequestGuard {
  /** the launch token: the header of API calls, the `?token=` of the first page load */
  readonly token: string;
  /** the cookie's name, which includes the port: two studios on one machine keep theirs apart */
  readonly cookieName: string;
  check(req: IncomingMessage, url: URL, kind: RequestKind): Verdict;
}

export function createRequestGuard(port: number): RequestGuard {
  const token = randomBytes(24).toString('hex');
  // The cookie holds its own secret, not the token: a cookie can never stand in for the header.
  const session = randomBytes(24).toString('hex');
  const cookieName = `tessera_session_${port}`;
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  function check(req: IncomingMessage, url: URL, kind: RequestKind): Verdict {
    const host = header(req, 'host');
    // A DNS-rebinding site resolves its own name to 127.0.0.1 but still sends that name.
    if (host === undefined || !hosts.has(host)) return refuse('wrong Host header');
    const origin = header(req, 'origin');
    if (origin !== undefined && origin !== `http://${host}`)
      return refuse(`calls from ${origin} are refused: only the studio's own page may call it`);
    const site = header(req, 'sec-fetch-site');
    const queryToken = url.searchParams.get('token');

    if (kind === 'api') {
      if (site !== undefined && site !== 'same-origin')
        return refuse("only the studio's own page may call it");
      if (queryToken !== null)
        return unauthorized(
          `API calls take the token in the ${TOKEN_HEADER} header, never in the address`,
        );
      if (!sameSecret(header(req, TOKEN_HEADER), token))
        return unauthorized(`send this launch's token in the ${TOKEN_HEADER} header`);
      return { ok: true, setCookie: null };
    }

    if (kind === 'page') {
      if (site !== undefined && site !== 'none' && site !== 'same-origin')
        return refuse(`the studio opens only from its own address: ${OPEN_PRINTED_ADDRESS}`);
      const dest = header(req, 'sec-fetch-dest');
      if (dest !== undefined && dest !== 'document')
        return refuse('the studio cannot be embedded in another page');
      if (!sameSecret(queryToken, token)) return unauthorized(OPEN_PRINTED_ADDRESS);
      return {
        ok: true,
        setCookie: `${cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/`,
      };
    }

    if (queryToken !== null)
      return unauthorized('the token is only for opening the studio: open the printed address');
    if (sameSecret(header(req, TOKEN_HEADER), token)) {
      if (site !== undefined && site !== 'same-origin')
        return refuse("only the studio's own page may load it");
      return { ok: true, setCookie: null };
    }
    if (site !== 'same-origin')
      return refuse("only the studio's own page may load it (a browser that says so)");
    if (!sameSecret(cookieValue(req, cookieName), session))
      return unauthorized(OPEN_PRINTED_ADDRESS);
    return { ok: true, setCookie: null };
  }

  return { token, cookieName, check };
}
