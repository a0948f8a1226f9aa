/**
 * Dispatches one contract call: parses the request with the channel's schema, runs the
 * handler, checks the response (so a handler cannot drift from the contract unnoticed) and
 * answers with a Result envelope. Nothing throws across the boundary; slow handlers are logged.
 */
import { ZodError } from 'zod';
import { CHANNELS, type Channel, type Result } from '../common/contract.ts';
import { GalleryError } from '../gallery/index.ts';
import { ReplayRefusedError } from '../jobs/replay-job.ts';
import { ImageReadError } from '../media/load-image.ts';
import { ModelImportError } from '../models/import-model.ts';
import { ModelUnavailableError } from '../models/installed.ts';
import type { Handlers } from './studio-service.ts';

const SLOW_MS = 50;

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof ZodError)
    return {
      code: 'bad-request',
      message: err.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '),
    };
  if (err instanceof GalleryError) return { code: err.code, message: err.message };
  if (err instanceof ModelUnavailableError)
    return { code: 'model-unavailable', message: err.message };
  if (err instanceof ReplayRefusedError) return { code: err.code, message: err.message };
  if (err instanceof ImageReadError) return { code: 'unreadable-image', message: err.message };
  if (err instanceof ModelImportError) return { code: err.code, message: err.message };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

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
    const value = spec.response.parse(await handler(request));
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: errorOf(err) };
  } finally {
    const ms = performance.now() - started;
    if (ms > SLOW_MS) log(`slow handler ${channel}: ${ms.toFixed(0)} ms`);
  }
}
