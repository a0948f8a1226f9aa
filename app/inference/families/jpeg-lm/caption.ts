/**
 * Captioning and caption scoring for `jpeg-lm`, the twins of `caption` and `score` in
 * native-models/…/jpeg_lm/reference_loop.py, with the image-to-text layout
 * `<bos> <img> body </img> caption <eos>` (the body being the image's JPEG tokens).
 */
import { captionPicker, logProb, type CaptionSampling } from '../shared/caption-words.ts';
import type { JpegLmModel } from './model.ts';

function imagePrefix(model: JpegLmModel, mcuTokens: readonly (readonly number[])[]): number[] {
  const sp = model.manifest.specialTokens;
  return [sp.bos, sp.boi!, ...mcuTokens.flat(), sp.eoi!];
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
  const pick = captionPicker([lo, hi], eos, sampling);
  const decoder = model.decoder(1);
  const words: number[] = [];
  try {
    let logits = await decoder.prefill([imagePrefix(model, mcuTokens)]);
    for (let n = 0; n < vocab.words.maxTokens; n++) {
      const best = pick(logits.at(0));
      if (best === eos) break;
      words.push(best);
      if (n < vocab.words.maxTokens - 1) logits = await decoder.step(best);
    }
  } finally {
    decoder.dispose();
  }
  return vocab.decodeCaption(words);
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
