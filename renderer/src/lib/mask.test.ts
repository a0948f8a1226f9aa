import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base64ToBytes, bytesToBase64, downsampleMask, maskCoverage, rgbToRgba } from './mask.ts';

/** An RGBA layer of w×h with the rectangle [x0,x1)×[y0,y1) painted opaque. */
function layer(w: number, h: number, x0: number, y0: number, x1: number, y1: number) {
  const px = new Uint8ClampedArray(w * h * 4);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) px[(y * w + x) * 4 + 3] = 255;
  return px;
}

test('a painted quadrant maps to the same model quadrant', () => {
  const m = downsampleMask(layer(512, 512, 0, 0, 256, 256), 512, 512, 32, 32);
  assert.equal(m.length, 32 * 32);
  assert.equal(m[0], 255);
  assert.equal(m[15 * 32 + 15], 255);
  assert.equal(m[16], 0);
  assert.equal(m[16 * 32], 0);
  assert.equal(maskCoverage(m), 0.25);
});

test('a model pixel needs half its area painted by default', () => {
  // Display 64 → model 4: each model pixel is 16×16 display pixels.
  const a = downsampleMask(layer(64, 64, 0, 0, 16, 7), 64, 64, 4, 4);
  assert.equal(a[0], 0);
  const b = downsampleMask(layer(64, 64, 0, 0, 16, 8), 64, 64, 4, 4);
  assert.equal(b[0], 255);
  const c = downsampleMask(layer(64, 64, 0, 0, 16, 1), 64, 64, 4, 4, { threshold: 0.01 });
  assert.equal(c[0], 255);
});

test('non-integer ratios and upsampling still cover every model pixel', () => {
  const m = downsampleMask(layer(100, 60, 0, 0, 100, 60), 100, 60, 32, 32);
  assert.equal(maskCoverage(m), 1);
  const up = downsampleMask(layer(8, 8, 0, 0, 8, 8), 8, 8, 32, 32);
  assert.equal(maskCoverage(up), 1);
});

test('single-channel input and erased (transparent) pixels', () => {
  const src = new Uint8Array(4 * 4);
  src[0] = 255;
  src[1] = 255;
  src[4] = 255;
  src[5] = 100; // below the alpha cut: not painted
  const m = downsampleMask(src, 4, 4, 2, 2, { stride: 1 });
  assert.deepEqual([...m], [255, 0, 0, 0]);
});

test('base64 round trip, large enough to need chunking', () => {
  const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) & 255);
  const b64 = bytesToBase64(bytes);
  assert.equal(b64, Buffer.from(bytes).toString('base64'));
  assert.deepEqual(base64ToBytes(b64), bytes);
});

test('RGB previews expand to opaque RGBA', () => {
  const rgba = rgbToRgba(new Uint8Array([1, 2, 3, 4, 5, 6]), 2, 1);
  assert.deepEqual([...rgba], [1, 2, 3, 255, 4, 5, 6, 255]);
});
