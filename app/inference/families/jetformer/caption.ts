/**
 * The image-first tasks and exact likelihood, as the reference loop reads them. Captioning and
 * scoring run [<boi>, the image's soft tokens (AR dims), <bos>] once and then the caption;
 * greedy captioning takes the highest logit among <eos> and the words (ties to the lower id).
 * Bits per dimension run the `score` graph on the image at its levels' bin centres (midpoint
 * dequantisation: one deterministic number per image and prompt).
 */
import { captionPicker, logProb } from '../shared/caption-words.ts';
import { NonFiniteError } from './guided.ts';
import type { Cache, JetFormerModel } from './model.ts';
import { binCentres } from './pixels.ts';

async function imagePrefix(
  model: JetFormerModel,
  rgb: Uint8Array,
): Promise<{ last: Float32Array; cache: Cache }> {
  const sp = model.manifest.specialTokens;
  const { tokens: n, tokenDim: c, arDims: d } = model.gmm;
  const { z } = await model.encode(binCentres(rgb));
  const ar = new Float32Array(n * d);
  for (let i = 0; i < n; i++) ar.set(z.subarray(i * c, i * c + d), i * d);
  const head = await model.embedText([[sp.boi!]]);
  const image = await model.embedImage(ar, 1, n);
  const tail = await model.embedText([[sp.bos]]);
  const embeds = new Float32Array(head.length + image.length + tail.length);
  embeds.set(head);
  embeds.set(image, head.length);
  embeds.set(tail, head.length + image.length);
  const seq = n + 2;
  const { hidden, cache } = await model.append(embeds, 1, seq, model.emptyCache(1));
  const width = hidden.length / seq;
  return { last: hidden.slice((seq - 1) * width), cache };
}

export async function captionImage(model: JetFormerModel, rgb: Uint8Array): Promise<string> {
  const m = model.manifest;
  const [lo, hi] = m.tokenizer.idRanges.text;
  const eos = m.specialTokens.eos;
  let { last, cache } = await imagePrefix(model, rgb);
  const pick = captionPicker([lo, hi], eos, null);
  const words: number[] = [];
  for (let n = 0; n < m.tokenizer.maxTokens; n++) {
    const best = pick(await model.textLogits(last, 1));
    if (best === eos) break;
    words.push(best - lo);
    const step = await model.append(await model.embedText([[best]]), 1, 1, cache);
    last = step.hidden;
    cache = step.cache;
  }
  return model.words.decode(words);
}

/**
 * log p(caption, <eos> | image) in nats for each text (teacher-forced), with its token count:
 * best-of-N ranking and `tessera score`.
 */
export async function scoreImage(
  model: JetFormerModel,
  rgb: Uint8Array,
  texts: readonly string[],
): Promise<{ logProbs: number[]; tokens: number[] }> {
  const eos = model.manifest.specialTokens.eos;
  const vocab = model.manifest.tokenizer.vocabSize;
  const { last, cache } = await imagePrefix(model, rgb);
  const width = last.length;
  const logProbs: number[] = [];
  const tokens: number[] = [];
  for (const text of texts) {
    const ids = [...model.captionIds(text, null), eos];
    let hidden = last;
    if (ids.length > 1) {
      const more = await model.append(
        await model.embedText([ids.slice(0, -1)]),
        1,
        ids.length - 1,
        cache,
      );
      hidden = new Float32Array(ids.length * width);
      hidden.set(last);
      hidden.set(more.hidden, width);
    }
    const logits = await model.textLogits(hidden, ids.length);
    let total = 0;
    ids.forEach((token, t) => {
      total += logProb(logits.subarray(t * vocab, (t + 1) * vocab), token);
    });
    logProbs.push(total);
    tokens.push(ids.length);
  }
  return { logProbs, tokens };
}

/** Exact bits per sub-pixel of an image given a caption (empty: the unconditional prompt). */
export async function bitsPerDim(
  model: JetFormerModel,
  rgb: Uint8Array,
  prompt: string,
  style: string | null,
): Promise<number> {
  const sp = model.manifest.specialTokens;
  const ids = [sp.bos, ...model.captionIds(prompt, style), sp.eos, sp.boi!];
  const bits = await model.scoreBits(binCentres(rgb), ids);
  if (!Number.isFinite(bits))
    throw new NonFiniteError('the score graph returned a non-finite likelihood');
  return bits;
}
