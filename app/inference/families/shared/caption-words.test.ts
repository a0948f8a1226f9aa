/** The caption token picker and the log-probability every family's captioning shares. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captionPicker, logProb } from './caption-words.ts';

const eos = 1;
const row = Float32Array.from([9, 0.5, 0, 2, 2, -1, 7]); // ids 2..5 are words; 0 and 6 are not

test('greedy picks the best of <eos> and the words, ties to the lower id, never another id', () => {
  assert.equal(captionPicker([2, 6], eos, null)(row), 3);
  assert.equal(captionPicker([2, 6], eos, null)(Float32Array.from([9, 5, 0, 2, 2, -1, 7])), eos);
});

test('sampling draws only <eos> or words, the same sequence for the same seed', () => {
  const draw = (seed: number) => {
    const pick = captionPicker([2, 6], eos, { temperature: 1, topP: 1, seed });
    return Array.from({ length: 40 }, () => pick(row));
  };
  const a = draw(7);
  assert.deepEqual(draw(7), a);
  assert.ok(a.every((id) => id === eos || (id >= 2 && id < 6)));
  assert.ok(new Set(a).size > 1);
});

test('logProb is the log-softmax of the row at the token', () => {
  const z = Array.from(row).reduce((s, x) => s + Math.exp(x), 0);
  assert.ok(Math.abs(logProb(row, 3) - (2 - Math.log(z))) < 1e-12);
});
