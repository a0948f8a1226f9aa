/**
 * Shared by the gallery's tests: temporary libraries, real images drawn pixel by pixel, and
 * valid recipes. Not used by the app.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Recipe } from '../../common/recipe.ts';
import { sampleRecipe } from '../../common/testing/sample-recipe.ts';
import { encodePng } from '../../media/png.ts';
import { openGallery } from '../gallery.ts';
import type { Gallery, NewGeneration } from '../types.ts';

/** A fresh folder, removed when the test file ends. */
export function tempDir(prefix = 'tessera-gallery-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A new library in a temp folder, closed when the test file ends. */
export function tempGallery(): Gallery {
  const gallery = openGallery(join(tempDir(), 'library'));
  after(() => gallery.close());
  return gallery;
}

export type Painter = (x: number, y: number) => [number, number, number];

export function paint(width: number, height: number, painter: Painter): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rgb.set(painter(x, y), (y * width + x) * 3);
  return rgb;
}

/** A few visually distinct pictures. */
export const painters: Record<string, Painter> = {
  redDisc: (x, y) => ((x - 16) ** 2 + (y - 16) ** 2 < 100 ? [220, 30, 40] : [250, 250, 250]),
  blueSky: (_x, y) => [40, 90 + y * 4, 230],
  greenStripes: (x) => (x % 8 < 4 ? [20, 160, 60] : [240, 240, 200]),
  checker: (x, y) => (((x >> 3) + (y >> 3)) % 2 === 0 ? [0, 0, 0] : [255, 255, 255]),
  sunset: (x, y) => [240, 120 + y * 3, 40 + x],
};

export const sha256 = (data: Uint8Array | string) =>
  createHash('sha256').update(data).digest('hex');

export function recipeFor(overrides: Partial<Recipe> = {}): Recipe {
  return sampleRecipe(overrides);
}

/** A generation with a real 32×32 PNG; `salt` makes the pixels (and so the sha256) unique. */
export function generation(
  painter: Painter,
  recipe: Partial<Recipe> = {},
  extra: Partial<NewGeneration> = {},
  salt = 0,
): NewGeneration {
  const rgb = paint(32, 32, (x, y) => {
    const [r, g, b] = painter(x, y);
    return x === 0 && y === 0 ? [salt & 255, (salt >> 8) & 255, b] : [r, g, b];
  });
  const full = recipeFor(recipe);
  const codes = Array.from({ length: 64 }, (_, i) => (i * 7 + salt) % 1024);
  return {
    png: encodePng(rgb, 32, 32, { itext: { tessera: JSON.stringify(full) } }),
    recipe: { ...full, tokensSha256: sha256(JSON.stringify(codes)) },
    codes,
    jobId: null,
    durationMs: 1234,
    width: 32,
    height: 32,
    parent: null,
    ...extra,
  };
}
