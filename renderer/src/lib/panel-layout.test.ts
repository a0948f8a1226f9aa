import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isQueueCollapsed,
  withNarrow,
  withQueueCollapsed,
  type QueueLayout,
} from './panel-layout.ts';

const wideOpen: QueueLayout = { collapsedWhenWide: false, narrow: false, openWhileNarrow: false };

test('a narrow window collapses the queue by itself; widening restores the wide choice', () => {
  assert.equal(isQueueCollapsed(wideOpen), false);
  const narrow = withNarrow(wideOpen, true);
  assert.equal(isQueueCollapsed(narrow), true);
  assert.equal(isQueueCollapsed(withNarrow(narrow, false)), false);
});

test('opening it while narrow lasts until the window is narrowed again, and leaves the wide choice', () => {
  const opened = withQueueCollapsed(withNarrow(wideOpen, true), false);
  assert.equal(isQueueCollapsed(opened), false);
  assert.equal(opened.collapsedWhenWide, false);
  const wideAgain = withNarrow(opened, false);
  const narrowAgain = withNarrow(wideAgain, true);
  assert.equal(isQueueCollapsed(narrowAgain), true);
  // the same width reported again changes nothing
  assert.equal(withNarrow(opened, true), opened);
});

test('collapsing on a wide window is remembered for wide windows', () => {
  const collapsed = withQueueCollapsed(wideOpen, true);
  assert.equal(isQueueCollapsed(collapsed), true);
  assert.equal(isQueueCollapsed(withNarrow(withNarrow(collapsed, true), false)), true);
});
