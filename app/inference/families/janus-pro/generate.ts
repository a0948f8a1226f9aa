/**
 * Janus-Pro's text-to-image loop: prefill the [cond; uncond] rows, then one code per step from
 * `gen_head` through the shared logits pipeline (guidance, temperature, top-k, top-p), the same
 * code fed to both rows through `gen_img_embeds`, exactly grid² codes, then `image_decode`.
 * The unconditional row is Janus's own: the prompt with every token but the first (<bos>) and
 * the last (<begin_of_image>) replaced by the pad token.
 */
import { sampleToken, type SamplingSettings } from '../../engine/logits/sample.ts';
import { floatData, int64Tensor, run } from '../../engine/ort.ts';
import { Prng, PURPOSE_SAMPLE, streamId } from '../../engine/rng.ts';
import { codeEmbeds, textEmbeds } from './embeddings.ts';
import { EmbedsDecoder } from './language-model.ts';
import type { JanusModel } from './model.ts';

export interface JanusGenerateRequest {
  promptIds: number[];
  seed: number;
  imageIndex: number;
  settings: SamplingSettings;
  /** Awaited after each code; resolve false to stop before the next step. */
  afterCode?: (codes: readonly number[]) => Promise<boolean> | boolean;
  /** Codes of an interrupted run, replayed so the rest is identical. */
  resumeFrom?: readonly number[];
  /** Language-model runs this generation took, prefill included. */
  stats?: { runs: number };
}

/** Janus's unconditional row: first and last prompt tokens kept, the rest padded. */
export function unconditionalRow(ids: readonly number[], pad: number): number[] {
  return ids.map((id, i) => (i === 0 || i === ids.length - 1 ? id : pad));
}

/** Codes of one image (grid², raster order), or the prefix sampled before a stop. */
export async function generateCodes(
  model: JanusModel,
  req: JanusGenerateRequest,
): Promise<number[]> {
  const guided = req.settings.cdk !== null || req.settings.cfgScale !== 1;
  const rows = [req.promptIds];
  if (guided) rows.push(unconditionalRow(req.promptIds, model.manifest.cfg.nullId));
  const decoder = new EmbedsDecoder(model, rows.length);
  const prng = new Prng(req.seed, streamId(req.imageIndex, PURPOSE_SAMPLE));
  const count = model.grid ** 2;
  const codebook = model.codebook;
  const codes: number[] = [];
  try {
    let hidden = await decoder.run(await textEmbeds(model, rows));
    for (let k = 0; k < count; k++) {
      const out = await run(model.sessions.gen_head.session, { [model.hiddenName]: hidden });
      const logits = floatData(out.logits!);
      const cond = logits.subarray(0, codebook);
      const uncond = guided ? logits.subarray(codebook, 2 * codebook) : null;
      let code: number;
      if (req.resumeFrom !== undefined && k < req.resumeFrom.length) {
        prng.uniform(); // the saved code's draw is still consumed, so the counters match
        code = checkCode(req.resumeFrom[k]!, codebook);
      } else {
        code = sampleToken(cond, uncond, req.settings, prng);
      }
      codes.push(code);
      if (k === count - 1) break;
      if (req.afterCode !== undefined && (await req.afterCode(codes)) === false) break;
      hidden = await decoder.run(await codeEmbeds(model, code, rows.length));
    }
  } finally {
    if (req.stats !== undefined) req.stats.runs = decoder.runs;
    decoder.dispose();
  }
  return codes;
}

function checkCode(code: number, codebook: number): number {
  if (!Number.isInteger(code) || code < 0 || code >= codebook)
    throw new RangeError(`saved code ${code} is outside this model's codebook`);
  return code;
}

/**
 * grid² codes -> RGB uint8 [H, W, 3] through image_decode, mapped to pixels as Janus does:
 * clip((x + 1) / 2 * 255, 0, 255), truncated to an integer.
 */
export async function decodeCodes(
  model: JanusModel,
  codes: readonly number[],
): Promise<Uint8Array> {
  const out = await run(model.sessions.image_decode.session, {
    generated_tokens: int64Tensor(codes, [1, codes.length]),
  });
  const x = floatData(out.decoded_image!);
  const { width, height } = model.manifest.image;
  const plane = width * height;
  if (x.length !== 3 * plane)
    throw new RangeError(`image_decode gave ${x.length} values for a ${width}×${height} image`);
  const rgb = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < 3; c++) {
      const v = Math.fround(Math.fround(x[c * plane + p]! + 1) * 127.5);
      rgb[p * 3 + c] = Math.trunc(Math.min(255, Math.max(0, v)));
    }
  return rgb;
}
