/**
 * Captioning and caption scoring with the image first: [<bos>, <boi>, clean patches at t = 0,
 * <eoi>] and then the caption, as the reference loop reads them.
 */
import { captionPicker, logProb, type CaptionSampling } from '../shared/caption-words.ts';
import type { PrefixCache, TransfusionModel } from './model.ts';
import { patchify } from './patches.ts';

/** The image-first prefix run once: the last hidden state and the cache after it. */
async function imagePrefix(
  model: TransfusionModel,
  rgb: Uint8Array,
): Promise<{ last: Float32Array; cache: PrefixCache }> {
  const m = model.manifest;
  const d = model.diffusion;
  const sp = m.specialTokens;
  const x0 = Float32Array.from(patchify(rgb, m.image.width, m.image.patch!));
  const head = await model.embedText([[sp.bos, sp.boi!]]);
  const image = await model.patchIn(x0, 1, 0);
  const tail = await model.embedText([[sp.eoi!]]);
  const embeds = new Float32Array(head.length + image.length + tail.length);
  embeds.set(head);
  embeds.set(image, head.length);
  embeds.set(tail, head.length + image.length);
  const seq = 3 + d.patches;
  const { hidden, cache } = await model.decode(embeds, 1, seq, model.emptyCache(1), [
    2,
    2 + d.patches,
  ]);
  const width = hidden.length / seq;
  return { last: hidden.slice((seq - 1) * width), cache };
}

/** Greedy (ties to the lower id, as numpy's lexsort) or sampled caption words until <eos>. */
export async function captionImage(
  model: TransfusionModel,
  rgb: Uint8Array,
  sampling: CaptionSampling | null,
): Promise<string> {
  const m = model.manifest;
  const [lo, hi] = m.tokenizer.idRanges.text;
  const eos = m.specialTokens.eos;
  let { last, cache } = await imagePrefix(model, rgb);
  const pick = captionPicker([lo, hi], eos, sampling);
  const words: number[] = [];
  for (let n = 0; n < m.tokenizer.maxTokens; n++) {
    const best = pick(await model.logits(last, 1));
    if (best === eos) break;
    words.push(best - lo);
    const step = await model.decode(await model.embedText([[best]]), 1, 1, cache, null);
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
  model: TransfusionModel,
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
      const more = await model.decode(
        await model.embedText([ids.slice(0, -1)]),
        1,
        ids.length - 1,
        cache,
        null,
      );
      hidden = new Float32Array(ids.length * width);
      hidden.set(last);
      hidden.set(more.hidden, width);
    }
    const logits = await model.logits(hidden, ids.length);
    let total = 0;
    ids.forEach((token, t) => {
      total += logProb(logits.subarray(t * vocab, (t + 1) * vocab), token);
    });
    logProbs.push(total);
    tokens.push(ids.length);
  }
  return { logProbs, tokens };
}
