import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  estimatedBytes,
  estimatedMemory,
  fastProvidersHere,
  layerParams,
  PUBLIC_CHECKPOINTS,
} from './public-checkpoints.ts';

const [janus1b, janus7b] = PUBLIC_CHECKPOINTS;

test('the list holds Janus-Pro-1B (pull) and Janus-Pro-7B (convert)', () => {
  assert.deepEqual(
    PUBLIC_CHECKPOINTS.map((c) => [c.name, c.how]),
    [
      ['Janus-Pro-1B', 'pull'],
      ['Janus-Pro-7B', 'convert'],
    ],
  );
});

test("Janus-Pro-1B's fp32 layer weights computed from its config match the hub's 4.94 GB file", () => {
  const bytes = 4 * layerParams(janus1b!.language);
  assert.ok(Math.abs(bytes - 4.94e9) / 4.94e9 < 0.01, `${bytes}`);
});

test('sizes shrink with the dtype, and the 7B model is several times the 1B', () => {
  for (const c of [janus1b!, janus7b!]) {
    const [fp32, fp16, q4, q4f16] = (['fp32', 'fp16', 'q4', 'q4f16'] as const).map((d) =>
      estimatedBytes(c, d),
    );
    assert.ok(fp32! > fp16! && fp16! > q4! && q4! > q4f16!, c.name);
    assert.ok(estimatedMemory(c, 'fp32') > fp32!);
  }
  const ratio = estimatedBytes(janus7b!, 'fp16') / estimatedBytes(janus1b!, 'fp16');
  assert.ok(ratio > 3.5 && ratio < 5.5, `${ratio}`);
  // Janus-Pro-1B in fp32: about 8 GB of weights.
  assert.ok(Math.abs(estimatedBytes(janus1b!, 'fp32') / 1e9 - 8.2) < 0.5);
});

test('the fast providers are those this computer offers; otherwise only the CPU is left', () => {
  assert.deepEqual(fastProvidersHere(janus1b!, ['cpu', 'cuda']), {
    fast: ['cuda'],
    cpuOnly: false,
  });
  assert.deepEqual(fastProvidersHere(janus1b!, ['cpu']), { fast: [], cpuOnly: true });
});
