/**
 * A cheap, honest visual descriptor for "more like this": what the picture looks like at a
 * glance, not what it means. Half is the 8×8 colour layout (mean-centred, so a uniform tint
 * matters less than composition), half a coarse 4×4×4 colour histogram (square-rooted, so the
 * dot product is the Bhattacharyya coefficient). The whole vector has unit length, so cosine
 * similarity is a dot product.
 */
import sharp from 'sharp';
import { MAX_INPUT_PIXELS } from './thumbnails.ts';

export const EMBEDDING_VERSION = 'pixel-layout-v1';
export const EMBEDDING_DIMS = 256;

const SIDE = 32; // pixels sampled per side
const GRID = 8; // layout cells per side
const CELL = SIDE / GRID;
const LAYOUT_DIMS = GRID * GRID * 3;

/** The descriptor of a 32×32 RGB image (row-major, 3 bytes per pixel). */
export function embeddingFromRgb(rgb: Uint8Array): Float32Array {
  if (rgb.length !== SIDE * SIDE * 3) throw new RangeError(`expected ${SIDE}×${SIDE} RGB pixels`);
  const layout = new Float64Array(LAYOUT_DIMS);
  const histogram = new Float64Array(EMBEDDING_DIMS - LAYOUT_DIMS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const p = (y * SIDE + x) * 3;
      const r = rgb[p]!;
      const g = rgb[p + 1]!;
      const b = rgb[p + 2]!;
      const cell = (Math.floor(y / CELL) * GRID + Math.floor(x / CELL)) * 3;
      layout[cell] = layout[cell]! + r;
      layout[cell + 1] = layout[cell + 1]! + g;
      layout[cell + 2] = layout[cell + 2]! + b;
      const bin = (r >> 6) * 16 + (g >> 6) * 4 + (b >> 6);
      histogram[bin] = histogram[bin]! + 1;
    }
  }
  for (let c = 0; c < 3; c++) {
    let mean = 0;
    for (let i = c; i < LAYOUT_DIMS; i += 3) mean += layout[i]!;
    mean /= GRID * GRID;
    for (let i = c; i < LAYOUT_DIMS; i += 3) layout[i] = layout[i]! - mean;
  }
  const layoutNorm = Math.hypot(...layout);
  // A flat image has no layout; then the histogram alone describes it.
  const layoutWeight = layoutNorm > 1e-6 ? Math.SQRT1_2 / layoutNorm : 0;
  const histogramWeight = layoutWeight === 0 ? 1 : Math.SQRT1_2;
  const out = new Float32Array(EMBEDDING_DIMS);
  for (let i = 0; i < LAYOUT_DIMS; i++) out[i] = layout[i]! * layoutWeight;
  for (let i = 0; i < histogram.length; i++)
    out[LAYOUT_DIMS + i] = Math.sqrt(histogram[i]! / (SIDE * SIDE)) * histogramWeight;
  return out;
}

/** The descriptor of an image file or its bytes; null when sharp cannot read it. */
export async function imageEmbedding(input: Uint8Array | string): Promise<Float32Array | null> {
  try {
    const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .resize(SIDE, SIDE, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return null;
    return embeddingFromRgb(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } catch {
    return null;
  }
}

export const embeddingToBlob = (v: Float32Array) =>
  Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** Copies: SQLite blobs are not guaranteed to be 4-byte aligned for a Float32Array view. */
export function embeddingFromBlob(blob: Uint8Array): Float32Array {
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
