/**
 * Approximate infill, the twin of native-models' reference_loop.infill: the flow mixes the whole
 * image, so no soft token belongs to masked pixels alone. The hole is first filled with the known
 * pixels' mean colour (an encoding of what the hole held would leak it into every kept token)
 * and the image encoded at its bin centres; every token whose 4×4 patch holds no masked pixel
 * keeps that soft token (AR dims fed to the decoder as if sampled, factored dims as they are),
 * the others are sampled by the guided loop, and the flow's inverse makes the picture. Known
 * pixels are then composited back through the feathered mask, so every pixel past the feather
 * keeps its exact bytes; the kept tokens only approximate the known pixels, which is why the
 * manifest declares infill `approximate`.
 */
import type { InfillRequest } from '../../../common/inference-contract.ts';
import { featheredComposite } from '../../engine/image/composite.ts';
import { InfillMaskError } from '../types.ts';
import { factoredDims, generateTokens } from './generate.ts';
import type { GmmSettings } from './guided.ts';
import type { JetFormerModel } from './model.ts';
import { binCentres, toU8 } from './pixels.ts';
import type { TokenState } from './state.ts';

/** 1 for each token whose patch has no pixel to fill. */
export function keptTokens(mask: Uint8Array, width: number, patch: number): Uint8Array {
  const grid = width / patch;
  const keep = new Uint8Array(grid * grid).fill(1);
  for (let y = 0; y < width; y++)
    for (let x = 0; x < width; x++)
      if (mask[y * width + x] !== 0) keep[Math.floor(y / patch) * grid + Math.floor(x / patch)] = 0;
  return keep;
}

/** The image with every masked pixel set to the unmasked pixels' mean colour (half up). */
export function meanFilled(rgb: Uint8Array, mask: Uint8Array): Uint8Array {
  const sum = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < mask.length; p++)
    if (mask[p] === 0) {
      n++;
      for (let c = 0; c < 3; c++) sum[c]! += rgb[p * 3 + c]!;
    }
  const mean = sum.map((s) => Math.floor((2 * s + n) / (2 * n)));
  const out = rgb.slice();
  for (let p = 0; p < mask.length; p++)
    if (mask[p] !== 0) for (let c = 0; c < 3; c++) out[p * 3 + c] = mean[c]!;
  return out;
}

export async function infillImage(
  model: JetFormerModel,
  req: InfillRequest,
  source: Uint8Array,
  mask: Uint8Array,
  settings: GmmSettings,
  afterToken: (state: TokenState, preview: () => Promise<Uint8Array>) => Promise<boolean>,
): Promise<{ rgb: Uint8Array; ar: Float32Array } | null> {
  const { width, height, patch } = model.manifest.image;
  const { tokens: n, tokenDim: c, arDims: d } = model.gmm;
  const keep = keptTokens(mask, width, patch!);
  if (!mask.some((v) => v !== 0))
    throw new InfillMaskError('the infill mask marks nothing to fill: paint the area to redraw');
  if (mask.every((v) => v !== 0))
    throw new InfillMaskError(
      'the infill mask covers the whole image: generate instead, or leave some pixels unmasked',
    );
  const { z } = await model.encode(binCentres(meanFilled(source, mask)));
  const known = new Float32Array(n * d);
  for (let i = 0; i < n; i++) known.set(z.subarray(i * c, i * c + d), i * d);
  const noise = factoredDims(model, req.seed, req.imageIndex);
  const f = c - d;
  const assemble = (ar: Float32Array, done: number) => {
    const out = new Float32Array(n * c);
    for (let i = 0; i < done; i++) {
      out.set(ar.subarray(i * d, (i + 1) * d), i * c);
      out.set(
        keep[i] === 1 ? z.subarray(i * c + d, (i + 1) * c) : noise.subarray(i * f, (i + 1) * f),
        i * c + d,
      );
    }
    return out;
  };
  const out = await generateTokens(model, {
    captionIds: model.captionIds(req.prompt, req.style),
    seed: req.seed,
    imageIndex: req.imageIndex,
    settings,
    known: { ar: known, keep },
    afterToken: (state) =>
      afterToken(state, async () => toU8(await model.decode(assemble(state.ar, state.done)))),
  });
  if (out === null) return null;
  const generated = toU8(await model.decode(assemble(out.ar, n)));
  const rgb = featheredComposite(source, generated, mask, width, height, req.featherPx);
  return { rgb, ar: out.ar };
}
