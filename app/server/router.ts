/**
 * Dispatches one contract call: parses the request with the channel's schema, runs the
 * handler, checks the response (so a handler cannot drift from the contract unnoticed) and
 * answers with a Result envelope. Nothing throws across the boundary; slow handlers are logged.
 */
import { CHANNELS, type Channel, type Result } from '../common/contract.ts';
import { describeError } from '../common/errors.ts';
import type { Handlers } from './studio-service.ts';

const SLOW_MS = 50;

export async function dispatch(
  handlers: Partial<Record<Channel, unknown>> | Handlers,
  channel: string,
  payload: unknown,
  log: (line: string) => void = () => {},
): Promise<Result<unknown>> {
  if (!Object.hasOwn(CHANNELS, channel))
    return {
      ok: false,
      error: { code: 'unknown-channel', message: `there is no channel "${channel}"` },
    };
  const spec = CHANNELS[channel as Channel];
  const started = performance.now();
  try {
    const request = spec.request.parse(payload ?? {});
    const handler = (handlers as Partial<Record<Channel, (r: unknown) => unknown>>)[
      channel as Channel
    ];
    if (handler === undefined)
      return {
        ok: false,
        error: {
          code: 'unsupported',
          message: `${channel} is only available in the desktop app`,
        },
      };
    const answer = spec.response.safeParse(await handler(request));
    // A handler that drifted from the contract is a bug, not a bad request.
    if (!answer.success)
      throw new Error(`${channel} answered outside its contract: ${answer.error.message}`);
    return { ok: true, value: answer.data };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  } finally {
    const ms = performance.now() - started;
    if (ms > SLOW_MS) log(`slow handler ${channel}: ${ms.toFixed(0)} ms`);
  }
}
