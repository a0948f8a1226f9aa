/**
 * Web mode's transport (app/web/serve.ts): `POST /api/invoke/<channel>` with a JSON body
 * answers a Result; `GET /api/events` streams server-sent events. Every call carries this
 * launch's token in the `x-tessera-token` header, read from the `?token=` of the address the
 * page was opened with (the server accepts no cookie or address token on a call). The events
 * are read through fetch rather than EventSource, which cannot send a header.
 */
import type { Channel, EventName, Result } from '../../../app/common/contract.ts';
import { readEventStream } from './event-stream.ts';
import type { ConnectionState, Transport } from './transport.ts';

const EVENT_NAMES: ReadonlySet<string> = new Set<EventName>([
  'jobs:event',
  'models:pull',
  'gallery:changed',
  'menu:command',
]);
const MAX_BACKOFF_MS = 10_000;

function launchToken(): string | null {
  try {
    return new URLSearchParams(window.location.search).get('token');
  } catch {
    return null;
  }
}

function tokenHeader(): Record<string, string> {
  const token = launchToken();
  return token === null ? {} : { 'x-tessera-token': token };
}

const UNREACHABLE =
  "Tessera's server is not answering: check that `tessera serve` is still running, then reload this page";

export function createWebTransport(): Transport {
  const headers = tokenHeader();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let connected = false;
  let state: ConnectionState = 'connecting';
  let backoff = 500;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(next);
  };

  const deliver = (name: string, data: string) => {
    if (!EVENT_NAMES.has(name)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    for (const handler of listeners.get(name as EventName) ?? []) handler(payload);
  };

  // One stream for the page's life: when it ends or fails, it reconnects with a capped backoff.
  const connect = async (): Promise<void> => {
    for (;;) {
      setState('connecting');
      try {
        const res = await fetch('/api/events', {
          credentials: 'same-origin',
          cache: 'no-store',
          headers,
        });
        if (res.ok && res.body !== null) {
          backoff = 500;
          setState('open');
          await readEventStream(res.body, deliver);
        }
      } catch {
        // unreachable, or the stream broke: try again below
      }
      setState('closed');
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  };

  return {
    kind: 'web',
    async invoke(channel: Channel, request: unknown): Promise<Result<unknown>> {
      let res: Response;
      try {
        res = await fetch(`/api/invoke/${channel}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(request ?? {}),
        });
      } catch {
        return { ok: false, error: { code: 'unreachable', message: UNREACHABLE } };
      }
      try {
        const body = (await res.json()) as Result<unknown>;
        if (typeof body === 'object' && body !== null && 'ok' in body) return body;
      } catch {
        // fall through
      }
      return {
        ok: false,
        error: {
          code: `http-${res.status}`,
          message: `${channel} got an unreadable answer (HTTP ${res.status}): reload the page; if it persists, restart \`tessera serve\``,
        },
      };
    },
    on(event, handler) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(handler);
      if (!connected) {
        connected = true;
        void connect();
      }
      return () => {
        set.delete(handler);
      };
    },
    onConnection(handler) {
      stateListeners.add(handler);
      handler(state);
      return () => {
        stateListeners.delete(handler);
      };
    },
  };
}

/**
 * Web mode's export: the server streams a zip of the items, and the browser saves it where the
 * user's downloads go. Resolves with the number of files in it.
 */
export async function downloadExport(ids: readonly number[]): Promise<number> {
  let res: Response;
  try {
    res = await fetch('/api/export', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', ...tokenHeader() },
      body: JSON.stringify({ ids }),
    });
  } catch {
    throw new Error(UNREACHABLE);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as Result<unknown> | null;
    throw new Error(
      body !== null && !body.ok
        ? body.error.message
        : `the export failed (HTTP ${res.status}): reload the page and try again`,
    );
  }
  const name =
    /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ??
    'tessera-export.zip';
  const url = URL.createObjectURL(await res.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click has handed the blob to the download; free it once that has started.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return Number(res.headers.get('x-tessera-files') ?? ids.length);
}
