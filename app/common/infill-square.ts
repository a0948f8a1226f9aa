/**
 * Where an infill of an image not at the model's resolution (a photo) works: a square around
 * the mask, with context on every side, at least the model's own size. Pure geometry, shared by
 * the job that crops, fills and composites that square (app/jobs/infill-plan.ts) and the studio's
 * mask canvas, which draws the same square while the mask is painted.
 */

/** A rectangle in the original image's pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The square the model sees, in original pixels; it may reach past the image's edges. */
export interface Square {
  x: number;
  y: number;
  side: number;
}

/** Context around the mask's bounding box, as a share of its larger side. */
const CONTEXT = 0.5;

/**
 * A mask painted over the image as the model showed it (`size`², the image fitted inside and
 * centred, as toModelRgb does) mapped onto the image's own pixels.
 */
export function maskFromModel(
  modelMask: Uint8Array,
  size: number,
  width: number,
  height: number,
): Uint8Array {
  const scale = size / Math.max(width, height);
  const offX = (size - width * scale) / 2;
  const offY = (size - height * scale) / 2;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const my = Math.min(size - 1, Math.floor(offY + (y + 0.5) * scale));
    for (let x = 0; x < width; x++) {
      const mx = Math.min(size - 1, Math.floor(offX + (x + 0.5) * scale));
      out[y * width + x] = modelMask[my * size + mx] ? 1 : 0;
    }
  }
  return out;
}

/** The smallest rectangle holding every masked pixel, or null for an empty mask. */
export function maskBounds(mask: Uint8Array, width: number, height: number): Region | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (mask[y * width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Where a square of `side` starts on one axis: centred on the box, inside the image if it fits. */
function place(start: number, extent: number, side: number, imageExtent: number): number {
  if (side >= imageExtent) return Math.round((imageExtent - side) / 2);
  const centred = Math.round(start + extent / 2 - side / 2);
  return Math.min(Math.max(centred, 0), imageExtent - side);
}

/**
 * The square the model works on: the mask's box with context on every side (at least the model's
 * own size, so a small mask is not blown up past it; at most the image's larger side).
 */
export function workingSquare(
  box: Region,
  width: number,
  height: number,
  modelSize: number,
): Square {
  const wanted = Math.ceil(Math.max(box.width, box.height) * (1 + 2 * CONTEXT));
  const side = Math.min(Math.max(wanted, modelSize), Math.max(width, height));
  return {
    x: place(box.x, box.width, side, width),
    y: place(box.y, box.height, side, height),
    side,
  };
}

/** The part of the square that lies inside the image: what the UI draws as the working region. */
export function visiblePart(square: Square, width: number, height: number): Region {
  const x = Math.max(0, square.x);
  const y = Math.max(0, square.y);
  return {
    x,
    y,
    width: Math.min(width, square.x + square.side) - x,
    height: Math.min(height, square.y + square.side) - y,
  };
}

/**
 * Whether an infill works on a square around the mask: the image is not at the model's own size
 * and the model is square. Otherwise the model works on the whole image, as it always did.
 */
export function worksOnRegion(
  image: { width: number; height: number },
  model: { width: number; height: number },
): boolean {
  const atModelSize = image.width === model.width && image.height === model.height;
  return !atModelSize && model.width === model.height;
}

/**
 * The bounds of `maskFromModel(modelMask, size, width, height)` without building that mask (a
 * photo's own resolution can be tens of millions of pixels, and the canvas asks once a frame):
 * an image pixel is masked where the model pixel it maps to is, and the mapping is monotonic on
 * each axis, so the bounds are the first and last image columns and rows that map to a model
 * column (row) holding a masked pixel in a row (column) the image reaches.
 */
export function modelMaskBounds(
  modelMask: Uint8Array,
  size: number,
  width: number,
  height: number,
): Region | null {
  const scale = size / Math.max(width, height);
  const offX = (size - width * scale) / 2;
  const offY = (size - height * scale) / 2;
  const toModel = (off: number, i: number) =>
    Math.min(size - 1, Math.floor(off + (i + 0.5) * scale));
  const xs = Array.from({ length: width }, (_, x) => toModel(offX, x));
  const ys = Array.from({ length: height }, (_, y) => toModel(offY, y));
  const rowsReached = new Uint8Array(size);
  const colsReached = new Uint8Array(size);
  for (const my of ys) rowsReached[my] = 1;
  for (const mx of xs) colsReached[mx] = 1;
  const colHit = new Uint8Array(size);
  const rowHit = new Uint8Array(size);
  for (let my = 0; my < size; my++)
    for (let mx = 0; mx < size; mx++)
      if (modelMask[my * size + mx] && rowsReached[my] && colsReached[mx]) {
        colHit[mx] = 1;
        rowHit[my] = 1;
      }
  const x0 = xs.findIndex((mx) => colHit[mx]);
  if (x0 < 0) return null;
  const x1 = xs.findLastIndex((mx) => colHit[mx]);
  const y0 = ys.findIndex((my) => rowHit[my]);
  const y1 = ys.findLastIndex((my) => rowHit[my]);
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * The square an infill of a `width`×`height` image works on for a mask painted at the model's
 * resolution (`modelSize`², over the image fitted inside it), and the part of it inside the
 * image; null for an empty mask.
 */
export function workingRegion(
  modelMask: Uint8Array,
  modelSize: number,
  width: number,
  height: number,
): { square: Square; region: Region } | null {
  const box = modelMaskBounds(modelMask, modelSize, width, height);
  if (box === null) return null;
  const square = workingSquare(box, width, height, modelSize);
  return { square, region: visiblePart(square, width, height) };
}
