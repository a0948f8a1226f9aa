/**
 * A transport for renderer unit tests: each channel answers from a handler the test gives, every
 * call is recorded, and a test can wait for the next call on a channel instead of sleeping.
 * Events are pushed with `emit`.
 */
import type { Channel, EventName, RequestOf, ResponseOf } from '../../../../app/common/contract.ts';
import type { Transport } from '../transport.ts';

type Handlers = {
  [C in Channel]?: (request: RequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>>;
};

export interface FakeTransport extends Transport {
  calls: { channel: Channel; request: unknown }[];
  /** resolves with the request of the next call on `channel` */
  nextCall<C extends Channel>(channel: C): Promise<RequestOf<C>>;
  emit(event: EventName, payload: unknown): void;
}

export function fakeTransport(handlers: Handlers): FakeTransport {
  const calls: FakeTransport['calls'] = [];
  const waiting: { channel: Channel; resolve: (request: unknown) => void }[] = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  return {
    kind: 'web',
    calls,
    async invoke(channel, request) {
      calls.push({ channel, request });
      for (const w of waiting.filter((x) => x.channel === channel)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(request);
      }
      const handler = handlers[channel] as ((r: unknown) => unknown) | undefined;
      if (handler === undefined)
        return { ok: false, error: { code: 'internal', message: `no answer for ${channel}` } };
      try {
        return { ok: true, value: await handler(request) };
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: String(err) } };
      }
    },
    nextCall<C extends Channel>(channel: C) {
      return new Promise<RequestOf<C>>((resolve) =>
        waiting.push({ channel, resolve: resolve as (r: unknown) => void }),
      );
    },
    on(event, handler) {
      const set = listeners.get(event) ?? new Set();
      set.add(handler);
      listeners.set(event, set);
      return () => set.delete(handler);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    onConnection(handler) {
      handler('open');
      return () => {};
    },
  };
}
