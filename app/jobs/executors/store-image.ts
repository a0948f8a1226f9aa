/**
 * Puts a finished image into the library exactly once: if a crash struck after the image was
 * stored but before its job was marked done, the resumed job produces the same bytes and finds
 * them already there instead of adding a duplicate. A model whose likelihood is exact also
 * measures the image's bits per dimension, stored beside it.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describeError } from '../../common/errors.ts';
import { generateJobSchema } from '../../common/queue-contract.ts';
import type { Recipe } from '../../common/recipe.ts';
import type { NewGeneration } from '../../gallery/index.ts';
import type { ExecutionContext } from '../execution.ts';
import { exactBitsPerDim, hasExactLikelihood } from '../image-likelihood.ts';

const runSettings = generateJobSchema.pick({ provider: true, threads: true });

/**
 * The image's exact bits per dimension when its model gives one and the image is at the model's
 * own size (a photo's full-size infill is not what the model saw); null otherwise. A failed
 * measurement is told as a notice and never costs the image.
 */
async function measuredBits(ctx: ExecutionContext, png: Uint8Array): Promise<number | null> {
  const { manifest } = ctx.model;
  if (!hasExactLikelihood(manifest)) return null;
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== manifest.image.width || info.height !== manifest.image.height) return null;
  const run = runSettings.safeParse(ctx.job.request);
  try {
    return await exactBitsPerDim(
      ctx.client,
      ctx.model,
      new Uint8Array(data),
      run.success ? run.data.provider : 'cpu',
      run.success ? run.data.threads : 2,
    );
  } catch (err) {
    ctx.emit({
      type: 'notice',
      message: `the image is saved without its bits per dimension: ${describeError(err).message}`,
    });
    return null;
  }
}

export async function storeImage(
  ctx: ExecutionContext,
  image: {
    png: Uint8Array;
    recipe: Recipe;
    codes: number[];
    durationMs: number;
    parent: NewGeneration['parent'];
    boardId: number | null;
  },
): Promise<number> {
  const sha = createHash('sha256').update(image.png).digest('hex');
  const existing = ctx.gallery.findBySha(sha);
  if (existing !== null) return existing;
  return ctx.gallery.addGeneration({
    png: image.png,
    recipe: image.recipe,
    codes: image.codes,
    jobId: ctx.job.id,
    durationMs: image.durationMs,
    width: image.recipe.width,
    height: image.recipe.height,
    parent: image.parent,
    boardId: image.boardId,
    bitsPerDim: await measuredBits(ctx, image.png),
  });
}
