/**
 * Captioning and caption scoring for `vq-ar` with the CM3 image-first template
 * `<bos> <mask:0> <break> image <break> <infill> <mask:0> caption <eos>` (MODELS.md §1.5).
 */
import { KvCache } from '../../engine/kv-cache.ts';
import { sampleToken } from '../../engine/logits/sample.ts';
import { causalMask } from '../../engine/masks.ts';
import { Prng, PURPOSE_CAPTION, streamId } from '../../engine/rng.ts';
import { float32Tensor, floatData, int64Tensor, run } from '../../engine/ort.ts';
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
  const vocab = m.tokenizer.vocabSize;
  const prefix = imageFirstPrefix(model, codes);
  const decoder = model.sessions.decoder.session;
  const cache = new KvCache(m.graphs.decoder!.kv!, 1);
  const words: number[] = [];
  const prng = sampling === null ? null : new Prng(sampling.seed, streamId(0, PURPOSE_CAPTION));
  try {
    let out = await run(decoder, {
      input_ids: int64Tensor(prefix, [1, prefix.length]),
      position_ids: int64Tensor(
        prefix.map((_, i) => i),
        [1, prefix.length],
      ),
      attention_mask: float32Tensor(causalMask(1, prefix.length, 0), [
        1,
        1,
        prefix.length,
        prefix.length,
      ]),
      ...cache.feed(),
    });
    cache.update(out, prefix.length);
    for (let n = 0; n <= m.tokenizer.maxTokens; n++) {
      const logits = floatData(out.logits!);
      const row = logits.subarray(logits.length - vocab);
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
      const position = cache.length;
      out = await run(decoder, {
        input_ids: int64Tensor([best], [1, 1]),
        position_ids: int64Tensor([position], [1, 1]),
        attention_mask: float32Tensor(new Float32Array(position + 1), [1, 1, 1, position + 1]),
        ...cache.feed(),
      });
      cache.update(out, 1);
    }
  } finally {
    cache.dispose();
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
  const m = model.manifest;
  const vocab = m.tokenizer.vocabSize;
  const prefix = imageFirstPrefix(model, codes);
  const decoder = model.sessions.decoder.session;
  const scores: number[] = [];
  for (const ids of texts) {
    const target = [...ids, m.specialTokens.eos];
    const seq = [...prefix, ...ids];
    const cache = new KvCache(m.graphs.decoder!.kv!, 1);
    try {
      const out = await run(decoder, {
        input_ids: int64Tensor(seq, [1, seq.length]),
        position_ids: int64Tensor(
          seq.map((_, i) => i),
          [1, seq.length],
        ),
        attention_mask: float32Tensor(causalMask(1, seq.length, 0), [1, 1, seq.length, seq.length]),
        ...cache.feed(),
      });
      const logits = floatData(out.logits!);
      let total = 0;
      target.forEach((token, t) => {
        const row = logits.subarray((prefix.length - 1 + t) * vocab, (prefix.length + t) * vocab);
        let max = -Infinity;
        for (let i = 0; i < vocab; i++) if (row[i]! > max) max = row[i]!;
        let sum = 0;
        for (let i = 0; i < vocab; i++) sum += Math.exp(row[i]! - max);
        total += row[token]! - max - Math.log(sum);
      });
      scores.push(total);
    } finally {
      cache.dispose();
    }
  }
  return scores;
}
