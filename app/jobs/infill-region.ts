/**
 * Infill of an image that is not at the model's resolution (a photo): the model works on a square
 * region around the mask at its own resolution (app/common/infill-square.ts places it), and only
 * what it filled is scaled back and composited into the untouched full-resolution original
 * through a feathered mask, so every pixel outside the feathered mask keeps its exact value.
 */
import sharp from 'sharp';
import { visiblePart, type Square } from '../common/infill-square.ts';
import { ImageReadError, MAX_INPUT_PIXELS } from '../media/load-image.ts';

export interface FullImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** The image as shown (EXIF-rotated, flattened on white), RGB at its own resolution. */
export async function decodeFull(bytes: Buffer, what: string): Promise<FullImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { rgb: new Uint8Array(data), width: info.width, height: info.height };
  } catch (err) {
    const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    throw new ImageReadError(`${what} is not a readable image (${detail})`);
  }
}

/** The square's pixels at the model's resolution (beyond the image, its edge pixels repeat). */
export async function squareToModel(
  image: FullImage,
  square: Square,
  size: number,
): Promise<Uint8Array> {
  const inside = visiblePart(square, image.width, image.height);
  // Two pipelines: within one, sharp resizes before it extends.
  const cropped = await sharp(image.rgb, {
    raw: { width: image.width, height: image.height, channels: 3 },
    limitInputPixels: MAX_INPUT_PIXELS,
  })
    .extract({ left: inside.x, top: inside.y, width: inside.width, height: inside.height })
    .extend({
      left: inside.x - square.x,
      top: inside.y - square.y,
      right: square.x + square.side - (inside.x + inside.width),
      bottom: square.y + square.side - (inside.y + inside.height),
      extendWith: 'copy',
    })
    .raw()
    .toBuffer();
  const data = await sharp(cropped, {
    raw: { width: square.side, height: square.side, channels: 3 },
    limitInputPixels: MAX_INPUT_PIXELS,
  })
    .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return new Uint8Array(data);
}

/** The mask at the model's resolution: a model pixel is regenerated if any pixel under it is. */
export function maskToModel(
  mask: Uint8Array,
  width: number,
  height: number,
  square: Square,
  size: number,
): Uint8Array {
  const out = new Uint8Array(size * size);
  const inside = visiblePart(square, width, height);
  for (let y = inside.y; y < inside.y + inside.height; y++) {
    const my = Math.min(size - 1, Math.floor(((y - square.y) * size) / square.side));
    for (let x = inside.x; x < inside.x + inside.width; x++)
      if (mask[y * width + x])
        out[my * size + Math.min(size - 1, Math.floor(((x - square.x) * size) / square.side))] = 1;
  }
  return out;
}

/** The model's result scaled back up to the square's size. */
export async function modelToSquare(
  rgb: Uint8Array,
  size: number,
  square: Square,
): Promise<Uint8Array> {
  const data = await sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
    .resize(square.side, square.side, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return new Uint8Array(data);
}

/** Chamfer distance (px) from each pixel of a w×h box to the nearest masked pixel; 0 inside. */
function distances(inMask: (x: number, y: number) => boolean, w: number, h: number) {
  const d = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = inMask(x, y) ? 0 : 1e9;
  const diag = Math.SQRT2;
  const relax = (i: number, j: number, cost: number) => {
    if (d[j]! + cost < d[i]!) d[i] = d[j]! + cost;
  };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x > 0) relax(i, i - 1, 1);
      if (y > 0) {
        relax(i, i - w, 1);
        if (x > 0) relax(i, i - w - 1, diag);
        if (x < w - 1) relax(i, i - w + 1, diag);
      }
    }
  for (let y = h - 1; y >= 0; y--)
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (x < w - 1) relax(i, i + 1, 1);
      if (y < h - 1) {
        relax(i, i + w, 1);
        if (x < w - 1) relax(i, i + w + 1, diag);
        if (x > 0) relax(i, i + w - 1, diag);
      }
    }
  return d;
}

/**
 * The original with the filled square blended in: weight 1 on the mask, falling linearly to 0
 * over `featherPx` original pixels outside it; everywhere the weight is 0 the original's bytes
 * are copied as they are.
 */
export function compositeIntoOriginal(
  image: FullImage,
  filled: Uint8Array,
  square: Square,
  mask: Uint8Array,
  featherPx: number,
): Uint8Array {
  const out = Uint8Array.from(image.rgb);
  const inside = visiblePart(square, image.width, image.height);
  const dist = distances(
    (x, y) => mask[(inside.y + y) * image.width + inside.x + x] !== 0,
    inside.width,
    inside.height,
  );
  for (let y = 0; y < inside.height; y++)
    for (let x = 0; x < inside.width; x++) {
      const d = dist[y * inside.width + x]!;
      const alpha = d === 0 ? 1 : featherPx > 0 ? Math.max(0, 1 - d / (featherPx + 1)) : 0;
      if (alpha === 0) continue;
      const o = ((inside.y + y) * image.width + inside.x + x) * 3;
      const f = ((inside.y + y - square.y) * square.side + inside.x + x - square.x) * 3;
      for (let c = 0; c < 3; c++)
        out[o + c] = Math.round(alpha * filled[f + c]! + (1 - alpha) * image.rgb[o + c]!);
    }
  return out;
}
