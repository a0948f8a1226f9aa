/**
 * A generation's saved state in the host's token-state shape (whole numbers): a format tag,
 * the tokens done, the token count and AR dims it was made for, then every sampled AR value's
 * float32 bits as two 16-bit halves (low first), so every code fits the signed 32-bit integers
 * the library stores and the non-negative ones the queue's state holds. Resuming feeds those exact values back through the decoder and continues the
 * sample stream where they left it (each token takes a fixed number of draws), so a pause or a
 * restart goes on from the same soft tokens.
 */
import { GmmSettingsError } from './settings.ts';

const TAG = 0x7f1e_0001;

export interface TokenState {
  done: number;
  /** [N·d] AR dims; rows past `done` are zero */
  ar: Float32Array;
}

export function encodeState(state: TokenState, tokens: number, arDims: number): number[] {
  const bits = new Uint16Array(state.ar.buffer, state.ar.byteOffset, 2 * state.done * arDims);
  return [TAG, state.done, tokens, arDims, ...bits];
}

export function decodeState(codes: readonly number[], tokens: number, arDims: number): TokenState {
  const done = codes[1] ?? -1;
  if (
    codes[0] !== TAG ||
    codes[2] !== tokens ||
    codes[3] !== arDims ||
    done < 0 ||
    done > tokens ||
    codes.length !== 4 + 2 * done * arDims ||
    codes.some((c, i) => i >= 4 && !(Number.isInteger(c) && c >= 0 && c <= 0xffff))
  )
    throw new GmmSettingsError(
      'the saved state was not made by this jetformer model: start the generation again ' +
        '(or replay it with its recorded settings)',
    );
  const ar = new Float32Array(tokens * arDims);
  new Uint16Array(ar.buffer).set(codes.slice(4));
  return { done, ar };
}
