/**
 * What a token family's job tells the host while it writes an image code by code: progress at
 * most ten times a second, a checkpoint each time another grid row is in (a parallel run may
 * accept several codes at once, so a checkpoint falls on the first call past the row), a preview
 * at most four times a second, and whether to go on (cancel and pause are read between codes).
 */
import type { Emit, JobControl } from '../types.ts';
import { b64, yieldToEventLoop } from './job-io.ts';

const PROGRESS_INTERVAL_MS = 100;
const PREVIEW_INTERVAL_MS = 250;

type Preview = (codes: readonly number[]) => Promise<Uint8Array>;

/** `afterCode` for a generation of `total` codes, checkpointed every `checkpointEvery`. */
export function generationEvents(
  emit: Emit,
  control: JobControl,
  total: number,
  checkpointEvery: number,
  preview: Preview,
): (sofar: readonly number[]) => Promise<boolean> {
  const started = Date.now();
  let lastProgress = 0;
  let lastPreview = 0;
  let checkpointed = 0;
  return async (sofar) => {
    await yieldToEventLoop();
    const now = Date.now();
    if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = now;
      const ratePerSecond = (sofar.length / Math.max(1, now - started)) * 1000;
      emit({ type: 'progress', done: sofar.length, total, unit: 'token', ratePerSecond });
    }
    if (Math.floor(sofar.length / checkpointEvery) > checkpointed) {
      checkpointed = Math.floor(sofar.length / checkpointEvery);
      emit({ type: 'checkpoint', state: { codes: [...sofar] } });
      if (now - lastPreview >= PREVIEW_INTERVAL_MS) {
        lastPreview = now;
        emit({ type: 'preview', imageRgb: b64(await preview(sofar)), done: sofar.length });
      }
    }
    return control.stop === null;
  };
}

/** `afterCode` for an infill: progress (always at its last code) and previews of the grid. */
export function infillEvents(
  emit: Emit,
  control: JobControl,
  preview: Preview,
): (done: number, total: number, grid: readonly number[]) => Promise<boolean> {
  const started = Date.now();
  let lastProgress = 0;
  let lastPreview = 0;
  return async (done, total, grid) => {
    await yieldToEventLoop();
    const now = Date.now();
    if (now - lastProgress >= PROGRESS_INTERVAL_MS || done === total) {
      lastProgress = now;
      const ratePerSecond = (done / Math.max(1, now - started)) * 1000;
      emit({ type: 'progress', done, total, unit: 'token', ratePerSecond });
    }
    if (now - lastPreview >= PREVIEW_INTERVAL_MS) {
      lastPreview = now;
      emit({ type: 'preview', imageRgb: b64(await preview(grid)), done });
    }
    return control.stop === null;
  };
}
