/** The mask a list of strokes makes at the model's resolution, drawn on an offscreen canvas. */
import { maskCoverage, downsampleMask, type Stroke } from '../../lib/mask.ts';
import { replayStrokes, SURFACE } from '../../lib/mask-draw.ts';

/** A canvas of the painting surface's size, with a context read back often. */
export function surfaceCanvas(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = SURFACE;
  c.height = SURFACE;
  return c;
}

export function surfaceContext(c: HTMLCanvasElement): CanvasRenderingContext2D | null {
  return c.getContext('2d', { willReadFrequently: true });
}

/** The painted layer downsampled to `width`×`height` model pixels. */
export function layerMask(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
): Uint8Array {
  return downsampleMask(
    ctx.getImageData(0, 0, SURFACE, SURFACE).data,
    SURFACE,
    SURFACE,
    width,
    height,
  );
}

/** The strokes' mask at the model's resolution; null when no canvas could be made. */
export function strokesMask(
  strokes: readonly Stroke[],
  width: number,
  height: number,
): { mask: Uint8Array; coverage: number } | null {
  const ctx = surfaceContext(surfaceCanvas());
  if (ctx === null) return null;
  replayStrokes(ctx, strokes);
  const mask = layerMask(ctx, width, height);
  return { mask, coverage: maskCoverage(mask) };
}
