/**
 * Input embeddings from the layout's two embedding graphs: `prepare_inputs_embeds` for text
 * (with an image's SigLIP features over its placeholder slots, or an empty image batch), and
 * `gen_img_embeds` for generated image codes.
 */
import { boolTensor, float32Tensor, int64Tensor, run, type Tensor } from '../../engine/ort.ts';
import type { JanusModel } from './model.ts';

/** Embeddings [B, S, D] of equal-length token rows, with no image. */
export async function textEmbeds(
  model: JanusModel,
  rows: readonly (readonly number[])[],
): Promise<Tensor> {
  const seq = rows[0]!.length;
  if (rows.some((r) => r.length !== seq)) throw new RangeError('rows must have equal length');
  const { size } = model.layouts.imageInput;
  const out = await run(model.sessions.prepare_inputs_embeds.session, {
    input_ids: int64Tensor(rows.flat(), [rows.length, seq]),
    pixel_values: float32Tensor(new Float32Array(0), [0, 0, 3, size, size]),
    images_seq_mask: boolTensor(new Array<number>(seq).fill(0), [1, seq]),
    images_emb_mask: boolTensor([], [1, 0, model.layouts.imageTokens]),
  });
  return out.inputs_embeds!;
}

/**
 * Embeddings [1, S, D] of one token row whose placeholder slots take the features of one image
 * (`pixels`: [3, size, size] normalised as the layout's imageInput says).
 */
export async function imageTextEmbeds(
  model: JanusModel,
  ids: readonly number[],
  pixels: Float32Array,
): Promise<Tensor> {
  const { size } = model.layouts.imageInput;
  const tokens = model.layouts.imageTokens;
  const marked = ids.map((id) => (id === model.layouts.placeholder ? 1 : 0));
  const count = marked.reduce<number>((a, b) => a + b, 0);
  if (count !== tokens)
    throw new RangeError(`a caption prompt needs ${tokens} image slots, found ${count}`);
  const out = await run(model.sessions.prepare_inputs_embeds.session, {
    input_ids: int64Tensor(ids, [1, ids.length]),
    pixel_values: float32Tensor(pixels, [1, 1, 3, size, size]),
    images_seq_mask: boolTensor(marked, [1, ids.length]),
    images_emb_mask: boolTensor(new Array<number>(tokens).fill(1), [1, 1, tokens]),
  });
  return out.inputs_embeds!;
}

/** Embeddings [B, S, D] of image codes, the same codes in every row. */
export async function codeEmbeds(
  model: JanusModel,
  codes: readonly number[],
  batch: number,
): Promise<Tensor> {
  const out = await run(model.sessions.gen_img_embeds.session, {
    image_ids: int64Tensor(new Array<number[]>(batch).fill([...codes]).flat(), [
      batch,
      codes.length,
    ]),
  });
  return out.inputs_embeds!;
}
