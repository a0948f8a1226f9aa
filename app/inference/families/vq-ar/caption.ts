/**
 * Captioning and caption scoring for `vq-ar` with the CM3 image-first template
 * `<bos> <mask:0> <break> image <break> <infill> <mask:0> caption <eos>`
 * (docs/models.md §vq-ar infill and captioning).
 */
import { sampleToken } from '../../engine/logits/sample.ts';
import { Prng, PURPOSE_CAPTION, streamId } from '../../engine/rng.ts';
import type { VqArModel } from './model.ts';

function imageFirstPrefix(model: VqArModel, codes: readonly number[]): number[] {
  const sp = model.manifest.specialTokens;
  const s0 = sp.sentinels![0]!;
  const lo = model.imageRange[0];
  return [sp.bos, s0, sp.break!, ...codes.map((c) => c + lo), sp.break!, sp.infill!, s0];
}

export interface CaptionSampling {
  temperature: number;
  topP: number;
  seed: number;
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
  const prng = sampling === null ? null : new Prng(sampling.seed, streamId(0, PURPOSE_CAPTION));
  const words: number[] = [];
  try {
    let logits = await decoder.prefill([imageFirstPrefix(model, codes)]);
    for (let n = 0; n <= m.tokenizer.maxTokens; n++) {
      const row = logits.at(0);
      let best = eos;
      if (sampling === null) {
        // Ties go to the lower id, as numpy's argmax does.
        for (let i = textLo; i < textHi; i++) if (row[i]! > row[best]!) best = i;
      } else {
        // Candidates: <eos> first, then the caption words, in one contiguous array.
        const candidates = new Float32Array(textHi - textLo + 1);
        candidates[0] = row[eos]!;
        candidates.set(row.subarray(textLo, textHi), 1);
        const settings = {
          cfgScale: 1,
          temperature: sampling.temperature,
          topK: 0,
          topP: sampling.topP,
          cdk: null,
        };
        const pick = sampleToken(candidates, null, settings, prng!);
        best = pick === 0 ? eos : textLo + pick - 1;
      }
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
        const row = logits.at(0, prefix.length - 1 + t);
        let max = -Infinity;
        for (const x of row) if (x > max) max = x;
        let sum = 0;
        for (const x of row) sum += Math.exp(x - max);
        total += row[token]! - max - Math.log(sum);
      });
      scores.push(total);
    } finally {
      decoder.dispose();
    }
  }
  return scores;
}
