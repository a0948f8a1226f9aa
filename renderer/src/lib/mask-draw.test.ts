import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downsampleMask } from './mask.ts';
import {
  drawMaskOverlay,
  drawStroke,
  gridLines,
  maskCells,
  replayStrokes,
  type DrawContext,
} from './mask-draw.ts';

/**
 * A single-channel raster that honours the calls the mask makes: rectangles, and round dots
 * (an arc then fill). Lines are recorded, not rasterised.
 */
class RasterContext implements DrawContext {
  globalCompositeOperation = 'source-over';
  fillStyle: unknown = '';
  strokeStyle: unknown = '';
  lineCap = 'butt';
  lineJoin = 'miter';
  lineWidth = 1;
  readonly alpha: Uint8Array;
  readonly calls: string[] = [];
  private dot: [number, number, number] | null = null;
  constructor(readonly size: number) {
    this.alpha = new Uint8Array(size * size);
  }
  private paint(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    inside: (x: number, y: number) => boolean,
  ) {
    const v = this.globalCompositeOperation === 'destination-out' ? 0 : 255;
    for (let y = Math.max(0, y0); y < Math.min(this.size, y1); y++)
      for (let x = Math.max(0, x0); x < Math.min(this.size, x1); x++)
        if (inside(x + 0.5, y + 0.5)) this.alpha[y * this.size + x] = v;
  }
  clearRect(x: number, y: number, w: number, h: number) {
    this.calls.push(`clear ${x},${y},${w},${h}`);
    const op = this.globalCompositeOperation;
    this.globalCompositeOperation = 'destination-out';
    this.paint(x, y, x + w, y + h, () => true);
    this.globalCompositeOperation = op;
  }
  fillRect(x: number, y: number, w: number, h: number) {
    this.calls.push(`fillRect ${x},${y},${w},${h}`);
    this.paint(x, y, x + w, y + h, () => true);
  }
  beginPath() {
    this.dot = null;
  }
  arc(x: number, y: number, r: number) {
    this.dot = [x, y, r];
  }
  fill() {
    if (this.dot === null) return;
    const [cx, cy, r] = this.dot;
    this.paint(
      Math.floor(cx - r),
      Math.floor(cy - r),
      Math.ceil(cx + r),
      Math.ceil(cy + r),
      (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r,
    );
  }
  moveTo(x: number, y: number) {
    this.calls.push(`moveTo ${x},${y}`);
  }
  lineTo(x: number, y: number) {
    this.calls.push(`lineTo ${x},${y}`);
  }
  stroke() {
    this.calls.push(`stroke ${String(this.strokeStyle)}`);
  }
  /** The mask a model of `m`×`m` pixels receives from this surface. */
  mask(m: number): Uint8Array {
    return downsampleMask(this.alpha, this.size, this.size, m, m, { stride: 1 });
  }
}

test('fill, clear and "below" masks replay to what the model receives', () => {
  const ctx = new RasterContext(64);
  replayStrokes(ctx, [{ mode: 'fill' }], 64);
  assert.ok(ctx.mask(8).every((v) => v === 255));
  replayStrokes(ctx, [{ mode: 'fill' }, { mode: 'clear' }], 64);
  assert.ok(ctx.mask(8).every((v) => v === 0));
  // Keep the top 3 of 4 rows: only the last quarter is regenerated.
  replayStrokes(ctx, [{ mode: 'fill' }, { mode: 'below', fraction: 3 / 4 }], 64);
  assert.deepEqual([...ctx.mask(4)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255]);
});

test('a dab paints its disc; the eraser takes it away; the context is left painting', () => {
  const ctx = new RasterContext(64);
  replayStrokes(ctx, [{ mode: 'paint', radius: 8, points: [[8, 8]] }], 64);
  assert.deepEqual([...ctx.mask(4)], [255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  replayStrokes(
    ctx,
    [
      { mode: 'paint', radius: 8, points: [[8, 8]] },
      { mode: 'erase', radius: 8, points: [[8, 8]] },
    ],
    64,
  );
  assert.ok(ctx.mask(4).every((v) => v === 0));
  assert.equal(ctx.globalCompositeOperation, 'source-over');
});

test('a growing stroke draws only its new segment; a whole stroke draws its dot and its path', () => {
  const ctx = new RasterContext(64);
  const s = {
    mode: 'paint' as const,
    radius: 2,
    points: [
      [1, 1],
      [5, 5],
      [9, 9],
    ] as [number, number][],
  };
  drawStroke(ctx, s, 2, 64);
  assert.deepEqual(ctx.calls, ['moveTo 5,5', 'lineTo 9,9', 'stroke #000']);
  assert.equal(ctx.lineWidth, 4);
  ctx.calls.length = 0;
  drawStroke(ctx, s, 0, 64);
  assert.deepEqual(ctx.calls, ['moveTo 1,1', 'lineTo 5,5', 'lineTo 9,9', 'stroke #000']);
  assert.equal(ctx.alpha[1 * 64 + 1], 255);
});

test('masked model pixels cover the surface without gaps', () => {
  const mask = Uint8Array.from([1, 0, 0, 1]);
  assert.deepEqual(maskCells(mask, 2, 2, 10), [
    [0, 0, 5, 5],
    [5, 5, 5, 5],
  ]);
  // 3 pixels over 10: each rectangle starts at its floor and is rounded up, so none leaves a gap.
  assert.deepEqual(maskCells(Uint8Array.from([1, 1, 1]), 3, 1, 10), [
    [0, 0, 4, 10],
    [3, 0, 4, 10],
    [6, 0, 4, 10],
  ]);
});

test('grid lines fall between model pixels, and every cell-th one marks a cell', () => {
  assert.deepEqual(gridLines(4, 1, 512), [128.5, 256.5, 384.5]);
  assert.deepEqual(gridLines(32, 8, 512), [128.5, 256.5, 384.5]);
  assert.deepEqual(gridLines(3, 1, 10), [3.5, 7.5]);
  assert.deepEqual(gridLines(1, 1, 512), []);
});

test('the overlay draws the cell grid only when a cell spans several pixels', () => {
  const strokes = (cell: number) => {
    const ctx = new RasterContext(16);
    drawMaskOverlay(ctx, new Uint8Array(16), { width: 4, height: 4, cell }, 16);
    return ctx.calls.filter((c) => c.startsWith('stroke'));
  };
  assert.deepEqual(strokes(1), ['stroke rgba(0, 0, 0, 0.08)']);
  assert.deepEqual(strokes(2), ['stroke rgba(0, 0, 0, 0.08)', 'stroke rgba(0, 0, 0, 0.25)']);
});
