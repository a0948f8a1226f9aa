/**
 * A generation's saved state in the host's token-state shape (whole numbers): a format tag,
 * the steps done, the step count it was made for, then the latent's float64 values as three
 * pieces of 21, 21 and 22 bits each (the queue and the library store non-negative Int32 codes), so a resumed run continues from exactly the same numbers (a pause, a
 * restart, or a finished best-of-N candidate replayed without sampling again).
 */
import type { DenoiseState } from './denoise.ts';
import { DiffusionSettingsError } from './denoise.ts';

const TAG = 0x7f1d_0002;
const PIECES = 3;

export function encodeState(state: DenoiseState, steps: number): number[] {
  const view = new DataView(state.x.buffer, state.x.byteOffset, state.x.byteLength);
  const out = [TAG, state.done, steps];
  for (let i = 0; i < state.x.length; i++) {
    const lo = view.getUint32(i * 8, true);
    const hi = view.getUint32(i * 8 + 4, true);
    out.push(hi >>> 11, ((hi & 0x7ff) << 10) | (lo >>> 22), lo & 0x3fffff);
  }
  return out;
}

/** The state back, refused when it was saved by another model, format or step count. */
export function decodeState(codes: readonly number[], steps: number, values: number): DenoiseState {
  if (
    codes[0] !== TAG ||
    codes.length !== 3 + PIECES * values ||
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
    const [a, b, c] = codes.slice(3 + PIECES * i, 6 + PIECES * i) as [number, number, number];
    view.setUint32(i * 8 + 4, ((a << 11) | (b >>> 10)) >>> 0, true);
    view.setUint32(i * 8, (((b & 0x3ff) << 22) | c) >>> 0, true);
  }
  return { done: codes[1]!, x };
}
