import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promptFeedback } from './prompt-feedback.ts';

const w = (text: string, known = true, kept = true) => ({ text, known, kept });

test('within the budget: the count, and each unknown word once', () => {
  const f = promptFeedback({
    words: [w('quasar', false), w('red'), w('quasar', false), w('heart')],
    budget: 16,
    used: 4,
  });
  assert.deepEqual(f, {
    budgetLine: '4 of 16 words',
    unknown: ['quasar'],
    dropped: [],
    over: false,
  });
});

test('past the budget: what is dropped, and a dropped unknown word is not also listed as read', () => {
  const f = promptFeedback({
    words: [w('red'), w('heart'), w('zebrafish', false, false), w('apple', true, false)],
    budget: 2,
    used: 2,
  });
  assert.equal(f.budgetLine, 'Reads the first 2 of 4 words');
  assert.deepEqual(f.dropped, ['zebrafish', 'apple']);
  assert.deepEqual(f.unknown, []);
  assert.equal(f.over, true);
});
