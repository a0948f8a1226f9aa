/**
 * Captioning and caption scoring for `vq-ar` with the CM3 image-first template
 * `<bos> <mask:0> <break> image <break> <infill> <mask:0> caption <eos>`
 * (docs/models.md §vq-ar infill and captioning).
 */
import { captionPicker, logProb, type CaptionSampling } from '../shared/caption-words.ts';
import type { VqArModel } from './model.ts';

function imageFirstPrefix(model: VqArModel, codes: readonly number[]): number[] {
  const sp = model.manifest.specialTokens;
  const s0 = sp.sentinels![0]!;
  const lo = model.imageRange[0];
  return [sp.bos, s0, sp.break!, ...codes.map((c) => c + lo), sp.break!, sp.infill!, s0];
}

/**
 * A caption over caption words and <eos>, at most the tokenizer's maxTokens words: greedy by
 * default, or sampled (temperature, top-p) from its own PRNG stream when `sampling` is given.
 */
export async function captionCodes(
  model: VqArModel,
  codes: readonly number[],
  sampling: CaptionSampling | null = null,
): Promise<string> {
  const m = model.manifest;
  const [textLo, textHi] = m.tokenizer.idRanges.text;
  const eos = m.specialTokens.eos;
  const decoder = model.decoder(1);
  const pick = captionPicker([textLo, textHi], eos, sampling);
  const words: number[] = [];
  try {
    let logits = await decoder.prefill([imageFirstPrefix(model, codes)]);
    for (let n = 0; n <= m.tokenizer.maxTokens; n++) {
      const best = pick(logits.at(0));
      if (best === eos) break;
      words.push(best - textLo);
      logits = await decoder.step(best);
    }
  } finally {
    decoder.dispose();
  }
  return model.words.decode(words);
}

/**
 * log p(text, <eos> | image) in nats for each candidate (teacher-forced), the model's own
 * measure of how well a text describes an image: best-of-N ranking and `tessera score`.
 */
export async function scoreTexts(
  model: VqArModel,
  codes: readonly number[],
  texts: readonly number[][],
): Promise<number[]> {
  const eos = model.manifest.specialTokens.eos;
  const prefix = imageFirstPrefix(model, codes);
  const scores: number[] = [];
  for (const ids of texts) {
    const decoder = model.decoder(1);
    try {
      const logits = await decoder.prefill([[...prefix, ...ids]]);
      let total = 0;
      [...ids, eos].forEach((token, t) => {
        total += logProb(logits.at(0, prefix.length - 1 + t), token);
      });
      scores.push(total);
    } finally {
      decoder.dispose();
    }
  }
  return scores;
}
