/**
 * Drawing the infill mask: strokes replayed onto a square painting surface, and the overlay
 * that shows the mask snapped to the model's pixels and cells. Works on any 2D context with the
 * calls below (a canvas in the studio, a recording fake in tests). Pure apart from the context.
 */
import type { Stroke } from './mask.ts';

/** Resolution of the painting surface (display pixels); the mask is downsampled from it. */
export const SURFACE = 512;

/** The canvas calls the mask uses. */
export interface DrawContext {
  globalCompositeOperation: string;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineCap: string;
  lineJoin: string;
  lineWidth: number;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  fill(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
}

/** Clears the surface and draws every stroke in order. */
export function replayStrokes(ctx: DrawContext, strokes: readonly Stroke[], size = SURFACE): void {
  ctx.globalCompositeOperation = 'source-over';
  ctx.clearRect(0, 0, size, size);
  for (const s of strokes) drawStroke(ctx, s, 0, size);
}

/** Draws a stroke from point `from` on (all of it for 0). */
export function drawStroke(ctx: DrawContext, s: Stroke, from: number, size = SURFACE): void {
  if (s.mode === 'clear') {
    ctx.globalCompositeOperation = 'source-over';
    ctx.clearRect(0, 0, size, size);
    return;
  }
  if (s.mode === 'fill') {
    ctx.globalCompositeOperation = 'source-over';
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, size, size);
    return;
  }
  if (s.mode === 'below') {
    const top = Math.round(s.fraction * size);
    ctx.globalCompositeOperation = 'source-over';
    ctx.clearRect(0, 0, size, size);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, top, size, size - top);
    return;
  }
  ctx.globalCompositeOperation = s.mode === 'erase' ? 'destination-out' : 'source-over';
  ctx.strokeStyle = '#000';
  ctx.fillStyle = '#000';
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = s.radius * 2;
  const pts = s.points;
  if (pts.length === 1 || from === 0) {
    const [x, y] = pts[0]!;
    ctx.beginPath();
    ctx.arc(x, y, s.radius, 0, Math.PI * 2);
    ctx.fill();
  }
  const start = Math.max(1, from);
  if (pts.length > 1 && start < pts.length) {
    ctx.beginPath();
    const [x0, y0] = pts[start - 1]!;
    ctx.moveTo(x0, y0);
    for (let i = start; i < pts.length; i++) ctx.lineTo(pts[i]![0], pts[i]![1]);
    ctx.stroke();
  }
  ctx.globalCompositeOperation = 'source-over';
}

/** The surface rectangles [x, y, w, h] of the masked model pixels, covering them without gaps. */
export function maskCells(
  mask: ArrayLike<number>,
  mw: number,
  mh: number,
  size = SURFACE,
): [number, number, number, number][] {
  const cw = size / mw;
  const ch = size / mh;
  const out: [number, number, number, number][] = [];
  for (let y = 0; y < mh; y++)
    for (let x = 0; x < mw; x++)
      if (mask[y * mw + x])
        out.push([Math.floor(x * cw), Math.floor(y * ch), Math.ceil(cw), Math.ceil(ch)]);
  return out;
}

/** Surface positions (on the half pixel, for crisp 1 px lines) of every `step`-th of `n` lines. */
export function gridLines(n: number, step: number, size = SURFACE): number[] {
  const out: number[] = [];
  const unit = size / n;
  for (let i = step; i < n; i += step) out.push(Math.round(i * unit) + 0.5);
  return out;
}

/**
 * Draws the mask the model receives over a cleared surface: the masked pixels, the model's
 * pixel grid faintly, and its own cells (MCUs, code cells) darker when they span several pixels:
 * a painted pixel regenerates its whole cell, and the composite then keeps the source outside
 * what was painted.
 */
export function drawMaskOverlay(
  ctx: DrawContext,
  mask: ArrayLike<number>,
  model: { width: number; height: number; cell: number },
  size = SURFACE,
): void {
  const { width: mw, height: mh, cell } = model;
  ctx.clearRect(0, 0, size, size);
  ctx.fillStyle = 'rgba(124, 156, 255, 0.55)';
  for (const [x, y, w, h] of maskCells(mask, mw, mh, size)) ctx.fillRect(x, y, w, h);
  ctx.lineWidth = 1;
  const grid = (step: number, style: string) => {
    ctx.strokeStyle = style;
    ctx.beginPath();
    for (const x of gridLines(mw, step, size)) {
      ctx.moveTo(x, 0);
      ctx.lineTo(x, size);
    }
    for (const y of gridLines(mh, step, size)) {
      ctx.moveTo(0, y);
      ctx.lineTo(size, y);
    }
    ctx.stroke();
  };
  grid(1, 'rgba(0, 0, 0, 0.08)');
  if (cell > 1) grid(cell, 'rgba(0, 0, 0, 0.25)');
}
