/** A library generation for tests: flat pixels made distinct by `salt`, a sample recipe. */
import type { Recipe } from '../../common/recipe.ts';
import { sampleRecipe } from '../../common/testing/sample-recipe.ts';
import { encodePng } from '../../media/png.ts';
import type { Gallery } from '../index.ts';

export function addSampleGeneration(
  gallery: Pick<Gallery, 'addGeneration'>,
  salt: number,
  recipe: Partial<Recipe> = {},
): Promise<number> {
  const png = encodePng(new Uint8Array(32 * 32 * 3).fill(salt), 32, 32, {
    itext: { tessera: '{}' },
  });
  return gallery.addGeneration({
    png,
    recipe: sampleRecipe(recipe),
    codes: [1, 2, 3],
    jobId: null,
    durationMs: null,
    width: 32,
    height: 32,
    parent: null,
  });
}
