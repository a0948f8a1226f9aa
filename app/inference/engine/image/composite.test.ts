import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distanceToMask, featheredComposite } from './composite.ts';

test('pixels outside the feather keep the original bytes exactly', () => {
  const w = 8;
  const mask = Array.from({ length: 64 }, (_, i) => (i % 8 >= 3 && i % 8 < 5 && i < 32 ? 1 : 0));
  const original = new Uint8Array(64 * 3).fill(200);
  const generated = new Uint8Array(64 * 3).fill(10);
  const hard = featheredComposite(original, generated, mask, w, w, 0);
  for (let p = 0; p < 64; p++) assert.equal(hard[p * 3], mask[p] ? 10 : 200);
  const soft = featheredComposite(original, generated, mask, w, w, 2);
  const dist = distanceToMask(mask, w, w);
  for (let p = 0; p < 64; p++) {
    if (mask[p]) assert.equal(soft[p * 3], 10);
    else if (dist[p]! >= 3) assert.equal(soft[p * 3], 200);
    else assert.ok(soft[p * 3]! > 10 && soft[p * 3]! < 200, `blend at distance ${dist[p]}`);
  }
});
