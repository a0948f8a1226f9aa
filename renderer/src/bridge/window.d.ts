/**
 * What the Electron preload exposes (app/preload): exactly `invoke` and `on` over the
 * contract's channel and event names, nothing else (docs/architecture.md §The preload bridge).
 */
import type {
  Channel,
  EventName,
  EventOf,
  RequestOf,
  ResponseOf,
  Result,
} from '../../../app/common/contract.ts';

export interface TesseraPreload {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  /** Subscribes to an event; the returned function unsubscribes. */
  on<E extends EventName>(event: E, handler: (payload: EventOf<E>) => void): () => void;
}

declare global {
  interface Window {
    tessera?: TesseraPreload;
  }
}
