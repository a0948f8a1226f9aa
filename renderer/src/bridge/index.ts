/**
 * The one typed API every screen uses to talk to the app. Under Electron it goes through the
 * preload's `window.tessera`; in a browser (web mode) through HTTP and server-sent events.
 * Either way a `{ok: false}` answer becomes a thrown ContractCallError.
 */
import type {
  Channel,
  EventName,
  EventOf,
  RequestOf,
  ResponseOf,
} from '../../../app/common/contract.ts';
import { ContractCallError } from './errors.ts';
import { createElectronTransport, type ConnectionState, type Transport } from './transport.ts';
import { createWebTransport, downloadExport } from './web.ts';

export { ContractCallError, describeError } from './errors.ts';
export type { ConnectionState } from './transport.ts';

let transport: Transport | null = null;

function current(): Transport {
  if (transport === null) {
    const preload = typeof window === 'undefined' ? undefined : window.tessera;
    transport = preload === undefined ? createWebTransport() : createElectronTransport(preload);
  }
  return transport;
}

/** Replaces the transport (tests, storybook-like harnesses). */
export function setTransport(t: Transport): void {
  transport = t;
}

export function isElectron(): boolean {
  return typeof window !== 'undefined' && window.tessera !== undefined;
}

export async function invoke<C extends Channel>(
  channel: C,
  request: RequestOf<C>,
): Promise<ResponseOf<C>> {
  const result = await current().invoke(channel, request);
  if (!result.ok) throw new ContractCallError(channel, result.error);
  return result.value as ResponseOf<C>;
}

/** Subscribes to an app event; returns the unsubscribe function. */
export function on<E extends EventName>(
  event: E,
  handler: (payload: EventOf<E>) => void,
): () => void {
  return current().on(event, handler as (payload: unknown) => void);
}

export function onConnection(handler: (state: ConnectionState) => void): () => void {
  return current().onConnection(handler);
}

/** URL of a library image by content hash: the app's asset protocol, or web mode's route. */
export function assetUrl(sha256: string, thumb = false): string {
  const suffix = thumb ? '?size=thumb' : '';
  return isElectron() ? `tessera-asset://${sha256}${suffix}` : `/asset/${sha256}${suffix}`;
}

/**
 * Downloads through the browser (web mode only): the server streams the file to the page
 * instead of writing it to a path the page names.
 */
export const downloads = {
  available: (): boolean => !isElectron(),
  /** a zip of the items, saved where the browser saves downloads; resolves with its file count */
  exportZip: (ids: readonly number[]): Promise<number> => downloadExport(ids),
};

/**
 * Native pickers (the desktop app only; web mode has typed paths, used only inside the folders
 * allowed on the command line). Each resolves to null when
 * the user cancels or there is no native dialog.
 */
export const dialogs = {
  available: isElectron,
  async folder(title: string, buttonLabel?: string): Promise<string | null> {
    if (!isElectron()) return null;
    const r = await invoke('dialog:openFolder', { title, ...(buttonLabel ? { buttonLabel } : {}) });
    return r.path;
  },
  async files(
    title: string,
    choice: { buttonLabel?: string; multiple?: boolean } = {},
  ): Promise<string[]> {
    if (!isElectron()) return [];
    return (await invoke('dialog:openFiles', { title, ...choice })).paths;
  },
  async zip(defaultName: string): Promise<string | null> {
    if (!isElectron()) return null;
    return (await invoke('dialog:saveZip', { defaultName })).path;
  },
};
