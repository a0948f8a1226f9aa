/**
 * Passes the user's pause or cancel of a queued job on to the inference run doing its work,
 * for as long as that run lasts. A job runs several inferences one after another (best-of
 * candidates), so each run listens only until it ends.
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from '../execution.ts';

export function forwardStops(ctx: ExecutionContext): { inferenceId: string; done(): void } {
  const inferenceId = randomUUID();
  let listening = true;
  ctx.stop.onRequest((what) => {
    if (!listening) return;
    if (what === 'pause') ctx.client.pause(inferenceId);
    else ctx.client.cancel(inferenceId);
  });
  return {
    inferenceId,
    done: () => {
      listening = false;
    },
  };
}
