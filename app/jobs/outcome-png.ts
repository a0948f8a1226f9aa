/** Turns a finished image job into a PNG with its recipe embedded, written atomically. */
import { createHash } from 'node:crypto';
import { PIPELINE_VERSION } from '../inference/engine/logits/sample.ts';
import { PRNG_VERSION } from '../inference/engine/rng.ts';
import type { Sampling } from '../common/inference-contract.ts';
import { identityGraph, type ModelManifest } from '../common/model-manifest.ts';
import { recipeSchema, toInfotext, type Recipe } from '../common/recipe.ts';
import { writeFileAtomic } from '../media/atomic-write.ts';
import { encodePng } from '../media/png.ts';

export const sha256 = (data: Uint8Array | string) =>
  createHash('sha256').update(data).digest('hex');

export interface ImageOutcome {
  task: 'generate' | 'infill';
  manifest: ModelManifest;
  prompt: string;
  negativePrompt: string;
  style: string | null;
  seed: number;
  imageIndex: number;
  sampling: Sampling;
  provider: Recipe['provider'];
  codes: number[];
  rgb: Uint8Array;
  /** the size of `rgb` when it is not the model's (an infill composited into a photo) */
  size?: { width: number; height: number };
  parent: Recipe['parent'];
  selfScore: Recipe['selfScore'];
  /** the sha256 of the image this run replays, if it is a replay */
  replayOf?: string | null;
  /** the retrieval memory document the model was given, if any */
  document?: Recipe['retrieval'] | null;
}

export function recipeOf(o: ImageOutcome): Recipe {
  return recipeSchema.parse({
    tessera: 1,
    task: o.task,
    modelId: o.manifest.id,
    modelSha256: identityGraph(o.manifest)!.sha256,
    family: o.manifest.family,
    prompt: o.prompt,
    negativePrompt: o.negativePrompt,
    style: o.style,
    seed: o.seed,
    imageIndex: o.imageIndex,
    sampling: o.sampling,
    prngVersion: PRNG_VERSION,
    pipelineVersion: PIPELINE_VERSION,
    // Tokens written for token families; a diffusion model's denoising steps (its codes are
    // the saved latent, whose length says nothing of the steps).
    steps: o.sampling.diffusion?.steps ?? o.codes.length,
    width: o.size?.width ?? o.manifest.image.width,
    height: o.size?.height ?? o.manifest.image.height,
    provider: o.provider,
    tokensSha256: sha256(JSON.stringify(o.codes)),
    parent: o.parent,
    ...(o.document ? { retrieval: o.document } : {}),
    selfScore: o.selfScore,
    ...(o.replayOf ? { replayOf: o.replayOf } : {}),
  });
}

export function pngOf(o: ImageOutcome): Buffer {
  return generationPng(recipeOf(o), o.rgb);
}

/**
 * The PNG Tessera writes for a generation: a pure function of its recipe and pixels, so the
 * original of any Tessera image, however its file was tagged since, can be rebuilt from them.
 */
export function generationPng(recipe: Recipe, rgb: Uint8Array): Buffer {
  const infotext = toInfotext(recipe);
  // tEXt is Latin-1 only; like AUTOMATIC1111, other prompts go to an iTXt of the same name.
  const latin1 = [...infotext].every((ch) => ch.codePointAt(0)! <= 0xff);
  return encodePng(rgb, recipe.width, recipe.height, {
    text: latin1 ? { parameters: infotext, Software: 'Tessera' } : { Software: 'Tessera' },
    itext: latin1
      ? { tessera: JSON.stringify(recipe) }
      : { parameters: infotext, tessera: JSON.stringify(recipe) },
  });
}

export async function writeOutcome(path: string, o: ImageOutcome): Promise<Buffer> {
  const png = pngOf(o);
  await writeFileAtomic(path, png);
  return png;
}
