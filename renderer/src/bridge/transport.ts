import type { Channel, EventName, Result } from '../../../app/common/contract.ts';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** What each transport provides; the typed API in index.ts sits on top. */
export interface Transport {
  kind: 'electron' | 'web';
  invoke(channel: Channel, request: unknown): Promise<Result<unknown>>;
  on(event: EventName, handler: (payload: unknown) => void): () => void;
  /** Event-stream health; called at once with the current state. */
  onConnection(handler: (state: ConnectionState) => void): () => void;
}

/** Electron: the preload's `window.tessera`. IPC cannot drop, so it is always open. */
export function createElectronTransport(preload: NonNullable<Window['tessera']>): Transport {
  return {
    kind: 'electron',
    invoke: (channel, request) =>
      preload.invoke(channel, request as never) as Promise<Result<unknown>>,
    on: (event, handler) => preload.on(event, handler as never),
    onConnection(handler) {
      handler('open');
      return () => {};
    },
  };
}
