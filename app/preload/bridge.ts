/**
 * What the page gets as `window.tessera` (docs/architecture.md §The preload bridge):
 * `invoke(channel, request)`, answered with the contract's Result, and `on(event, handler)`, which
 * returns a function that really removes that subscription. Only the contract's names pass; the
 * page never sees ipcRenderer, nor the IPC event object (whose `sender` is ipcRenderer).
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type {
  Channel,
  EventName,
  EventOf,
  RequestOf,
  ResponseOf,
  Result,
} from '../common/contract.ts';
import { CHANNEL_NAMES, EVENT_NAMES } from './names.ts';

/** The IPC message carrying every contract event (app/main/ipc.ts sends it). */
export const EVENT_MESSAGE = 'tessera:event';

export interface TesseraApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  on<E extends EventName>(event: E, handler: (payload: EventOf<E>) => void): () => void;
}

export type IpcLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNEL_NAMES);
const EVENT_SET: ReadonlySet<string> = new Set(EVENT_NAMES);

function failure(code: string, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

export function createBridge(ipc: IpcLike): TesseraApi {
  const api = {
    invoke(channel: unknown, request: unknown): Promise<Result<unknown>> {
      if (typeof channel !== 'string' || !CHANNEL_SET.has(channel))
        return Promise.resolve(
          failure('unknown-channel', `there is no channel "${String(channel)}"`),
        );
      return (ipc.invoke(channel, request ?? {}) as Promise<Result<unknown>>).catch(
        (err: unknown) => failure('ipc-failed', err instanceof Error ? err.message : String(err)),
      );
    },
    on(event: unknown, handler: unknown): () => void {
      if (typeof event !== 'string' || !EVENT_SET.has(event))
        throw new Error(`there is no event "${String(event)}"`);
      if (typeof handler !== 'function') throw new TypeError('on() needs a handler function');
      const listener = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
        if (name === event) (handler as (payload: unknown) => void)(payload);
      };
      ipc.on(EVENT_MESSAGE, listener);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(EVENT_MESSAGE, listener);
      };
    },
  };
  return Object.freeze(api) as TesseraApi;
}
