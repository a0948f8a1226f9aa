/**
 * The contract over Electron IPC: one `ipcMain.handle` per channel of CHANNELS, each of which
 * refuses any sender but the app's own top-level frame and otherwise answers with the router's
 * Result (parsed request, checked response, never a thrown error). Events go to the window as
 * one IPC message, `tessera:event`, carrying the event's name and payload; the preload hands
 * them to the page's subscribers of that name.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  CHANNELS,
  type Channel,
  type RequestOf,
  type ResponseOf,
  type Result,
} from '../common/contract.ts';
import { dispatch } from '../server/router.ts';
import type { Broadcast } from '../server/studio-service.ts';
import { isTrustedSender } from './security.ts';

/** The IPC message that carries every contract event to the page (the preload's twin). */
export const EVENT_MESSAGE = 'tessera:event';

/** Every contract channel, from the contract itself: a channel cannot be left unregistered. */
export const CONTRACT_CHANNELS = Object.keys(CHANNELS) as Channel[];

export type IpcRegistrar = Pick<IpcMain, 'handle' | 'removeHandler'>;

/**
 * A handler for every channel of the contract: the service's, plus the shell's own (dialogs).
 * Leaving one out is a compile error where main.ts builds this map.
 */
export type ContractHandlers = {
  [C in Channel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

export interface IpcOptions {
  /** `scheme://host` of the app's page: the only origin allowed to call. */
  appOrigin: string;
  log?: (line: string) => void;
}

export const FORBIDDEN: Result<never> = {
  ok: false,
  error: {
    code: 'forbidden',
    message: "only the studio's own page may call the app",
  },
};

/**
 * Registers the handlers; `handlers` must cover every channel (a compile error otherwise).
 * Returns a function that removes them again.
 */
export function registerIpc(
  ipcMain: IpcRegistrar,
  handlers: ContractHandlers,
  options: IpcOptions,
) {
  const log = options.log ?? (() => {});
  for (const channel of CONTRACT_CHANNELS) {
    ipcMain.handle(
      channel,
      async (event: IpcMainInvokeEvent, payload: unknown): Promise<Result<unknown>> => {
        if (!isTrustedSender(event.senderFrame, options.appOrigin)) {
          log(`refused ${channel} from ${event.senderFrame?.url ?? 'a frame that is gone'}`);
          return FORBIDDEN;
        }
        return dispatch(handlers, channel, payload, log);
      },
    );
  }
  return (): void => {
    for (const channel of CONTRACT_CHANNELS) ipcMain.removeHandler(channel);
  };
}

export type EventTarget = Pick<WebContents, 'send' | 'isDestroyed'>;

/**
 * The service's broadcast for the desktop: sends each event to the current window's page (none
 * while no window is open, e.g. on macOS after the last one was closed).
 */
export function eventSender(target: () => EventTarget | null | undefined): Broadcast {
  return (event, payload) => {
    const contents = target();
    if (contents === null || contents === undefined || contents.isDestroyed()) return;
    contents.send(EVENT_MESSAGE, event, payload);
  };
}

/** A contract call made by the main process itself (menu commands): same parsing, same Result. */
export function invokeLocal<C extends Channel>(
  handlers: ContractHandlers,
  channel: C,
  request: RequestOf<C>,
  log?: (line: string) => void,
): Promise<Result<ResponseOf<C>>> {
  return dispatch(handlers, channel, request, log) as Promise<Result<ResponseOf<C>>>;
}
