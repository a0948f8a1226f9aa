import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canRedo, canUndo, historyOf, pushHistory, redo, undo } from './history.ts';

test('undo and redo walk the history; a new state drops the redo branch', () => {
  let h = historyOf<number[]>([]);
  assert.equal(canUndo(h), false);
  h = pushHistory(h, [1]);
  h = pushHistory(h, [1, 2]);
  h = undo(h);
  assert.deepEqual(h.present, [1]);
  assert.equal(canRedo(h), true);
  h = redo(h);
  assert.deepEqual(h.present, [1, 2]);
  h = undo(undo(h));
  assert.deepEqual(h.present, []);
  assert.equal(undo(h), h);
  h = redo(h);
  h = pushHistory(h, [1, 3]);
  assert.equal(canRedo(h), false);
  assert.deepEqual(h.past, [[], [1]]);
});

test('the history keeps at most `limit` undo steps', () => {
  let h = historyOf(0);
  for (let i = 1; i <= 10; i++) h = pushHistory(h, i, 3);
  assert.deepEqual(h.past, [7, 8, 9]);
});
