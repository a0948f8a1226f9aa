/**
 * Captioning through Janus's understanding path: the picture's SigLIP features over the
 * placeholder slots of the chat prompt, then greedy text from `lm_head` until <eos>.
 */
import { floatData, run } from '../../engine/ort.ts';
import { imageTextEmbeds, textEmbeds } from './embeddings.ts';
import { EmbedsDecoder } from './language-model.ts';
import type { JanusModel } from './model.ts';

/** The caption prompt's token ids around the image slots. */
export function captionPromptIds(model: JanusModel, question: string): number[] {
  const { layouts } = model;
  const sp = model.manifest.specialTokens;
  return [
    sp.bos,
    ...model.encode(layouts.captionBefore),
    sp.boi!,
    ...new Array<number>(layouts.imageTokens).fill(layouts.placeholder),
    sp.eoi!,
    ...model.encode(layouts.captionAfter.replace('{question}', question)),
  ];
}

/** RGB uint8 [size, size, 3] -> the image processor's planar [3, size, size], float32 as numpy. */
export function pixelValues(model: JanusModel, rgb: Uint8Array): Float32Array {
  const { size, mean, std } = model.layouts.imageInput;
  if (rgb.length !== size * size * 3)
    throw new RangeError(
      `the picture must be ${size}×${size} RGB (${size * size * 3} bytes), got ${rgb.length}`,
    );
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < 3; c++)
      out[c * plane + p] = Math.fround(
        Math.fround(Math.fround(rgb[p * 3 + c]! / 255) - mean) / std,
      );
  return out;
}

/** Greedy caption tokens (ties to the lower id, as argmax does), ending at <eos> or `maxTokens`. */
export async function captionTokens(
  model: JanusModel,
  rgb: Uint8Array,
  maxTokens: number,
  question: string = model.layouts.question,
): Promise<number[]> {
  const eos = model.manifest.specialTokens.eos;
  const decoder = new EmbedsDecoder(model, 1);
  const tokens: number[] = [];
  try {
    const ids = captionPromptIds(model, question);
    let hidden = await decoder.run(await imageTextEmbeds(model, ids, pixelValues(model, rgb)));
    while (tokens.length < maxTokens) {
      const out = await run(model.sessions.lm_head.session, { [model.hiddenName]: hidden });
      const row = floatData(out.logits!);
      let best = 0;
      for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
      tokens.push(best);
      if (best === eos) break;
      hidden = await decoder.run(await textEmbeds(model, [[best]]));
    }
  } finally {
    decoder.dispose();
  }
  return tokens;
}
