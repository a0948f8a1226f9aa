/**
 * Puts a finished image into the library exactly once: if a crash struck after the image was
 * stored but before its job was marked done, the resumed job produces the same bytes and finds
 * them already there instead of adding a duplicate.
 */
import { createHash } from 'node:crypto';
import type { Recipe } from '../../common/recipe.ts';
import type { NewGeneration } from '../../gallery/index.ts';
import type { ExecutionContext } from '../execution.ts';

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
  });
}
