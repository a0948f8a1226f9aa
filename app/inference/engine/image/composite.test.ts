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

test('distances within a limit are exact, and the feathered composite is unchanged by using one', () => {
  const w = 48;
  const h = 40;
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // A blob and scattered pixels, so nearest masked pixels lie at many distances and angles.
  const mask = Array.from({ length: w * h }, (_, i) => {
    const x = i % w;
    const y = Math.floor(i / w);
    return (x - 20) ** 2 + (y - 18) ** 2 < 60 || next() < 0.01 ? 1 : 0;
  });
  const full = distanceToMask(mask, w, h);
  for (const limit of [1, 2.5, 3, 7]) {
    const near = distanceToMask(mask, w, h, limit);
    for (let p = 0; p < w * h; p++)
      assert.equal(near[p], full[p]! <= limit ? full[p] : Infinity, `pixel ${p}, limit ${limit}`);
  }
  const original = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(next() * 256));
  const generated = Uint8Array.from({ length: w * h * 3 }, () => Math.floor(next() * 256));
  for (const feather of [0, 2, 5]) {
    const got = featheredComposite(original, generated, mask, w, h, feather);
    for (let p = 0; p < w * h; p++) {
      const d = full[p]!;
      const alpha = d === 0 ? 1 : feather > 0 ? Math.max(0, 1 - d / (feather + 1)) : 0;
      for (let c = 0; c < 3; c++) {
        const i = p * 3 + c;
        const want =
          alpha === 0
            ? original[i]!
            : Math.round(alpha * generated[i]! + (1 - alpha) * original[i]!);
        assert.equal(got[i], want, `pixel ${p} channel ${c}, feather ${feather}`);
      }
    }
  }
});
