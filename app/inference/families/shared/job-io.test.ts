/** A request's image is taken only at the model's size, and bytes go out as they came in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { b64, decodeRgb } from './job-io.ts';

const model = { manifest: { image: { width: 2, height: 2 } } as unknown as ModelManifest };

test('an RGB image of the model size round-trips; another size is refused with the size needed', () => {
  const rgb = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
  assert.deepEqual(decodeRgb(model, b64(rgb), 'the image'), rgb);
  assert.equal(b64(rgb.subarray(3, 6)), Buffer.from([60, 80, 100]).toString('base64'));
  assert.throws(
    () => decodeRgb(model, b64(rgb.subarray(0, 9)), 'the image'),
    /the image must be 2×2 RGB \(12 bytes\), got 9/,
  );
});
