/**
 * Captioning and caption scoring for `jpeg-lm`, the twins of `caption` and `score` in
 * native-models/…/jpeg_lm/reference_loop.py, with the image-to-text layout
 * `<bos> <img> body </img> caption <eos>` (the body being the image's JPEG tokens).
 */
import { sampleToken } from '../../engine/logits/sample.ts';
import { Prng, PURPOSE_CAPTION, streamId } from '../../engine/rng.ts';
import type { JpegLmModel } from './model.ts';

function imagePrefix(model: JpegLmModel, mcuTokens: readonly (readonly number[])[]): number[] {
  const sp = model.manifest.specialTokens;
  return [sp.bos, sp.boi!, ...mcuTokens.flat(), sp.eoi!];
}

export interface CaptionSampling {
  temperature: number;
  topP: number;
  seed: number;
}

/**
 * A caption over <eos> and the caption words, at most the word tokenizer's maxTokens: greedy
 * (ties to the lower id, as the reference's lexsort) by default, or sampled (temperature,
 * top-p) from its own PRNG stream when `sampling` is given.
 */
export async function captionImage(
  model: JpegLmModel,
  mcuTokens: readonly (readonly number[])[],
  sampling: CaptionSampling | null = null,
): Promise<string> {
  const { vocab } = model;
  const eos = model.manifest.specialTokens.eos;
  const [lo, hi] = [vocab.textOffset, vocab.jpegOffset];
  const prng = sampling === null ? null : new Prng(sampling.seed, streamId(0, PURPOSE_CAPTION));
  const decoder = model.decoder(1);
  const words: number[] = [];
  try {
    let logits = await decoder.prefill([imagePrefix(model, mcuTokens)]);
    for (let n = 0; n < vocab.words.maxTokens; n++) {
      const row = logits.at(0);
      let best = eos;
      if (prng === null) {
        for (let i = lo; i < hi; i++) if (row[i]! > row[best]!) best = i;
      } else {
        // Candidates: <eos> first, then the caption words, ascending like the allowed ids.
        const candidates = new Float32Array(hi - lo + 1);
        candidates[0] = row[eos]!;
        candidates.set(row.subarray(lo, hi), 1);
        const settings = {
          cfgScale: 1,
          temperature: sampling!.temperature,
          topK: 0,
          topP: sampling!.topP,
          cdk: null,
        };
        const pick = sampleToken(candidates, null, settings, prng);
        best = pick === 0 ? eos : lo + pick - 1;
      }
      if (best === eos) break;
      words.push(best);
      if (n < vocab.words.maxTokens - 1) logits = await decoder.step(best);
    }
  } finally {
    decoder.dispose();
  }
  return vocab.decodeCaption(words);
}

/** log p(token) in nats of row `row`, in float64. */
function logProb(row: Float32Array, token: number): number {
  let max = -Infinity;
  for (const x of row) if (x > max) max = x;
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  return row[token]! - max - Math.log(sum);
}

export interface TextScore {
  /** Sum of log p over the caption's tokens and <eos>, in nats. */
  logProb: number;
  /** Tokens scored: the caption's words (at most maxTokens) and <eos>. */
  tokens: number;
}

/**
 * Teacher-forced log-likelihood of each text (then <eos>) after the image. The reference's
 * `score` is the mean, logProb / tokens. The image prefix runs once; each text continues it
 * on a branch of the cache.
 */
export async function scoreTexts(
  model: JpegLmModel,
  mcuTokens: readonly (readonly number[])[],
  texts: readonly string[],
): Promise<TextScore[]> {
  const eos = model.manifest.specialTokens.eos;
  const decoder = model.decoder(1);
  try {
    const prefix = await decoder.prefill([imagePrefix(model, mcuTokens)]);
    const first = prefix.at(0);
    const scores: TextScore[] = [];
    for (const text of texts) {
      const ids = [...model.vocab.captionIds(text, null), eos];
      let total = logProb(first, ids[0]!);
      if (ids.length > 1) {
        const more = await decoder.branch([ids.slice(0, -1)]);
        for (let t = 1; t < ids.length; t++) total += logProb(more.at(0, t - 1), ids[t]!);
      }
      scores.push({ logProb: total, tokens: ids.length });
    }
    return scores;
  } finally {
    decoder.dispose();
  }
}
