import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slotCaption } from './caption-slot.ts';

test('a caption fills its slot with the pad token first, so it still ends at the slot end', () => {
  assert.deepEqual(slotCaption([20, 27], 5, 0), [0, 0, 0, 20, 27]);
  assert.deepEqual(slotCaption([4, 4, 4, 4, 4], 5, 0), [4, 4, 4, 4, 4]);
  assert.deepEqual(slotCaption([], 3, 9), [9, 9, 9]);
});

test('without a slot a caption keeps its length, and one longer than its slot is refused', () => {
  const ids = [20, 27, 31];
  const same = slotCaption(ids, undefined, 0);
  assert.deepEqual(same, ids);
  assert.notEqual(same, ids, 'a copy, so a caller may extend it');
  assert.throws(() => slotCaption([1, 2, 3, 4], 3, 0), /4 caption tokens do not fit .* slot of 3/);
});
