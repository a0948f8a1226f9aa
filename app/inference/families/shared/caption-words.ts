/**
 * The two pieces of captioning and caption scoring every family runs the same way once its
 * image prefix is in the decoder: choosing the next caption token among <eos> and the caption
 * words, and a token's log-probability under a row of logits.
 */
import { sampleToken } from '../../engine/logits/sample.ts';
import { Prng, PURPOSE_CAPTION, streamId } from '../../engine/rng.ts';

export interface CaptionSampling {
  temperature: number;
  topP: number;
  seed: number;
}

/**
 * The next caption token from a row of logits, among <eos> and the words [lo, hi): greedy by
 * default (ties to the lower id, as numpy's argmax and lexsort), or sampled (temperature, top-p)
 * from the caption's own PRNG stream, one draw per token, when `sampling` is given.
 */
export function captionPicker(
  [lo, hi]: readonly [number, number],
  eos: number,
  sampling: CaptionSampling | null,
): (row: Float32Array) => number {
  if (sampling === null)
    return (row) => {
      let best = eos;
      for (let i = lo; i < hi; i++) if (row[i]! > row[best]!) best = i;
      return best;
    };
  const prng = new Prng(sampling.seed, streamId(0, PURPOSE_CAPTION));
  const settings = {
    cfgScale: 1,
    temperature: sampling.temperature,
    topK: 0,
    topP: sampling.topP,
    cdk: null,
  };
  // Candidates: <eos> first, then the caption words, in one contiguous array.
  const candidates = new Float32Array(hi - lo + 1);
  return (row) => {
    candidates[0] = row[eos]!;
    candidates.set(row.subarray(lo, hi), 1);
    const pick = sampleToken(candidates, null, settings, prng);
    return pick === 0 ? eos : lo + pick - 1;
  };
}

/** log p(token) in nats under a row of logits, in float64. */
export function logProb(row: Float32Array, token: number): number {
  let max = -Infinity;
  for (const x of row) if (x > max) max = x;
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  return row[token]! - max - Math.log(sum);
}
