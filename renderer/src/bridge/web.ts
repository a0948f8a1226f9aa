/**
 * Web mode's transport (app/web/serve.ts): `POST /api/invoke/<channel>` with a JSON body
 * answers a Result; `GET /api/events` streams server-sent events. The per-launch token rides
 * in a cookie the server set on the first page load; the `?token=` of that load is also kept
 * and sent as a header, so a browser that refuses the cookie still works.
 */
import type { Channel, EventName, Result } from '../../../app/common/contract.ts';
import type { ConnectionState, Transport } from './transport.ts';

const EVENT_NAMES: readonly EventName[] = ['jobs:event', 'gallery:changed', 'menu:command'];
const MAX_BACKOFF_MS = 10_000;

function launchToken(): string | null {
  try {
    return new URLSearchParams(window.location.search).get('token');
  } catch {
    return null;
  }
}

const UNREACHABLE =
  "Tessera's server is not answering: check that `tessera serve` is still running, then reload this page";

export function createWebTransport(): Transport {
  const token = launchToken();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let source: EventSource | null = null;
  let state: ConnectionState = 'connecting';
  let backoff = 500;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(next);
  };

  const connect = () => {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    source?.close();
    const es = new EventSource('/api/events', { withCredentials: true });
    source = es;
    es.onopen = () => {
      backoff = 500;
      setState('open');
    };
    es.onerror = () => {
      // The browser retries by itself while the stream is CONNECTING; once CLOSED (the server
      // answered an error, or went away for good) we reconnect with a capped backoff.
      if (es.readyState === EventSource.CLOSED) {
        setState('closed');
        retryTimer = setTimeout(connect, backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      } else setState('connecting');
    };
    for (const name of EVENT_NAMES) {
      es.addEventListener(name, (e) => {
        let payload: unknown;
        try {
          payload = JSON.parse((e as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const handler of listeners.get(name) ?? []) handler(payload);
      });
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
          headers: {
            'content-type': 'application/json',
            ...(token === null ? {} : { 'x-tessera-token': token }),
          },
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
      if (source === null) connect();
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
