/**
 * A generation's saved state in the host's token-state shape (whole numbers): a format tag,
 * the steps done, the step count it was made for, then the latent's float64 values as two
 * 32-bit halves each, so a resumed run continues from exactly the same numbers (a pause, a
 * restart, or a finished best-of-N candidate replayed without sampling again).
 */
import type { DenoiseState } from './denoise.ts';
import { DiffusionSettingsError } from './denoise.ts';

const TAG = 0x7f1d_0001;

export function encodeState(state: DenoiseState, steps: number): number[] {
  const view = new DataView(state.x.buffer, state.x.byteOffset, state.x.byteLength);
  const out = [TAG, state.done, steps];
  for (let i = 0; i < state.x.length; i++)
    out.push(view.getUint32(i * 8, true), view.getUint32(i * 8 + 4, true));
  return out;
}

/** The state back, refused when it was saved by another model, format or step count. */
export function decodeState(codes: readonly number[], steps: number, values: number): DenoiseState {
  if (
    codes[0] !== TAG ||
    codes.length !== 3 + 2 * values ||
    codes[2] !== steps ||
    codes[1]! > steps
  )
    throw new DiffusionSettingsError(
      'the saved state was not made by this transfusion model with these settings: ' +
        'start the generation again (or replay it with its recorded settings)',
    );
  const x = new Float64Array(values);
  const view = new DataView(x.buffer);
  for (let i = 0; i < values; i++) {
    view.setUint32(i * 8, codes[3 + 2 * i]!, true);
    view.setUint32(i * 8 + 4, codes[4 + 2 * i]!, true);
  }
  return { done: codes[1]!, x };
}
