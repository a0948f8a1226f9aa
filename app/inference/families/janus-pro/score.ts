/**
 * log p(text | picture) through Janus's understanding path, for best-of-N and the library's
 * scoring: the caption prompt with the picture's SigLIP features, the text as the assistant's
 * answer, then <eos>; each token's log-probability from `lm_head`, summed in float64. The
 * picture's features are computed once for all the texts.
 */
import { float32Tensor, floatData, run } from '../../engine/ort.ts';
import { logProb } from '../shared/caption-words.ts';
import { captionPromptIds, pixelValues } from './caption.ts';
import { imageTextEmbeds, textEmbeds } from './embeddings.ts';
import { EmbedsDecoder } from './language-model.ts';
import type { JanusModel } from './model.ts';

/** log p(ids, <eos> | picture) in nats for each token row; `rgb` at the understanding size. */
export async function scoreTexts(
  model: JanusModel,
  rgb: Uint8Array,
  texts: readonly (readonly number[])[],
): Promise<number[]> {
  const eos = model.manifest.specialTokens.eos;
  const prompt = captionPromptIds(model, model.layouts.question);
  const promptEmbeds = floatData(await imageTextEmbeds(model, prompt, pixelValues(model, rgb)));
  const width = promptEmbeds.length / prompt.length;
  const scores: number[] = [];
  for (const ids of texts) {
    const embeds = new Float32Array((prompt.length + ids.length) * width);
    embeds.set(promptEmbeds);
    if (ids.length > 0) embeds.set(floatData(await textEmbeds(model, [ids])), promptEmbeds.length);
    const decoder = new EmbedsDecoder(model, 1);
    try {
      const states = await decoder.runAll(
        float32Tensor(embeds, [1, prompt.length + ids.length, width]),
      );
      // The positions that predict the answer's tokens and <eos>: the prompt's last onwards.
      const read = floatData(states).slice((prompt.length - 1) * width);
      const out = await run(model.sessions.lm_head.session, {
        [model.hiddenName]: float32Tensor(read, [1, ids.length + 1, width]),
      });
      const logits = floatData(out.logits!);
      const vocab = logits.length / (ids.length + 1);
      let total = 0;
      [...ids, eos].forEach((token, t) => {
        total += logProb(logits.subarray(t * vocab, (t + 1) * vocab), token);
      });
      scores.push(total);
    } finally {
      decoder.dispose();
    }
  }
  return scores;
}
