/**
 * Janus's constrained infill on its code grid: the picture's codes from `image_encode`, then
 * every cell in raster order, the cells outside the mask forced to their own code and the ones
 * inside picked from `gen_head` with Janus's guidance, as in generation. The model sees only what
 * precedes a cell (the manifest says `constrained`). A run of forced codes goes through the
 * language model in one call, and nothing runs after the last masked cell.
 */
import { sampleToken, type SamplingSettings } from '../../engine/logits/sample.ts';
import { float32Tensor, floatData, int64Data, run } from '../../engine/ort.ts';
import { Prng, PURPOSE_SAMPLE, streamId } from '../../engine/rng.ts';
import { maskedCells } from '../shared/grid-mask.ts';
import { CapabilityError, InfillMaskError } from '../types.ts';
import { codeEmbeds, textEmbeds } from './embeddings.ts';
import { unconditionalRow } from './generate.ts';
import { EmbedsDecoder } from './language-model.ts';
import type { JanusModel } from './model.ts';

/** The grid cells an infill regenerates, refusing a mask of the wrong size or with nothing in it. */
export function infillCells(model: JanusModel, mask: Uint8Array): boolean[] {
  const { width, height } = model.manifest.image;
  if (mask.length !== width * height)
    throw new InfillMaskError(
      `the mask must be ${width}×${height} (one byte per pixel), got ${mask.length} bytes`,
    );
  const cells = maskedCells(mask, width, model.grid);
  if (!cells.includes(true))
    throw new InfillMaskError('the mask is empty: paint the region to regenerate');
  return cells;
}

/** RGB uint8 [H, W, 3] at the manifest's size -> its grid² codes (raster order). */
export async function encodeImage(model: JanusModel, rgb: Uint8Array): Promise<number[]> {
  const session = model.sessions.image_encode;
  if (session === undefined)
    throw new CapabilityError(
      `${model.manifest.id} has no image_encode graph, so it cannot infill: convert the checkpoint with native-models (tessera_models.janus.export)`,
    );
  const { width, height } = model.manifest.image;
  const plane = width * height;
  if (rgb.length !== plane * 3)
    throw new RangeError(
      `the picture must be ${width}×${height} RGB (${plane * 3} bytes), got ${rgb.length}`,
    );
  const x = new Float32Array(3 * plane);
  // Two float32 roundings, as numpy computes u8.astype(float32) / 127.5 - 1.0.
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < 3; c++)
      x[c * plane + p] = Math.fround(Math.fround(rgb[p * 3 + c]! / 127.5) - 1);
  const out = await run(session.session, { pixel_values: float32Tensor(x, [1, 3, height, width]) });
  return int64Data(out.image_ids!);
}

export interface JanusInfillRequest {
  promptIds: number[];
  /** The source picture's codes. */
  codes: readonly number[];
  /** Which cells to regenerate (grid², raster order). */
  cells: readonly boolean[];
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  /** Called after each picked code with the count done and the grid so far; false stops. */
  afterCode?: (done: number, total: number, grid: readonly number[]) => Promise<boolean>;
}

/** The infilled grid, or null when `afterCode` stopped it. */
export async function infillCodes(
  model: JanusModel,
  req: JanusInfillRequest,
): Promise<number[] | null> {
  const count = model.grid ** 2;
  if (req.codes.length !== count || req.cells.length !== count)
    throw new RangeError(`an infill needs ${count} codes and cells, got ${req.codes.length}`);
  const guided = req.settings.cdk !== null || req.settings.cfgScale !== 1;
  const rows = [req.promptIds];
  if (guided) rows.push(unconditionalRow(req.promptIds, model.manifest.cfg.nullId));
  const decoder = new EmbedsDecoder(model, rows.length);
  const prng = new Prng(req.seed, streamId(req.imageIndex, PURPOSE_SAMPLE));
  const codebook = model.codebook;
  const out = [...req.codes];
  const total = req.cells.filter(Boolean).length;
  const last = req.cells.lastIndexOf(true);
  let done = 0;
  try {
    let hidden = await decoder.run(await textEmbeds(model, rows));
    let pending: number[] = []; // codes decided but not yet read by the language model
    for (let k = 0; k <= last; k++) {
      if (!req.cells[k]) {
        pending.push(out[k]!);
        continue;
      }
      if (pending.length > 0)
        hidden = await decoder.run(await codeEmbeds(model, pending, rows.length));
      const logits = floatData(
        (await run(model.sessions.gen_head.session, { [model.hiddenName]: hidden })).logits!,
      );
      const uncond = guided ? logits.subarray(codebook, 2 * codebook) : null;
      out[k] = sampleToken(logits.subarray(0, codebook), uncond, req.settings, prng);
      pending = [out[k]!];
      done++;
      if (req.afterCode !== undefined && !(await req.afterCode(done, total, out))) return null;
    }
  } finally {
    decoder.dispose();
  }
  return out;
}
